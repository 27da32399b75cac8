"""The three provider clients, configured from settings and opened for the process lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from bff.settings import Settings, UpstreamSettings
from integrations.freebit import FreebitClient, FreebitConfig
from integrations.http import HttpPolicy, build_http_client
from integrations.metrics import default_metrics
from integrations.salesforce import SalesforceClient, SalesforceConfig
from integrations.sandbox import generate_dev_keypair
from integrations.whmcs import WhmcsClient, WhmcsConfig


@dataclass(frozen=True, slots=True)
class Providers:
    whmcs: WhmcsClient
    salesforce: SalesforceClient
    freebit: FreebitClient


def http_policy(settings: UpstreamSettings) -> HttpPolicy:
    return HttpPolicy(
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
        write_timeout=settings.read_timeout_s,
        pool_timeout=settings.connect_timeout_s,
        deadline=settings.deadline_s,
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
        max_concurrency=settings.max_concurrency,
        retry_attempts=settings.read_retries + 1,
        breaker_failure_threshold=settings.breaker_failure_threshold,
        breaker_open_seconds=settings.breaker_reset_s,
    )


def whmcs_config(settings: Settings) -> WhmcsConfig:
    whmcs = settings.whmcs
    return WhmcsConfig(
        api_url=whmcs.api_url,
        identifier=whmcs.identifier.get_secret_value(),
        secret=whmcs.secret.get_secret_value(),
        access_key=whmcs.access_key.get_secret_value() if whmcs.access_key else None,
        http=http_policy(whmcs),
    )


def salesforce_config(settings: Settings) -> SalesforceConfig:
    salesforce = settings.salesforce
    # Production refuses to start without a key (settings validation); elsewhere a
    # throwaway key lets the app start, and only Salesforce calls will be refused.
    private_key = (
        salesforce.private_key_pem.get_secret_value()
        if salesforce.private_key_pem
        else generate_dev_keypair().private_key_pem
    )
    return SalesforceConfig(
        login_url=salesforce.login_url,
        consumer_key=salesforce.client_id,
        username=salesforce.username,
        private_key_pem=private_key,
        audience=salesforce.audience,
        api_version=salesforce.api_version,
        http=http_policy(salesforce),
    )


def freebit_config(settings: Settings) -> FreebitConfig:
    freebit = settings.freebit
    return FreebitConfig(
        base_url=freebit.base_url,
        oem_id=freebit.oem_id,
        oem_key=freebit.oem_key.get_secret_value(),
        http=http_policy(freebit),
    )


@asynccontextmanager
async def open_providers(settings: Settings) -> AsyncIterator[Providers]:
    """One pooled HTTP client per system, closed when the block exits."""
    metrics = default_metrics()
    whmcs, salesforce, freebit = (
        whmcs_config(settings),
        salesforce_config(settings),
        freebit_config(settings),
    )
    async with AsyncExitStack() as stack:
        whmcs_http = await stack.enter_async_context(build_http_client(whmcs))
        salesforce_http = await stack.enter_async_context(build_http_client(salesforce))
        freebit_http = await stack.enter_async_context(build_http_client(freebit))
        yield Providers(
            whmcs=WhmcsClient(whmcs_http, whmcs, metrics=metrics),
            salesforce=SalesforceClient(salesforce_http, salesforce, metrics=metrics),
            freebit=FreebitClient(freebit_http, freebit, metrics=metrics),
        )
