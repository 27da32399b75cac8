"""PHP ``serialize`` for WHMCS custom fields / config options (base64 of a PHP array).

WHMCS wants ``base64(serialize(array(fieldId => value)))``; ``s:N:`` counts UTF-8
**bytes**, which matters for Japanese text. ``unserialize_int_str_map`` reads back only
that shape (the sandbox needs it); anything else raises ``ValueError``.
"""

from __future__ import annotations

import base64
import re

__all__ = ["decode_field_map", "encode_field_map"]

_ENTRY = re.compile(rb'i:(\d+);s:(\d+):"')


def _serialize(values: dict[int, str]) -> bytes:
    parts = [b"a:%d:{" % len(values)]
    for key, value in values.items():
        raw = value.encode("utf-8")
        parts.append(b'i:%d;s:%d:"%s";' % (key, len(raw), raw))
    parts.append(b"}")
    return b"".join(parts)


def encode_field_map(values: dict[int, str]) -> str:
    """``{3: "09012345678"}`` -> base64 of ``a:1:{i:3;s:11:"09012345678";}``."""
    return base64.b64encode(_serialize(values)).decode("ascii")


def decode_field_map(encoded: str) -> dict[int, str]:
    """Inverse of :func:`encode_field_map` for ``array(int => string)`` only."""
    raw = base64.b64decode(encoded, validate=True)
    header = re.match(rb"a:(\d+):\{", raw)
    if header is None:
        raise ValueError("not a serialized PHP array")
    count, pos = int(header.group(1)), header.end()
    result: dict[int, str] = {}
    for _ in range(count):
        entry = _ENTRY.match(raw, pos)
        if entry is None:
            raise ValueError("unsupported serialized entry")
        length = int(entry.group(2))
        start = entry.end()
        value = raw[start : start + length]
        if raw[start + length : start + length + 2] != b'";':
            raise ValueError("string length mismatch")
        result[int(entry.group(1))] = value.decode("utf-8")
        pos = start + length + 2
    if raw[pos:] != b"}":
        raise ValueError("trailing data")
    return result
