"""The customer: profile, contact details, the accounts behind it in each system."""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from domain.common.address import Address
from domain.common.dates import UtcDatetime
from domain.common.model import ContractModel

Phone = Annotated[str, Field(min_length=6, max_length=24, pattern=r"^\+?[0-9][0-9\- ().]*$")]


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class ContactDetails(ContractModel):
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    address: Address | None = None


class CustomerProfile(ContactDetails):
    """``GET /api/me``: the portal user's id and creation time, contact details from billing."""

    id: str
    created_at: UtcDatetime

    @classmethod
    def from_contact(
        cls, *, user_id: str, created_at: UtcDatetime, contact: ContactDetails
    ) -> Self:
        return cls(id=user_id, created_at=created_at, **contact.model_dump(by_alias=False))


class ProfileUpdate(ContractModel):
    """``PATCH /api/me``: only what is sent changes; at least one of the two."""

    # The "at least one" rule in the schema too: null counts as not sent.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
                {"required": ["address"], "properties": {"address": {"type": "object"}}},
            ]
        }
    )

    phone: Phone | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.phone is None and self.address is None:
            raise ValueError("send phone, address or both")
        return self


class BillingAccount(ContractModel):
    """The customer's account in the billing system (a WHMCS client)."""

    client_id: str
    status: ClientStatus
    contact: ContactDetails
    company_name: str | None = None
    currency_code: str | None = None


class CrmAccount(ContractModel):
    """The customer's Salesforce Account."""

    account_id: str
    name: str
    account_number: str | None = None
    billing_client_id: str | None = None
    billing_address: Address | None = None


class CrmContact(ContractModel):
    contact_id: str
    account_id: str | None = None
    first_name: str | None = None
    last_name: str
    email: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    mailing_address: Address | None = None


class IdentityLinks(ContractModel):
    """How one portal customer is known in each system (ownership checks use these)."""

    billing_client_id: str | None = None
    crm_account_id: str | None = None
    crm_contact_id: str | None = None


class BillingLogin(ContractModel):
    """A successful billing-system credential check (WHMCS ValidateLogin).

    ``user_id`` is a WHMCS *user*, not a client: the clients it may act for come from
    GetUsers.
    """

    user_id: str
    two_factor_required: bool = False
