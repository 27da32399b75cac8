"""Customer context: profile, contact details, accounts and identity links."""

from domain.customer.addressing import address_from_parts
from domain.customer.contract import (
    BillingAccount,
    BillingLogin,
    ClientStatus,
    ContactDetails,
    CrmAccount,
    CrmContact,
    CustomerProfile,
    IdentityLinks,
    Phone,
    ProfileUpdate,
)

__all__ = [
    "BillingAccount",
    "BillingLogin",
    "ClientStatus",
    "ContactDetails",
    "CrmAccount",
    "CrmContact",
    "CustomerProfile",
    "IdentityLinks",
    "Phone",
    "ProfileUpdate",
    "address_from_parts",
]
