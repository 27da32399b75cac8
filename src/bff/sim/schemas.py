"""HTTP shapes of SIM management."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.common.model import ContractModel
from domain.sim.contract import (
    EsimReissue,
    PlanChange,
    PlanChangeRequest,
    SimDetails,
    SimUsage,
    TopUp,
    TopUpRequest,
)


class EsimReissueRequest(ContractModel):
    """The device that receives the new eSIM profile."""

    eid: Annotated[
        str,
        Field(
            pattern=r"^\d{32}$",
            description="EID (32 digits) of the device that receives the new profile.",
        ),
    ]


class SimStateRequest(StrEnum):
    """No input: suspend or resume takes none."""

    SUSPEND_REQUESTED = "suspend_requested"
    RESUME_REQUESTED = "resume_requested"


class SimStateChange(ContractModel):
    """Accepted: Freebit applies suspend/resume asynchronously, usually within a minute."""

    status: SimStateRequest


__all__ = [
    "EsimReissue",
    "EsimReissueRequest",
    "PlanChange",
    "PlanChangeRequest",
    "SimDetails",
    "SimStateChange",
    "SimStateRequest",
    "SimUsage",
    "TopUp",
    "TopUpRequest",
]
