"""Phone numbers of SIM lines as the providers and customers write them."""

import re
import unicodedata

from domain.sim.contract import MSISDN_PATTERN

_MSISDN = re.compile(MSISDN_PATTERN)
_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_msisdn(value: str) -> str | None:
    """``090-1234-5678``, ``+81 90 1234 5678`` or full-width digits -> ``09012345678``."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if digits.startswith("+81"):
        digits = "0" + digits[3:]
    return digits if _MSISDN.match(digits) else None
