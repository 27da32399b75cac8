"""customer <-> Salesforce: Account and Contact records to CrmAccount / CrmContact and
IdentityLinks; a profile update to the Contact PATCH body.

``*Street`` fields are multi-line: the first line is the street, the rest the building.
"""

from typing import Any

from domain.common.address import Address
from domain.common.errors import ProviderPayloadError
from domain.common.wire.salesforce import PROVIDER
from domain.common.wire.validation import maps_payload, parse_payload
from domain.customer.addressing import address_from_parts, join_street_lines, split_street_lines
from domain.customer.contract import CrmAccount, CrmContact, IdentityLinks, ProfileUpdate
from domain.customer.providers.salesforce.raw import SfAccount, SfContact, SfContactUpdate


def _address(
    street_lines: str | None,
    city: str | None,
    state: str | None,
    postcode: str | None,
    country: str | None,
    *,
    entity: str,
) -> Address | None:
    street, building = split_street_lines(street_lines)
    return address_from_parts(
        street=street,
        building=building,
        city=city,
        prefecture=state,
        postcode=postcode,
        country=country,
        provider=PROVIDER,
        entity=entity,
    )


@maps_payload(PROVIDER, "Contact")
def crm_contact_from_salesforce_record(raw: SfContact) -> CrmContact:
    if not raw.LastName:
        raise ProviderPayloadError(PROVIDER, "Contact", "LastName", "missing")
    return CrmContact(
        contact_id=raw.Id,
        account_id=raw.AccountId,
        first_name=raw.FirstName,
        last_name=raw.LastName,
        email=raw.Email,
        phone=raw.Phone,
        mobile_phone=raw.MobilePhone,
        mailing_address=_address(
            raw.MailingStreet,
            raw.MailingCity,
            raw.MailingState,
            raw.MailingPostalCode,
            raw.MailingCountry,
            entity="Contact",
        ),
    )


@maps_payload(PROVIDER, "Contact")
def crm_contact_from_salesforce(payload: Any) -> CrmContact:
    raw = parse_payload(SfContact, payload, provider=PROVIDER, entity="Contact")
    return crm_contact_from_salesforce_record(raw)


@maps_payload(PROVIDER, "Account")
def crm_account_from_salesforce(payload: Any) -> tuple[CrmAccount, tuple[CrmContact, ...]]:
    """Map an Account record (with an optional ``Contacts`` child subquery)."""
    raw = parse_payload(SfAccount, payload, provider=PROVIDER, entity="Account")
    account = CrmAccount(
        account_id=raw.Id,
        name=raw.Name or "",
        account_number=raw.AccountNumber,
        billing_client_id=raw.WHMCS_Client_Id__c,
        billing_address=_address(
            raw.BillingStreet,
            raw.BillingCity,
            raw.BillingState,
            raw.BillingPostalCode,
            raw.BillingCountry,
            entity="Account",
        ),
    )
    contacts = tuple(crm_contact_from_salesforce_record(contact) for contact in raw.Contacts)
    return account, contacts


def identity_links_from_salesforce(
    account: CrmAccount, contact: CrmContact | None = None
) -> IdentityLinks:
    return IdentityLinks(
        billing_client_id=account.billing_client_id,
        crm_account_id=account.account_id,
        crm_contact_id=contact.contact_id if contact is not None else None,
    )


def profile_update_to_salesforce_contact(update: ProfileUpdate) -> SfContactUpdate:
    """The Contact PATCH body; send ``.as_json()``."""
    address = update.address
    return SfContactUpdate(
        Phone=update.phone,
        MailingStreet=join_street_lines(address) if address else None,
        MailingCity=address.city if address else None,
        MailingState=address.prefecture if address else None,
        MailingPostalCode=address.postcode if address else None,
        MailingCountry=address.country if address else None,
    )
