"""Salesforce Account/Contact records and the Contact update body."""

from domain.customer.providers.salesforce.mapper import (
    crm_account_from_salesforce,
    crm_contact_from_salesforce,
    crm_contact_from_salesforce_record,
    identity_links_from_salesforce,
    profile_update_to_salesforce_contact,
)
from domain.customer.providers.salesforce.raw import SfAccount, SfContact, SfContactUpdate

__all__ = [
    "SfAccount",
    "SfContact",
    "SfContactUpdate",
    "crm_account_from_salesforce",
    "crm_contact_from_salesforce",
    "crm_contact_from_salesforce_record",
    "identity_links_from_salesforce",
    "profile_update_to_salesforce_contact",
]
