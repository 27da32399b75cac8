"""WHMCS ``AddOrder`` / ``AcceptOrder`` answers (ids as strings, id lists comma-joined)."""

from typing import Annotated

from pydantic import BeforeValidator

from domain.common.model import RawModel
from domain.common.wire.lenient import IntValue, OptionalText, Text
from domain.common.wire.whmcs import unwrap_collection


class WhmcsAddOrderResult(RawModel):
    """``{"orderid":"1","serviceids":"1,2","addonids":"","domainids":"","invoiceid":"1"}``.

    Before WHMCS 7.8 the service ids came as ``productids``.
    """

    result: OptionalText = None
    orderid: Text
    serviceids: OptionalText = None
    productids: OptionalText = None
    addonids: OptionalText = None
    domainids: OptionalText = None
    invoiceid: OptionalText = None


class WhmcsResult(RawModel):
    """The bare envelope: ``AcceptOrder`` answers only ``{"result":"success"}``."""

    result: Text
    message: OptionalText = None


class WhmcsOrderLineItem(RawModel):
    type: OptionalText = None
    relid: OptionalText = None
    product: OptionalText = None
    billingcycle: OptionalText = None
    amount: OptionalText = None
    status: OptionalText = None


class WhmcsOrder(RawModel):
    id: Text
    ordernum: OptionalText = None
    userid: OptionalText = None
    invoiceid: OptionalText = None
    status: OptionalText = None
    notes: OptionalText = None
    lineitems: Annotated[
        tuple[WhmcsOrderLineItem, ...], BeforeValidator(unwrap_collection("lineitem"))
    ] = ()


class WhmcsOrders(RawModel):
    """``GetOrders``: ``orders.order[]`` with ``lineitems.lineitem[]``."""

    totalresults: IntValue = 0
    orders: Annotated[tuple[WhmcsOrder, ...], BeforeValidator(unwrap_collection("order"))] = ()
