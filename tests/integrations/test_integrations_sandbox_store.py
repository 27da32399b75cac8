"""The Salesforce sandbox's all-or-none snapshots: a restore undoes creates, updates and the
order roll-up, although a snapshot copies only the id -> record maps."""

from __future__ import annotations

from datetime import date

from integrations.sandbox import SalesforceSandboxSettings, create_salesforce_app
from integrations.sandbox._sf_store import SObjectStore
from integrations.sandbox.demo_data import HANAKO


def fresh_store() -> SObjectStore:
    settings = SalesforceSandboxSettings(public_key_pem="", consumer_key="k", username="u")
    app = create_salesforce_app(settings, today=date(2026, 11, 23))
    store: SObjectStore = app.state.org.store
    return store


def test_restore_undoes_every_write_since_the_snapshot() -> None:
    store = fresh_store()
    pricebook_id = next(iter(store.table("Pricebook2")))
    entry_id, entry = next(iter(store.table("PricebookEntry").items()))
    order_id = store.create(
        "Order",
        {"AccountId": HANAKO.account_id, "Status": "Draft", "EffectiveDate": "2026-11-23",
         "Pricebook2Id": pricebook_id},
    )  # fmt: skip
    before = {
        obj: {rid: dict(rec) for rid, rec in rows.items()} for obj, rows in store.tables.items()
    }
    counters = dict(store.counters)

    snap = store.snapshot()
    store.update("Account", HANAKO.account_id, {"Name": "changed"})
    item_id = store.create(
        "OrderItem",
        {"OrderId": order_id, "PricebookEntryId": entry_id, "Quantity": 2.0,
         "UnitPrice": entry["UnitPrice"]},
    )  # fmt: skip
    assert store.table("Order")[order_id]["TotalAmount"] == 2 * float(str(entry["UnitPrice"]))
    store.restore(snap)

    assert store.tables == before
    assert store.counters == counters
    assert item_id not in store.table("OrderItem")
    assert store.table("Order")[order_id]["TotalAmount"] == 0.0
