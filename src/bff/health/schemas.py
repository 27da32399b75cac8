from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Liveness(BaseModel):
    """The process is running."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Whether the process can serve traffic, and each dependency's check."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, Literal["ok", "failed", "timeout"]] = Field(
        description="Each dependency the process needs to serve traffic, and how it answered."
    )
