"""Seed data of the Salesforce sandbox org: users, accounts and contacts, the catalog
(Product2 + one PricebookEntry per billing cycle), orders with items, cases with comments."""

from __future__ import annotations

import datetime as dt
import json

from integrations.sandbox._sf_store import SObjectStore, format_datetime
from integrations.sandbox.demo_data import (
    AGENT_USER_ID,
    CATALOG,
    DEMO_CASES,
    DEMO_CUSTOMERS,
    HANAKO,
    INTEGRATION_USER_ID,
    TARO,
    DemoCustomer,
    DemoProduct,
    sf_id,
)

__all__ = ["STANDARD_PRICEBOOK_ID", "seed_org"]

STANDARD_PRICEBOOK_ID = sf_id("01s", 1)


def seed_org(store: SObjectStore, today: dt.date) -> None:
    def at(days_ago: int) -> str:
        moment = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(1, 0))
        return format_datetime(moment.replace(tzinfo=dt.UTC))

    def create(sobject: str, **values: object) -> str:
        return store.create(sobject, values, seeding=True)

    create(
        "User",
        Id=INTEGRATION_USER_ID,
        Name="Portal Integration",
        Username="integration@portal.example.jp",
        Email="integration@portal.example.jp",
    )
    create("User", Id=AGENT_USER_ID, Name="Support Agent", Username="agent@mvno.example.jp",
           Email="agent@mvno.example.jp")  # fmt: skip
    store.counters["User"] = 2
    for c in DEMO_CUSTOMERS:
        _seed_customer(store, c, at(400))
    create("Pricebook2", Id=STANDARD_PRICEBOOK_ID, Name="Standard Price Book", IsActive=True,
           IsStandard=True)  # fmt: skip
    store.counters["Pricebook2"] = 1
    entries: dict[str, str] = {}
    entry_no = 0
    for n, p in enumerate(CATALOG, start=1):
        product_id = create(
            "Product2", Id=sf_id("01t", n), Name=p.name, ProductCode=p.sku,
            Family=_FAMILIES[p.category], IsActive=p.active, Description=p.description,
            Portal_Catalog__c=p.active, WHMCS_Product_Id__c=str(p.pid),
            Portal_Attributes__c=json.dumps(_attributes(p), ensure_ascii=False),
            CreatedDate=at(900),
        )  # fmt: skip
        for cycle, price in (("Monthly", p.monthly), ("Annually", p.annually),
                             ("One-time", p.one_time)):  # fmt: skip
            if price is None:
                continue
            entry_no += 1
            entry_id = create(
                "PricebookEntry", Id=sf_id("01u", entry_no), Pricebook2Id=STANDARD_PRICEBOOK_ID,
                Product2Id=product_id, UnitPrice=float(price), IsActive=p.active,
                UseStandardPrice=False, CurrencyIsoCode="JPY", Billing_Cycle__c=cycle,
                CreatedDate=at(900),
            )  # fmt: skip
            entries.setdefault(p.sku, entry_id)
    store.counters["Product2"] = len(CATALOG)
    store.counters["PricebookEntry"] = entry_no
    orders = [
        (TARO, 540, "Activated", "1", ["SIM-VOICE-10G", "OPT-VOICEMAIL"], None),
        (HANAKO, 730, "Activated", "2", ["SIM-VOICE-20G", "SIM-ESIM-10G"], None),
        (HANAKO, 700, "Activated", "3", ["NET-HIKARI-1G", "VPN-BASIC"], None),
        (HANAKO, 40, "Failed", None, ["NET-HIKARI-10G"],
         "提供エリア外のため開通できませんでした"),
        (HANAKO, 1, "Draft", None, ["VPN-PRO"], None),
    ]  # fmt: skip
    prices = {p.sku: p.monthly or p.one_time for p in CATALOG}
    for customer, days_ago, status, whmcs_id, skus, reason in orders:
        order_id = store.create("Order", {
            "AccountId": customer.account_id, "EffectiveDate": (
                today - dt.timedelta(days=days_ago)).isoformat(),
            "Status": "Draft", "Pricebook2Id": STANDARD_PRICEBOOK_ID, "Type": "New",
            "CurrencyIsoCode": "JPY", "BillToContactId": customer.contact_id,
            "CreatedDate": at(days_ago),
        }, seeding=True)  # fmt: skip
        for sku in skus:
            store.create("OrderItem", {
                "OrderId": order_id, "PricebookEntryId": entries[sku], "Quantity": 1.0,
                "UnitPrice": float(prices[sku] or 0), "Billing_Cycle__c": "Monthly",
                "CreatedDate": at(days_ago),
            }, seeding=True)  # fmt: skip
        order = store.table("Order")[order_id]
        order.update(Status=status, StatusCode="Activated" if status == "Activated" else "Draft",
                     WHMCS_Order_Id__c=whmcs_id, Failure_Reason__c=reason)  # fmt: skip
    for case in DEMO_CASES:
        case_id = store.create("Case", {
            "Subject": case.subject, "Description": case.description, "Status": case.status,
            "Priority": case.priority, "Origin": "Web", "Type": case.category,
            "ContactId": case.customer.contact_id, "AccountId": case.customer.account_id,
            "CreatedDate": at(case.days_ago),
        }, seeding=True)  # fmt: skip
        record = store.table("Case")[case_id]
        record["CaseNumber"] = case.number
        if case.status == "Closed":
            record["ClosedDate"] = at(max(case.days_ago - 3, 0))
        for comment in case.comments:
            store.create("CaseComment", {
                "ParentId": case_id, "CommentBody": comment.body,
                "IsPublished": comment.published, "CreatedDate": at(comment.days_ago),
                "CreatedById": AGENT_USER_ID if comment.by_agent else INTEGRATION_USER_ID,
            }, seeding=True)  # fmt: skip


_FAMILIES = {"sim": "SIM", "internet": "Internet", "vpn": "VPN", "option": "Option"}


def _attributes(product: DemoProduct) -> dict[str, object]:
    """``Portal_Attributes__c``: product facts the portal shows or needs (JSON text)."""
    attributes: dict[str, object] = {"setupFee": f"{product.setup_fee:.2f}"}
    if product.plan_code is not None:
        attributes["planCode"] = product.plan_code
        attributes["simType"] = product.sim_type or "physical"
        attributes["dataCapMb"] = product.data_cap_mb if product.data_cap_mb else "unlimited"
        attributes["topUpSizesMb"] = ["1024", "3072"]
    elif product.data_cap_mb is not None:
        attributes["quotaMb"] = product.data_cap_mb
    return attributes


def _seed_customer(store: SObjectStore, c: DemoCustomer, created: str) -> None:
    store.create("Account", {
        "Id": c.account_id, "Name": f"{c.last_name} {c.first_name}",
        "AccountNumber": f"C{c.client_id:06d}", "Phone": c.phone,
        "BillingStreet": f"{c.street} {c.building}".strip(), "BillingCity": c.city,
        "BillingState": c.prefecture, "BillingPostalCode": c.postcode, "BillingCountry": "JP",
        "OwnerId": INTEGRATION_USER_ID, "WHMCS_Client_Id__c": str(c.client_id),
        "CreatedDate": created,
    }, seeding=True)  # fmt: skip
    store.create("Contact", {
        "Id": c.contact_id, "AccountId": c.account_id, "FirstName": c.first_name,
        "LastName": c.last_name, "Email": c.email, "MobilePhone": c.phone,
        "MailingStreet": c.street, "MailingCity": c.city, "MailingState": c.prefecture,
        "MailingPostalCode": c.postcode, "MailingCountry": "JP", "CreatedDate": created,
    }, seeding=True)  # fmt: skip
    store.counters["Account"] = store.counters["Contact"] = c.client_id
