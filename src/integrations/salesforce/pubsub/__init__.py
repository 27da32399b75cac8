"""Salesforce Pub/Sub API client (gRPC ``eventbus.v1.PubSub``): subscribe with flow
control, Avro decoding by schema id, keep-alives and reconnects.

The ``pubsub_api_pb2*`` modules are generated from ``pubsub_api.proto`` at install time
(``hatch_build.py``); they are never edited or committed.

Errors::

    UpstreamError
    ├── PubSubUnavailable         transient; ``subscribe`` reconnects by itself
    └── PubSubRejected
        ├── PubSubAuthError       token refused (refreshed and retried once)
        └── ReplayIdRejected      stored replay id invalid or past retention
"""

from integrations.salesforce.pubsub._client import (
    KeepAlive,
    PubSubClient,
    PubSubConfig,
    ReceivedEvent,
    ReplayStart,
    TokenSource,
)
from integrations.salesforce.pubsub._errors import (
    PubSubAuthError,
    PubSubRejected,
    PubSubUnavailable,
    ReplayIdRejected,
)

__all__ = [
    "KeepAlive",
    "PubSubAuthError",
    "PubSubClient",
    "PubSubConfig",
    "PubSubRejected",
    "PubSubUnavailable",
    "ReceivedEvent",
    "ReplayIdRejected",
    "ReplayStart",
    "TokenSource",
]
