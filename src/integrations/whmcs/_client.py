"""WHMCS External API client: form POSTs to ``includes/api.php``, JSON answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from domain.billing.contract import Invoice, InvoiceDetail, InvoiceStatus, PaymentMethod
from domain.billing.providers.whmcs.mapper import (
    invoice_from_whmcs,
    invoice_page_from_whmcs,
    payment_methods_from_whmcs,
)
from domain.common.dates import JST
from domain.common.page import Page, page_offset
from domain.common.wire.whmcs import encode_custom_fields
from domain.customer.contract import BillingAccount, ContactDetails, ProfileUpdate
from domain.customer.providers.whmcs.mapper import (
    billing_account_from_whmcs,
    client_id_from_whmcs,
    contact_to_whmcs_add_client,
    profile_update_to_whmcs,
)
from domain.orders.contract import BillingOrderAcceptance, BillingOrderPlacement, PricedOrder
from domain.orders.providers.whmcs.mapper import (
    acceptance_from_whmcs,
    order_to_whmcs_add_order,
    placement_from_whmcs,
)
from domain.subscriptions.contract import Subscription
from domain.subscriptions.providers.whmcs.mapper import (
    subscription_page_from_whmcs,
    subscriptions_from_whmcs,
)
from integrations._mapping import mapped
from integrations.errors import (
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamRejected,
    UpstreamUnavailable,
)
from integrations.http import parse_json_body, retry_after_seconds
from integrations.metrics import IntegrationMetrics, default_metrics
from integrations.resilience import UpstreamGuard
from integrations.whmcs._config import WhmcsConfig
from integrations.whmcs._errors import (
    WhmcsNotFound,
    WhmcsOrderNotPending,
    error_from_message,
)
from integrations.whmcs._models import (
    SsoLink,
    WhmcsLogin,
    WhmcsOrderList,
    WhmcsProduct,
)
from integrations.whmcs._parsers import parse_login, parse_orders, parse_products

__all__ = ["WhmcsClient"]

SYSTEM = "whmcs"
SSO_TOKEN_LIFETIME = timedelta(seconds=60)

# Portal invoice filter -> WHMCS GetInvoices ``status`` (Overdue is a WHMCS filter too).
_INVOICE_STATUS_FILTER = {
    InvoiceStatus.DRAFT: "Draft",
    InvoiceStatus.UNPAID: "Unpaid",
    InvoiceStatus.OVERDUE: "Overdue",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.CANCELLED: "Cancelled",
    InvoiceStatus.REFUNDED: "Refunded",
    InvoiceStatus.COLLECTIONS: "Collections",
    InvoiceStatus.PAYMENT_PENDING: "Payment Pending",
}


def _today_in_japan() -> date:
    return datetime.now(JST).date()


class WhmcsClient:
    """Typed access to the WHMCS actions the portal uses.

    ``http`` is the shared client from :func:`integrations.http.build_http_client`;
    the caller owns and closes it. Reads are retried on transient failures; writes
    (AddClient, UpdateClient, AddOrder, AcceptOrder, CreateSsoToken) never are: after an
    :class:`UpstreamTimeout` on a write, check its effect (e.g. GetOrders) before retrying.

    Usage::

        client = WhmcsClient(http, config)
        page = await client.get_invoices(client_id="1", page=1, page_size=20)
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: WhmcsConfig,
        *,
        metrics: IntegrationMetrics | None = None,
        today: Callable[[], date] = _today_in_japan,
    ) -> None:
        self._http = http
        self._config = config
        self._today = today
        self.guard = UpstreamGuard(SYSTEM, config.http, metrics or default_metrics())

    # -- transport --------------------------------------------------------------------

    async def call(
        self, action: str, params: Mapping[str, str] | None = None, *, idempotent: bool
    ) -> dict[str, Any]:
        """Run one action and return its decoded success body (the raw transport call).

        Raises a :class:`WhmcsError` subclass for ``result: error``.
        """
        form = {
            **(params or {}),
            "action": action,
            "identifier": self._config.identifier,
            "secret": self._config.secret,
            "responsetype": "json",
        }
        if self._config.access_key:
            form["accesskey"] = self._config.access_key

        async def send() -> dict[str, Any]:
            response = await self._http.post(self._config.api_url, data=form)
            return self._decode(action, response)

        return await self.guard.call(action, send, idempotent=idempotent)

    def _decode(self, action: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 503:
            raise UpstreamUnavailable(SYSTEM, "HTTP 503", retry_after=retry_after_seconds(response))
        if status >= 500:
            raise UpstreamBadResponse(SYSTEM, f"{action}: HTTP {status}", status=status)
        if status == 403:  # newer WHMCS answers a refused IP with 403
            raise UpstreamAuthFailed(SYSTEM, f"{action}: HTTP 403", status=status)
        if status >= 400:
            raise UpstreamRejected(SYSTEM, f"{action}: HTTP {status}", status=status)
        body = parse_json_body(SYSTEM, response)
        if not isinstance(body, dict):
            raise UpstreamBadResponse(SYSTEM, f"{action}: body is not an object", status=status)
        result = body.get("result")
        if result == "success":
            return body
        if result == "error":
            raise error_from_message(action, str(body.get("message", "")))
        raise UpstreamBadResponse(SYSTEM, f"{action}: no result field", status=status)

    # -- customers --------------------------------------------------------------------

    async def validate_login(self, email: str, password: str) -> WhmcsLogin:
        """Check a customer's WHMCS password. Raises :class:`WhmcsInvalidLogin`."""
        body = await self.call(
            "ValidateLogin", {"email": email, "password2": password}, idempotent=True
        )
        return mapped(
            SYSTEM,
            "ValidateLogin",
            lambda: parse_login(body),
        )

    async def get_client(self, client_id: str) -> BillingAccount:
        body = await self.call("GetClientsDetails", {"clientid": client_id}, idempotent=True)
        return mapped(SYSTEM, "GetClientsDetails", lambda: billing_account_from_whmcs(body))

    async def find_client_by_email(self, email: str) -> BillingAccount | None:
        """The client with this email, or None."""
        try:
            body = await self.call("GetClientsDetails", {"email": email}, idempotent=True)
        except WhmcsNotFound:
            return None
        return mapped(SYSTEM, "GetClientsDetails", lambda: billing_account_from_whmcs(body))

    async def add_client(self, contact: ContactDetails, *, password: str | None = None) -> str:
        """Create a client; returns its id. Raises :class:`WhmcsDuplicateEmail`."""
        params = contact_to_whmcs_add_client(contact)
        if password is not None:
            params["password2"] = password
        params["noemail"] = "true"
        body = await self.call("AddClient", params, idempotent=False)
        return mapped(SYSTEM, "AddClient", lambda: client_id_from_whmcs(body))

    async def update_client(self, client_id: str, update: ProfileUpdate) -> str:
        body = await self.call(
            "UpdateClient", profile_update_to_whmcs(update, client_id=client_id), idempotent=False
        )
        return mapped(SYSTEM, "UpdateClient", lambda: client_id_from_whmcs(body))

    # -- billing ----------------------------------------------------------------------

    async def get_invoices(
        self,
        client_id: str,
        *,
        status: InvoiceStatus | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> Page[Invoice]:
        """One page of the client's invoices, newest first."""
        params = {
            "userid": client_id,
            "limitstart": str(page_offset(page, page_size)),
            "limitnum": str(page_size),
            "orderby": "date",
            "order": "desc",
        }
        if status is not None:
            params["status"] = _INVOICE_STATUS_FILTER.get(status, status.value)
        body = await self.call("GetInvoices", params, idempotent=True)
        today = self._today()
        return mapped(
            SYSTEM,
            "GetInvoices",
            lambda: invoice_page_from_whmcs(
                body, today=today, page=page, page_size=page_size, currency=self._config.currency
            ),
        )

    async def get_invoice(self, invoice_id: str, *, client_id: str) -> InvoiceDetail:
        """One invoice of ``client_id``; another client's invoice is :class:`WhmcsNotFound`."""
        body = await self.call("GetInvoice", {"invoiceid": invoice_id}, idempotent=True)
        if str(body.get("userid")) != client_id:
            raise WhmcsNotFound("GetInvoice", "invoice_not_found")
        today = self._today()
        return mapped(
            SYSTEM,
            "GetInvoice",
            lambda: invoice_from_whmcs(body, today=today, currency=self._config.currency),
        )

    async def get_pay_methods(self, client_id: str) -> Sequence[PaymentMethod]:
        body = await self.call("GetPayMethods", {"clientid": client_id}, idempotent=True)
        return mapped(SYSTEM, "GetPayMethods", lambda: payment_methods_from_whmcs(body))

    async def create_sso_token(
        self,
        client_id: str,
        *,
        destination: str = "clientarea:homepage",
        redirect_path: str | None = None,
    ) -> SsoLink:
        """A single-use login link; for one invoice use :meth:`invoice_payment_link`."""
        params = {"client_id": client_id, "destination": destination}
        if redirect_path is not None:
            params["sso_redirect_path"] = redirect_path
        issued = datetime.now(UTC)
        body = await self.call("CreateSsoToken", params, idempotent=False)
        url = body.get("redirect_url")
        if not isinstance(url, str) or not url:
            raise UpstreamBadResponse(SYSTEM, "CreateSsoToken: no redirect_url")
        return SsoLink(url=url, expires_at=issued + SSO_TOKEN_LIFETIME)

    async def invoice_payment_link(self, client_id: str, invoice_id: str) -> SsoLink:
        # There is no clientarea:invoice destination; a custom redirect opens one invoice.
        return await self.create_sso_token(
            client_id,
            destination="sso:custom_redirect",
            redirect_path=f"viewinvoice.php?id={int(invoice_id)}",
        )

    # -- services and orders ----------------------------------------------------------

    async def get_clients_products(
        self, client_id: str, *, page: int = 1, page_size: int = 20
    ) -> Page[Subscription]:
        params = {
            "clientid": client_id,
            "limitstart": str(page_offset(page, page_size)),
            "limitnum": str(page_size),
        }
        body = await self.call("GetClientsProducts", params, idempotent=True)
        return mapped(
            SYSTEM,
            "GetClientsProducts",
            lambda: subscription_page_from_whmcs(
                body, page=page, page_size=page_size, currency=self._config.currency
            ),
        )

    async def get_service(self, client_id: str, service_id: str) -> Subscription:
        """One service of ``client_id``; anything else is :class:`WhmcsNotFound`."""
        body = await self.call(
            "GetClientsProducts", {"clientid": client_id, "serviceid": service_id}, idempotent=True
        )
        services = mapped(
            SYSTEM,
            "GetClientsProducts",
            lambda: subscriptions_from_whmcs(body, currency=self._config.currency),
        )
        if len(services) != 1:
            raise WhmcsNotFound("GetClientsProducts", "service_not_found")
        return services[0]

    async def update_service_custom_fields(
        self, service_id: str, values: Mapping[int, str]
    ) -> None:
        """Set some custom fields of one service (``UpdateClientProduct``; fields not named
        keep their values). Writing the same values again changes nothing, so it is retried
        like a read."""
        params = {"serviceid": service_id, "customfields": encode_custom_fields(values)}
        await self.call("UpdateClientProduct", params, idempotent=True)

    async def add_order(
        self,
        order: PricedOrder,
        *,
        client_id: str,
        custom_fields: Mapping[int, str] | None = None,
    ) -> BillingOrderPlacement:
        """Place an order (services start Pending). Never retried: see the class note."""
        params = order_to_whmcs_add_order(
            order,
            client_id=client_id,
            payment_method=self._config.payment_method,
            custom_fields=custom_fields,
        )
        body = await self.call("AddOrder", params, idempotent=False)
        return mapped(SYSTEM, "AddOrder", lambda: placement_from_whmcs(body))

    async def accept_order(self, order_id: str) -> BillingOrderAcceptance:
        """Accept a Pending order (creates its services). A repeat is ``NOT_PENDING``."""
        try:
            body = await self.call("AcceptOrder", {"orderid": order_id}, idempotent=False)
        except WhmcsOrderNotPending:
            return BillingOrderAcceptance.NOT_PENDING
        return mapped(SYSTEM, "AcceptOrder", lambda: acceptance_from_whmcs(body))

    async def get_orders(
        self,
        *,
        client_id: str | None = None,
        order_id: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 25,
    ) -> WhmcsOrderList:
        params = {"limitstart": str(offset), "limitnum": str(limit)}
        for key, value in (("userid", client_id), ("id", order_id), ("status", status)):
            if value is not None:
                params[key] = value
        body = await self.call("GetOrders", params, idempotent=True)
        return mapped(SYSTEM, "GetOrders", lambda: parse_orders(body))

    async def get_products(self, *, product_ids: Sequence[str] = ()) -> tuple[WhmcsProduct, ...]:
        params = {"pid": ",".join(product_ids)} if product_ids else {}
        body = await self.call("GetProducts", params, idempotent=True)
        return mapped(SYSTEM, "GetProducts", lambda: parse_products(body))
