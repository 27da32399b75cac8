"""Evaluate parsed SOQL against the sandbox's sObject store: filter, order, page and shape
rows the way the REST API returns them (``attributes``, nested parents, child lists)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from integrations.sandbox._sf_store import (
    CHILD_RELATIONSHIPS,
    SCHEMA,
    FieldDef,
    SalesforceFault,
    SObjectStore,
    canonical_field,
    canonical_object,
)
from integrations.sandbox._soql import BoolOp, Condition, Like, Query, Token

__all__ = ["execute", "project_record"]

Record = dict[str, object]


def _resolve(sobject: str, path: str) -> list[tuple[str, str, FieldDef]]:
    """Resolve ``Rel.Rel.Field`` to [(object, canonical field, definition), ...]."""
    steps: list[tuple[str, str, FieldDef]] = []
    parts = path.split(".")
    current = sobject
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if last:
            name = canonical_field(current, part)
            if name is None:
                raise SalesforceFault(
                    400, "INVALID_FIELD", f"No such column '{part}' on entity '{current}'"
                )
            steps.append((current, name, SCHEMA[current][name]))
            break
        ref = next(
            ((n, d) for n, d in SCHEMA[current].items()
             if d.relationship and d.relationship.lower() == part.lower()),
            None,
        )  # fmt: skip
        if ref is None or ref[1].ref is None:
            raise SalesforceFault(
                400, "INVALID_FIELD", f"Didn't understand relationship '{part}' on '{current}'"
            )
        steps.append((current, ref[0], ref[1]))
        current = ref[1].ref
    return steps


def _get(store: SObjectStore, record: Record, steps: list[tuple[str, str, FieldDef]]) -> object:
    current: Record | None = record
    for i, (_, name, definition) in enumerate(steps):
        if current is None:
            return None
        value = current.get(name)
        if i == len(steps) - 1:
            return value
        assert definition.ref is not None
        current = store.table(definition.ref).get(str(value)) if value else None
    return None


def _typed(definition: FieldDef, path: str, token: Token) -> object:
    kind = token.kind
    if kind == "null":
        return None
    expected = {"string": "string", "picklist": "string", "id": "string", "ref": "string",
                "bool": "bool", "number": "number", "date": "date",
                "datetime": "datetime"}[definition.type]  # fmt: skip
    if kind == expected:
        return token.value
    if expected == "datetime" and kind == "date":
        pass  # a date literal against a datetime field is refused, as in a real org
    raise SalesforceFault(
        400,
        "INVALID_FIELD",
        f"value of filter criterion for field '{path}' must be of type {definition.type}",
    )


def _field_value(definition: FieldDef, value: object) -> object:
    if value is None:
        return None
    if definition.type == "date":
        return dt.date.fromisoformat(str(value))
    if definition.type == "datetime":
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.000%z")
    return value


def _compare(left: object, op: str, right: object) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.casefold(), right.casefold()
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return False
    try:
        result = {
            "<": lambda: left < right,  # type: ignore[operator]
            "<=": lambda: left <= right,  # type: ignore[operator]
            ">": lambda: left > right,  # type: ignore[operator]
            ">=": lambda: left >= right,  # type: ignore[operator]
        }[op]()
    except TypeError:
        return False
    return bool(result)


def _predicate(store: SObjectStore, sobject: str, cond: Condition) -> Callable[[Record], bool]:
    if isinstance(cond, BoolOp):
        parts = [_predicate(store, sobject, c) for c in cond.parts]
        if cond.op == "and":
            return lambda r: all(p(r) for p in parts)
        if cond.op == "or":
            return lambda r: any(p(r) for p in parts)
        return lambda r: not parts[0](r)
    steps = _resolve(sobject, cond.path)
    definition = steps[-1][2]

    def value_of(record: Record) -> object:
        return _field_value(definition, _get(store, record, steps))

    if isinstance(cond.value, Like):
        if definition.type not in {"string", "picklist", "id", "ref"}:
            raise SalesforceFault(400, "INVALID_FIELD", f"LIKE on non-text field {cond.path}")
        pattern = cond.value.pattern
        return lambda r: isinstance(v := value_of(r), str) and bool(pattern.match(v))
    if isinstance(cond.value, list):
        options = [_typed(definition, cond.path, t) for t in cond.value]
        folded = [o.casefold() if isinstance(o, str) else o for o in options]
        negate = cond.op == "not in"

        def member(record: Record) -> bool:
            v = value_of(record)
            v = v.casefold() if isinstance(v, str) else v
            return (v in folded) != negate

        return member
    assert isinstance(cond.value, Token)
    literal = _typed(definition, cond.path, cond.value)
    if isinstance(literal, dt.datetime) and literal.tzinfo is None:
        literal = literal.replace(tzinfo=dt.UTC)
    return lambda r: _compare(value_of(r), cond.op, literal)


def _attributes(sobject: str, record: Record, version: str) -> dict[str, str]:
    return {"type": sobject, "url": f"/services/data/{version}/sobjects/{sobject}/{record['Id']}"}


def _project(
    store: SObjectStore, sobject: str, record: Record, paths: list[str], version: str
) -> Record:
    out: Record = {"attributes": _attributes(sobject, record, version)}
    for path in paths:
        steps = _resolve(sobject, path)
        target: Record = out
        source: Record | None = record
        for i, (_, name, definition) in enumerate(steps):
            if i == len(steps) - 1:
                target[name] = source.get(name) if source is not None else None
                break
            assert definition.relationship is not None
            assert definition.ref is not None
            parent_id = source.get(name) if source is not None else None
            parent = store.table(definition.ref).get(str(parent_id)) if parent_id else None
            if parent is None:
                target[definition.relationship] = None
                break
            existing = target.get(definition.relationship)
            nested: Record = (
                existing
                if isinstance(existing, dict)
                else {"attributes": _attributes(definition.ref, parent, version)}
            )
            target[definition.relationship] = nested
            target, source = nested, parent
    return out


def _id_lookup(cond: Condition | None) -> str | None:
    """The record id a filter pins (``Id = 'x'``, alone or in an AND), else None."""
    if isinstance(cond, BoolOp):
        if cond.op != "and":
            return None
        return next((i for i in map(_id_lookup, cond.parts) if i is not None), None)
    if (
        cond is not None
        and cond.path.lower() == "id"
        and cond.op == "="
        and isinstance(cond.value, Token)
        and isinstance(cond.value.value, str)
    ):
        return cond.value.value
    return None


def _candidates(store: SObjectStore, sobject: str, where: Condition | None) -> list[Record]:
    """Rows the filter can match. ``WHERE Id = ...`` is answered from the table's dict, as
    an org answers it from its index: a scan made every read of one Order slower with each
    order stored, and the provisioning benchmark then measured the emulator, not the BFF.
    Ids are compared case-insensitively like the scan does, so a miss still scans."""
    table = store.table(sobject)
    record_id = _id_lookup(where)
    if record_id is not None and record_id in table:
        return [table[record_id]]
    return list(table.values())


def _select(
    store: SObjectStore, sobject: str, query: Query, rows: list[Record] | None = None
) -> list[Record]:
    if rows is None:
        rows = _candidates(store, sobject, query.where)
    if query.where is not None:
        keep = _predicate(store, sobject, query.where)
        rows = [r for r in rows if keep(r)]
    for key in reversed(query.order):
        steps = _resolve(sobject, key.path)
        definition = steps[-1][2]

        def sort_key(
            r: Record, s: list[tuple[str, str, FieldDef]] = steps, d: FieldDef = definition
        ) -> tuple[int, object]:
            v = _field_value(d, _get(store, r, s))
            v = v.casefold() if isinstance(v, str) else v
            return (0, v) if v is not None else (1, 0)

        non_null = [r for r in rows if sort_key(r)[0] == 0]
        nulls = [r for r in rows if sort_key(r)[0] == 1]
        non_null.sort(key=lambda r: sort_key(r)[1], reverse=key.descending)  # type: ignore[arg-type,return-value]
        rows = nulls + non_null if key.nulls_first else non_null + nulls
    return rows


def project_record(
    store: SObjectStore, sobject: str, record: Record, fields: list[str], *, version: str
) -> Record:
    """One record shaped like a query row (used by sObject GET)."""
    for path in fields:
        _resolve(sobject, path)
    return _project(store, sobject, record, fields, version)


def execute(store: SObjectStore, query: Query, *, version: str) -> tuple[int, list[Record]]:
    """Run a parsed query; return (totalSize, projected records)."""
    sobject = canonical_object(query.sobject)
    if sobject is None:
        raise SalesforceFault(
            400, "INVALID_TYPE", f"sObject type '{query.sobject}' is not supported."
        )
    for path in query.fields:
        _resolve(sobject, path)
    rows = _select(store, sobject, query)
    end = query.offset + query.limit if query.limit is not None else None
    rows = rows[query.offset : end]
    if query.count_only:
        return len(rows), []
    child_specs: list[tuple[Query, str, str, str]] = []
    for child in query.children:
        rels = CHILD_RELATIONSHIPS.get(sobject, {})
        rel = next((r for r in rels if r.lower() == child.sobject.lower()), None)
        if rel is None:
            raise SalesforceFault(
                400, "INVALID_TYPE", f"Didn't understand relationship '{child.sobject}'"
            )
        child_object, lookup = rels[rel]
        child_specs.append((child, rel, child_object, lookup))
    # Children grouped by parent once per query, not a scan of the child table per row.
    children_of: dict[tuple[str, str], dict[object, list[Record]]] = {}
    for _child, _rel, child_object, lookup in child_specs:
        if (child_object, lookup) in children_of or not rows:
            continue
        groups: dict[object, list[Record]] = {}
        wanted = {row["Id"] for row in rows}
        for kid in store.table(child_object).values():
            parent = kid.get(lookup)
            if parent in wanted:
                groups.setdefault(parent, []).append(kid)
        children_of[child_object, lookup] = groups
    records: list[Record] = []
    for row in rows:
        projected = _project(store, sobject, row, query.fields, version)
        for child, rel, child_object, lookup in child_specs:
            for path in child.fields:
                _resolve(child_object, path)
            sub = Query(child_object, child.fields, where=child.where, order=child.order,
                        limit=child.limit)  # fmt: skip
            own = list(children_of[child_object, lookup].get(row["Id"], ()))
            kids = _select(store, child_object, sub, own)
            kids = kids[: child.limit] if child.limit is not None else kids
            projected[rel] = (
                {"totalSize": len(kids), "done": True,
                 "records": [_project(store, child_object, k, child.fields, version)
                             for k in kids]}
                if kids else None
            )  # fmt: skip
        records.append(projected)
    return len(records), records
