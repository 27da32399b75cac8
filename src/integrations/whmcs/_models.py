"""Typed results of WHMCS actions that have no domain mapper (yet)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

__all__ = ["SsoLink", "WhmcsLogin", "WhmcsOrder", "WhmcsOrderList", "WhmcsProduct"]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class WhmcsLogin(_Result):
    """ValidateLogin: a WHMCS *User* id (not a client id; look the client up by email)."""

    user_id: str
    two_factor_enabled: bool


class SsoLink(_Result):
    """CreateSsoToken: a single-use login link, valid for about 60 seconds."""

    url: str
    expires_at: datetime


class WhmcsOrder(_Result):
    id: str
    client_id: str
    status: str
    payment_status: str | None
    invoice_id: str | None
    amount: Decimal
    placed_at: str
    service_ids: tuple[str, ...]


class WhmcsOrderList(_Result):
    total: int
    orders: tuple[WhmcsOrder, ...]


class WhmcsProduct(_Result):
    """GetProducts row; ``prices`` maps WHMCS cycles (``monthly``…) to amounts, disabled
    cycles (``-1.00``) left out."""

    pid: str
    group_id: str
    name: str
    description: str
    pay_type: str
    currency: str
    prices: dict[str, Decimal]
    setup_fees: dict[str, Decimal]
