"""WHMCS -> subscriptions: ``GetClientsProducts`` services, and the SIM link on a service.

The SIM link lives in two service custom fields that provisioning fills in
(``SIM_MSISDN_FIELD``, ``SIM_ICCID_FIELD``); ``sim_link_from_whmcs`` is the one place
that reads them.
"""

import logging
import unicodedata
from typing import Any

from pydantic import ValidationError

from domain.catalog.contract import ProductCategory
from domain.common.errors import ProviderPayloadError
from domain.common.money import JPY, Money
from domain.common.page import Page
from domain.common.wire.validation import maps_payload, parse_payload
from domain.common.wire.whmcs import PROVIDER
from domain.sim.msisdn import normalize_msisdn
from domain.subscriptions.contract import SimLink, Subscription
from domain.subscriptions.providers.whmcs.raw import WhmcsClientProduct, WhmcsClientsProducts
from domain.subscriptions.providers.whmcs.statuses import (
    PRODUCT_GROUP_CATEGORIES,
    SERVICE_BILLING_CYCLES,
    SERVICE_STATUSES,
)

logger = logging.getLogger(__name__)

SIM_MSISDN_FIELD = "MSISDN"
SIM_ICCID_FIELD = "ICCID"


def sim_link_from_whmcs(service: WhmcsClientProduct) -> SimLink | None:
    """The SIM behind a service, or None when the service is not (yet) a SIM line.

    A present but unreadable value is logged (by field name, not value) and treated as
    no link, so one bad record cannot break the customer's service list.
    """
    raw_msisdn = service.custom_field(SIM_MSISDN_FIELD)
    if raw_msisdn is None:
        return None
    raw_iccid = service.custom_field(SIM_ICCID_FIELD)
    try:
        return SimLink(
            msisdn=normalize_msisdn(raw_msisdn) or raw_msisdn,
            iccid=unicodedata.normalize("NFKC", raw_iccid).replace(" ", "").upper()
            if raw_iccid
            else None,
        )
    except ValidationError:
        logger.warning(
            "unreadable SIM link on service",
            extra={"provider": PROVIDER, "service_id": service.id},
        )
        return None


@maps_payload(PROVIDER, "service")
def subscription_from_whmcs_service(
    service: WhmcsClientProduct, *, currency: str = JPY
) -> Subscription:
    if service.regdate is None:
        raise ProviderPayloadError(PROVIDER, "service", "regdate", "missing")
    sim = sim_link_from_whmcs(service)
    category = (
        ProductCategory.SIM
        if sim is not None
        else PRODUCT_GROUP_CATEGORIES.lookup(service.groupname)
    )
    return Subscription(
        id=service.id,
        product_name=service.translated_name or service.name or "",
        category=category,
        status=SERVICE_STATUSES.lookup(service.status),
        billing_cycle=SERVICE_BILLING_CYCLES.lookup(service.billingcycle),
        recurring_amount=Money.of(service.recurringamount, currency),
        registered_on=service.regdate,
        next_due_on=service.nextduedate,
        identifier=sim.msisdn if sim is not None else service.domain,
    )


def parse_clients_products(payload: Any) -> WhmcsClientsProducts:
    return parse_payload(WhmcsClientsProducts, payload, provider=PROVIDER, entity="services")


@maps_payload(PROVIDER, "services")
def subscriptions_from_whmcs(payload: Any, *, currency: str = JPY) -> tuple[Subscription, ...]:
    """Every service in a ``GetClientsProducts`` answer."""
    raw = parse_clients_products(payload)
    return tuple(subscription_from_whmcs_service(s, currency=currency) for s in raw.products)


@maps_payload(PROVIDER, "services")
def subscription_page_from_whmcs(
    payload: Any, *, page: int, page_size: int, currency: str = JPY
) -> Page[Subscription]:
    """A ``GetClientsProducts`` answer fetched with ``limitstart``/``limitnum`` as one page."""
    raw = parse_clients_products(payload)
    items = [subscription_from_whmcs_service(s, currency=currency) for s in raw.products]
    total = max(raw.totalresults, raw.startnumber + len(items))
    return Page[Subscription](items=items, page=page, page_size=page_size, total=total)
