"""WHMCS service payloads and their mappers."""

from domain.sim.msisdn import normalize_msisdn
from domain.subscriptions.providers.whmcs.mapper import (
    SIM_ICCID_FIELD,
    SIM_MSISDN_FIELD,
    parse_clients_products,
    sim_link_from_whmcs,
    subscription_from_whmcs_service,
    subscription_page_from_whmcs,
    subscriptions_from_whmcs,
)
from domain.subscriptions.providers.whmcs.raw import (
    WhmcsClientProduct,
    WhmcsClientsProducts,
    WhmcsConfigOption,
    WhmcsCustomField,
)
from domain.subscriptions.providers.whmcs.statuses import (
    PRODUCT_GROUP_CATEGORIES,
    SERVICE_BILLING_CYCLES,
    SERVICE_STATUSES,
)

__all__ = [
    "PRODUCT_GROUP_CATEGORIES",
    "SERVICE_BILLING_CYCLES",
    "SERVICE_STATUSES",
    "SIM_ICCID_FIELD",
    "SIM_MSISDN_FIELD",
    "WhmcsClientProduct",
    "WhmcsClientsProducts",
    "WhmcsConfigOption",
    "WhmcsCustomField",
    "normalize_msisdn",
    "parse_clients_products",
    "sim_link_from_whmcs",
    "subscription_from_whmcs_service",
    "subscription_page_from_whmcs",
    "subscriptions_from_whmcs",
]
