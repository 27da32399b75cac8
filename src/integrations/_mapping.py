"""Run a domain mapper at the client boundary, turning payload errors into upstream errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.common.errors import DomainError, ProviderPayloadError
from integrations.errors import UpstreamBadResponse

__all__ = ["mapped"]

T = TypeVar("T")


def mapped(system: str, entity: str, mapper: Callable[[], T]) -> T:
    """Call ``mapper``; an unreadable payload becomes :class:`UpstreamBadResponse`.

    The domain error names provider, entity and field but never the value, so its text
    is safe to keep as the message.
    """
    try:
        return mapper()
    except ProviderPayloadError as exc:
        raise UpstreamBadResponse(system, f"unexpected {entity} payload: {exc}") from exc
    except DomainError as exc:
        raise UpstreamBadResponse(system, f"unexpected {entity} payload") from exc
