"""Deterministic demo data shared by the three sandboxes.

Demo logins (WHMCS ``ValidateLogin`` accepts exactly these):

=========================  =========================  ==========================================
email                      password                   what the customer has
=========================  =========================  ==========================================
taro.yamada@example.jp     DemoPass-Taro-2026!        physical voice SIM + voicemail option;
                                                      unpaid **and overdue** invoices, one in
                                                      collections; 2 support cases
hanako.suzuki@example.jp   DemoPass-Hanako-2026!      physical SIM, eSIM, fibre internet, a
                                                      suspended VPN; a Draft order awaiting
                                                      approval; 3 support cases
kenji.sato@example.jp      DemoPass-Kenji-2026!       brand new: no services, invoices, orders
=========================  =========================  ==========================================

Dates are relative to the ``today`` the sandbox is seeded with, so the overdue invoices
stay overdue whenever the demo runs. Everything else is fixed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from domain.common.dates import JST

__all__ = [
    "CATALOG",
    "DEMO_CASES",
    "DEMO_CUSTOMERS",
    "DEMO_SERVICES",
    "HANAKO",
    "INTEGRATION_USER_ID",
    "KENJI",
    "TARO",
    "DemoCase",
    "DemoComment",
    "DemoCustomer",
    "DemoInvoice",
    "DemoProduct",
    "DemoService",
    "demo_invoices",
    "japan_today",
    "sf_id",
]

Category = Literal["sim", "internet", "vpn", "option"]


def japan_today() -> dt.date:
    """The demo's default "today": the portal's customers live in Japan (JST)."""
    return dt.datetime.now(JST).date()


def sf_id(prefix: str, n: int) -> str:
    """An 18-character Salesforce-style id: key prefix + fixed pod + counter."""
    return f"{prefix}5g{n:010d}AAA"


INTEGRATION_USER_ID = sf_id("005", 1)
AGENT_USER_ID = sf_id("005", 2)


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    client_id: int
    user_id: int  # WHMCS User id (ValidateLogin answers this, not the client id)
    email: str
    password: str
    first_name: str
    last_name: str
    phone: str
    postcode: str
    prefecture: str
    city: str
    street: str
    building: str
    account_id: str  # Salesforce Account
    contact_id: str  # Salesforce Contact


TARO = DemoCustomer(
    client_id=1,
    user_id=11,
    email="taro.yamada@example.jp",
    password="DemoPass-Taro-2026!",  # noqa: S106 - documented demo login
    first_name="太郎",
    last_name="山田",
    phone="090-1234-0001",
    postcode="150-0041",
    prefecture="東京都",
    city="渋谷区",
    street="神南1-2-3",
    building="サンプルビル101",
    account_id=sf_id("001", 1),
    contact_id=sf_id("003", 1),
)
HANAKO = DemoCustomer(
    client_id=2,
    user_id=12,
    email="hanako.suzuki@example.jp",
    password="DemoPass-Hanako-2026!",  # noqa: S106 - documented demo login
    first_name="花子",
    last_name="鈴木",
    phone="080-5678-0002",
    postcode="530-0001",
    prefecture="大阪府",
    city="大阪市北区",
    street="梅田3-4-5",
    building="",
    account_id=sf_id("001", 2),
    contact_id=sf_id("003", 2),
)
KENJI = DemoCustomer(
    client_id=3,
    user_id=13,
    email="kenji.sato@example.jp",
    password="DemoPass-Kenji-2026!",  # noqa: S106 - documented demo login
    first_name="健二",
    last_name="佐藤",
    phone="070-9012-0003",
    postcode="460-0008",
    prefecture="愛知県",
    city="名古屋市中区",
    street="栄1-1-1",
    building="",
    account_id=sf_id("001", 3),
    contact_id=sf_id("003", 3),
)
DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (TARO, HANAKO, KENJI)


@dataclass(frozen=True, slots=True)
class DemoProduct:
    pid: int  # WHMCS product id
    sku: str  # Salesforce ProductCode
    name: str
    category: Category
    description: str
    monthly: Decimal | None  # JPY, tax excluded; None = no monthly cycle
    annually: Decimal | None = None
    one_time: Decimal | None = None
    setup_fee: Decimal = Decimal("0")
    plan_code: str | None = None  # Freebit plan for SIM products
    data_cap_mb: int | None = None
    sim_type: Literal["physical", "esim"] | None = None
    active: bool = True


def _yen(value: int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


CATALOG: tuple[DemoProduct, ...] = (
    DemoProduct(1, "SIM-DATA-3G", "データSIM 3GB", "sim", "データ通信専用SIM 月3GB", _yen(990),
                setup_fee=_yen(3300), plan_code="PD003", data_cap_mb=3072, sim_type="physical"),
    DemoProduct(2, "SIM-VOICE-10G", "音声SIM 10GB", "sim", "音声通話つきSIM 月10GB", _yen(1980),
                setup_fee=_yen(3300), plan_code="PV010", data_cap_mb=10240, sim_type="physical"),
    DemoProduct(3, "SIM-VOICE-20G", "音声SIM 20GB", "sim", "音声通話つきSIM 月20GB", _yen(2480),
                setup_fee=_yen(3300), plan_code="PV020", data_cap_mb=20480, sim_type="physical"),
    DemoProduct(4, "SIM-ESIM-10G", "eSIM 10GB", "sim", "eSIM 音声通話つき 月10GB", _yen(1980),
                setup_fee=_yen(440), plan_code="PE010", data_cap_mb=10240, sim_type="esim"),
    DemoProduct(5, "SIM-UNLIMITED", "音声SIM 無制限", "sim", "データ無制限の音声SIM",
                _yen(3278), annually=_yen(36058), setup_fee=_yen(3300), plan_code="PVUNL",
                data_cap_mb=None, sim_type="physical"),
    DemoProduct(6, "NET-HIKARI-1G", "光インターネット 1Gbps", "internet",
                "戸建て・マンション向け光回線 最大1Gbps", _yen(4180), annually=_yen(45980),
                setup_fee=_yen(19800)),
    DemoProduct(7, "NET-HIKARI-10G", "光インターネット 10Gbps", "internet",
                "最大10Gbpsの光回線", _yen(5940), setup_fee=_yen(19800)),
    DemoProduct(8, "NET-HOME-5G", "ホーム5G", "internet", "工事不要の置くだけWi-Fi",
                _yen(4950), one_time=None),
    DemoProduct(9, "VPN-BASIC", "VPN ベーシック", "vpn", "端末3台までの暗号化通信", _yen(550),
                annually=_yen(5500)),
    DemoProduct(10, "VPN-PRO", "VPN プロ", "vpn", "端末10台まで、専用サーバー選択可",
                 _yen(1100), annually=_yen(11000)),
    DemoProduct(11, "VPN-STATIC-IP", "固定IP VPN", "vpn", "固定グローバルIPアドレス付きVPN",
                 _yen(1650)),
    DemoProduct(12, "OPT-VOICEMAIL", "留守番電話", "option", "留守番電話サービス", _yen(330)),
    DemoProduct(13, "OPT-CALL-WAITING", "割込通話", "option", "通話中着信のお知らせ", _yen(220)),
    DemoProduct(14, "OPT-TOPUP-1G", "データ追加 1GB", "option", "当月末まで有効な追加データ1GB",
                 None, one_time=_yen(1100), data_cap_mb=1024),
    DemoProduct(15, "OPT-INTL-ROAMING", "国際ローミング", "option", "海外でのデータ通信",
                 _yen(980), active=False),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoService:
    id: int
    client_id: int
    order_id: int
    pid: int
    status: str  # WHMCS service status
    registered_days_ago: int
    msisdn: str | None = None
    iccid: str | None = None
    eid: str | None = None
    product_number: str | None = None
    identifier: str | None = None  # e.g. the fibre line id for internet services


DEMO_SERVICES: tuple[DemoService, ...] = (
    DemoService(1, TARO.client_id, 1, 2, "Active", 540, msisdn="09012340001",
                iccid="8981100000000000011", product_number="AX0000000000011"),
    DemoService(2, TARO.client_id, 1, 12, "Active", 540),
    DemoService(3, HANAKO.client_id, 2, 3, "Active", 730, msisdn="08056780002",
                iccid="8981100000000000022", product_number="DN0000000000022"),
    DemoService(4, HANAKO.client_id, 2, 4, "Active", 730, msisdn="08056780003",
                iccid="8981100000000000033", eid="89049032000000000000000000000033",
                product_number="ES0000000000033"),
    DemoService(5, HANAKO.client_id, 3, 6, "Active", 700, identifier="FLETS-0000123"),
    DemoService(6, HANAKO.client_id, 3, 9, "Suspended", 700),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoInvoice:
    id: int
    client_id: int
    status: str  # WHMCS invoice status
    date: dt.date
    due_date: dt.date
    date_paid: dt.date | None
    items: tuple[tuple[int | None, str, Decimal], ...]  # (service id, description, amount)

    @property
    def subtotal(self) -> Decimal:
        return sum((amount for _, _, amount in self.items), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return (self.subtotal / 10).quantize(Decimal("1.")).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def _month_start(today: dt.date, months_ago: int) -> dt.date:
    month_index = today.year * 12 + today.month - 1 - months_ago
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


# Per-customer invoice status by age in months (0 = this month). The rest are Paid.
_TARO_STATUSES = {0: "Unpaid", 1: "Unpaid", 2: "Collections", 3: "Payment Pending",
                  5: "Refunded", 8: "Cancelled", 19: "Draft"}  # fmt: skip
_HANAKO_STATUSES = {0: "Unpaid", 4: "Refunded", 9: "Cancelled", 23: "Draft"}


def demo_invoices(today: dt.date) -> list[DemoInvoice]:
    """42 monthly invoices (20 for Taro, 22 for Hanako) across every WHMCS status.

    Taro's invoice from last month is Unpaid and past its due date (overdue); this
    month's is Unpaid and not yet due.
    """
    products = {p.pid: p for p in CATALOG}
    plans = [(TARO, 20, _TARO_STATUSES), (HANAKO, 22, _HANAKO_STATUSES)]
    invoices: list[DemoInvoice] = []
    next_id = 1001
    for customer, count, statuses in plans:
        services = [s for s in DEMO_SERVICES if s.client_id == customer.client_id]
        for months_ago in range(count - 1, -1, -1):
            issued = _month_start(today, months_ago)
            if months_ago == 0:
                issued = today - dt.timedelta(days=3)
            status = statuses.get(months_ago, "Paid")
            items = tuple(
                (
                    s.id,
                    f"{products[s.pid].name} ({issued:%Y/%m})",
                    products[s.pid].monthly or Decimal("0.00"),
                )
                for s in services
            )
            paid = issued + dt.timedelta(days=5) if status in {"Paid", "Refunded"} else None
            invoices.append(
                DemoInvoice(
                    id=next_id,
                    client_id=customer.client_id,
                    status=status,
                    date=issued,
                    due_date=issued + dt.timedelta(days=14),
                    date_paid=paid,
                    items=items,
                )
            )
            next_id += 1
    return invoices


@dataclass(frozen=True, slots=True)
class DemoComment:
    body: str
    by_agent: bool
    published: bool
    days_ago: int


@dataclass(frozen=True, slots=True)
class DemoCase:
    number: str
    customer: DemoCustomer
    subject: str
    description: str
    category: str  # Case.Type
    status: str
    priority: str
    days_ago: int
    comments: tuple[DemoComment, ...]


DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase("00001001", TARO, "請求額について", "先月の請求額が普段より高いようです。",
             "Billing", "New", "Medium", 2,
             (DemoComment("明細を確認したいです。", False, True, 2),)),
    DemoCase("00001002", TARO, "SIMが認識されない", "端末を変えたらSIMが認識されません。",
             "Technical", "Closed", "High", 120,
             (DemoComment("APN設定をご確認ください。", True, True, 119),
              DemoComment("解決しました。ありがとうございます。", False, True, 118),
              DemoComment("internal: APN案内で解決", True, False, 118))),
    DemoCase("00001003", HANAKO, "eSIMの再発行", "機種変更のためeSIMを再発行したいです。",
             "SIM", "Working", "Medium", 5,
             (DemoComment("再発行の手続きを進めています。", True, True, 4),)),
    DemoCase("00001004", HANAKO, "光回線が遅い", "夜間に速度が低下します。",
             "Technical", "Escalated", "High", 10,
             (DemoComment("速度測定の結果を添付します。", False, True, 9),
              DemoComment("回線事業者に調査を依頼しました。", True, True, 8))),
    DemoCase("00001005", HANAKO, "支払い方法の変更", "口座振替に変更したいです。",
             "Billing", "Closed", "Low", 200,
             (DemoComment("変更を承りました。", True, True, 199),)),
)  # fmt: skip
