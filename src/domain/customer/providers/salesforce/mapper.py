"""customer <-> Salesforce: Account and Contact records to CrmAccount / CrmContact and
IdentityLinks; a profile update to the Contact PATCH body.

``*Street`` fields are multi-line: the first line is the street, the rest the building.
"""

from typing import Any

from domain.common.errors import ProviderPayloadError
from domain.common.wire.salesforce import PROVIDER
from domain.common.wire.validation import parse_payload
from domain.customer.addressing import address_from_parts, join_street_lines, split_street_lines
from domain.customer.contract import CrmAccount, CrmContact, IdentityLinks, ProfileUpdate
from domain.customer.providers.salesforce.raw import SfAccount, SfContact, SfContactUpdate


def crm_contact_from_salesforce_record(raw: SfContact) -> CrmContact:
    if not raw.LastName:
        raise ProviderPayloadError(PROVIDER, "Contact", "LastName", "missing")
    street, building = split_street_lines(raw.MailingStreet)
    return CrmContact(
        contact_id=raw.Id,
        account_id=raw.AccountId,
        first_name=raw.FirstName,
        last_name=raw.LastName,
        email=raw.Email,
        phone=raw.Phone,
        mobile_phone=raw.MobilePhone,
        mailing_address=address_from_parts(
            street=street,
            building=building,
            city=raw.MailingCity,
            prefecture=raw.MailingState,
            postcode=raw.MailingPostalCode,
            country=raw.MailingCountry,
            provider=PROVIDER,
            entity="Contact",
        ),
    )


def crm_contact_from_salesforce(payload: Any) -> CrmContact:
    raw = parse_payload(SfContact, payload, provider=PROVIDER, entity="Contact")
    return crm_contact_from_salesforce_record(raw)


def crm_account_from_salesforce(payload: Any) -> tuple[CrmAccount, tuple[CrmContact, ...]]:
    """Map an Account record (with an optional ``Contacts`` child subquery)."""
    raw = parse_payload(SfAccount, payload, provider=PROVIDER, entity="Account")
    street, building = split_street_lines(raw.BillingStreet)
    account = CrmAccount(
        account_id=raw.Id,
        name=raw.Name or "",
        account_number=raw.AccountNumber,
        billing_client_id=raw.WHMCS_Client_Id__c,
        billing_address=address_from_parts(
            street=street,
            building=building,
            city=raw.BillingCity,
            prefecture=raw.BillingState,
            postcode=raw.BillingPostalCode,
            country=raw.BillingCountry,
            provider=PROVIDER,
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
