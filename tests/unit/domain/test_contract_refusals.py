"""A value the raw model accepts but the contract refuses is still a ProviderPayloadError."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from domain.billing.providers.whmcs import invoice_page_from_whmcs
from domain.common import ProviderPayloadError
from domain.common.wire import maps_payload
from domain.sim.providers.freebit import current_traffic_from_freebit, sim_details_from_freebit
from domain.support.providers.salesforce import cases_from_salesforce

Payload = Callable[[str, str], Any]


def test_unusable_msisdn_from_freebit(payload: Payload) -> None:
    detail = payload("freebit", "account_detail")
    detail["responseDatas"][0]["account"] = "+81 90-1234-5678"
    assert sim_details_from_freebit(detail).msisdn == "09012345678"
    detail["responseDatas"][0]["account"] = "AAA0_00000000001"
    with pytest.raises(ProviderPayloadError) as caught:
        sim_details_from_freebit(detail)
    assert (caught.value.provider, caught.value.entity, caught.value.field) == (
        "freebit",
        "account",
        "msisdn",
    )
    assert "AAA0" not in str(caught.value)


def test_negative_quota_from_freebit(payload: Payload) -> None:
    traffic = payload("freebit", "traffic_info")
    traffic["traffic"]["remainingMb"] = "-5"
    with pytest.raises(ProviderPayloadError, match="remaining_mb"):
        current_traffic_from_freebit(traffic)


def test_bad_currency_from_whmcs(payload: Payload) -> None:
    invoices = payload("whmcs", "get_invoices")
    invoices["invoices"]["invoice"][0]["currencycode"] = "円"
    with pytest.raises(ProviderPayloadError, match="currency"):
        invoice_page_from_whmcs(invoices, today=date(2026, 11, 23), page=1, page_size=20)


def test_garbage_date_from_salesforce() -> None:
    with pytest.raises(ProviderPayloadError, match="CreatedDate"):
        cases_from_salesforce([{"Id": "500", "CreatedDate": "yesterday"}])


def test_maps_payload_leaves_other_errors_alone() -> None:
    @maps_payload("p", "e")
    def broken() -> None:
        raise KeyError("not a validation problem")

    with pytest.raises(KeyError):
        broken()

    @maps_payload("p", "e")
    def refused() -> None:
        raise ValidationError.from_exception_data(
            "X", [{"type": "missing", "loc": ("a",), "input": {}}]
        )

    with pytest.raises(ProviderPayloadError, match="'a' is missing"):
        refused()
