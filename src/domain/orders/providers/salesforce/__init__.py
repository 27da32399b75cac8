"""Salesforce Order/OrderItem records: read mappers and write builders."""

from domain.orders.providers.salesforce.events import (
    PROVISION_EVENT,
    PROVISION_TOPIC,
    SfOrderProvisionRequested,
    provision_request_from_salesforce_event,
)
from domain.orders.providers.salesforce.mapper import (
    order_from_salesforce,
    order_from_salesforce_record,
    order_summaries_from_salesforce,
    orders_from_salesforce,
)
from domain.orders.providers.salesforce.raw import (
    SfOrder,
    SfOrderCreate,
    SfOrderItem,
    SfOrderItemCreate,
    SfOrderUpdate,
    SfPricebookEntryRef,
    SfProductRef,
)
from domain.orders.providers.salesforce.statuses import ORDER_STATUSES
from domain.orders.providers.salesforce.writer import (
    order_status_to_salesforce,
    order_to_salesforce,
)

__all__ = [
    "ORDER_STATUSES",
    "PROVISION_EVENT",
    "PROVISION_TOPIC",
    "SfOrder",
    "SfOrderCreate",
    "SfOrderItem",
    "SfOrderItemCreate",
    "SfOrderProvisionRequested",
    "SfOrderUpdate",
    "SfPricebookEntryRef",
    "SfProductRef",
    "order_from_salesforce",
    "order_from_salesforce_record",
    "order_status_to_salesforce",
    "order_summaries_from_salesforce",
    "order_to_salesforce",
    "orders_from_salesforce",
    "provision_request_from_salesforce_event",
]
