"""Helpers shared by the provisioning tests."""

from __future__ import annotations

from bff.settings import ProvisioningSettings, Settings


def patient(settings: Settings) -> Settings:
    """Worker settings for tests on a loaded machine: a try waits for the per-order lock
    instead of deferring itself, and retries come quickly."""
    provisioning = ProvisioningSettings(lock_wait_s=15, retry_base_s=0.05, retry_max_s=0.2)
    return settings.model_copy(update={"provisioning": provisioning})
