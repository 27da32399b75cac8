"""In-memory sObject store of the Salesforce sandbox: schema, validation, CRUD.

Only the objects and fields the portal uses exist; an unknown field is ``INVALID_FIELD``
exactly as in a real org, so a typo in a client's query or payload fails loudly here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["SCHEMA", "FieldDef", "SObjectStore", "SalesforceFault", "format_datetime"]

KEY_PREFIXES = {
    "User": "005", "Account": "001", "Contact": "003", "Product2": "01t", "Pricebook2": "01s",
    "PricebookEntry": "01u", "Order": "801", "OrderItem": "802", "Case": "500",
    "CaseComment": "00a",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldDef:
    type: str  # id, string, bool, number, date, datetime, picklist, ref
    ref: str | None = None  # target object of a ref
    relationship: str | None = None  # e.g. Account for AccountId
    readonly: bool = False
    required: bool = False
    values: tuple[str, ...] = ()  # picklist values


def _s(required: bool = False) -> FieldDef:
    return FieldDef("string", required=required)


def _ref(target: str, rel: str, required: bool = False, readonly: bool = False) -> FieldDef:
    return FieldDef("ref", ref=target, relationship=rel, required=required, readonly=readonly)


_RO = FieldDef("string", readonly=True)
_SYSTEM: dict[str, FieldDef] = {
    "Id": FieldDef("id", readonly=True),
    "CreatedDate": FieldDef("datetime", readonly=True),
    "CreatedById": _ref("User", "CreatedBy", readonly=True),
    "LastModifiedDate": FieldDef("datetime", readonly=True),
    "LastModifiedById": _ref("User", "LastModifiedBy", readonly=True),
    "SystemModstamp": FieldDef("datetime", readonly=True),
    "IsDeleted": FieldDef("bool", readonly=True),
}
ORDER_STATUSES = ("Draft", "Approved", "Provisioning", "Activated", "Failed", "Cancelled")
BILLING_CYCLES = ("Monthly", "Annually", "One-time")
CASE_STATUSES = ("New", "Working", "Escalated", "Closed")

SCHEMA: dict[str, dict[str, FieldDef]] = {
    "User": {"Name": _s(), "Username": _s(), "Email": _s()},
    "Account": {
        "Name": _s(True), "AccountNumber": _s(), "Phone": _s(), "BillingStreet": _s(),
        "BillingCity": _s(), "BillingState": _s(), "BillingPostalCode": _s(),
        "BillingCountry": _s(), "OwnerId": _ref("User", "Owner"),
        "WHMCS_Client_Id__c": _s(),
    },
    "Contact": {
        "AccountId": _ref("Account", "Account"), "FirstName": _s(), "LastName": _s(True),
        "Email": _s(), "Phone": _s(), "MobilePhone": _s(), "MailingStreet": _s(),
        "MailingCity": _s(), "MailingState": _s(), "MailingPostalCode": _s(),
        "MailingCountry": _s(),
    },
    "Product2": {
        "Name": _s(True), "ProductCode": _s(), "Family": FieldDef(
            "picklist", values=("SIM", "Internet", "VPN", "Option")),
        "IsActive": FieldDef("bool"), "Description": _s(),
        "Portal_Catalog__c": FieldDef("bool"), "WHMCS_Product_Id__c": _s(),
        "Portal_Attributes__c": _s(),
    },
    "Pricebook2": {"Name": _s(True), "IsActive": FieldDef("bool"),
                   "IsStandard": FieldDef("bool", readonly=True)},
    "PricebookEntry": {
        "Pricebook2Id": _ref("Pricebook2", "Pricebook2", True),
        "Product2Id": _ref("Product2", "Product2", True),
        "UnitPrice": FieldDef("number", required=True),
        "IsActive": FieldDef("bool"), "UseStandardPrice": FieldDef("bool"),
        "CurrencyIsoCode": _s(), "Name": _RO, "ProductCode": _RO,
        "Billing_Cycle__c": FieldDef("picklist", values=BILLING_CYCLES),
    },
    "Order": {
        "AccountId": _ref("Account", "Account", True),
        "EffectiveDate": FieldDef("date", required=True),
        "Status": FieldDef("picklist", required=True, values=ORDER_STATUSES),
        "StatusCode": _RO, "Pricebook2Id": _ref("Pricebook2", "Pricebook2"),
        "OrderNumber": _RO, "TotalAmount": FieldDef("number", readonly=True),
        "Type": _s(), "Description": _s(), "CurrencyIsoCode": _s(),
        "BillToContactId": _ref("Contact", "BillToContact"),
        "WHMCS_Order_Id__c": _s(), "Failure_Reason__c": _s(), "Subscription_Ids__c": _s(),
        "Provisioned_At__c": FieldDef("datetime"),
    },
    "OrderItem": {
        "OrderId": _ref("Order", "Order", True),
        "PricebookEntryId": _ref("PricebookEntry", "PricebookEntry", True),
        "Product2Id": _ref("Product2", "Product2", readonly=True),
        "Quantity": FieldDef("number", required=True),
        "UnitPrice": FieldDef("number", required=True),
        "TotalPrice": FieldDef("number", readonly=True), "ServiceDate": FieldDef("date"),
        "Description": _s(), "OrderItemNumber": _RO,
        "Billing_Cycle__c": FieldDef("picklist", values=BILLING_CYCLES),
    },
    "Case": {
        "CaseNumber": _RO, "Subject": _s(), "Description": _s(),
        "Status": FieldDef("picklist", values=CASE_STATUSES),
        "Priority": FieldDef("picklist", values=("High", "Medium", "Low")),
        "Origin": FieldDef("picklist", values=("Phone", "Email", "Web")),
        "Type": _s(), "ContactId": _ref("Contact", "Contact"),
        "AccountId": _ref("Account", "Account"), "IsClosed": FieldDef("bool", readonly=True),
        "ClosedDate": FieldDef("datetime", readonly=True),
    },
    "CaseComment": {
        "ParentId": _ref("Case", "Parent", True), "CommentBody": _s(),
        "IsPublished": FieldDef("bool"),
    },
}  # fmt: skip
for _fields in SCHEMA.values():
    _fields.update(_SYSTEM)

# Child relationship name -> (child object, lookup field on the child)
CHILD_RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Order": {"OrderItems": ("OrderItem", "OrderId")},
    "Case": {"CaseComments": ("CaseComment", "ParentId")},
    "Account": {"Contacts": ("Contact", "AccountId"), "Cases": ("Case", "AccountId"),
                "Orders": ("Order", "AccountId")},
    "Product2": {"PricebookEntries": ("PricebookEntry", "Product2Id")},
}  # fmt: skip

# Fields of an Order that may change after it left Draft (status workflow, fulfilment).
_ORDER_FIELDS_AFTER_DRAFT = {
    "Status", "Description", "WHMCS_Order_Id__c", "Failure_Reason__c", "Subscription_Ids__c",
    "Provisioned_At__c",
}  # fmt: skip
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SalesforceFault(Exception):
    """A REST error: answered as ``[{"message", "errorCode", "fields"}]``."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []

    def as_error(self) -> dict[str, object]:
        return {"message": self.message, "errorCode": self.code, "fields": self.fields}


def format_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def canonical_field(sobject: str, name: str) -> str | None:
    lowered = name.lower()
    return next((f for f in SCHEMA[sobject] if f.lower() == lowered), None)


def canonical_object(name: str) -> str | None:
    lowered = name.lower()
    return next((o for o in SCHEMA if o.lower() == lowered), None)


Record = dict[str, object]


@dataclass
class SObjectStore:
    clock: dt.datetime  # fixed seed time; writes use the real clock
    tables: dict[str, dict[str, Record]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    current_user: str = ""

    def snapshot(self) -> tuple[dict[str, dict[str, Record]], dict[str, int]]:
        # A stored record is never changed in place (writes store a new dict), so copying
        # the id -> record maps is a full snapshot: O(rows) pointer copies per all-or-none
        # request instead of a deep copy of the whole org, whose cost grew with every order.
        return {obj: dict(rows) for obj, rows in self.tables.items()}, dict(self.counters)

    def restore(self, snap: tuple[dict[str, dict[str, Record]], dict[str, int]]) -> None:
        self.tables = {obj: dict(rows) for obj, rows in snap[0].items()}
        self.counters = dict(snap[1])

    def new_id(self, sobject: str) -> str:
        n = self.counters.get(sobject, 0) + 1
        self.counters[sobject] = n
        return f"{KEY_PREFIXES[sobject]}5g{n:010d}AAA"

    def table(self, sobject: str) -> dict[str, Record]:
        return self.tables.setdefault(sobject, {})

    def find(self, record_id: str) -> tuple[str, Record] | None:
        for sobject, rows in self.tables.items():
            if record_id in rows:
                return sobject, rows[record_id]
        return None

    # -- writes ------------------------------------------------------------------------

    def create(self, sobject: str, values: dict[str, object], *, seeding: bool = False) -> str:
        obj = self._object(sobject)
        clean = self._validate(obj, values, creating=True, seeding=seeding)
        record_id = str(values["Id"]) if seeding and "Id" in values else self.new_id(obj)
        now = self._now(seeding, values)
        record: Record = dict.fromkeys(SCHEMA[obj])
        record.update(clean)
        user = str(values.get("CreatedById") or self.current_user)
        record.update(
            Id=record_id, CreatedDate=now, LastModifiedDate=now, SystemModstamp=now,
            CreatedById=user, LastModifiedById=user, IsDeleted=False,
        )  # fmt: skip
        self._derive(obj, record, creating=True)
        self.table(obj)[record_id] = record
        self._after_write(obj, record)
        return record_id

    def update(self, sobject: str, record_id: str, values: dict[str, object]) -> None:
        obj = self._object(sobject)
        record = self.table(obj).get(record_id)
        if record is None:
            raise SalesforceFault(404, "NOT_FOUND", "The requested resource does not exist")
        clean = self._validate(obj, values, creating=False)
        if obj == "OrderItem" or (obj == "Order" and set(clean) - _ORDER_FIELDS_AFTER_DRAFT):
            order_id = record_id if obj == "Order" else str(record["OrderId"])
            self._require_draft(order_id)
        now = format_datetime(dt.datetime.now(dt.UTC))
        record = {**record, **clean}  # a new dict: snapshots keep the old one
        record.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=self.current_user)
        self._derive(obj, record, creating=False)
        self.table(obj)[record_id] = record
        self._after_write(obj, record)

    def get(self, sobject: str, record_id: str) -> tuple[str, Record]:
        obj = self._object(sobject)
        record = self.table(obj).get(record_id)
        if record is None:
            raise SalesforceFault(404, "NOT_FOUND", "The requested resource does not exist")
        return obj, record

    # -- helpers -----------------------------------------------------------------------

    def _object(self, sobject: str) -> str:
        obj = canonical_object(sobject)
        if obj is None:
            raise SalesforceFault(404, "NOT_FOUND", "The requested resource does not exist")
        return obj

    def _now(self, seeding: bool, values: dict[str, object]) -> str:
        if seeding and isinstance(values.get("CreatedDate"), str):
            return str(values["CreatedDate"])
        return format_datetime(self.clock if seeding else dt.datetime.now(dt.UTC))

    def _validate(
        self, obj: str, values: dict[str, object], *, creating: bool, seeding: bool = False
    ) -> Record:
        clean: Record = {}
        for raw_name, value in values.items():
            if raw_name == "attributes":
                continue
            name = canonical_field(obj, raw_name)
            if name is None:
                raise SalesforceFault(
                    400, "INVALID_FIELD", f"No such column '{raw_name}' on sobject of type {obj}"
                )
            definition = SCHEMA[obj][name]
            if seeding:
                clean[name] = value
                continue
            if definition.readonly or name == "Id":
                raise SalesforceFault(
                    400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {name}.", [name],
                )  # fmt: skip
            clean[name] = self._coerce(obj, name, definition, value)
        if creating and not seeding:
            missing = [
                n for n, d in SCHEMA[obj].items()
                if d.required and clean.get(n) in (None, "")
            ]  # fmt: skip
            if missing:
                raise SalesforceFault(
                    400, "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]", missing,
                )  # fmt: skip
        return clean

    def _coerce(  # noqa: PLR0912 - one branch per field type reads best here
        self, obj: str, name: str, definition: FieldDef, value: object
    ) -> object:
        if value is None:
            return None
        bad = SalesforceFault(
            400, "JSON_PARSER_ERROR", f"Cannot deserialize value for field {obj}.{name}", [name]
        )
        kind = definition.type
        if kind == "bool":
            if not isinstance(value, bool):
                raise bad
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise bad
            try:
                return float(Decimal(str(value)))
            except ArithmeticError:
                raise bad from None
        elif kind == "date":
            if not isinstance(value, str) or not _DATE.match(value):
                raise bad
        elif kind == "picklist":
            if not isinstance(value, str):
                raise bad
            if definition.values and value not in definition.values:
                raise SalesforceFault(
                    400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{name}: bad value for restricted picklist field", [name],
                )  # fmt: skip
        elif kind == "datetime":
            try:
                moment = dt.datetime.fromisoformat(str(value).replace("+0000", "+00:00"))
            except ValueError:
                raise bad from None
            if not isinstance(value, str) or moment.tzinfo is None:
                raise bad
            return format_datetime(moment)
        elif kind == "ref":
            if not isinstance(value, str):
                raise bad
            assert definition.ref is not None
            if value not in self.table(definition.ref):
                raise SalesforceFault(
                    400, "FIELD_INTEGRITY_EXCEPTION",
                    f"{name}: id value of incorrect type or not found", [name],
                )  # fmt: skip
        elif not isinstance(value, str):
            raise bad
        elif len(value) > 32000:
            raise SalesforceFault(400, "STRING_TOO_LONG", f"{name}: data value too large", [name])
        return value

    def _require_draft(self, order_id: str) -> None:
        order = self.table("Order").get(order_id)
        if order is not None and order["Status"] != "Draft":
            raise SalesforceFault(
                400, "FIELD_INTEGRITY_EXCEPTION",
                "You can't add or change products on an order that isn't in Draft status.",
            )  # fmt: skip

    def _derive(self, obj: str, record: Record, *, creating: bool) -> None:
        if obj == "Case":
            if creating:
                record["CaseNumber"] = f"{1000 + len(self.table('Case')) + 1:08d}"
                record["Status"] = record["Status"] or "New"
            record["IsClosed"] = record["Status"] == "Closed"
        elif obj == "Order":
            if creating:
                record["OrderNumber"] = f"{100 + len(self.table('Order')) + 1:08d}"
                record["TotalAmount"] = 0.0
            record["StatusCode"] = "Activated" if record["Status"] == "Activated" else "Draft"
        elif obj == "OrderItem":
            if creating:
                self._require_draft(str(record["OrderId"]))
            entry = self.table("PricebookEntry")[str(record["PricebookEntryId"])]
            record["Product2Id"] = entry["Product2Id"]
            quantity = record["Quantity"]
            price = record["UnitPrice"]
            if isinstance(quantity, float) and isinstance(price, float):
                record["TotalPrice"] = quantity * price
            if creating:
                record["OrderItemNumber"] = f"{len(self.table('OrderItem')) + 1:010d}"
        elif obj == "PricebookEntry":
            product = self.table("Product2")[str(record["Product2Id"])]
            record["Name"], record["ProductCode"] = product["Name"], product["ProductCode"]

    def _after_write(self, obj: str, record: Record) -> None:
        if obj == "OrderItem":  # roll-up summary on the parent order
            order_id = record["OrderId"]
            total = sum(
                float(str(i["TotalPrice"] or 0))
                for i in self.table("OrderItem").values()
                if i["OrderId"] == order_id
            )
            orders = self.table("Order")
            orders[str(order_id)] = {**orders[str(order_id)], "TotalAmount": total}
