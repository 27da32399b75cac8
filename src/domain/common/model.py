"""Base classes for contract models (what clients see) and raw models (what providers send)."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ContractModel(BaseModel):
    """An immutable, camelCase-serialised domain model."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        frozen=True,
        extra="forbid",
    )


class RawModel(BaseModel):
    """A provider payload model: field names as the provider spells them, extras ignored.

    Providers add fields in minor releases; ignoring them keeps one new field from
    breaking every read.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
