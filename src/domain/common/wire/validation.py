"""Validate a provider payload once, turning any failure into one ProviderPayloadError."""

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from domain.common.errors import ProviderPayloadError

M = TypeVar("M", bound=BaseModel)


def error_location(loc: Sequence[int | str]) -> str:
    """``("items", 0, "amount")`` -> ``items[0].amount``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "<root>"


def parse_payload(model: type[M], payload: Any, *, provider: str, entity: str) -> M:
    """Validate ``payload`` as ``model``; the error names the first bad field, not its value."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        reason = "missing" if first["type"] == "missing" else "invalid"
        # ``from None``: the pydantic error text contains the input value (personal data).
        raise ProviderPayloadError(provider, entity, error_location(first["loc"]), reason) from None


def require(value: M | None, *, provider: str, entity: str, field: str) -> M:
    """Insist on an optional sub-object the mapping cannot do without."""
    if value is None:
        raise ProviderPayloadError(provider, entity, field, "missing")
    return value
