"""Wiring of the consumer from settings: `bff events` and the in-process copy in `bff dev`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from arq.connections import ArqRedis

from bff.core.db import create_engine, create_session_factory
from bff.core.providers import salesforce_config
from bff.events.consumer import EventConsumer
from bff.events.cursors import CursorStore
from bff.events.lease import Lease
from bff.events.sweep import Sweep, approved_orders_sweep
from bff.provisioning.store import RunStore
from bff.settings import Settings
from integrations.http import build_http_client
from integrations.metrics import default_metrics
from integrations.salesforce import SalesforceRestClient
from integrations.salesforce.pubsub import PubSubClient, PubSubConfig

__all__ = ["create_job_queue", "embedded_queue_server", "running_consumer"]

_EMBEDDED_SERVER: Any = None


def embedded_queue_server() -> Any:
    """The one in-process fake Redis server holding the arq queue in the embedded default:
    the consumer enqueues into it and the in-process worker must read from it."""
    global _EMBEDDED_SERVER  # noqa: PLW0603 - one fake server per process, by design
    if _EMBEDDED_SERVER is None:
        from fakeredis import FakeServer

        _EMBEDDED_SERVER = FakeServer()
    return _EMBEDDED_SERVER


def create_job_queue(settings: Settings) -> ArqRedis:
    """The arq queue: BFF_REDIS_URL, or the process-wide fake server for ``memory://``."""
    if settings.uses_fake_redis:
        from fakeredis import FakeAsyncRedis

        fake = FakeAsyncRedis(server=embedded_queue_server())
        queue: ArqRedis = ArqRedis(connection_pool=fake.connection_pool)
    else:
        queue = ArqRedis.from_url(settings.redis_url)
    return queue


def pubsub_config(settings: Settings) -> PubSubConfig:
    return PubSubConfig(
        target=settings.salesforce.pubsub_target,
        tls=settings.salesforce.pubsub_tls,
        batch_size=settings.events.batch_size,
        backoff_initial=settings.events.reconnect_initial_s,
        backoff_max=settings.events.reconnect_max_s,
    )


@contextlib.asynccontextmanager
async def running_consumer(
    settings: Settings, *, sweep: Sweep | None = None, queue: ArqRedis | None = None
) -> AsyncIterator[EventConsumer]:
    """Build the consumer and its resources; the caller runs ``consumer.run()``."""
    async with contextlib.AsyncExitStack() as stack:
        engine = create_engine(settings.database_url, pool_size=2)
        stack.push_async_callback(engine.dispose)
        if queue is None:
            queue = create_job_queue(settings)
            stack.push_async_callback(queue.aclose)
        sf_config = salesforce_config(settings)
        http = await stack.enter_async_context(build_http_client(sf_config))
        salesforce = SalesforceRestClient(http, sf_config, metrics=default_metrics())
        pubsub = await stack.enter_async_context(
            PubSubClient(pubsub_config(settings), salesforce.tokens)
        )
        sessions = create_session_factory(engine)
        yield EventConsumer(
            pubsub=pubsub,
            queue=queue,
            cursors=CursorStore(sessions),
            lease=Lease(
                queue, f"events:{settings.events.topic}", ttl_s=settings.events.lease_ttl_s
            ),
            sweep=sweep
            or approved_orders_sweep(salesforce, RunStore(sessions), settings.provisioning),
            topic=settings.events.topic,
            lease_renew_s=settings.events.lease_renew_s,
        )
