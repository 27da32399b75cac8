"""Postal address; Japanese rules (NNN-NNNN postcode, one of the 47 prefectures) apply in JP."""

import re
import unicodedata
from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from domain.common.model import ContractModel
from domain.common.prefectures import PREFECTURES, find_prefecture

JAPAN = "JP"
_JP_POSTCODE = re.compile(r"^〒?\s*(\d{3})-?(\d{4})$")

# Input is stripped before validation, so "not blank" means "has a character that is no
# space to Python's strip() (which also strips \x1c-\x1f and \x85) nor to JSON Schema's
# `\s` (which also matches \ufeff)".
NonBlank = Annotated[str, Field(min_length=1, max_length=200, pattern=r"[^\s\x1c-\x1f\x85\ufeff]")]

# The Japanese rules as JSON Schema (`if`/`then`: country absent means JP), so clients and
# contract tests know which postcodes and prefectures are accepted. A subset of what the
# validator accepts: it also normalises full-width digits and the romaji names.
_JAPANESE_RULES: JsonDict = {
    "if": {"properties": {"country": {"const": JAPAN}}},
    "then": {
        "properties": {
            "postcode": {"pattern": r"^〒?[0-9]{3}-?[0-9]{4}$"},
            "prefecture": {"enum": [p.kanji for p in PREFECTURES]},
        }
    },
}


def normalize_postcode(raw: str) -> str | None:
    """``1000001``, ``〒100-0001`` and full-width digits become ``100-0001``; else None."""
    # NFKC turns full-width digits and hyphens into ASCII; the katakana long-vowel mark
    # and the minus sign are common look-alike typos for the hyphen in Japanese input.
    text = unicodedata.normalize("NFKC", raw).strip().replace("\u30fc", "-").replace("\u2212", "-")
    match = _JP_POSTCODE.match(text)
    return f"{match.group(1)}-{match.group(2)}" if match else None


class Address(ContractModel):
    """A postal address. In Japan (`country` JP, the default) the postcode is NNN-NNNN and the
    prefecture one of the 47, stored by its kanji name (東京都)."""

    model_config = ConfigDict(json_schema_extra=_JAPANESE_RULES)

    postcode: NonBlank
    prefecture: NonBlank
    city: NonBlank
    street: NonBlank
    building: Annotated[str, Field(max_length=200)] | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = JAPAN

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        normalized = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        country = normalized.get("country")
        if isinstance(country, str):
            normalized["country"] = country.upper()
        if normalized.get("building") == "":
            normalized["building"] = None
        return normalized

    @model_validator(mode="after")
    def _apply_japanese_rules(self) -> Self:
        if self.country != JAPAN:
            return self
        postcode = normalize_postcode(self.postcode)
        if postcode is None:
            raise ValueError("postcode must look like NNN-NNNN")
        prefecture = find_prefecture(self.prefecture)
        if prefecture is None:
            raise ValueError("prefecture must be one of the 47 prefectures of Japan")
        # The model is frozen; these writes normalise the freshly built instance only.
        object.__setattr__(self, "postcode", postcode)
        object.__setattr__(self, "prefecture", prefecture.kanji)
        return self
