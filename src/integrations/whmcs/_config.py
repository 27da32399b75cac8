"""Configuration of the WHMCS client."""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.http import HttpPolicy

__all__ = ["WhmcsConfig"]


@dataclass(frozen=True, slots=True)
class WhmcsConfig:
    """``api_url`` is the full ``…/includes/api.php`` URL.

    ``access_key`` is sent as ``accesskey`` when set (bypasses WHMCS's IP allow-list).
    ``payment_method`` is the gateway system name AddOrder uses.
    """

    api_url: str
    identifier: str
    secret: str = field(repr=False)
    access_key: str | None = field(default=None, repr=False)
    payment_method: str = "stripe"
    currency: str = "JPY"
    http: HttpPolicy = field(default_factory=HttpPolicy)
    system: str = "whmcs"

    @property
    def base_url(self) -> str:
        return self.api_url
