"""SIM lines of the caller's subscriptions, through Freebit.

Which line a subscription is comes from the WHMCS service's SIM custom fields, read in
one mapper (``domain.subscriptions.providers.whmcs.mapper.sim_link_from_whmcs``): a SIM
subscription carries its MSISDN as ``identifier``. Any other subscription is 409
``sim.not_a_sim``.

Top-ups (``Idempotency-Key`` required):
- allowed sizes come from the line's plan: the catalog SIM product whose ``planCode``
  attribute is the line's plan lists them in ``topUpSizesMb``;
- the price comes from the catalog's top-up product (an ``option`` with a ``quotaMb``
  attribute and a one-time price, e.g. ``OPT-TOPUP-1G``): one unit per ``quotaMb``;
- the data is added on Freebit first, then billed by a WHMCS ``AddOrder`` of that many
  top-up units (one one-time line each), so the charge appears on the customer's next
  invoice like any other order. If billing fails after the data was added, the top-up
  still succeeds for the customer and ``sim.top_up_unbilled`` is logged (with the line
  and quota id) for billing to reconcile; failing instead would invite a retry that adds
  the data twice.

Plan changes are reserved for the first day of next month. One change can be pending:
a second request *replaces* it (Freebit keeps one reservation per line), and asking for
the current plan with nothing pending is 409 ``sim.plan_unchanged``. Only SIM plans of the
catalog with the line's SIM type are allowed (422 ``sim.plan_not_allowed``).
"""

from __future__ import annotations

import structlog

from bff.auth.dependencies import Customer
from bff.billing import service as billing
from bff.catalog.service import catalog_entries
from bff.core.state import AppState
from bff.idempotency.service import StoredResponse, fingerprint, run_once
from bff.sim.errors import (
    NotAnEsim,
    NotASim,
    PlanNotAllowed,
    PlanUnchanged,
    SimStateConflict,
    TopUpSizeNotAllowed,
)
from bff.sim.schemas import EsimReissueRequest, SimStateChange, SimStateRequest
from bff.subscriptions import service as subscriptions
from bff.subscriptions.service import get_subscription
from domain.catalog.contract import CatalogEntry, ProductCategory
from domain.common.billing_cycle import BillingCycle
from domain.orders.contract import PricedOrder, PricedOrderLine
from domain.sim.contract import (
    EsimReissue,
    PlanChange,
    PlanChangeRequest,
    SimDetails,
    SimStatus,
    SimType,
    SimUsage,
    TopUp,
    TopUpRequest,
)
from integrations.errors import UpstreamError
from integrations.freebit import FreebitLineBusy, FreebitNotAllowed

log = structlog.get_logger("bff.sim")

# The line changed state (or is changing) between our read and Freebit's check: a
# concurrent request, or a change still being applied. The customer can retry.
STATE_CHANGE_REFUSED = (FreebitLineBusy, FreebitNotAllowed)
STATE_CHANGING = "The line's state is changing; try again in a minute."

TOP_UP_OPERATION = "sim.top_up"


async def _msisdn(state: AppState, customer: Customer, subscription_id: str) -> str:
    subscription = await get_subscription(state, customer, subscription_id=subscription_id)
    if subscription.category is not ProductCategory.SIM or not subscription.identifier:
        raise NotASim()
    return subscription.identifier


async def get_sim(state: AppState, customer: Customer, *, subscription_id: str) -> SimDetails:
    msisdn = await _msisdn(state, customer, subscription_id)
    return await state.providers.freebit.get_sim(msisdn)


async def get_usage(
    state: AppState, customer: Customer, *, subscription_id: str, months: int
) -> SimUsage:
    msisdn = await _msisdn(state, customer, subscription_id)
    return await state.providers.freebit.get_usage(msisdn, months=months)


def _plan_product(entries: dict[str, CatalogEntry], plan_code: str) -> CatalogEntry | None:
    return next(
        (
            e
            for e in entries.values()
            if e.product.category is ProductCategory.SIM
            and e.product.attributes.get("planCode") == plan_code
        ),
        None,
    )


def _allowed_sizes(plan: CatalogEntry | None) -> set[int]:
    raw = plan.product.attributes.get("topUpSizesMb") if plan else None
    if not isinstance(raw, list):
        return set()
    return {int(size) for size in raw if str(size).isdigit()}


def _top_up_unit(entries: dict[str, CatalogEntry]) -> tuple[CatalogEntry, int] | None:
    for entry in entries.values():
        quota = entry.product.attributes.get("quotaMb")
        if (
            entry.active
            and entry.product.category is ProductCategory.OPTION
            and isinstance(quota, int)
            and quota > 0
            and entry.product.price_for(BillingCycle.ONE_TIME) is not None
        ):
            return entry, quota
    return None


async def top_up(
    state: AppState,
    customer: Customer,
    *,
    subscription_id: str,
    request: TopUpRequest,
    idempotency_key: str | None,
) -> StoredResponse:
    async def execute() -> StoredResponse:
        result = await _top_up(state, customer, subscription_id=subscription_id, request=request)
        return StoredResponse.of(201, result)

    return await run_once(
        state.session_factory,
        state.settings.idempotency,
        user_id=customer.user_id,
        operation=TOP_UP_OPERATION,
        key=idempotency_key,
        required=True,
        request_fingerprint=fingerprint(subscription_id, request),
        execute=execute,
    )


async def _top_up(
    state: AppState, customer: Customer, *, subscription_id: str, request: TopUpRequest
) -> TopUp:
    msisdn = await _msisdn(state, customer, subscription_id)
    sim = await state.providers.freebit.get_sim(msisdn)
    entries = await catalog_entries(state)
    unit = _top_up_unit(entries)
    if unit is None or request.quota_mb not in _allowed_sizes(
        _plan_product(entries, sim.plan_code)
    ):
        raise TopUpSizeNotAllowed()
    unit_entry, unit_mb = unit
    if request.quota_mb % unit_mb:
        raise TopUpSizeNotAllowed()
    if sim.status is not SimStatus.ACTIVE:
        raise SimStateConflict("Data can only be added to an active line.")
    units = request.quota_mb // unit_mb
    unit_price = unit_entry.product.price_for(BillingCycle.ONE_TIME)
    assert unit_price is not None  # checked by _top_up_unit
    price = unit_price.times(units)
    result = await state.providers.freebit.top_up(
        msisdn, quota_mb=request.quota_mb, quota_code=unit_entry.product.sku, price=price
    )
    await _bill_top_up(state, customer, unit_entry, units=units, quota_id=result.id)
    return result


async def _bill_top_up(
    state: AppState,
    customer: Customer,
    unit: CatalogEntry,
    *,
    units: int,
    quota_id: str,
) -> None:
    price = unit.product.price_for(BillingCycle.ONE_TIME)
    assert price is not None
    line = PricedOrderLine(
        sku=unit.product.sku,
        name=unit.product.name,
        quantity=1,
        billing_cycle=BillingCycle.ONE_TIME,
        unit_price=price,
        pricebook_entry_id=unit.pricebook_entry_ids.get(BillingCycle.ONE_TIME, ""),
        billing_product_id=unit.billing_product_id,
    )
    order = PricedOrder(lines=(line,) * units, total=price.times(units), notes=None)
    try:
        placement = await state.providers.whmcs.add_order(order, client_id=customer.whmcs_client_id)
    except UpstreamError as error:
        log.error(
            "sim.top_up_unbilled",
            quota_id=quota_id,
            client_id=customer.whmcs_client_id,
            units=units,
            error_type=type(error).__name__,
        )
        return
    log.info("sim.top_up_billed", quota_id=quota_id, billing_order_id=placement.order_id)
    # The order added an invoice (and a service line): drop the customer's cached copies.
    await billing.invalidate(state, customer.whmcs_client_id)
    await subscriptions.invalidate(state, customer.whmcs_client_id)


async def change_plan(
    state: AppState, customer: Customer, *, subscription_id: str, request: PlanChangeRequest
) -> PlanChange:
    msisdn = await _msisdn(state, customer, subscription_id)
    sim = await state.providers.freebit.get_sim(msisdn)
    plan = _plan_product(await catalog_entries(state), request.plan_code)
    sim_type = plan.product.attributes.get("simType") if plan else None
    if plan is None or not plan.active or sim_type != sim.sim_type.value:
        raise PlanNotAllowed()
    if request.plan_code == sim.plan_code and sim.pending_plan_change is None:
        raise PlanUnchanged()
    return await state.providers.freebit.change_plan(msisdn, plan_code=request.plan_code)


async def suspend(state: AppState, customer: Customer, *, subscription_id: str) -> SimStateChange:
    msisdn = await _msisdn(state, customer, subscription_id)
    sim = await state.providers.freebit.get_sim(msisdn)
    if sim.status is not SimStatus.ACTIVE:
        raise SimStateConflict("Only an active line can be suspended.")
    try:
        await state.providers.freebit.suspend(msisdn)
    except STATE_CHANGE_REFUSED as error:
        raise SimStateConflict(STATE_CHANGING) from error
    return SimStateChange(status=SimStateRequest.SUSPEND_REQUESTED)


async def resume(state: AppState, customer: Customer, *, subscription_id: str) -> SimStateChange:
    msisdn = await _msisdn(state, customer, subscription_id)
    sim = await state.providers.freebit.get_sim(msisdn)
    if sim.status is not SimStatus.SUSPENDED:
        raise SimStateConflict("Only a suspended line can be resumed.")
    try:
        await state.providers.freebit.resume(msisdn)
    except STATE_CHANGE_REFUSED as error:
        raise SimStateConflict(STATE_CHANGING) from error
    return SimStateChange(status=SimStateRequest.RESUME_REQUESTED)


async def reissue_esim(
    state: AppState, customer: Customer, *, subscription_id: str, request: EsimReissueRequest
) -> EsimReissue:
    msisdn = await _msisdn(state, customer, subscription_id)
    sim = await state.providers.freebit.get_sim(msisdn)
    if sim.sim_type is not SimType.ESIM:
        raise NotAnEsim()
    return await state.providers.freebit.reissue_esim(msisdn, eid=request.eid)
