"""The one place that decides which Redis the process talks to.

`memory://` (the embedded default) selects an in-process fakeredis server; any
`redis://` / `rediss://` URL a real server, through one pooled client with the hiredis
parser (installed as the `redis[hiredis]` extra).
"""

from __future__ import annotations

from typing import cast

from redis.asyncio import Redis


def create_redis(url: str, *, max_connections: int = 64) -> Redis:
    if url.startswith("memory://"):
        from fakeredis import FakeAsyncRedis, FakeServer

        return cast(Redis, FakeAsyncRedis(server=FakeServer()))
    return cast(
        Redis,
        Redis.from_url(
            url,
            max_connections=max_connections,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
        ),
    )
