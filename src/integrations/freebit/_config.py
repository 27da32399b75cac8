"""Configuration of the Freebit client.

Every path is configurable: most come from the team proposal in reference/freebit.md
(marked ✱ there), not from Freebit's spec, and will change when the real spec arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.http import HttpPolicy

__all__ = ["FreebitConfig", "FreebitPaths"]


@dataclass(frozen=True, slots=True)
class FreebitPaths:
    auth: str = "/emptool/api/authOem/"
    account_detail: str = "/emptool/api/master/getAcnt/"
    traffic: str = "/emptool/api/mvno/getTrafficInfo/"
    traffic_history: str = "/emptool/api/mvno/getTrafficHistory/"
    top_up: str = "/emptool/api/master/addSpec/"
    plan_change: str = "/emptool/api/mvno/changePlan/"
    state_change: str = "/emptool/api/mvno/changeState/"
    esim: str = "/emptool/api/mvno/esim/addAcnt/"
    ota_activation: str = "/emptool/api/mvno/ota/addAcnt/"


@dataclass(frozen=True, slots=True)
class FreebitConfig:
    """``auth_key_lifetime_seconds`` caps how long an ``authKey`` is reused (Freebit does
    not document its lifetime; the client also re-authenticates on code 210)."""

    base_url: str
    oem_id: str
    oem_key: str = field(repr=False)
    paths: FreebitPaths = field(default_factory=FreebitPaths)
    auth_key_lifetime_seconds: float = 600.0
    http: HttpPolicy = field(default_factory=HttpPolicy)
    system: str = "freebit"
