"""Freebit wire quirks: ``resultCode`` envelope, two-digit flags, MB as strings, YYYYMMDD dates."""

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from domain.common.dates import parse_yyyymmdd
from domain.common.model import RawModel
from domain.common.wire.lenient import OptionalText, Text

PROVIDER = "freebit"

SUCCESS = "100"
FLAG_ON = "10"
FLAG_OFF = "20"


def _flag(value: Any) -> Any:
    if value is None or value == "":
        return False
    if isinstance(value, str) and value.strip() in {FLAG_ON, FLAG_OFF}:
        return value.strip() == FLAG_ON
    raise ValueError("flag must be '10' or '20'")


def _yyyymmdd(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return parse_yyyymmdd(value)
    return value


FreebitFlag = Annotated[bool, BeforeValidator(_flag)]
"""``"10"`` on / ``"20"`` off; missing or empty means off."""

FreebitDate = Annotated[date | None, BeforeValidator(_yyyymmdd)]


def flag(value: bool) -> str:
    return FLAG_ON if value else FLAG_OFF


class FreebitModel(RawModel):
    """Freebit names fields in camelCase; attributes here are their snake_case twins."""

    model_config = ConfigDict(alias_generator=to_camel)


class FreebitStatus(FreebitModel):
    message: OptionalText = None
    status_code: OptionalText = None


class FreebitResponse(FreebitModel):
    """The envelope every answer has, HTTP 200 even on error."""

    result_code: Text
    status: FreebitStatus | None = None

    @property
    def ok(self) -> bool:
        return self.result_code.strip() == SUCCESS
