"""The Salesforce sandbox's SOQL: right rows for what it understands, MALFORMED_QUERY (never
a guess) for what it does not."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.salesforce import soql
from integrations.sandbox import SalesforceSandboxSettings, create_salesforce_app
from integrations.sandbox._sf_store import SalesforceFault, SObjectStore
from integrations.sandbox._soql import parse
from integrations.sandbox._soql_eval import execute
from integrations.sandbox.demo_data import HANAKO, TARO

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def store() -> SObjectStore:
    settings = SalesforceSandboxSettings(public_key_pem="", consumer_key="k", username="u")
    app = create_salesforce_app(settings, today=TODAY)
    org_store: SObjectStore = app.state.org.store
    return org_store


def run(store: SObjectStore, text: str) -> list[dict[str, object]]:
    _, records = execute(store, parse(text, today=TODAY), version="v66.0")
    return records


def fault(store: SObjectStore, text: str) -> SalesforceFault:
    with pytest.raises(SalesforceFault) as caught:
        run(store, text)
    return caught.value


@pytest.mark.parametrize(
    "text",
    [
        "SELECT Id FROM Account GROUP BY Name",
        "SELECT FIELDS(ALL) FROM Account",
        "SELECT Id FROM Account WHERE Name = 'a\\qb'",
        "SELECT Id FROM Account WHERE Name = 'unterminated",
        "SELECT Id FROM Account WHERE Name = 'x' junk",
        "SELECT Id FROM Account WHERE Name == 'x'",
        "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30",
        "SELECT Id FROM Account WHERE Name = 'x' AND",
        "SELECT Id, FROM Account",
        "SELECT Id FROM Account LIMIT -1",
        "SELECT Id FROM Account; DELETE FROM Account",
        "UPDATE Account SET Name = 'x'",
        "SELECT Id FROM Order WHERE Id IN (SELECT OrderId FROM OrderItem)",
    ],
)
def test_unsupported_or_broken_queries_are_malformed(store: SObjectStore, text: str) -> None:
    assert fault(store, text).code == "MALFORMED_QUERY"


def test_unknown_fields_objects_and_type_mismatches(store: SObjectStore) -> None:
    assert fault(store, "SELECT Nope FROM Account").code == "INVALID_FIELD"
    assert fault(store, "SELECT Id FROM Nope").code == "INVALID_TYPE"
    assert fault(store, "SELECT Id FROM Order WHERE EffectiveDate = '2026-01-01'").code == (
        "INVALID_FIELD"
    )
    assert fault(store, "SELECT Id FROM Product2 WHERE IsActive = 'true'").code == "INVALID_FIELD"
    assert fault(store, "SELECT Id FROM Account OFFSET 2001").code == "NUMBER_OUTSIDE_VALID_RANGE"


def test_and_binds_tighter_than_or(store: SObjectStore) -> None:
    rows = run(
        store,
        "SELECT Id FROM Case WHERE Status = 'Closed' OR Status = 'New' AND Priority = 'Low'",
    )
    closed = run(store, "SELECT Id FROM Case WHERE Status = 'Closed'")
    new_low = run(store, "SELECT Id FROM Case WHERE Status = 'New' AND Priority = 'Low'")
    assert {r["Id"] for r in rows} == {r["Id"] for r in closed + new_low}


def test_relationship_fields_filters_and_projection(store: SObjectStore) -> None:
    rows = run(
        store,
        "SELECT Id, Account.Name, Account.WHMCS_Client_Id__c FROM Case "
        "WHERE Account.WHMCS_Client_Id__c = '2' ORDER BY CreatedDate DESC",
    )
    assert len(rows) == 3
    account = rows[0]["Account"]
    assert isinstance(account, dict)
    assert account["WHMCS_Client_Id__c"] == "2"
    assert account["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v66.0/sobjects/Account/{HANAKO.account_id}",
    }


def test_in_not_in_like_dates_and_count(store: SObjectStore) -> None:
    in_rows = run(store, "SELECT Id FROM Case WHERE Status IN ('New', 'Working')")
    not_in = run(store, "SELECT Id FROM Case WHERE Status NOT IN ('New', 'Working')")
    assert len(in_rows) + len(not_in) == 5
    like = run(store, "SELECT Name FROM Product2 WHERE ProductCode LIKE 'sim-%'")
    assert len(like) == 5  # LIKE is case-insensitive
    literal_underscore = run(store, "SELECT Id FROM Product2 WHERE ProductCode LIKE 'SIM\\_%'")
    assert literal_underscore == []
    recent = run(store, "SELECT Id FROM Order WHERE EffectiveDate > 2026-10-01")
    assert len(recent) == 2
    total, _ = execute(
        store,
        parse(
            soql(
                "SELECT COUNT() FROM Order WHERE AccountId = :account", account=TARO.account_id
            ).text,
            today=TODAY,
        ),
        version="v66.0",
    )
    assert total == 1


def test_child_subquery_and_null_ordering(store: SObjectStore) -> None:
    rows = run(
        store,
        "SELECT Id, WHMCS_Order_Id__c, (SELECT Id, Quantity FROM OrderItems ORDER BY Id) "
        "FROM Order ORDER BY WHMCS_Order_Id__c NULLS LAST, Id LIMIT 4",
    )
    assert [r["WHMCS_Order_Id__c"] for r in rows] == ["1", "2", "3", None]
    items = rows[0]["OrderItems"]
    assert isinstance(items, dict)
    assert items["totalSize"] == 2


def test_lookup_by_id_matches_a_scan(store: SObjectStore) -> None:
    """``WHERE Id = ...`` is answered from the table (the emulator's index): same rows, same
    children, the rest of the filter still applied, and ids still compared as text."""

    def ids(text: str, **binds: str) -> list[object]:
        return [r["Id"] for r in run(store, soql(text, **binds).text)]

    orders = run(store, "SELECT Id, Status FROM Order ORDER BY Id")
    first, second = str(orders[0]["Id"]), str(orders[1]["Id"])
    with_items = "SELECT Id, (SELECT Id FROM OrderItems ORDER BY Id) FROM Order"
    scanned = [r for r in run(store, with_items) if r["Id"] == first]
    assert scanned[0]["OrderItems"] is not None
    by_id = soql(with_items + " WHERE Id = :id", id=first).text
    assert run(store, by_id) == scanned
    status = str(orders[0]["Status"])
    assert ids("SELECT Id FROM Order WHERE Id = :id AND Status = :s", id=first, s=status) == [first]
    assert ids("SELECT Id FROM Order WHERE Id = :id AND Status = :s", id=first, s="Nope") == []
    either = ids("SELECT Id FROM Order WHERE Id = :a OR Id = :b", a=first, b=second)
    assert set(either) == {first, second}
    assert ids("SELECT Id FROM Order WHERE Id = :id", id=first.lower()) == [first]
    assert ids("SELECT Id FROM Order WHERE Id = :id", id="801000000000000AAA") == []
