"""Every table the BFF owns, imported in one place for Alembic's autogenerate and tests."""

from bff.audit.models import AuditEvent
from bff.core.db import Base
from bff.events.models import EventCursor
from bff.idempotency.models import IdempotencyRecord, IdempotencyState
from bff.outbox.models import OutboxMessage
from bff.provisioning.models import ProvisioningRun
from bff.users.models import User

__all__ = [
    "AuditEvent",
    "Base",
    "EventCursor",
    "IdempotencyRecord",
    "IdempotencyState",
    "OutboxMessage",
    "ProvisioningRun",
    "User",
]
