"""Quirk absorption shared by all providers: lenient types, WHMCS wrappers, PHP serialize."""

import logging
from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, BeforeValidator, TypeAdapter

from domain.common import ProviderPayloadError, RawModel
from domain.common.status import StatusTable
from domain.common.wire.freebit import FreebitDate, FreebitFlag, FreebitResponse, flag
from domain.common.wire.lenient import (
    DecimalOrZero,
    DecimalValue,
    Flag,
    IntValue,
    OptionalDate,
    OptionalText,
    Text,
    as_list,
)
from domain.common.wire.salesforce import (
    QueryResult,
    SalesforceDatetime,
    decimal_to_json_number,
    query_records,
)
from domain.common.wire.validation import error_location, parse_payload, require
from domain.common.wire.whmcs import (
    decode_custom_fields,
    encode_custom_fields,
    php_serialize_strings,
    php_unserialize_strings,
    split_ids,
    unwrap_collection,
)
from domain.orders import OrderStatus


class Row(RawModel):
    id: Text


class Rows(RawModel):
    rows: Annotated[tuple[Row, ...], BeforeValidator(unwrap_collection("row"))] = ()


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ({"row": [{"id": 1}, {"id": "2"}]}, ["1", "2"]),
        ({"row": {"id": 3}}, ["3"]),
        ([{"id": 4}], ["4"]),
        ({"id": 5}, ["5"]),
        ("", []),
        ([], []),
        ({}, []),
        ({"row": []}, []),
        ({"row": ""}, []),
        (None, []),
    ],
)
def test_whmcs_collection_spellings(value: object, ids: list[str]) -> None:
    assert [row.id for row in Rows.model_validate({"rows": value}).rows] == ids


def test_whmcs_collection_missing_and_garbage() -> None:
    assert Rows.model_validate({}).rows == ()
    with pytest.raises(ProviderPayloadError, match="rows"):
        parse_payload(Rows, {"rows": "garbage"}, provider="whmcs", entity="rows")
    with pytest.raises(ValueError, match="list"):
        as_list(42)


def test_lenient_scalars() -> None:
    adapter = TypeAdapter(DecimalValue)
    assert adapter.validate_python("1,980.50") == Decimal("1980.50")
    assert adapter.validate_python(19.99) == Decimal("19.99")
    assert TypeAdapter(DecimalOrZero).validate_python("") == Decimal(0)
    assert TypeAdapter(DecimalOrZero).validate_python(None) == Decimal(0)
    assert TypeAdapter(IntValue).validate_python("42") == 42
    assert TypeAdapter(Text).validate_python(7) == "7"
    assert TypeAdapter(OptionalText).validate_python("  ") is None
    assert TypeAdapter(OptionalDate).validate_python("0000-00-00") is None
    assert TypeAdapter(OptionalDate).validate_python("2026-01-02 03:04:05") == date(2026, 1, 2)
    assert TypeAdapter(OptionalDate).validate_python(date(2026, 1, 2)) == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("", False),
        ("true", True),
        ("false", False),
        (None, False),
    ],
)
def test_whmcs_booleans(raw: object, expected: bool) -> None:
    assert TypeAdapter(Flag).validate_python(raw) is expected


def test_freebit_flags_and_dates() -> None:
    assert TypeAdapter(FreebitFlag).validate_python("10") is True
    assert TypeAdapter(FreebitFlag).validate_python("20") is False
    assert TypeAdapter(FreebitFlag).validate_python("") is False
    with pytest.raises(ValueError, match="flag"):
        TypeAdapter(FreebitFlag).validate_python("30")
    assert TypeAdapter(FreebitDate).validate_python("20261201") == date(2026, 12, 1)
    assert TypeAdapter(FreebitDate).validate_python(date(2026, 12, 1)) == date(2026, 12, 1)
    assert flag(True) == "10" and flag(False) == "20"
    envelope = FreebitResponse.model_validate(
        {"resultCode": "100", "status": {"statusCode": "200"}}
    )
    assert envelope.ok and envelope.status is not None and envelope.status.status_code == "200"
    assert not FreebitResponse.model_validate({"resultCode": "400"}).ok


def test_salesforce_quirks() -> None:
    parsed = TypeAdapter(SalesforceDatetime).validate_python("2013-05-20T20:49:32.000+0900")
    assert parsed.isoformat() == "2013-05-20T11:49:32+00:00"
    assert decimal_to_json_number(Decimal("1980.00")) == 1980
    assert isinstance(decimal_to_json_number(Decimal("1980.00")), int)
    assert decimal_to_json_number(Decimal("19.99")) == 19.99
    assert query_records({"records": [1]}) == [1]
    assert query_records([2]) == [2]
    result = QueryResult[Row].model_validate(
        {"totalSize": 1, "done": False, "nextRecordsUrl": "/next", "records": [{"id": 1}]}
    )
    assert (result.total_size, result.done, result.next_records_url) == (1, False, "/next")


def test_split_ids() -> None:
    assert split_ids("1, 2,,3") == ("1", "2", "3")
    assert split_ids("") == ()
    assert split_ids(None) == ()


def test_php_serialize_counts_utf8_bytes() -> None:
    assert php_serialize_strings({3: "09012345678"}) == 'a:1:{i:3;s:11:"09012345678";}'
    assert php_serialize_strings({1: "東京"}) == 'a:1:{i:1;s:6:"東京";}'


@given(st.dictionaries(st.integers(0, 10_000), st.text(max_size=40), max_size=6))
def test_custom_fields_round_trip(values: dict[int, str]) -> None:
    assert decode_custom_fields(encode_custom_fields(values)) == values
    assert php_unserialize_strings(php_serialize_strings(values)) == values


@pytest.mark.parametrize(
    "bad",
    [
        's:1:"a";',
        "a:1:{i:1;i:2;}",
        'a:1:{i:1;s:5:"ab";}',
        'a:1:{i:1;s:1:"a";}x',
        'a:2:{i:1;s:1:"a";}',
    ],
)
def test_php_unserialize_refuses_what_it_does_not_understand(bad: str) -> None:
    with pytest.raises(ValueError, match="serialized PHP"):
        php_unserialize_strings(bad)


def test_provider_payload_error_names_field_never_value() -> None:
    class Person(BaseModel):
        phone: int

    with pytest.raises(ProviderPayloadError) as caught:
        parse_payload(Person, {"phone": "090-secret-number"}, provider="whmcs", entity="client")
    error = caught.value
    assert (error.provider, error.entity, error.field, error.reason) == (
        "whmcs",
        "client",
        "phone",
        "invalid",
    )
    assert "secret" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__
    with pytest.raises(ProviderPayloadError, match="'phone' is missing"):
        parse_payload(Person, {}, provider="whmcs", entity="client")


def test_error_location_and_require() -> None:
    assert error_location(("items", 0, "amount")) == "items[0].amount"
    assert error_location((0, "x")) == "[0].x"
    assert error_location(()) == "<root>"
    assert require(1, provider="p", entity="e", field="f") == 1
    with pytest.raises(ProviderPayloadError, match="'f' is missing"):
        require(None, provider="p", entity="e", field="f")


def test_status_table_fallback_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    table = StatusTable(
        provider="p", entity="e", mapping={"Draft": OrderStatus.DRAFT}, fallback=OrderStatus.UNKNOWN
    )
    assert table.lookup(" draft ") is OrderStatus.DRAFT
    with caplog.at_level(logging.WARNING):
        assert table.lookup("Nope") is OrderStatus.UNKNOWN
        assert table.lookup(None) is OrderStatus.UNKNOWN
    assert [r.message for r in caplog.records] == ["unknown provider status"] * 2
    assert caplog.records[0].status_value == "Nope"  # type: ignore[attr-defined]
    assert table.reverse(OrderStatus.DRAFT) == "Draft"
    with pytest.raises(KeyError):
        table.reverse(OrderStatus.ACTIVE)
