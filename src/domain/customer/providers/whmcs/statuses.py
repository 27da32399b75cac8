"""WHMCS client status vocabulary as data."""

from domain.common.status import StatusTable
from domain.common.wire.whmcs import PROVIDER
from domain.customer.contract import ClientStatus

CLIENT_STATUSES = StatusTable(
    provider=PROVIDER,
    entity="client",
    mapping={
        "Active": ClientStatus.ACTIVE,
        "Inactive": ClientStatus.INACTIVE,
        "Closed": ClientStatus.CLOSED,
    },
    fallback=ClientStatus.UNKNOWN,
)
