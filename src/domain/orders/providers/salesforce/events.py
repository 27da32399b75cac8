"""Salesforce platform event ``OrderProvisionRequested__e`` (Avro-decoded) -> ProvisionRequest.

The record-triggered flow publishes it when an Order's Status becomes ``Approved``.
Avro gives ``CreatedDate`` as epoch milliseconds and custom fields as ``null`` or value.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

from domain.common.model import RawModel
from domain.common.wire.lenient import OptionalText, Text
from domain.common.wire.salesforce import PROVIDER, SalesforceDatetime
from domain.common.wire.validation import maps_payload, parse_payload
from domain.orders.contract import ProvisionRequest

PROVISION_EVENT = "OrderProvisionRequested__e"
PROVISION_TOPIC = f"/event/{PROVISION_EVENT}"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_millis(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        # Integer arithmetic: a float division would lose the milliseconds.
        return _EPOCH + timedelta(milliseconds=value)
    return value


class SfOrderProvisionRequested(RawModel):
    CreatedDate: Annotated[SalesforceDatetime, BeforeValidator(_epoch_millis)]
    CreatedById: OptionalText = None
    Order_Id__c: Text
    Account_Id__c: OptionalText = None


@maps_payload(PROVIDER, "OrderProvisionRequested__e")
def provision_request_from_salesforce_event(payload: Any) -> ProvisionRequest:
    raw = parse_payload(
        SfOrderProvisionRequested, payload, provider=PROVIDER, entity=PROVISION_EVENT
    )
    return ProvisionRequest(
        order_id=raw.Order_Id__c, account_id=raw.Account_Id__c, requested_at=raw.CreatedDate
    )
