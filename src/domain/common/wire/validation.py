"""Validate a provider payload once, turning any failure into one ProviderPayloadError."""

import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

from domain.common.errors import ProviderPayloadError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
P = ParamSpec("P")


def error_location(loc: Sequence[int | str]) -> str:
    """``("items", 0, "amount")`` -> ``items[0].amount``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "<root>"


@overload
def parse_payload(schema: type[M], payload: Any, *, provider: str, entity: str) -> M: ...


@overload
def parse_payload(schema: TypeAdapter[T], payload: Any, *, provider: str, entity: str) -> T: ...


def parse_payload(
    schema: type[BaseModel] | TypeAdapter[Any], payload: Any, *, provider: str, entity: str
) -> Any:
    """Validate ``payload`` against a raw model (or a TypeAdapter for a list of rows).

    Any failure becomes one ``ProviderPayloadError`` naming the first bad field.
    """
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_python(payload)
        return schema.model_validate(payload)
    except ValidationError as exc:
        # ``from None``: the pydantic error text contains the input value (personal data).
        raise payload_error(exc, provider=provider, entity=entity) from None


def payload_error(exc: ValidationError, *, provider: str, entity: str) -> ProviderPayloadError:
    first = exc.errors(include_input=False, include_url=False)[0]
    reason = "missing" if first["type"] == "missing" else "invalid"
    return ProviderPayloadError(provider, entity, error_location(first["loc"]), reason)


def maps_payload(provider: str, entity: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a mapper so a value the contract refuses is a ProviderPayloadError too.

    The raw model accepts what the provider sends; the contract may still refuse it
    (a negative quota, a malformed phone number). That is the provider's fault, and
    the caller must see the same typed error as for an unreadable payload.
    """

    def decorate(mapper: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(mapper)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return mapper(*args, **kwargs)
            except ValidationError as exc:
                raise payload_error(exc, provider=provider, entity=entity) from None

        return guarded

    return decorate


def require(value: T | None, *, provider: str, entity: str, field: str) -> T:
    """Insist on an optional sub-object the mapping cannot do without."""
    if value is None:
        raise ProviderPayloadError(provider, entity, field, "missing")
    return value
