"""Build an Address from a provider's loose address fields without failing the whole record."""

import logging

from pydantic import ValidationError

from domain.common.address import JAPAN, Address

logger = logging.getLogger(__name__)


def address_from_parts(
    *,
    street: str | None,
    building: str | None,
    city: str | None,
    prefecture: str | None,
    postcode: str | None,
    country: str | None,
    provider: str,
    entity: str,
) -> Address | None:
    """None when the provider has no address; an unusable one is logged and also None.

    A profile whose address does not fit our rules is still worth showing; the field
    is logged by name only because addresses are personal data.
    """
    if not any((street, city, prefecture, postcode)):
        return None
    try:
        return Address(
            postcode=postcode or "",
            prefecture=prefecture or "",
            city=city or "",
            street=street or "",
            building=building,
            country=country or JAPAN,
        )
    except ValidationError as exc:
        fields = sorted(
            {str(error["loc"][0]) if error["loc"] else "address" for error in exc.errors()}
        )
        logger.warning(
            "unusable address from provider",
            extra={"provider": provider, "entity": entity, "fields": fields},
        )
        return None


def split_street_lines(text: str | None) -> tuple[str | None, str | None]:
    """A multi-line street (Salesforce ``*Street``) -> (street, building)."""
    if not text:
        return None, None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None, None
    return lines[0], " ".join(lines[1:]) or None


def join_street_lines(address: Address) -> str:
    return address.street if not address.building else f"{address.street}\n{address.building}"
