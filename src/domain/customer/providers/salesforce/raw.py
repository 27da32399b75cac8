"""Salesforce Account and Contact records (read) and the Contact update body (write).

Custom field: ``Account.WHMCS_Client_Id__c`` (external id linking to the WHMCS client).
"""

from typing import Annotated

from domain.common.wire.lenient import OptionalText, Text
from domain.common.wire.salesforce import ChildRecords, SfWrite, SObject


class SfContact(SObject):
    Id: Text
    AccountId: OptionalText = None
    FirstName: OptionalText = None
    LastName: OptionalText = None
    Email: OptionalText = None
    Phone: OptionalText = None
    MobilePhone: OptionalText = None
    MailingStreet: OptionalText = None
    MailingCity: OptionalText = None
    MailingState: OptionalText = None
    MailingPostalCode: OptionalText = None
    MailingCountry: OptionalText = None


class SfAccount(SObject):
    Id: Text
    Name: OptionalText = None
    AccountNumber: OptionalText = None
    Phone: OptionalText = None
    BillingStreet: OptionalText = None
    BillingCity: OptionalText = None
    BillingState: OptionalText = None
    BillingPostalCode: OptionalText = None
    BillingCountry: OptionalText = None
    WHMCS_Client_Id__c: OptionalText = None
    Contacts: Annotated[tuple[SfContact, ...], ChildRecords] = ()


class SfContactUpdate(SfWrite):
    """PATCH body for ``sobjects/Contact/{id}``; unset fields are left out, not cleared."""

    Phone: str | None = None
    MailingStreet: str | None = None
    MailingCity: str | None = None
    MailingState: str | None = None
    MailingPostalCode: str | None = None
    MailingCountry: str | None = None
