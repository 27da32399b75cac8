"""The provisioning state machine for one Salesforce Order.

    received -> whmcs_order_created -> accepted -> sim_activated -> done
          \\___________________________________________________/-> failed

Every step first checks whether its effect already exists, so running any step again
after a crash (worker killed, redelivered job, retry) is harmless:

- **received**: the Salesforce Order is read (Approved or Provisioning, with a WHMCS client
  on its Account; in any other status the job is dropped and the run forgotten), marked
  ``Provisioning`` while (concurrently) the client's services are searched for the
  Salesforce Order id tag; only then, and only if none is tagged, AddOrder is called. The
  WHMCS order id and service ids are committed as soon as AddOrder returns.
- **whmcs_order_created**: AcceptOrder; "Status not Pending" is read back with GetOrders
  and counts as done when the order is Active.
- **accepted**: SIM activation: each service of a SIM product gets a Freebit line (looked
  up by its deterministic key before one is opened) and its MSISDN/ICCID in the service's
  custom fields (:mod:`bff.provisioning.sim_lines`).
- **sim_activated**: the Salesforce Order becomes ``Activated`` with the WHMCS order id,
  subscription ids and the provisioned time (``sim_activated_at``, so a repeated PATCH
  writes the same values); ``crm_updated_at`` and **done** are then one commit
  (**crm_updated** is only met in runs an older version left there).

Transient provider faults (down, timeout, 5xx) raise ``TransientFailure`` for the job to
retry; refusals (unknown product, no client) raise ``PermanentFailure`` with a safe reason.
"""

from __future__ import annotations

import asyncio

import structlog

from bff.core.db import utcnow
from bff.core.providers import Providers
from bff.provisioning.billing import find_tagged_order, order_status
from bff.provisioning.crm import OrderToProvision, read_order
from bff.provisioning.models import ProvisioningRun, RunState
from bff.provisioning.sim_lines import SimFields, activate_sim_lines
from bff.provisioning.store import RunStore
from domain.common.errors import ProviderPayloadError, ValidationFailedError
from domain.orders.contract import BillingOrderAcceptance, OrderStatus
from integrations.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from integrations.freebit import FreebitLineBusy

log = structlog.get_logger("bff.provisioning")

REASON_NOT_FOUND = "The order could not be found."
REASON_NO_BILLING_ACCOUNT = "The order's account has no billing account yet."
REASON_REJECTED = "A product in this order cannot be set up automatically."
REASON_UNAVAILABLE = "Our systems could not complete this order in time."


class PermanentFailure(Exception):
    """Provisioning cannot succeed by retrying; ``reason`` is safe to show the customer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotProvisionable(Exception):
    """The Order is not (or no longer) waiting for provisioning: a stale or early job."""


class TransientFailure(Exception):
    """A provider is unavailable for now; retry after ``retry_after`` seconds (at least)."""

    def __init__(self, cause: Exception, *, retry_after: float = 0.0) -> None:
        super().__init__(type(cause).__name__)
        self.retry_after = retry_after


def classify(error: Exception) -> Exception:
    """Map a provider error to ``TransientFailure`` or ``PermanentFailure``."""
    if isinstance(error, UpstreamUnavailable):
        return TransientFailure(error, retry_after=error.retry_after)
    # Another operation holds the line (e.g. its activation still completing): wait.
    if isinstance(error, UpstreamTimeout | UpstreamBadResponse | FreebitLineBusy):
        return TransientFailure(error)
    if isinstance(error, UpstreamError | ProviderPayloadError | ValidationFailedError):
        return PermanentFailure(REASON_REJECTED)
    return error


class Workflow:
    def __init__(
        self, *, store: RunStore, providers: Providers, tag_field_id: int, sim_fields: SimFields
    ) -> None:
        self._store = store
        self._providers = providers
        self._tag_field_id = tag_field_id
        self._sim_fields = sim_fields
        # The Order as read by this try's first step: the SIM step reuses it instead of a
        # second read. Its items cannot change once it left Draft; a try that resumes later
        # steps (after a crash or retry) reads it again.
        self._order: OrderToProvision | None = None

    async def advance(self, run: ProvisioningRun) -> ProvisioningRun:
        """Run the remaining steps of ``run``; each commits its state before the next."""
        try:
            while run.run_state not in (RunState.DONE, RunState.FAILED):
                run = await self._step(run)
        except (UpstreamError, ProviderPayloadError, ValidationFailedError) as error:
            raise classify(error) from error
        return run

    async def _step(self, run: ProvisioningRun) -> ProvisioningRun:
        state = run.run_state
        if state is RunState.RECEIVED:
            return await self._place_billing_order(run)
        if state is RunState.WHMCS_ORDER_CREATED:
            return await self._accept_billing_order(run)
        if state is RunState.ACCEPTED:
            return await self._activate_sims(run)
        if state is RunState.SIM_ACTIVATED:
            return await self._update_crm(run)
        # crm_updated: left by a try that ended between the two writes (older versions)
        return await self._store.update(
            run.order_id, {"state": RunState.DONE.value, "finished_at": utcnow()}
        )

    async def _place_billing_order(self, run: ProvisioningRun) -> ProvisioningRun:
        salesforce, whmcs = self._providers.salesforce, self._providers.whmcs
        order = await read_order(salesforce, run.order_id)
        if order is None:
            raise PermanentFailure(REASON_NOT_FOUND)
        if order.status not in (OrderStatus.APPROVED, OrderStatus.PROVISIONING):
            # Draft, cancelled or already final in the CRM: nothing to do, nothing to write.
            raise NotProvisionable(order.status.value)
        client_id = order.billing_client_id
        if not client_id:
            raise PermanentFailure(REASON_NO_BILLING_ACCOUNT)
        self._order = order
        search = find_tagged_order(
            whmcs,
            client_id=client_id,
            tag_field_id=self._tag_field_id,
            salesforce_order_id=run.order_id,
        )
        if order.status is OrderStatus.APPROVED:
            # Independent: the PATCH changes only the CRM status, the search only reads
            # WHMCS; both must succeed before AddOrder, so a failure of either retries.
            marked, found = await asyncio.gather(
                salesforce.update_order_status(run.order_id, OrderStatus.PROVISIONING),
                search,
                return_exceptions=True,  # both finish before the step goes on or fails
            )
            for outcome in (marked, found):
                if isinstance(outcome, BaseException):
                    raise outcome
            placed = None if isinstance(found, BaseException) else found
            # "provisioning started", now that it has; the run's row has nothing new to say.
            await self._store.announce(run)
        else:
            placed = await search
        if placed is not None:
            log.info("provisioning.billing_order_found", order_id=run.order_id)
            billing_order_id, service_ids = placed.order_id, placed.service_ids
        else:
            placement = await whmcs.add_order(
                order.order,
                client_id=client_id,
                custom_fields={self._tag_field_id: run.order_id},
            )
            billing_order_id, service_ids = placement.order_id, placement.service_ids
        return await self._store.update(
            run.order_id,
            {
                "state": RunState.WHMCS_ORDER_CREATED.value,
                "account_id": order.account_id,
                "whmcs_client_id": client_id,
                "whmcs_order_id": billing_order_id,
                "service_ids": ",".join(service_ids),
                "whmcs_order_created_at": utcnow(),
            },
        )

    async def _accept_billing_order(self, run: ProvisioningRun) -> ProvisioningRun:
        whmcs = self._providers.whmcs
        assert run.whmcs_order_id is not None
        if await whmcs.accept_order(run.whmcs_order_id) is BillingOrderAcceptance.NOT_PENDING:
            placed = await order_status(whmcs, run.whmcs_order_id)
            if placed is None or placed.status.casefold() != "active":
                raise PermanentFailure(REASON_REJECTED)
        return await self._store.update(
            run.order_id, {"state": RunState.ACCEPTED.value, "accepted_at": utcnow()}
        )

    async def _activate_sims(self, run: ProvisioningRun) -> ProvisioningRun:
        order = self._order or await read_order(self._providers.salesforce, run.order_id)
        if order is None:
            raise PermanentFailure(REASON_NOT_FOUND)
        assert run.whmcs_client_id is not None
        lines = await activate_sim_lines(
            self._providers,
            order=order,
            client_id=run.whmcs_client_id,
            service_ids=run.service_id_list,
            fields=self._sim_fields,
        )
        return await self._store.update(
            run.order_id,
            {
                "state": RunState.SIM_ACTIVATED.value,
                "sim_activated_at": utcnow(),
                "sim_note": f"{lines} SIM line(s) activated" if lines else None,
            },
        )

    async def _update_crm(self, run: ProvisioningRun) -> ProvisioningRun:
        await self._providers.salesforce.update_order_status(
            run.order_id,
            OrderStatus.ACTIVE,
            billing_order_id=run.whmcs_order_id,
            subscription_ids=run.service_id_list,
            provisioned_at=run.sim_activated_at,
        )
        # Straight to done: nothing remains after the CRM write, so one commit records both.
        now = utcnow()
        return await self._store.update(
            run.order_id,
            {"state": RunState.DONE.value, "crm_updated_at": now, "finished_at": now},
        )

    async def fail(self, run: ProvisioningRun, reason: str) -> ProvisioningRun:
        """Record ``failed`` with ``reason``, then write it to the Salesforce Order."""
        run = await self._store.update(
            run.order_id,
            {"state": RunState.FAILED.value, "failure_reason": reason, "finished_at": utcnow()},
        )
        return await self.report_failure(run)

    async def report_failure(self, run: ProvisioningRun) -> ProvisioningRun:
        """Write the failure to Salesforce once; raises ``TransientFailure`` to retry."""
        if run.failure_reported:
            return run
        try:
            await self._providers.salesforce.update_order_status(
                run.order_id,
                OrderStatus.FAILED,
                failure_reason=run.failure_reason,
                billing_order_id=run.whmcs_order_id,
            )
        except UpstreamError as error:
            if isinstance(classify(error), TransientFailure):
                raise classify(error) from error
            log.warning("provisioning.failure_not_reported", order_id=run.order_id)
        return await self._store.update(run.order_id, {"failure_reported": True})
