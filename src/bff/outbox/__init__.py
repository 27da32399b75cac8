"""Transactional outbox: messages (e-mails) written in the request's transaction, sent later."""
