"""Shared parsing of the providers' wire quirks, used by every context's ``raw`` models.

``lenient``: types all providers need (numbers as strings, blank/zero dates, loose flags).
``whmcs``, ``salesforce``, ``freebit``: one module of quirks per provider.
``validation``: validate a payload once; failures become one ProviderPayloadError.
"""

from domain.common.wire.freebit import FreebitDate, FreebitFlag, FreebitModel, FreebitResponse
from domain.common.wire.lenient import (
    DecimalOrZero,
    DecimalValue,
    Flag,
    IntValue,
    OptionalDate,
    OptionalDecimal,
    OptionalInt,
    OptionalText,
    Text,
    as_list,
)
from domain.common.wire.salesforce import (
    ChildRecords,
    QueryResult,
    SalesforceDatetime,
    SalesforceNumber,
    SfWrite,
    SObject,
    SObjectAttributes,
    query_records,
)
from domain.common.wire.validation import (
    error_location,
    maps_payload,
    parse_payload,
    payload_error,
    require,
)
from domain.common.wire.whmcs import (
    decode_custom_fields,
    encode_custom_fields,
    php_serialize_strings,
    php_unserialize_strings,
    split_ids,
    unwrap_collection,
)

__all__ = [
    "ChildRecords",
    "DecimalOrZero",
    "DecimalValue",
    "Flag",
    "FreebitDate",
    "FreebitFlag",
    "FreebitModel",
    "FreebitResponse",
    "IntValue",
    "OptionalDate",
    "OptionalDecimal",
    "OptionalInt",
    "OptionalText",
    "QueryResult",
    "SObject",
    "SObjectAttributes",
    "SalesforceDatetime",
    "SalesforceNumber",
    "SfWrite",
    "Text",
    "as_list",
    "decode_custom_fields",
    "encode_custom_fields",
    "error_location",
    "maps_payload",
    "parse_payload",
    "payload_error",
    "php_serialize_strings",
    "php_unserialize_strings",
    "query_records",
    "require",
    "split_ids",
    "unwrap_collection",
]
