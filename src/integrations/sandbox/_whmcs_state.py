"""State of the WHMCS sandbox: clients, users, services, invoices and orders in memory,
seeded from :mod:`integrations.sandbox.demo_data`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from integrations.sandbox.demo_data import (
    CATALOG,
    DEMO_CUSTOMERS,
    DEMO_SERVICES,
    HANAKO,
    TARO,
    demo_invoices,
)

__all__ = ["Client", "Invoice", "Order", "Service", "User", "WhmcsState"]


@dataclass
class Client:
    id: int
    fields: dict[str, str]
    status: str = "Active"


@dataclass
class User:
    id: int
    email: str
    password: str
    client_id: int


@dataclass
class Service:
    id: int
    client_id: int
    order_id: int
    pid: int
    status: str
    regdate: dt.date
    billing_cycle: str
    amount: Decimal
    custom_fields: dict[int, str]
    domain: str = ""


@dataclass
class Invoice:
    id: int
    client_id: int
    status: str
    date: dt.date
    due_date: dt.date
    date_paid: dt.date | None
    items: list[tuple[int | None, str, Decimal]]
    payment_method: str = "stripe"

    @property
    def subtotal(self) -> Decimal:
        return sum((amount for _, _, amount in self.items), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return (self.subtotal / 10).quantize(Decimal("1.")).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


@dataclass
class Order:
    id: int
    client_id: int
    date: dt.datetime
    status: str
    payment_method: str
    invoice_id: int
    service_ids: list[int]


@dataclass
class WhmcsState:
    today: dt.date
    clients: dict[int, Client] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    invoices: dict[int, Invoice] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    sso_tokens: int = 0

    @classmethod
    def seeded(cls, today: dt.date) -> WhmcsState:
        state = cls(today=today)
        for c in DEMO_CUSTOMERS:
            state.clients[c.client_id] = Client(
                c.client_id,
                {
                    "firstname": c.first_name,
                    "lastname": c.last_name,
                    "companyname": "",
                    "email": c.email,
                    "address1": c.street,
                    "address2": c.building,
                    "city": c.city,
                    "state": c.prefecture,
                    "postcode": c.postcode,
                    "country": "JP",
                    "phonenumber": c.phone,
                    "tax_id": "",
                    "language": "japanese",
                },
            )
            state.users[c.email.lower()] = User(c.user_id, c.email, c.password, c.client_id)
        products = {p.pid: p for p in CATALOG}
        for s in DEMO_SERVICES:
            fields = {
                k: v
                for k, v in ((1, s.msisdn), (2, s.iccid), (3, s.eid), (4, s.identifier))
                if v is not None
            }
            state.services[s.id] = Service(
                s.id, s.client_id, s.order_id, s.pid, s.status,
                today - dt.timedelta(days=s.registered_days_ago), "Monthly",
                products[s.pid].monthly or Decimal("0.00"), fields,
            )  # fmt: skip
        for inv in demo_invoices(today):
            state.invoices[inv.id] = Invoice(
                inv.id, inv.client_id, inv.status, inv.date, inv.due_date, inv.date_paid,
                list(inv.items),
            )  # fmt: skip
        for order_id, customer, days_ago in ((1, TARO, 540), (2, HANAKO, 730), (3, HANAKO, 700)):
            placed = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10, 0))
            state.orders[order_id] = Order(
                order_id, customer.client_id, placed, "Active", "stripe", 0,
                [s.id for s in DEMO_SERVICES if s.order_id == order_id],
            )  # fmt: skip
        return state

    def next_id(self, table: Mapping[int, object]) -> int:
        return max(table, default=0) + 1
