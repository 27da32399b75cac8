"""Freebit code tables (team proposal, reference/freebit.md) as data."""

from domain.common.status import StatusTable
from domain.common.wire.freebit import PROVIDER
from domain.sim.contract import SimStatus, SimType

LINE_STATES = StatusTable(
    provider=PROVIDER,
    entity="line state",
    mapping={
        "10": SimStatus.ACTIVE,
        "20": SimStatus.SUSPENDED,
        "30": SimStatus.CANCEL_SCHEDULED,
        "40": SimStatus.CANCELLED,
    },
    fallback=SimStatus.UNKNOWN,
)

SIM_TYPES = StatusTable(
    provider=PROVIDER,
    entity="simType",
    mapping={"physical": SimType.PHYSICAL, "esim": SimType.ESIM},
    fallback=SimType.UNKNOWN,
)

SUSPEND_STATE = "20"
RESUME_STATE = "10"
