"""Provisioning of approved Salesforce Orders: a persisted, re-runnable state machine."""
