"""The portal's view of an order: the Salesforce record plus the worker's provisioning run.

Salesforce knows the order's status as the CRM last recorded it; the run knows each step
the worker finished and when. While provisioning runs, the run is the fresher source.
"""

from __future__ import annotations

import datetime as dt

from bff.provisioning.models import ProvisioningRun, RunState
from domain.orders.contract import Order, OrderStatus, TimelineEntry

_STEP_DETAILS: tuple[tuple[str, str], ...] = (
    ("whmcs_order_created_at", "billing order placed"),
    ("accepted_at", "services created"),
    ("sim_activated_at", "SIM lines activated"),
    ("crm_updated_at", "order record updated"),
)


def _status(order: Order, run: ProvisioningRun) -> OrderStatus:
    state = run.run_state
    if state is RunState.FAILED:
        return OrderStatus.FAILED
    if state in (RunState.DONE, RunState.CRM_UPDATED):
        return OrderStatus.ACTIVE
    if order.status in (OrderStatus.APPROVED, OrderStatus.PROVISIONING):
        return OrderStatus.PROVISIONING
    return order.status


def _timeline(order: Order, run: ProvisioningRun, status: OrderStatus) -> tuple[TimelineEntry, ...]:
    entries = [
        TimelineEntry(status=OrderStatus.DRAFT, at=order.created_at),
        TimelineEntry(status=OrderStatus.APPROVED, at=run.created_at, detail="approved"),
    ]
    for field, detail in _STEP_DETAILS:
        at: dt.datetime | None = getattr(run, field)
        if at is not None:
            entries.append(TimelineEntry(status=OrderStatus.PROVISIONING, at=at, detail=detail))
    if status is OrderStatus.FAILED:
        at = run.finished_at or run.updated_at
        entries.append(TimelineEntry(status=status, at=at, detail=run.failure_reason))
    elif status is OrderStatus.ACTIVE:
        entries.append(TimelineEntry(status=status, at=run.finished_at or run.updated_at))
    return tuple(entries)


def with_provisioning(order: Order, run: ProvisioningRun | None) -> Order:
    """``order`` with the status, timeline, services and reason the run adds."""
    if run is None:
        return order
    status = _status(order, run)
    failure = (order.failure_reason or run.failure_reason) if status is OrderStatus.FAILED else None
    return order.model_copy(
        update={
            "status": status,
            "timeline": _timeline(order, run, status),
            "subscription_ids": order.subscription_ids or run.service_id_list,
            "failure_reason": failure,
            "updated_at": max(order.updated_at, run.updated_at),
        }
    )
