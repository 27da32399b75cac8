"""Orders run on the customer-feature setup: the app against the three sandboxes."""

from tests.api.features.conftest import *  # noqa: F403
from tests.api.features.conftest import _customers, _fresh_state  # noqa: F401
