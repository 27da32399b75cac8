"""Customer <-> WHMCS (GetClientsDetails, UpdateClient, AddClient) and Salesforce."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.common import PREFECTURES, Address, Prefecture, ProviderPayloadError
from domain.customer import ClientStatus, ContactDetails, CustomerProfile, ProfileUpdate
from domain.customer.providers.salesforce import (
    crm_account_from_salesforce,
    crm_contact_from_salesforce,
    identity_links_from_salesforce,
    profile_update_to_salesforce_contact,
)
from domain.customer.providers.whmcs import (
    billing_account_from_whmcs,
    billing_login_from_whmcs,
    client_id_from_whmcs,
    contact_to_whmcs_add_client,
    owned_client_id_from_whmcs,
    profile_update_to_whmcs,
)

Payload = Callable[[str, str], Any]
TOKYO = Address(
    postcode="100-0001",
    prefecture="東京都",
    city="千代田区",
    street="千代田1-1",
    building="サンプルビル 3F",
)


def test_billing_account_from_client_details(payload: Payload) -> None:
    account = billing_account_from_whmcs(payload("whmcs", "get_clients_details"))
    assert (account.client_id, account.status, account.currency_code) == (
        "7",
        ClientStatus.ACTIVE,
        "JPY",
    )
    assert account.contact == ContactDetails(
        email="taro.yamada@example.jp",
        first_name="太郎",
        last_name="山田",
        phone="09012345678",
        address=TOKYO,
    )
    assert account.company_name is None


def test_foreign_and_missing_addresses(payload: Payload) -> None:
    foreign = billing_account_from_whmcs(payload("whmcs", "get_clients_details_foreign"))
    assert foreign.status is ClientStatus.INACTIVE
    assert foreign.contact.address is not None and foreign.contact.address.country == "GB"
    bare = billing_account_from_whmcs(payload("whmcs", "get_clients_details_no_address"))
    assert (bare.client_id, bare.status, bare.contact.address, bare.contact.phone) == (
        "9",
        ClientStatus.CLOSED,
        None,
        None,
    )


def test_unusable_address_is_dropped_and_logged_by_field_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = {
        "client": {
            "id": 3,
            "firstname": "A",
            "lastname": "B",
            "email": "a@example.jp",
            "address1": "1-1",
            "city": "X",
            "state": "Atlantis",
            "postcode": "999",
            "country": "JP",
        }
    }
    with caplog.at_level(logging.WARNING):
        account = billing_account_from_whmcs(raw)
    assert account.contact.address is None
    (record,) = [r for r in caplog.records if r.getMessage() == "unusable address from provider"]
    assert "Atlantis" not in caplog.text and record.fields == ["address"]  # type: ignore[attr-defined]


def test_client_without_email_is_a_payload_error() -> None:
    with pytest.raises(ProviderPayloadError, match=r"client\.email"):
        billing_account_from_whmcs({"client": {"id": 3, "firstname": "A", "lastname": "B"}})


def test_profile_combines_portal_user_and_contact(payload: Payload) -> None:
    contact = billing_account_from_whmcs(payload("whmcs", "get_clients_details")).contact
    profile = CustomerProfile.from_contact(
        user_id="u-1", created_at=datetime(2026, 1, 1, tzinfo=UTC), contact=contact
    )
    assert profile.model_dump(mode="json") == {
        "id": "u-1",
        "email": "taro.yamada@example.jp",
        "firstName": "太郎",
        "lastName": "山田",
        "phone": "09012345678",
        "address": {
            "postcode": "100-0001",
            "prefecture": "東京都",
            "city": "千代田区",
            "street": "千代田1-1",
            "building": "サンプルビル 3F",
            "country": "JP",
        },
        "createdAt": "2026-01-01T00:00:00Z",
    }


def test_profile_update_needs_something() -> None:
    with pytest.raises(ValidationError):
        ProfileUpdate()
    with pytest.raises(ValidationError):
        ProfileUpdate(phone="not a phone")


def test_profile_update_to_whmcs_and_contact() -> None:
    update = ProfileUpdate(
        phone="080-1111-2222", address=TOKYO.model_copy(update={"building": None})
    )
    assert profile_update_to_whmcs(update, client_id="7") == {
        "clientid": "7",
        "phonenumber": "080-1111-2222",
        "address1": "千代田1-1",
        "address2": "",
        "city": "千代田区",
        "state": "東京都",
        "postcode": "100-0001",
        "country": "JP",
    }
    assert profile_update_to_whmcs(ProfileUpdate(phone="0311112222"), client_id="7") == {
        "clientid": "7",
        "phonenumber": "0311112222",
    }
    assert profile_update_to_salesforce_contact(ProfileUpdate(phone="0311112222")).as_json() == {
        "Phone": "0311112222"
    }
    assert profile_update_to_salesforce_contact(ProfileUpdate(address=TOKYO)).as_json() == {
        "MailingStreet": "千代田1-1\nサンプルビル 3F",
        "MailingCity": "千代田区",
        "MailingState": "東京都",
        "MailingPostalCode": "100-0001",
        "MailingCountry": "JP",
    }


def test_add_client_params_and_client_id(payload: Payload) -> None:
    contact = ContactDetails(
        email="new@example.jp", first_name="新", last_name="規", phone="09000000000", address=TOKYO
    )
    params = contact_to_whmcs_add_client(contact)
    assert (
        params["email"] == "new@example.jp"
        and params["state"] == "東京都"
        and params["address2"] == "サンプルビル 3F"
    )
    assert "phonenumber" not in contact_to_whmcs_add_client(
        contact.model_copy(update={"phone": None, "address": None})
    )
    assert client_id_from_whmcs(payload("whmcs", "update_client")) == "7"


def test_salesforce_account_with_contacts(payload: Payload) -> None:
    account, contacts = crm_account_from_salesforce(payload("salesforce", "account"))
    assert (account.account_id, account.billing_client_id, account.account_number) == (
        "001RO0000000001YAA",
        "7",
        "CUST-000007",
    )
    assert account.billing_address == TOKYO
    (contact,) = contacts
    assert contact.mailing_address == TOKYO.model_copy(update={"building": None})
    assert contact.mobile_phone == "090-1234-5678" and contact.phone is None
    links = identity_links_from_salesforce(account, contact)
    assert links.model_dump(mode="json") == {
        "billingClientId": "7",
        "crmAccountId": "001RO0000000001YAA",
        "crmContactId": "003RO0000000001YAA",
    }


def test_salesforce_account_without_contacts_or_address(payload: Payload) -> None:
    account, contacts = crm_account_from_salesforce(
        payload("salesforce", "account_without_contacts")
    )
    assert contacts == () and account.billing_address is None and account.billing_client_id is None
    assert identity_links_from_salesforce(account).crm_contact_id is None


def test_salesforce_contact_with_relationship_sub_object(payload: Payload) -> None:
    contact = crm_contact_from_salesforce(payload("salesforce", "contact"))
    assert contact.first_name is None and contact.last_name == "佐藤"
    assert contact.mailing_address is not None and contact.mailing_address.prefecture == "大阪府"
    with pytest.raises(ProviderPayloadError, match="LastName"):
        crm_contact_from_salesforce({"Id": "003X", "LastName": None})


addresses = st.builds(
    lambda prefecture, digits, city, street, building: Address(
        postcode=f"{digits:07d}",
        prefecture=prefecture.kanji,
        city=city,
        street=street,
        building=building,
    ),
    st.sampled_from(PREFECTURES),
    st.integers(0, 9_999_999),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20),
    st.one_of(st.none(), st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20)),
)


@given(address=addresses)
def test_address_round_trips_through_whmcs_and_salesforce(address: Address) -> None:
    whmcs = profile_update_to_whmcs(ProfileUpdate(address=address), client_id="1")
    back = billing_account_from_whmcs(
        {"client": {"id": "1", "firstname": "A", "lastname": "B", "email": "a@example.jp", **whmcs}}
    ).contact.address
    assert back == address
    contact = profile_update_to_salesforce_contact(ProfileUpdate(address=address)).as_json()
    assert (
        crm_contact_from_salesforce({"Id": "003", "LastName": "B", **contact}).mailing_address
        == address
    )


def test_prefecture_type_is_exported() -> None:
    assert isinstance(PREFECTURES[0], Prefecture)


def test_validate_login_and_owned_client(payload: Payload) -> None:
    login = billing_login_from_whmcs(payload("whmcs", "validate_login"))
    assert (login.user_id, login.two_factor_required) == ("12", False)
    second_factor = billing_login_from_whmcs(payload("whmcs", "validate_login_two_factor"))
    assert (second_factor.user_id, second_factor.two_factor_required) == ("13", True)
    users = payload("whmcs", "get_users")
    assert owned_client_id_from_whmcs(users, user_id="12") == "7"
    assert owned_client_id_from_whmcs(users, user_id="13") is None
    assert owned_client_id_from_whmcs(users, user_id="99") is None
