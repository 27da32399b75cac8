"""customer <-> WHMCS: ``GetClientsDetails`` to a BillingAccount; a profile update to
``UpdateClient`` parameters; new contact details to ``AddClient`` parameters;
``ValidateLogin`` and ``GetUsers`` for linking an existing billing account.

WHMCS address fields: ``address1`` street, ``address2`` building, ``state`` prefecture.
"""

from typing import Any

from domain.common.address import Address
from domain.common.errors import ProviderPayloadError
from domain.common.wire.validation import maps_payload, parse_payload
from domain.common.wire.whmcs import PROVIDER
from domain.customer.addressing import address_from_parts
from domain.customer.contract import BillingAccount, BillingLogin, ContactDetails, ProfileUpdate
from domain.customer.providers.whmcs.raw import (
    WhmcsClient,
    WhmcsClientDetails,
    WhmcsClientIdResult,
    WhmcsUsers,
    WhmcsValidateLogin,
)
from domain.customer.providers.whmcs.statuses import CLIENT_STATUSES


def _contact(raw: WhmcsClient) -> ContactDetails:
    for field in ("email", "firstname", "lastname"):
        if not getattr(raw, field):
            raise ProviderPayloadError(PROVIDER, "client", f"client.{field}", "missing")
    return ContactDetails(
        email=raw.email or "",
        first_name=raw.firstname or "",
        last_name=raw.lastname or "",
        phone=raw.phonenumber,
        address=address_from_parts(
            street=raw.address1,
            building=raw.address2,
            city=raw.city,
            prefecture=raw.state,
            postcode=raw.postcode,
            country=raw.country,
            provider=PROVIDER,
            entity="client",
        ),
    )


@maps_payload(PROVIDER, "client")
def billing_account_from_whmcs(payload: Any) -> BillingAccount:
    """Map a ``GetClientsDetails`` answer."""
    raw = parse_payload(WhmcsClientDetails, payload, provider=PROVIDER, entity="client").client
    return BillingAccount(
        client_id=raw.id,
        status=CLIENT_STATUSES.lookup(raw.status),
        contact=_contact(raw),
        company_name=raw.companyname,
        currency_code=raw.currency_code,
    )


def client_id_from_whmcs(payload: Any) -> str:
    """The ``clientid`` of an ``AddClient`` or ``UpdateClient`` answer."""
    return parse_payload(WhmcsClientIdResult, payload, provider=PROVIDER, entity="client").clientid


def address_to_whmcs(address: Address) -> dict[str, str]:
    return {
        "address1": address.street,
        # An empty address2 clears a building WHMCS still holds.
        "address2": address.building or "",
        "city": address.city,
        "state": address.prefecture,
        "postcode": address.postcode,
        "country": address.country,
    }


def profile_update_to_whmcs(update: ProfileUpdate, *, client_id: str) -> dict[str, str]:
    """``UpdateClient`` parameters; fields the update leaves out are not sent."""
    params = {"clientid": client_id}
    if update.phone is not None:
        params["phonenumber"] = update.phone
    if update.address is not None:
        params.update(address_to_whmcs(update.address))
    return params


def contact_to_whmcs_add_client(contact: ContactDetails) -> dict[str, str]:
    """``AddClient`` parameters for a new customer (WHMCS requires an address and phone)."""
    params = {
        "firstname": contact.first_name,
        "lastname": contact.last_name,
        "email": contact.email,
    }
    if contact.phone is not None:
        params["phonenumber"] = contact.phone
    if contact.address is not None:
        params.update(address_to_whmcs(contact.address))
    return params


@maps_payload(PROVIDER, "login")
def billing_login_from_whmcs(payload: Any) -> BillingLogin:
    """Map a successful ``ValidateLogin`` answer (the error envelope means bad credentials)."""
    raw = parse_payload(WhmcsValidateLogin, payload, provider=PROVIDER, entity="login")
    return BillingLogin(
        user_id=raw.userid,
        two_factor_required=raw.two_factor_enabled and raw.passwordhash is None,
    )


def owned_client_id_from_whmcs(payload: Any, *, user_id: str) -> str | None:
    """The client a WHMCS user owns, from ``GetUsers``; None when it owns none."""
    raw = parse_payload(WhmcsUsers, payload, provider=PROVIDER, entity="users")
    for user in raw.users:
        if user.id == user_id:
            return next((client.id for client in user.clients if client.is_owner), None)
    return None
