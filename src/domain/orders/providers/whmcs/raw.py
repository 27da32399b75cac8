"""WHMCS ``AddOrder`` / ``AcceptOrder`` answers (ids as strings, id lists comma-joined)."""

from domain.common.model import RawModel
from domain.common.wire.lenient import OptionalText, Text


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
