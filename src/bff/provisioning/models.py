"""``provisioning_runs``: where each Salesforce Order stands in fulfilment, and its external ids.

One row per Salesforce Order (the primary key), advanced by the worker under a per-order
lock. Each external id is written as soon as its call returns, so a rerun resumes instead
of repeating a step. Each step's time is kept for the portal's timeline.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.core.db import Base, UtcDateTime


class RunState(StrEnum):
    RECEIVED = "received"
    WHMCS_ORDER_CREATED = "whmcs_order_created"
    ACCEPTED = "accepted"
    SIM_ACTIVATED = "sim_activated"
    CRM_UPDATED = "crm_updated"
    DONE = "done"
    FAILED = "failed"


FINAL_RUN_STATES = frozenset({RunState.DONE, RunState.FAILED})


class ProvisioningRun(Base):
    __tablename__ = "provisioning_runs"

    order_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    whmcs_client_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    whmcs_order_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Comma-joined WHMCS service ids (the portal's subscription ids).
    service_ids: Mapped[str] = mapped_column(String(1000), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Safe text for the customer; never a provider's message.
    failure_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Whether the failure has been written to the Salesforce Order yet.
    failure_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    sim_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    whmcs_order_created_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sim_activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    crm_updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    @property
    def run_state(self) -> RunState:
        return RunState(self.state)

    @property
    def service_id_list(self) -> tuple[str, ...]:
        return tuple(s for s in self.service_ids.split(",") if s)
