from __future__ import annotations

from bff.core.errors import BadRequest, Conflict, Unprocessable


class IdempotencyKeyRequired(BadRequest):
    code = "idempotency.key_required"
    default_detail = "This operation requires an Idempotency-Key header."


class IdempotencyKeyInvalid(BadRequest):
    code = "idempotency.key_invalid"
    default_detail = "The Idempotency-Key must be 1-255 printable ASCII characters."


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency.key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


class IdempotencyInProgress(Conflict):
    code = "idempotency.in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."
