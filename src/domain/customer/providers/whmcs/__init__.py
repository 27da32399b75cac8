"""WHMCS client payloads and parameters."""

from domain.customer.providers.whmcs.mapper import (
    address_to_whmcs,
    billing_account_from_whmcs,
    billing_login_from_whmcs,
    client_id_from_whmcs,
    contact_to_whmcs_add_client,
    owned_client_id_from_whmcs,
    profile_update_to_whmcs,
)
from domain.customer.providers.whmcs.raw import (
    WhmcsClient,
    WhmcsClientDetails,
    WhmcsClientIdResult,
    WhmcsUser,
    WhmcsUserClient,
    WhmcsUsers,
    WhmcsValidateLogin,
)
from domain.customer.providers.whmcs.statuses import CLIENT_STATUSES

__all__ = [
    "CLIENT_STATUSES",
    "WhmcsClient",
    "WhmcsClientDetails",
    "WhmcsClientIdResult",
    "WhmcsUser",
    "WhmcsUserClient",
    "WhmcsUsers",
    "WhmcsValidateLogin",
    "address_to_whmcs",
    "billing_account_from_whmcs",
    "billing_login_from_whmcs",
    "client_id_from_whmcs",
    "contact_to_whmcs_add_client",
    "owned_client_id_from_whmcs",
    "profile_update_to_whmcs",
]
