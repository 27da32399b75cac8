"""Local emulators of WHMCS, Salesforce and Freebit (see README "Sandboxes").

``running_sandboxes`` starts all three on real sockets in the current event loop::

    keys = generate_dev_keypair()
    async with running_sandboxes(salesforce_public_key_pem=keys.public_key_pem) as urls:
        ...  # urls.whmcs_api_url, urls.salesforce_login_url, urls.freebit_base_url

Demo customer logins are in :mod:`integrations.sandbox.demo_data`.
"""

from integrations.sandbox._keys import DevKeyPair, generate_dev_keypair
from integrations.sandbox._runner import SandboxCredentials, SandboxUrls, running_sandboxes
from integrations.sandbox.freebit import FreebitSandboxSettings, create_freebit_app
from integrations.sandbox.salesforce import SalesforceSandboxSettings, create_salesforce_app
from integrations.sandbox.whmcs import WhmcsSandboxCredentials, create_whmcs_app

__all__ = [
    "DevKeyPair",
    "FreebitSandboxSettings",
    "SalesforceSandboxSettings",
    "SandboxCredentials",
    "SandboxUrls",
    "WhmcsSandboxCredentials",
    "create_freebit_app",
    "create_salesforce_app",
    "create_whmcs_app",
    "generate_dev_keypair",
    "running_sandboxes",
]
