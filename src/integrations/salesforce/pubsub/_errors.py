"""Pub/Sub API failures, typed from the gRPC status and the ``error-code`` trailer.

::

    UpstreamError
    ├── PubSubUnavailable (UpstreamUnavailable)   transient: reconnect with backoff
    └── PubSubRejected (UpstreamRejected)         refused; not retried as is
        ├── PubSubAuthError                       token refused (re-auth, then retry once)
        └── ReplayIdRejected                      stored replay id invalid or past retention:
                                                  resubscribe from EARLIEST and reconcile
"""

from __future__ import annotations

from typing import Any

import grpc

from integrations.errors import UpstreamError, UpstreamRejected, UpstreamUnavailable

__all__ = [
    "PubSubAuthError",
    "PubSubRejected",
    "PubSubUnavailable",
    "ReplayIdRejected",
    "error_from_rpc",
]

SYSTEM = "salesforce-pubsub"

REPLAY_ID_ERRORS = frozenset({
    "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
    # Seen in third-party clients for the same condition; treated alike.
    "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed",
})  # fmt: skip
AUTH_ERROR = "sfdc.platform.eventbus.grpc.service.auth.error"

_TRANSIENT = frozenset({
    grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ABORTED,
    grpc.StatusCode.CANCELLED,
})  # fmt: skip


class PubSubUnavailable(UpstreamUnavailable):
    pass


class PubSubRejected(UpstreamRejected):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(SYSTEM, message, status=None, code=code)


class PubSubAuthError(PubSubRejected):
    pass


class ReplayIdRejected(PubSubRejected):
    pass


def error_from_rpc(error: Any) -> UpstreamError:
    """Map a ``grpc.aio.AioRpcError`` to our tree (the status details are not kept: they
    may echo request data)."""
    status = error.code()
    trailers = dict(error.trailing_metadata() or ())
    error_code = str(trailers.get("error-code", ""))
    label = error_code or status.name
    if error_code in REPLAY_ID_ERRORS:
        return ReplayIdRejected("replay id rejected", code=error_code)
    if status == grpc.StatusCode.UNAUTHENTICATED or error_code == AUTH_ERROR:
        return PubSubAuthError("access token refused", code=label)
    if status in _TRANSIENT:
        return PubSubUnavailable(SYSTEM, f"stream failed: {label}")
    return PubSubRejected(f"call refused: {label}", code=label)
