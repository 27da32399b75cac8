"""Subscriptions from WHMCS, always through the caller's client id.

Without a status filter a page maps to one WHMCS page (``limitstart``/``limitnum``).
WHMCS cannot filter services by status, so with a filter the customer's services are
read in pages of 100 and filtered here (a customer has a handful of services, not
thousands). Reads are cached per customer for ``BFF_CACHE__CUSTOMER_TTL_S``; webhooks
about a service drop that cache.
"""

from __future__ import annotations

from pydantic import TypeAdapter

from bff.auth.dependencies import Customer
from bff.core.cache import CustomerCache
from bff.core.state import AppState
from bff.subscriptions.errors import SubscriptionNotFound
from bff.subscriptions.schemas import SubscriptionPage, SubscriptionStatusFilter
from domain.common.page import MAX_PAGE_SIZE
from domain.subscriptions.contract import Subscription
from integrations.whmcs import WhmcsNotFound

SCOPE = "services"
_PAGE = TypeAdapter(SubscriptionPage)
_ONE = TypeAdapter(Subscription)
_MAX_SCAN_PAGES = 20


def customer_cache(state: AppState) -> CustomerCache:
    return CustomerCache(state.redis, ttl_s=state.settings.cache.customer_ttl_s)


async def all_subscriptions(state: AppState, client_id: str) -> list[Subscription]:
    """Every service of the client (pages of 100)."""
    services: list[Subscription] = []
    for page in range(1, _MAX_SCAN_PAGES + 1):
        found = await state.providers.whmcs.get_clients_products(
            client_id, page=page, page_size=MAX_PAGE_SIZE
        )
        services.extend(found.items)
        if len(services) >= found.total or not found.items:
            break
    return services


async def rendered_subscriptions(
    state: AppState,
    customer: Customer,
    *,
    status: SubscriptionStatusFilter | None,
    page: int,
    page_size: int,
) -> bytes:
    """One page of the caller's services as the JSON the route answers with (cached as is)."""
    client_id = customer.whmcs_client_id

    async def load() -> SubscriptionPage:
        if status is None:
            whmcs = state.providers.whmcs
            found = await whmcs.get_clients_products(client_id, page=page, page_size=page_size)
            if not found.items and page > 1:
                # Past the end the WHMCS mapper reports the offset as the total; ask for it.
                first = await whmcs.get_clients_products(client_id, page=1, page_size=1)
                found = found.model_copy(update={"total": first.total})
            return SubscriptionPage(
                items=found.items, page=page, page_size=page_size, total=found.total
            )
        matching = [
            s for s in await all_subscriptions(state, client_id) if s.status.value == status.value
        ]
        return SubscriptionPage.slice(matching, page=page, page_size=page_size)

    field = f"list:{status.value if status else 'all'}:{page}:{page_size}"
    return await customer_cache(state).get_or_load_json(SCOPE, client_id, field, _PAGE, load)


async def get_subscription(
    state: AppState, customer: Customer, *, subscription_id: str
) -> Subscription:
    """One of the caller's services (the route sends the bytes)."""
    return _ONE.validate_json(
        await rendered_subscription(state, customer, subscription_id=subscription_id)
    )


async def rendered_subscription(
    state: AppState, customer: Customer, *, subscription_id: str
) -> bytes:
    """One of the caller's services as the JSON the route answers with, cached as is;
    another customer's id is the same 404 as a missing one."""
    if not subscription_id.isdigit():
        raise SubscriptionNotFound()
    client_id = customer.whmcs_client_id

    async def load() -> Subscription:
        try:
            return await state.providers.whmcs.get_service(client_id, subscription_id)
        except WhmcsNotFound:
            raise SubscriptionNotFound() from None

    return await customer_cache(state).get_or_load_json(
        SCOPE, client_id, f"one:{subscription_id}", _ONE, load
    )


async def invalidate(state: AppState, client_id: str) -> None:
    await customer_cache(state).invalidate(SCOPE, client_id)
