"""The WHMCS sandbox's actions: form fields in, the action's JSON fields out.

Quirks are reproduced on purpose (ids as strings in some actions, money as strings,
``invoices.invoice[]`` wrappers, ``""`` for empty collections, zero dates) so the
client's parsing is exercised exactly as against a real install.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from domain.common.wire import decode_custom_fields
from integrations.sandbox._forms import FormData
from integrations.sandbox._whmcs_state import Client, Invoice, Order, Service, User, WhmcsState
from integrations.sandbox.demo_data import CATALOG, HANAKO, TARO, DemoProduct

__all__ = ["ACTIONS", "ActionError"]

ZERO_DATE = "0000-00-00"
ZERO_DATETIME = "0000-00-00 00:00:00"
PAYMENT_METHODS = ("stripe", "banktransfer", "mailin")
CUSTOM_FIELD_NAMES = {1: "MSISDN", 2: "ICCID", 3: "EID", 4: "Line ID"}
_CYCLES_OUT = {
    "onetime": "One Time",
    "monthly": "Monthly",
    "quarterly": "Quarterly",
    "semiannually": "Semi-Annually",
    "annually": "Annually",
    "biennially": "Biennially",
    "triennially": "Triennially",
}
_SSO_DESTINATIONS = {
    "clientarea:homepage", "clientarea:profile", "clientarea:billing_info",
    "clientarea:services", "clientarea:product_details", "clientarea:invoices",
    "clientarea:tickets", "clientarea:submit_ticket", "clientarea:shopping_cart",
    "clientarea:upgrade", "sso:custom_redirect",
}  # fmt: skip


class ActionError(Exception):
    """An action-level error: answered as ``{"result":"error"}`` with HTTP 200."""


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ZERO_DATE


def _wrap(key: str, rows: list[dict[str, object]], empty: object) -> object:
    return {key: rows} if rows else empty


def _page(form: FormData, default_limit: int | None) -> tuple[int, int | None]:
    start = int(form.get("limitstart", "0") or 0)
    raw_limit = form.get("limitnum", "")
    return start, (int(raw_limit) if raw_limit else default_limit)


def _client(state: WhmcsState, form: FormData, key: str = "clientid") -> Client:
    raw = form.get(key)
    client = state.clients.get(int(raw)) if raw.isdigit() else None
    if client is None:
        raise ActionError("Client ID Not Found")
    return client


def _is_overdue(state: WhmcsState, inv: Invoice) -> bool:
    return inv.status == "Unpaid" and inv.due_date < state.today


# --- actions ----------------------------------------------------------------------------


def validate_login(state: WhmcsState, form: FormData) -> dict[str, object]:
    user = state.users.get(form.get("email").lower())
    # compare_digest refuses non-ASCII str; real WHMCS answers a wrong password, not a 500.
    given = form.get("password2").encode("utf-8", "surrogatepass")
    if user is None or not secrets.compare_digest(
        user.password.encode("utf-8", "surrogatepass"), given
    ):
        raise ActionError("Email or Password Invalid")
    return {"userid": user.id, "passwordhash": "$2y$10$sandboxhash", "twoFactorEnabled": False}


def _client_payload(state: WhmcsState, client: Client) -> dict[str, object]:
    f = client.fields
    owner = next((u for u in state.users.values() if u.client_id == client.id), None)
    return {
        "id": client.id,
        "client_id": client.id,
        "userid": client.id,
        "owner_user_id": owner.id if owner else 0,
        "uuid": f"00000000-0000-4000-8000-{client.id:012d}",
        **f,
        "fullname": f"{f.get('lastname', '')} {f.get('firstname', '')}",
        "phonecc": 81,
        "phonenumberformatted": "+81." + f.get("phonenumber", "").lstrip("0").replace("-", ""),
        "status": client.status,
        "credit": "0.00",
        "currency": 1,
        "currency_code": "JPY",
        "groupid": 0,
        "email_preferences": {"general": 1, "invoice": 1, "support": 1, "product": 1},
        "customfields": [],
        "users": {
            "user": [
                {"id": u.id, "name": f.get("firstname", ""), "email": u.email, "is_owner": True}
                for u in state.users.values()
                if u.client_id == client.id
            ]
        },
    }


def get_clients_details(state: WhmcsState, form: FormData) -> dict[str, object]:
    if form.get("email"):
        match = next(
            (c for c in state.clients.values()
             if c.fields.get("email", "").lower() == form.get("email").lower()),
            None,
        )  # fmt: skip
        if match is None:
            raise ActionError("Client Not Found")
        client = match
    else:
        try:
            client = _client(state, form)
        except ActionError:
            raise ActionError("Client Not Found") from None
    payload = _client_payload(state, client)
    return {"userid": client.id, "id": client.id, "client": payload, **payload}


_REQUIRED_CLIENT_FIELDS = ("firstname", "lastname", "email", "address1", "city", "state",
                           "postcode", "country", "phonenumber")  # fmt: skip
_CLIENT_FIELDS = (*_REQUIRED_CLIENT_FIELDS, "companyname", "address2", "tax_id", "language")


def add_client(state: WhmcsState, form: FormData) -> dict[str, object]:
    if not form.flag("skipvalidation"):
        for name in _REQUIRED_CLIENT_FIELDS:
            if not form.get(name).strip():
                raise ActionError(f"You did not enter your {name}")
    if len(form.get("country")) != 2:
        raise ActionError("Valid country required")
    email = form.get("email").lower()
    if email in state.users or any(
        c.fields.get("email", "").lower() == email for c in state.clients.values()
    ):
        raise ActionError("A user already exists with that email address")
    client_id = state.next_id(state.clients)
    state.clients[client_id] = Client(client_id, {k: form.get(k) for k in _CLIENT_FIELDS})
    if form.get("password2"):
        user_id = max((u.id for u in state.users.values()), default=10) + 1
        state.users[email] = User(user_id, form.get("email"), form.get("password2"), client_id)
    return {"clientid": str(client_id)}


def update_client(state: WhmcsState, form: FormData) -> dict[str, object]:
    client = _client(state, form)
    new_email = form.get("email").lower()
    if new_email and any(
        c.id != client.id and c.fields.get("email", "").lower() == new_email
        for c in state.clients.values()
    ):
        raise ActionError("Duplicate Email Address")
    for name in _CLIENT_FIELDS:
        if form.has(name):
            client.fields[name] = form.get(name)
    if form.has("status"):
        client.status = form.get("status")
    return {"clientid": str(client.id)}


_INVOICE_SORT: dict[str, Callable[[Invoice], Any]] = {
    "id": lambda i: i.id,
    "invoicenumber": lambda i: i.id,
    "date": lambda i: (i.date, i.id),
    "duedate": lambda i: (i.due_date, i.id),
    "total": lambda i: (i.total, i.id),
    "status": lambda i: (i.status, i.id),
}


def _invoice_row(state: WhmcsState, inv: Invoice) -> dict[str, object]:
    f = state.clients[inv.client_id].fields
    return {
        "id": inv.id, "userid": inv.client_id, "firstname": f.get("firstname", ""),
        "lastname": f.get("lastname", ""), "companyname": "", "invoicenum": "",
        "date": _date(inv.date), "duedate": _date(inv.due_date),
        "datepaid": f"{inv.date_paid} 09:00:00" if inv.date_paid else ZERO_DATETIME,
        "last_capture_attempt": ZERO_DATETIME,
        "date_refunded": ZERO_DATETIME, "date_cancelled": ZERO_DATETIME,
        "subtotal": _money(inv.subtotal), "credit": "0.00", "tax": _money(inv.tax),
        "tax2": "0.00", "total": _money(inv.total), "taxrate": "10.00", "taxrate2": "0.00",
        "status": inv.status, "paymentmethod": inv.payment_method, "paymethodid": None,
        "notes": "", "created_at": f"{inv.date} 00:00:00", "updated_at": f"{inv.date} 00:00:00",
        "currencycode": "JPY", "currencyprefix": "¥", "currencysuffix": "円",
    }  # fmt: skip


def get_invoices(state: WhmcsState, form: FormData) -> dict[str, object]:
    rows = list(state.invoices.values())
    if form.get("userid"):
        rows = [i for i in rows if str(i.client_id) == form.get("userid")]
    status = form.get("status")
    if status.lower() == "overdue":
        rows = [i for i in rows if _is_overdue(state, i)]
    elif status:
        rows = [i for i in rows if i.status.lower() == status.lower()]
    orderby = form.get("orderby").lower()
    if orderby:
        if orderby not in _INVOICE_SORT:
            raise ActionError("Invalid orderby")
        rows.sort(key=_INVOICE_SORT[orderby], reverse=form.get("order").lower() == "desc")
    else:  # observed default: status desc, then due date
        rows.sort(key=lambda i: i.due_date)
        rows.sort(key=lambda i: i.status, reverse=True)
    start, limit = _page(form, 25)
    page = rows[start : start + (limit or len(rows))]
    return {
        "totalresults": len(rows),
        "startnumber": start,
        "numreturned": len(page),
        "invoices": _wrap("invoice", [_invoice_row(state, i) for i in page], []),
    }


def get_invoice(state: WhmcsState, form: FormData) -> dict[str, object]:
    raw = form.get("invoiceid")
    inv = state.invoices.get(int(raw)) if raw.isdigit() else None
    if inv is None:
        raise ActionError("Invoice ID Not Found")
    paid = inv.status in {"Paid", "Refunded"}
    transactions: object = ""
    if paid:
        transactions = {"transaction": [{
            "id": str(inv.id), "userid": str(inv.client_id), "currency": "0",
            "gateway": inv.payment_method, "date": f"{inv.date_paid} 09:00:00",
            "description": "Invoice Payment", "amountin": _money(inv.total), "fees": "0.00",
            "amountout": "0.00", "rate": "1.00000", "transid": f"ch_sandbox_{inv.id}",
            "invoiceid": str(inv.id), "refundid": "0",
        }]}  # fmt: skip
    row = _invoice_row(state, inv)
    return {
        "invoiceid": inv.id, "invoicenum": "", "userid": inv.client_id,
        **{k: row[k] for k in ("date", "duedate", "datepaid", "subtotal", "credit", "tax",
                                "tax2", "total", "taxrate", "taxrate2", "status",
                                "paymentmethod", "notes", "date_refunded", "date_cancelled",
                                "last_capture_attempt")},
        "lastcaptureattempt": ZERO_DATETIME,
        "balance": "0.00" if paid or inv.status == "Cancelled" else _money(inv.total),
        "ccgateway": True,
        "items": {"item": [
            {"id": n + inv.id * 10, "type": "Hosting" if sid else "Item", "relid": sid or 0,
             "description": desc, "amount": _money(amount), "taxed": 1}
            for n, (sid, desc, amount) in enumerate(inv.items)
        ]},
        "transactions": transactions,
    }  # fmt: skip


def get_pay_methods(state: WhmcsState, form: FormData) -> dict[str, object]:
    client = _client(state, form)
    methods: list[dict[str, object]] = []
    if client.id == TARO.client_id:
        methods.append({
            "id": 1, "type": "RemoteCreditCard", "description": "メインカード",
            "gateway_name": "stripe", "contact_type": "Client", "contact_id": client.id,
            "card_last_four": "4242", "expiry_date": "02/28", "start_date": "",
            "issue_number": "", "card_type": "Visa", "remote_token": "pm_sandbox_1",
            "last_updated": "17/05/2025 10:01",
        })  # fmt: skip
    if client.id == HANAKO.client_id:
        methods.append({
            "id": 2, "type": "BankAccount", "description": "口座振替",
            "gateway_name": "banktransfer", "contact_type": "Client", "contact_id": client.id,
            "bank_name": "サンプル銀行", "remote_token": "", "last_updated": "01/04/2025 09:30",
        })  # fmt: skip
        methods.append({
            "id": 3, "type": "RemoteCreditCard", "description": "",
            "gateway_name": "stripe", "contact_type": "Client", "contact_id": client.id,
            "card_last_four": "0005", "expiry_date": "11/27", "card_type": "American Express",
            "remote_token": "pm_sandbox_3", "last_updated": "02/06/2025 12:00",
        })  # fmt: skip
    return {"clientid": client.id, "paymethods": methods}


def create_sso_token(state: WhmcsState, form: FormData) -> dict[str, object]:
    if form.get("client_id"):
        _client(state, form, key="client_id")
    if not form.get("client_id") and not form.get("user_id"):
        raise ActionError("A valid client_id or user_id is required")
    destination = form.get("destination", "clientarea:homepage") or "clientarea:homepage"
    if destination not in _SSO_DESTINATIONS:
        raise ActionError("Invalid destination")
    if destination == "sso:custom_redirect" and not form.get("sso_redirect_path"):
        raise ActionError("Invalid destination")
    state.sso_tokens += 1
    token = secrets.token_hex(20)
    return {
        "access_token": token,
        "redirect_url": f"https://billing.example.jp/oauth/singlesignon.php?access_token={token}",
    }


def _service_row(state: WhmcsState, s: Service) -> dict[str, object]:
    product = next(p for p in CATALOG if p.pid == s.pid)
    return {
        "id": str(s.id), "qty": "1", "clientid": str(s.client_id), "orderid": str(s.order_id),
        "ordernumber": f"{s.order_id:010d}", "pid": str(s.pid), "regdate": _date(s.regdate),
        "name": product.name, "translated_name": product.name,
        "groupname": product.category.upper(), "domain": s.domain, "dedicatedip": "",
        "serverid": "0", "servername": "", "serverip": None, "serverhostname": None,
        "suspensionreason": "" if s.status != "Suspended" else "Overdue on Payment",
        "firstpaymentamount": _money(s.amount), "recurringamount": _money(s.amount),
        "paymentmethod": "stripe", "paymentmethodname": "Credit Card",
        "billingcycle": s.billing_cycle,
        "nextduedate": _date(state.today.replace(day=1) + dt.timedelta(days=32)),
        "status": s.status, "username": "", "password": "", "subscriptionid": "",
        "promoid": "0", "overideautosuspend": "", "overidesuspenduntil": ZERO_DATE, "notes": "",
        "customfields": {"customfield": [
            {"id": str(k), "name": CUSTOM_FIELD_NAMES.get(k, f"Field {k}"),
             "translated_name": CUSTOM_FIELD_NAMES.get(k, f"Field {k}"), "value": v}
            for k, v in sorted(s.custom_fields.items())
        ]},
        "configoptions": {"configoption": []},
    }  # fmt: skip


def get_clients_products(state: WhmcsState, form: FormData) -> dict[str, object]:
    rows = sorted(state.services.values(), key=lambda s: s.id)
    for key, attr in (("clientid", "client_id"), ("serviceid", "id"), ("pid", "pid")):
        if form.get(key):
            rows = [s for s in rows if str(getattr(s, attr)) == form.get(key)]
    start, limit = _page(form, None)
    page = rows[start : start + (limit or len(rows))]
    return {
        "clientid": form.get("clientid"), "serviceid": form.get("serviceid") or None,
        "pid": form.get("pid") or None, "domain": None,
        "totalresults": str(len(rows)), "startnumber": start, "numreturned": len(page),
        "products": _wrap("product", [_service_row(state, s) for s in page], ""),
    }  # fmt: skip


def _price(product: DemoProduct, cycle: str) -> Decimal:
    prices = {"monthly": product.monthly, "annually": product.annually,
              "onetime": product.one_time}  # fmt: skip
    value = prices.get(cycle)
    if value is None:
        raise ActionError(f"Invalid Billing Cycle for product {product.pid}")
    return value


def add_order(state: WhmcsState, form: FormData) -> dict[str, object]:
    client = _client(state, form)
    method = form.get("paymentmethod")
    if method not in PAYMENT_METHODS:
        raise ActionError(
            "Invalid Payment Method. Valid options include " + ",".join(PAYMENT_METHODS)
        )
    pids = form.array("pid")
    if not pids:
        raise ActionError("No items added to cart so order cannot proceed")
    cycles = form.array("billingcycle")
    blobs = form.array("customfields")
    products = {str(p.pid): p for p in CATALOG if p.active}
    order_id = state.next_id(state.orders)
    service_ids: list[int] = []
    items: list[tuple[int | None, str, Decimal]] = []
    for n, pid in enumerate(pids):
        product = products.get(pid)
        if product is None:
            raise ActionError(f"Invalid Product ID {pid}")
        cycle = (cycles[n] if n < len(cycles) else "monthly").lower()
        amount = _price(product, cycle)
        try:
            fields = decode_custom_fields(blobs[n]) if n < len(blobs) and blobs[n] else {}
        except ValueError:
            raise ActionError("Invalid custom fields format") from None
        service_id = state.next_id(state.services)
        state.services[service_id] = Service(
            service_id, client.id, order_id, product.pid, "Pending", state.today,
            _CYCLES_OUT.get(cycle, "Monthly"), amount, fields,
        )  # fmt: skip
        service_ids.append(service_id)
        items.append((service_id, f"{product.name} ({state.today:%Y/%m})", amount))
    invoice_id = 0
    if not form.flag("noinvoice"):
        invoice_id = state.next_id(state.invoices)
        state.invoices[invoice_id] = Invoice(
            invoice_id, client.id, "Unpaid", state.today,
            state.today + dt.timedelta(days=14), None, items, method,
        )  # fmt: skip
    now = dt.datetime.combine(state.today, dt.datetime.now().time().replace(microsecond=0))
    state.orders[order_id] = Order(order_id, client.id, now, "Pending", method, invoice_id,
                                   service_ids)  # fmt: skip
    return {
        "orderid": str(order_id),
        "serviceids": ",".join(str(s) for s in service_ids),
        "addonids": "",
        "domainids": "",
        "invoiceid": str(invoice_id) if invoice_id else "",
    }


def update_client_product(state: WhmcsState, form: FormData) -> dict[str, object]:
    """Only what provisioning writes: custom fields, merged into the service's (the other
    parameters of the real action are not emulated)."""
    raw = form.get("serviceid")
    service = state.services.get(int(raw)) if raw.isdigit() else None
    if service is None:
        raise ActionError("Service ID Not Found")
    if form.get("customfields"):
        try:
            service.custom_fields.update(decode_custom_fields(form.get("customfields")))
        except ValueError:
            raise ActionError("Invalid custom fields format") from None
    return {"serviceid": service.id}


def accept_order(state: WhmcsState, form: FormData) -> dict[str, object]:
    raw = form.get("orderid")
    order = state.orders.get(int(raw)) if raw.isdigit() else None
    if order is None or order.status != "Pending":
        raise ActionError("Order ID not found or Status not Pending")
    order.status = "Active"
    for service_id in order.service_ids:
        state.services[service_id].status = "Active"
    return {}


def _order_row(state: WhmcsState, order: Order) -> dict[str, object]:
    services = [state.services[s] for s in order.service_ids]
    amount = sum((s.amount for s in services), Decimal("0.00"))
    invoice = state.invoices.get(order.invoice_id)
    return {
        "id": order.id, "ordernum": f"{order.id:010d}", "userid": order.client_id,
        "contactid": 0, "requestor_id": 0, "admin_requestor_id": 0,
        "date": order.date.strftime("%Y-%m-%d %H:%M:%S"), "nameservers": "",
        "transfersecret": "", "renewals": "", "promocode": "", "promotype": "",
        "promovalue": "", "orderdata": "[]", "amount": _money(amount),
        "paymentmethod": order.payment_method, "invoiceid": order.invoice_id,
        "status": order.status, "ipaddress": "127.0.0.1", "fraudmodule": "",
        "fraudoutput": "", "notes": "",
        "paymentmethodname": "Credit Card",
        "paymentstatus": invoice.status if invoice else "",
        "name": " ".join(state.clients[order.client_id].fields.get(k, "")
                         for k in ("lastname", "firstname")),
        "currencyprefix": "¥", "currencysuffix": "円", "frauddata": "", "validationdata": "",
        "lineitems": {"lineitem": [
            {"type": "product", "relid": s.id,
             "producttype": next(p.category for p in CATALOG if p.pid == s.pid),
             "product": next(p.name for p in CATALOG if p.pid == s.pid), "domain": s.domain,
             "billingcycle": s.billing_cycle, "amount": _money(s.amount), "status": s.status}
            for s in services
        ]},
    }  # fmt: skip


def get_orders(state: WhmcsState, form: FormData) -> dict[str, object]:
    rows = sorted(state.orders.values(), key=lambda o: o.id, reverse=True)
    if form.get("id"):
        rows = [o for o in rows if str(o.id) == form.get("id")]
    if form.get("userid"):
        rows = [o for o in rows if str(o.client_id) == form.get("userid")]
    if form.get("status"):
        rows = [o for o in rows if o.status.lower() == form.get("status").lower()]
    start, limit = _page(form, 25)
    page = rows[start : start + (limit or len(rows))]
    return {
        "totalresults": len(rows),
        "startnumber": start,
        "numreturned": len(page),
        "orders": _wrap("order", [_order_row(state, o) for o in page], []),
    }


def _product_row(product: DemoProduct) -> dict[str, object]:
    def cycle(value: Decimal | None) -> str:
        return _money(value) if value is not None else "-1.00"

    paytype = "onetime" if product.monthly is None and product.one_time else "recurring"
    return {
        "pid": product.pid, "gid": {"sim": 1, "internet": 2, "vpn": 3, "option": 4}[
            product.category], "type": "other", "name": product.name,
        "slug": product.sku.lower(), "product-url": f"https://billing.example.jp/store/{product.sku.lower()}",
        "description": product.description, "module": "", "paytype": paytype,
        "allowqty": 0, "quantity_available": 0,
        "pricing": {"JPY": {
            "prefix": "¥", "suffix": "円", "msetupfee": _money(product.setup_fee),
            "qsetupfee": "0.00", "ssetupfee": "0.00", "asetupfee": "0.00",
            "bsetupfee": "0.00", "tsetupfee": "0.00",
            "monthly": cycle(product.monthly if paytype == "recurring" else product.one_time),
            "quarterly": "-1.00", "semiannually": "-1.00", "annually": cycle(product.annually),
            "biennially": "-1.00", "triennially": "-1.00",
        }},
        "customfields": {"customfield": []},
        "configoptions": {"configoption": []},
    }  # fmt: skip


def get_products(state: WhmcsState, form: FormData) -> dict[str, object]:
    rows = list(CATALOG)
    if form.get("pid"):
        wanted = set(form.get("pid").split(","))
        rows = [p for p in rows if str(p.pid) in wanted]
    if form.get("gid"):
        rows = [p for p in rows if str(_product_row(p)["gid"]) == form.get("gid")]
    return {
        "totalresults": len(rows),
        "products": {"product": [_product_row(p) for p in rows]},
    }


Action = Callable[[WhmcsState, FormData], dict[str, object]]
ACTIONS: dict[str, Action] = {
    "validatelogin": validate_login,
    "getclientsdetails": get_clients_details,
    "addclient": add_client,
    "updateclient": update_client,
    "getinvoices": get_invoices,
    "getinvoice": get_invoice,
    "getpaymethods": get_pay_methods,
    "createssotoken": create_sso_token,
    "getclientsproducts": get_clients_products,
    "addorder": add_order,
    "acceptorder": accept_order,
    "updateclientproduct": update_client_product,
    "getorders": get_orders,
    "getproducts": get_products,
}
