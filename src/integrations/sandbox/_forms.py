"""Form-body helpers for the sandboxes (python-multipart is not a dependency)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.requests import Request

__all__ = ["FormData", "read_form"]

_INDEXED = re.compile(r"^(?P<name>[^\[]+)\[(?P<index>\d*)\]$")


class FormData:
    """An ``application/x-www-form-urlencoded`` body with PHP-style arrays."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._first: dict[str, str] = {}
        for key, value in pairs:
            self._first.setdefault(key, value)

    def get(self, key: str, default: str = "") -> str:
        return self._first.get(key, default)

    def has(self, key: str) -> bool:
        return key in self._first

    def array(self, name: str) -> list[str]:
        """Values of ``name[]`` / ``name[0]``, ``name[1]``, … in index order."""
        indexed: list[tuple[int, int, str]] = []
        for position, (key, value) in enumerate(self._pairs):
            match = _INDEXED.match(key)
            if match is None or match.group("name") != name:
                continue
            index = int(match.group("index")) if match.group("index") else position
            indexed.append((index, position, value))
        return [value for _, _, value in sorted(indexed)]

    def flag(self, key: str) -> bool:
        return self.get(key).lower() in {"1", "true", "yes", "on"}


async def read_form(request: Request) -> FormData:
    body = (await request.body()).decode("utf-8", errors="replace")
    return FormData(parse_qsl(body, keep_blank_values=True))
