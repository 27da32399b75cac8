"""WHMCS wire quirks: XML-heritage list wrappers, empty-collection spellings, PHP serialize."""

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any

from domain.common.wire.lenient import as_list

PROVIDER = "whmcs"


def unwrap_collection(item_key: str) -> Callable[[Any], list[Any]]:
    """Accept every way WHMCS spells a collection and return a plain list.

    ``invoices`` may be ``{"invoice": [...]}``, ``{"invoice": {...}}`` (one row),
    ``[...]``, ``""``, ``[]``, ``{}``, ``{"invoice": []}``, ``{"invoice": ""}`` or missing.
    """

    def unwrap(value: Any) -> list[Any]:
        if isinstance(value, dict) and item_key in value:
            value = value[item_key]
        return as_list(value)

    return unwrap


def split_ids(value: str | None) -> tuple[str, ...]:
    """``"1,2"`` -> ``("1", "2")``; ``""`` and None -> ``()`` (AddOrder id lists)."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def php_serialize_strings(values: Mapping[int, str]) -> str:
    """PHP ``serialize(array(int => string))``, the format of custom fields and config options.

    ``s:N:`` counts UTF-8 bytes, not characters, which matters for Japanese text.
    """
    parts = [f'i:{key};s:{len(text.encode())}:"{text}";' for key, text in values.items()]
    return f"a:{len(values)}:{{{''.join(parts)}}}"


_PHP_ENTRY = re.compile(rb'i:(\d+);s:(\d+):"')


def php_unserialize_strings(serialized: str) -> dict[int, str]:
    """Inverse of ``php_serialize_strings`` for ``array(int => string)`` only."""
    data = serialized.encode()
    header = re.match(rb"a:(\d+):\{", data)
    if header is None:
        raise ValueError("not a serialized PHP array")
    result: dict[int, str] = {}
    position = header.end()
    for _ in range(int(header.group(1))):
        entry = _PHP_ENTRY.match(data, position)
        if entry is None:
            raise ValueError("unsupported serialized PHP entry")
        start = entry.end()
        end = start + int(entry.group(2))
        if data[end : end + 2] != b'";':
            raise ValueError("serialized PHP string length mismatch")
        result[int(entry.group(1))] = data[start:end].decode()
        position = end + 2
    if data[position:] != b"}":
        raise ValueError("trailing data after serialized PHP array")
    return result


def encode_custom_fields(values: Mapping[int, str]) -> str:
    """Custom fields / config options as WHMCS expects them in: base64 of PHP serialize."""
    return base64.b64encode(php_serialize_strings(values).encode()).decode()


def decode_custom_fields(encoded: str) -> dict[int, str]:
    return php_unserialize_strings(base64.b64decode(encoded, validate=True).decode())
