"""The SIM step: one Freebit line per SIM service of the order, then its MSISDN and ICCID
on the WHMCS service (custom fields), where the customer's subscription and SIM views
read them.

Per service every effect is looked up before it is caused, so a rerun after a crash at any
point repeats no activation:

1. the service already carries both custom fields: nothing to do;
2. Freebit is asked for the line opened under the service's line key (``orderRef``,
   ``<Salesforce Order id>:<WHMCS service id>``); only when there is none is a line opened;
3. the MSISDN and ICCID are written with ``UpdateClientProduct`` (writing them again is
   harmless).

A service of a product that is not a SIM product gets no line.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from bff.core.providers import Providers
from bff.provisioning.billing import order_services
from bff.provisioning.concurrency import all_of
from bff.provisioning.crm import OrderToProvision
from domain.common.errors import FieldError, ValidationFailedError
from domain.sim.contract import ActivatedLine, NewLine
from domain.subscriptions.providers.whmcs.raw import WhmcsClientProduct

log = structlog.get_logger("bff.provisioning")


@dataclass(frozen=True, slots=True)
class SimFields:
    """WHMCS service custom field ids the line is written to."""

    msisdn: int
    iccid: int


def line_key(order_id: str, service_id: str) -> str:
    return f"{order_id}:{service_id}"


def _linked(service: WhmcsClientProduct, fields: SimFields) -> bool:
    values = {field.id: field.value for field in service.customfields}
    return bool(values.get(str(fields.msisdn))) and bool(values.get(str(fields.iccid)))


async def _line_for(
    providers: Providers, order: OrderToProvision, service: WhmcsClientProduct
) -> ActivatedLine:
    product = order.sim_products[service.pid or ""]
    if product.plan_code is None:
        raise ValidationFailedError([FieldError("planCode", "SIM product has no Freebit plan")])
    key = line_key(order.order_id, service.id)
    found = await providers.freebit.find_line(key)
    if found is not None:
        log.info("provisioning.sim_line_found", order_id=order.order_id, service_id=service.id)
        return found
    line = NewLine(line_key=key, plan_code=product.plan_code, sim_type=product.sim_type)
    activated = await providers.freebit.activate_line(line)
    log.info("provisioning.sim_line_opened", order_id=order.order_id, service_id=service.id)
    return activated


async def activate_sim_lines(
    providers: Providers,
    *,
    order: OrderToProvision,
    client_id: str,
    service_ids: tuple[str, ...],
    fields: SimFields,
) -> int:
    """Give every SIM service of the order its line; returns how many SIM services it has."""
    if not order.sim_products or not service_ids:
        return 0
    services = await order_services(providers.whmcs, client_id=client_id, service_ids=service_ids)
    sims = [s for s in services if s.pid in order.sim_products]

    async def link(service: WhmcsClientProduct) -> None:
        line = await _line_for(providers, order, service)
        await providers.whmcs.update_service_custom_fields(
            service.id, {fields.msisdn: line.msisdn, fields.iccid: line.iccid}
        )

    # Each service has its own line key and custom fields: the lines are independent, so
    # an order with several SIMs opens them at once.
    await all_of(link(service) for service in sims if not _linked(service, fields))
    return len(sims)
