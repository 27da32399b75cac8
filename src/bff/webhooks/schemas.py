"""The WHMCS hook call-out body (our convention; see reference/whmcs.md "Hooks")."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.common.dates import UtcDatetime
from domain.common.model import ContractModel

WhmcsId = Annotated[str, Field(pattern=r"^\d{1,12}$")]


class WhmcsEvent(ContractModel):
    """`{event, eventId?, occurredAt, clientId?, invoiceId?, serviceId?}` as the hook sends it.

    Unknown fields are ignored so a newer hook does not break an older BFF.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore"
    )

    event: Annotated[str, Field(min_length=1, max_length=64, examples=["InvoicePaid"])]
    event_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    occurred_at: UtcDatetime | None = None
    client_id: WhmcsId | None = None
    invoice_id: WhmcsId | None = None
    service_id: WhmcsId | None = None


class WebhookAck(ContractModel):
    """The hook event was received, and what was done with it."""

    received: bool = True
    action: str = Field(description="`invalidated`, `duplicate` or `ignored` (unknown event).")
