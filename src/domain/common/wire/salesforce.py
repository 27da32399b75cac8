"""Salesforce wire quirks: ``attributes`` blocks, relationship sub-objects, child query results."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, PlainSerializer

from domain.common.dates import to_utc
from domain.common.model import RawModel

PROVIDER = "salesforce"

R = TypeVar("R")


class SObjectAttributes(RawModel):
    type: str
    url: str | None = None


class SObject(RawModel):
    """A record as REST returns it: ``attributes`` plus fields by API name.

    ``attributes`` is optional because composite answers and relationship sub-objects
    built by hand (tests, sandboxes) often omit it.
    """

    attributes: SObjectAttributes | None = None


class QueryResult(RawModel, Generic[R]):
    """One batch of a SOQL ``query`` answer; follow ``next_records_url`` until ``done``."""

    total_size: int = Field(default=0, alias="totalSize")
    done: bool = True
    next_records_url: str | None = Field(default=None, alias="nextRecordsUrl")
    records: tuple[R, ...] = ()


def query_records(payload: Any) -> Any:
    """Accept a whole query answer (``{"records": [...]}``) or a bare list of records."""
    if isinstance(payload, dict) and "records" in payload:
        return payload["records"]
    return payload


class SfWrite(RawModel):
    """A record body to send; ``as_json`` drops unset fields (a null would clear them).

    Create bodies name their ``sobject_type``: sObject Collections need it as an
    ``attributes`` block on every record, and single-record calls accept it.
    """

    sobject_type: ClassVar[str | None] = None

    def as_json(self) -> dict[str, Any]:
        body = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        if self.sobject_type is None:
            return body
        return {"attributes": {"type": self.sobject_type}, **body}


def unwrap_child_records(value: Any) -> Any:
    """A child subquery comes back as ``{totalSize, done, records}``, or null when empty."""
    if value is None:
        return []
    if isinstance(value, dict):
        return value.get("records") or []
    return value


SalesforceDatetime = Annotated[AwareDatetime, AfterValidator(to_utc)]
"""``2013-05-20T20:49:32.000+0000`` as an aware UTC datetime."""


def decimal_to_json_number(value: Decimal) -> int | float:
    """Salesforce wants JSON numbers for currency and quantity fields.

    Integral values go out as ints; two-decimal amounts survive a float's shortest repr.
    """
    return int(value) if value == value.to_integral_value() else float(value)


SalesforceNumber = Annotated[
    Decimal, PlainSerializer(decimal_to_json_number, return_type=int | float, when_used="json")
]


def datetime_to_salesforce(value: datetime) -> str:
    """Salesforce's own datetime spelling, in UTC with milliseconds."""
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


SalesforceDatetimeOut = Annotated[
    AwareDatetime, PlainSerializer(datetime_to_salesforce, return_type=str, when_used="json")
]
"""A datetime written to Salesforce (``2013-05-20T20:49:32.000+0000``)."""

ChildRecords = BeforeValidator(unwrap_child_records)
"""Use as ``Annotated[tuple[Child, ...], ChildRecords]`` for a child subquery field."""
