"""Typed domain errors. The BFF maps each class to one problem+json ``code``."""

from collections.abc import Sequence
from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain.error"


class NotFoundError(DomainError):
    code = "domain.not_found"

    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"{entity} {entity_id} not found")
        self.entity = entity
        self.entity_id = entity_id


class ConflictError(DomainError):
    code = "domain.conflict"


class CurrencyMismatchError(DomainError):
    """Arithmetic or comparison between amounts of different currencies."""

    code = "domain.currency_mismatch"

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"cannot combine {left} with {right}")
        self.left = left
        self.right = right


@dataclass(frozen=True)
class FieldError:
    """One invalid input field, addressed like ``items[0].quantity``."""

    field: str
    message: str


class ValidationFailedError(DomainError):
    code = "domain.validation_failed"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = tuple(errors)


class ProviderPayloadError(DomainError):
    """A provider answered with something we cannot understand.

    Names the provider, entity and field, never the value: values are often personal
    data (names, phone numbers, addresses) and this message ends up in logs.
    """

    code = "upstream.bad_payload"

    def __init__(self, provider: str, entity: str, field: str, reason: str = "invalid") -> None:
        super().__init__(f"{provider} {entity}: field '{field}' is {reason}")
        self.provider = provider
        self.entity = entity
        self.field = field
        self.reason = reason
