"""WHMCS ``GetClientsProducts`` payload: every value a string, wrappers and zero dates."""

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from domain.common.model import RawModel
from domain.common.wire.lenient import (
    DecimalOrZero,
    IntValue,
    OptionalDate,
    OptionalText,
    Text,
)
from domain.common.wire.whmcs import unwrap_collection


class WhmcsCustomField(RawModel):
    id: OptionalText = None
    name: OptionalText = None
    translated_name: OptionalText = None
    value: OptionalText = None


class WhmcsConfigOption(RawModel):
    id: OptionalText = None
    option: OptionalText = None
    type: OptionalText = None
    value: OptionalText = None


class WhmcsClientProduct(RawModel):
    """One of ``products.product[]`` (a service)."""

    id: Text
    clientid: OptionalText = None
    orderid: OptionalText = None
    pid: OptionalText = None
    regdate: OptionalDate = None
    name: OptionalText = None
    translated_name: OptionalText = None
    groupname: OptionalText = None
    domain: OptionalText = None
    firstpaymentamount: DecimalOrZero = Decimal(0)
    recurringamount: DecimalOrZero = Decimal(0)
    paymentmethod: OptionalText = None
    billingcycle: OptionalText = None
    nextduedate: OptionalDate = None
    status: OptionalText = None
    suspensionreason: OptionalText = None
    customfields: Annotated[
        tuple[WhmcsCustomField, ...], BeforeValidator(unwrap_collection("customfield"))
    ] = ()
    configoptions: Annotated[
        tuple[WhmcsConfigOption, ...], BeforeValidator(unwrap_collection("configoption"))
    ] = ()

    def custom_field(self, name: str) -> str | None:
        """A custom field's value by (translated) name, compared case-insensitively."""
        wanted = name.casefold()
        for field in self.customfields:
            names = {n.casefold() for n in (field.name, field.translated_name) if n}
            if wanted in names:
                return field.value
        return None


class WhmcsClientsProducts(RawModel):
    """``GetClientsProducts``: with 0 rows ``products`` is ``""``."""

    clientid: OptionalText = None
    totalresults: IntValue = 0
    startnumber: IntValue = 0
    numreturned: IntValue = 0
    products: Annotated[
        tuple[WhmcsClientProduct, ...], BeforeValidator(unwrap_collection("product"))
    ] = ()


class WhmcsServiceTags(RawModel):
    """Only what finding a service by a custom field's value needs: validating a page of
    full services (dates, amounts, options) cost the provisioning worker a fifth of its
    CPU in the benchmark, where a client's services grow with every order."""

    id: Text
    orderid: OptionalText = None
    customfields: Annotated[
        tuple[WhmcsCustomField, ...], BeforeValidator(unwrap_collection("customfield"))
    ] = ()


class WhmcsClientsProductTags(RawModel):
    """``GetClientsProducts`` read as :class:`WhmcsServiceTags`."""

    totalresults: IntValue = 0
    products: Annotated[
        tuple[WhmcsServiceTags, ...], BeforeValidator(unwrap_collection("product"))
    ] = ()
