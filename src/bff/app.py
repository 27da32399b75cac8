"""App factory and lifespan: the composition root of the BFF.

Everything with a connection (DB engine, Redis, a client per external system) is
built here at start-up, handed to requests through `request.state.app`, and closed at
shutdown in reverse order. Nothing connects at import time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bff import __version__
from bff.auth.router import router as auth_router
from bff.auth.runtime import running_auth
from bff.billing.router import router as billing_router
from bff.catalog.fast_path import CatalogFastPath
from bff.catalog.router import router as catalog_router
from bff.core import access_log
from bff.core.cache_bus import invalidation_bus
from bff.core.cache_bus import running as running_bus
from bff.core.cors import CorsPolicy
from bff.core.db import create_engine, create_session_factory
from bff.core.errors import install_error_handlers
from bff.core.logging import configure_logging
from bff.core.metrics import metrics_endpoint
from bff.core.middleware import BodyGuardMiddleware, RequestContextMiddleware
from bff.core.openapi import install_openapi, operation_id
from bff.core.providers import open_providers
from bff.core.redis import create_redis
from bff.core.state import AppState
from bff.dashboard.router import router as dashboard_router
from bff.health.router import router as health_router
from bff.me.router import router as me_router
from bff.orders.router import router as orders_router
from bff.outbox.sender import running_outbox_sender
from bff.settings import Settings
from bff.sim.router import router as sim_router
from bff.subscriptions.router import router as subscriptions_router
from bff.support.router import router as support_router
from bff.webhooks.router import router as webhooks_router

log = structlog.get_logger("bff.app")

OPENAPI_TAGS = [
    {"name": "health", "description": "Liveness and readiness probes for orchestrators."},
    {
        "name": "auth",
        "description": "Signup, link, login, token refresh (rotating refresh tokens), logout, "
        "sessions and passwords.",
    },
    {"name": "me", "description": "The signed-in customer's profile."},
    {"name": "catalog", "description": "Public product catalog (no token), cached, with ETags."},
    {"name": "billing", "description": "The caller's invoices, payment sessions and methods."},
    {"name": "subscriptions", "description": "The caller's services."},
    {"name": "sim", "description": "SIM lines of the caller's SIM subscriptions (Freebit)."},
    {"name": "support", "description": "The caller's support cases (Salesforce)."},
    {
        "name": "orders",
        "description": "Placing orders and following them through provisioning.",
    },
    {"name": "dashboard", "description": "The caller's summary, fetched concurrently."},
    {"name": "webhooks", "description": "Signed call-outs from WHMCS hooks."},
]


@asynccontextmanager
async def _lifespan_resources(settings: Settings) -> AsyncIterator[AppState]:
    async with AsyncExitStack() as stack:
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            echo=settings.database_echo,
        )
        stack.push_async_callback(engine.dispose)
        redis = create_redis(settings.redis_url, max_connections=settings.redis_max_connections)
        stack.push_async_callback(redis.aclose)
        await stack.enter_async_context(running_bus(invalidation_bus(redis)))
        providers = await stack.enter_async_context(open_providers(settings))
        session_factory = create_session_factory(engine)
        await stack.enter_async_context(
            running_outbox_sender(session_factory, interval_s=settings.auth.outbox_drain_interval_s)
        )
        yield AppState(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            redis=redis,
            providers=providers,
        )


class PortalApp(FastAPI):
    """The API, with the catalog's lean read path asked before anything else runs."""

    fast_path: CatalogFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast_path = self.fast_path
        if fast_path is not None and (prepared := fast_path.prepared_for(scope)) is not None:
            await fast_path.answer(scope, send, prepared)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> PortalApp:
    settings = settings or Settings()
    configure_logging(level=settings.log_level, json_lines=settings.json_logs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, AppState]]:
        async with (
            _lifespan_resources(settings) as state,
            running_auth(settings.auth, state.redis) as auth,
        ):
            app.state.bff_auth = auth
            log.info("bff.started", env=settings.env.value, database=_database_kind(settings))
            yield {"app": state}
        access_log.flush()
        log.info("bff.stopped")

    app = PortalApp(
        title=settings.app_name,
        version=__version__,
        description=(
            "Backend-for-frontend of the customer portal. Errors are RFC 9457 "
            "`application/problem+json` with a stable `code` and the `requestId`."
        ),
        openapi_tags=OPENAPI_TAGS,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        # Our metrics are Prometheus (bff.core.metrics). FastAPI's own OpenTelemetry hooks
        # would otherwise look up the global providers (environment reads) per request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(me_router)
    for feature_router in (
        catalog_router,
        billing_router,
        subscriptions_router,
        sim_router,
        support_router,
        orders_router,
        dashboard_router,
        webhooks_router,
    ):
        app.include_router(feature_router)
    app.router.routes.append(Route("/metrics", metrics_endpoint, include_in_schema=False))

    # Added innermost first: the last one added runs first on the way in.
    cors = CorsPolicy(frozenset(settings.cors_origins))
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, **cors.middleware_options())
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(RequestContextMiddleware, deadline_s=settings.request_deadline_s)
    # Asked first: answers fresh catalog reads itself, with the same cross-cutting headers,
    # metrics and access line as the layers above (see its module).
    app.fast_path = CatalogFastPath(cors=cors, max_age_s=settings.cache.catalog_max_age_s)
    return app


def _database_kind(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"
