"""WHMCS ``GetClientsDetails`` payload; ``UpdateClient``/``AddClient`` answer ``clientid``."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from domain.common.model import RawModel
from domain.common.wire.lenient import DecimalOrZero, Flag, OptionalText, Text
from domain.common.wire.whmcs import unwrap_collection


class WhmcsClient(RawModel):
    id: Text
    firstname: OptionalText = None
    lastname: OptionalText = None
    companyname: OptionalText = None
    email: OptionalText = None
    address1: OptionalText = None
    address2: OptionalText = None
    city: OptionalText = None
    state: OptionalText = None
    postcode: OptionalText = None
    country: OptionalText = None
    phonenumber: OptionalText = None
    phonecc: OptionalText = None
    status: OptionalText = None
    credit: DecimalOrZero = Decimal(0)
    currency_code: OptionalText = None


class WhmcsClientDetails(RawModel):
    """The client sits under ``client``; older versions also repeat it at the top level."""

    client: WhmcsClient

    @model_validator(mode="before")
    @classmethod
    def _top_level_client(cls, data: Any) -> Any:
        if isinstance(data, dict) and "client" not in data and "id" in data:
            return {"client": data}
        return data


class WhmcsClientIdResult(RawModel):
    clientid: Text


class WhmcsValidateLogin(RawModel):
    """``ValidateLogin``: ``passwordhash`` is absent when a second factor is needed."""

    userid: Text
    passwordhash: OptionalText = None
    two_factor_enabled: Flag = Field(default=False, alias="twoFactorEnabled")


class WhmcsUserClient(RawModel):
    id: Text
    is_owner: Flag = Field(default=False, alias="isOwner")


class WhmcsUser(RawModel):
    id: Text
    email: OptionalText = None
    clients: Annotated[
        tuple[WhmcsUserClient, ...], BeforeValidator(unwrap_collection("client"))
    ] = ()


class WhmcsUsers(RawModel):
    """``GetUsers``: ``users[].clients[{id, isOwner}]``."""

    users: Annotated[tuple[WhmcsUser, ...], BeforeValidator(unwrap_collection("user"))] = ()
