"""The ``Idempotency-Key`` request header, documented once for every operation using it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header

from bff.core.openapi import IDEMPOTENCY_KEY_PATTERN

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="1-255 printable ASCII characters. The same key and body within 24 h "
        "replays the first response (`Idempotent-Replayed: true`); another body -> 422 "
        "`idempotency.key_reused`; while the first is running -> 409 `idempotency.in_progress`.",
        # Documented only: a malformed key is 400 `idempotency.key_invalid`, not a 422.
        json_schema_extra={"pattern": IDEMPOTENCY_KEY_PATTERN},
    ),
]

REPLAYABLE_CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created; with a repeated Idempotency-Key, the first response again.",
        "headers": {
            "Idempotent-Replayed": {
                "description": "`true` when this is the stored first response to the key.",
                "schema": {"type": "string", "enum": ["true"]},
            }
        },
    }
}
