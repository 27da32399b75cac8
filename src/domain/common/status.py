"""Lookup tables from a provider's status vocabulary to a domain enum, with a logged fallback."""

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

E = TypeVar("E", bound=StrEnum)


class StatusTable(Generic[E]):
    """Maps provider values (matched case-insensitively, trimmed) to domain values.

    A value missing from the table maps to ``fallback`` and is logged once per call, so
    a provider adding a status degrades one row instead of failing a whole list.
    """

    def __init__(
        self, *, provider: str, entity: str, mapping: Mapping[str, E], fallback: E
    ) -> None:
        self.provider = provider
        self.entity = entity
        self.mapping = dict(mapping)
        self.fallback = fallback
        self._folded = {key.strip().casefold(): value for key, value in mapping.items()}

    def lookup(self, value: str | None) -> E:
        if value is not None:
            found = self._folded.get(value.strip().casefold())
            if found is not None:
                return found
        # Status vocabularies are not personal data, so the value itself may be logged.
        logger.warning(
            "unknown provider status",
            extra={"provider": self.provider, "entity": self.entity, "status_value": value},
        )
        return self.fallback

    def reverse(self, value: E) -> str:
        """The first provider value that maps to ``value`` (for writes)."""
        for key, mapped in self.mapping.items():
            if mapped == value:
                return key
        raise KeyError(f"{self.provider} {self.entity} has no value for {value}")
