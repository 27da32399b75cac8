"""Salesforce REST client: query (with ``nextRecordsUrl`` paging), sObject CRUD,
collections and composite, plus the typed operations the portal needs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from domain.catalog.contract import CatalogEntry
from domain.catalog.providers.salesforce.mapper import catalog_from_salesforce_products
from domain.common.page import Page, page_offset
from domain.customer.contract import CrmAccount, CrmContact, ProfileUpdate
from domain.customer.providers.salesforce.mapper import (
    crm_account_from_salesforce,
    profile_update_to_salesforce_contact,
)
from domain.orders.contract import Order, OrderStatus, OrderSummary, PricedOrder
from domain.orders.providers.salesforce.mapper import (
    order_summaries_from_salesforce,
    orders_from_salesforce,
)
from domain.orders.providers.salesforce.writer import (
    order_status_to_salesforce,
    order_to_salesforce,
)
from domain.support.contract import Case, CaseDetail, CaseStatusFilter, NewCase, NewCaseComment
from domain.support.providers.salesforce.mapper import (
    case_comment_to_salesforce,
    case_detail_from_salesforce,
    case_to_salesforce,
    cases_from_salesforce,
)
from integrations._mapping import mapped
from integrations.errors import UpstreamBadResponse, UpstreamRejected, UpstreamUnavailable
from integrations.http import parse_json_body, retry_after_seconds
from integrations.metrics import IntegrationMetrics, default_metrics
from integrations.resilience import UpstreamGuard
from integrations.salesforce._auth import AccessToken, TokenProvider
from integrations.salesforce._config import SalesforceConfig
from integrations.salesforce._errors import (
    SYSTEM,
    SalesforceApiError,
    SalesforceNotFound,
    SalesforceRequestLimit,
)
from integrations.salesforce._soql import Soql, soql

__all__ = ["CompositeResult", "SalesforceClient", "SaveError", "SaveResult"]

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")

_ORDER_FIELDS = (
    "Id, OrderNumber, Status, StatusCode, AccountId, EffectiveDate, TotalAmount, "
    "CurrencyIsoCode, Description, CreatedDate, LastModifiedDate, Failure_Reason__c, "
    "WHMCS_Order_Id__c, Subscription_Ids__c"
)
_CASE_FIELDS = (
    "Id, CaseNumber, Subject, Description, Type, Status, Priority, IsClosed, AccountId, "
    "ContactId, CreatedDate, LastModifiedDate"
)


class _SessionExpired(UpstreamRejected):
    """401 INVALID_SESSION_ID: refresh the token and retry once (never leaves the client)."""


class SaveError(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    fields: tuple[str, ...] = ()


class SaveResult(BaseModel):
    """One record's outcome in an sObject Collections request (same order as sent)."""

    model_config = ConfigDict(frozen=True)
    id: str | None
    success: bool
    errors: tuple[SaveError, ...] = ()


class CompositeResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    reference_id: str
    status: int
    record_id: str | None = None
    error_codes: tuple[str, ...] = ()


def _error_details(body: object) -> tuple[str, tuple[str, ...]]:
    """First errorCode and its fields from ``[{"errorCode", "message", "fields"}]``."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        code = first.get("errorCode") or first.get("statusCode") or "UNKNOWN"
        fields = first.get("fields") or []
        return str(code), tuple(str(f) for f in fields if isinstance(f, str))
    return "UNKNOWN", ()


class SalesforceClient:
    """The org's REST API as typed portal operations.

    ``http`` is the shared client from :func:`integrations.http.build_http_client`; the
    caller owns and closes it. Queries and GETs retry transient failures; creates,
    updates, collections and composite requests are sent once (a 401 is the one
    exception: nothing was written, so it is re-sent with a fresh token).

    Usage::

        client = SalesforceClient(http, config)
        catalog = await client.get_catalog()
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: SalesforceConfig,
        *,
        metrics: IntegrationMetrics | None = None,
    ) -> None:
        self._http = http
        self._config = config
        self._metrics = metrics or default_metrics()
        self.guard = UpstreamGuard(SYSTEM, config.http, self._metrics)
        self.tokens = TokenProvider(http, config, self.guard)
        self._standard_pricebook_id: str | None = config.pricebook_id

    # -- transport ----------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        json: object = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool,
    ) -> object:
        """One REST call (the raw transport call): ``path`` is relative to
        ``/services/data/vNN.0/`` or absolute (``/services/…``). Returns decoded JSON or
        None for 204."""

        async def attempt(token: AccessToken) -> object:
            return await self._guarded(
                method=method, path=path, token=token, operation=operation, json=json,
                params=params, idempotent=idempotent,
            )  # fmt: skip

        token = await self.tokens.get()
        try:
            return await attempt(token)
        except _SessionExpired:
            # Nothing was processed, so even a write may be re-sent with a fresh token.
            self.tokens.invalidate(token)
            try:
                return await attempt(await self.tokens.get())
            except _SessionExpired as exc:
                raise SalesforceApiError(401, "INVALID_SESSION_ID") from exc

    async def _guarded(
        self,
        *,
        method: str,
        path: str,
        token: AccessToken,
        operation: str,
        json: object,
        params: Mapping[str, str] | None,
        idempotent: bool,
    ) -> object:
        url = self._url(token, path)

        async def send() -> object:
            response = await self._http.request(
                method,
                url,
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {token.value}"},
            )
            return self._decode(response)

        return await self.guard.call(operation, send, idempotent=idempotent)

    def _url(self, token: AccessToken, path: str) -> str:
        if path.startswith("/"):
            return f"{token.instance_url}{path}"
        return f"{token.instance_url}/services/data/{self._config.api_version}/{path}"

    def _decode(self, response: httpx.Response) -> object:
        self._record_limits(response)
        status = response.status_code
        if status == 204:
            return None
        if status == 503:
            raise UpstreamUnavailable(SYSTEM, "HTTP 503", retry_after=retry_after_seconds(response))
        if status >= 500:
            raise UpstreamBadResponse(SYSTEM, f"HTTP {status}", status=status)
        body = parse_json_body(SYSTEM, response)
        if status < 300:
            return body
        code, fields = _error_details(body)
        if status == 401 and code == "INVALID_SESSION_ID":
            raise _SessionExpired(SYSTEM, "session expired", status=401, code=code)
        if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            raise SalesforceRequestLimit(SYSTEM, "org API request limit exceeded", retry_after=60)
        if status == 404:
            raise SalesforceNotFound(status, code, fields)
        raise SalesforceApiError(status, code, fields)

    def _record_limits(self, response: httpx.Response) -> None:
        match = _LIMIT_INFO.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            self._metrics.salesforce_api_usage.set(int(match.group(1)))
            self._metrics.salesforce_api_limit.set(int(match.group(2)))

    # -- generic REST -------------------------------------------------------------------

    async def query(self, statement: Soql, *, max_records: int | None = None) -> dict[str, Any]:
        """Run a query and follow ``nextRecordsUrl``; returns the combined raw answer
        ``{"totalSize", "done", "records"}`` (what the domain mappers read)."""
        limit = max_records or self._config.query_max_records
        page = await self.request(
            "GET", "query", operation="query", params={"q": statement.text}, idempotent=True
        )
        records: list[Any] = []
        total = 0
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise UpstreamBadResponse(SYSTEM, "query answer without records")
            records.extend(page["records"])
            total = int(page.get("totalSize") or 0)
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not isinstance(next_url, str):
                break
            if len(records) >= limit:
                raise UpstreamBadResponse(SYSTEM, f"query returned more than {limit} records")
            page = await self.request("GET", next_url, operation="query_more", idempotent=True)
        return {"totalSize": total, "done": True, "records": records}

    async def count(self, statement: Soql) -> int:
        """``SELECT COUNT() FROM …``: the ``totalSize``."""
        answer = await self.request(
            "GET", "query", operation="query", params={"q": statement.text}, idempotent=True
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("totalSize"), int):
            raise UpstreamBadResponse(SYSTEM, "count answer without totalSize")
        return int(answer["totalSize"])

    async def create(self, sobject: str, fields: Mapping[str, object]) -> str:
        body = await self.request(
            "POST", f"sobjects/{sobject}", operation=f"create_{sobject}", json=dict(fields),
            idempotent=False,
        )  # fmt: skip
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise UpstreamBadResponse(SYSTEM, f"create {sobject}: no id")
        return str(body["id"])

    async def get_record(
        self, sobject: str, record_id: str, fields: Sequence[str] = ()
    ) -> dict[str, Any]:
        """``GET sobjects/{type}/{id}``: the raw record."""
        params = {"fields": ",".join(fields)} if fields else None
        body = await self.request(
            "GET", f"sobjects/{sobject}/{record_id}", operation=f"get_{sobject}",
            params=params, idempotent=True,
        )  # fmt: skip
        if not isinstance(body, dict):
            raise UpstreamBadResponse(SYSTEM, f"get {sobject}: not an object")
        return body

    async def update(self, sobject: str, record_id: str, fields: Mapping[str, object]) -> None:
        await self.request(
            "PATCH", f"sobjects/{sobject}/{record_id}", operation=f"update_{sobject}",
            json=dict(fields), idempotent=False,
        )  # fmt: skip

    async def create_collection(
        self, records: Sequence[Mapping[str, object]], *, all_or_none: bool = True
    ) -> tuple[SaveResult, ...]:
        """``POST composite/sobjects``; each record carries ``attributes.type``."""
        return await self._collection("POST", records, all_or_none)

    async def update_collection(
        self, records: Sequence[Mapping[str, object]], *, all_or_none: bool = True
    ) -> tuple[SaveResult, ...]:
        """``PATCH composite/sobjects``; each record carries ``id`` and ``attributes.type``."""
        return await self._collection("PATCH", records, all_or_none)

    async def _collection(
        self, method: str, records: Sequence[Mapping[str, object]], all_or_none: bool
    ) -> tuple[SaveResult, ...]:
        if not 0 < len(records) <= 200:
            raise ValueError("a collection holds 1 to 200 records")
        body = await self.request(
            method, "composite/sobjects", operation=f"collection_{method.lower()}",
            json={"allOrNone": all_or_none, "records": [dict(r) for r in records]},
            idempotent=False,
        )  # fmt: skip
        if not isinstance(body, list) or len(body) != len(records):
            raise UpstreamBadResponse(SYSTEM, "collection answer does not match the request")
        results: list[SaveResult] = []
        for row in body:
            if not isinstance(row, dict):
                raise UpstreamBadResponse(SYSTEM, "collection answer row is not an object")
            errors = tuple(
                SaveError(code=str(e.get("statusCode", "UNKNOWN")),
                          fields=tuple(str(f) for f in e.get("fields") or ()))
                for e in row.get("errors") or () if isinstance(e, dict)
            )  # fmt: skip
            record_id = row.get("id")
            results.append(
                SaveResult(
                    id=record_id if isinstance(record_id, str) else None,
                    success=row.get("success") is True,
                    errors=errors,
                )
            )
        return tuple(results)

    async def composite(
        self, subrequests: Sequence[Mapping[str, object]], *, all_or_none: bool = True
    ) -> tuple[CompositeResult, ...]:
        """``POST composite`` (≤ 25 subrequests, ``@{ref.id}`` references allowed)."""
        body = await self.request(
            "POST", "composite", operation="composite",
            json={"allOrNone": all_or_none, "compositeRequest": [dict(s) for s in subrequests]},
            idempotent=False,
        )  # fmt: skip
        rows = body.get("compositeResponse") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise UpstreamBadResponse(SYSTEM, "composite answer without compositeResponse")
        results: list[CompositeResult] = []
        for row in rows:
            if not isinstance(row, dict):
                raise UpstreamBadResponse(SYSTEM, "composite answer row is not an object")
            payload = row.get("body")
            record_id = payload.get("id") if isinstance(payload, dict) else None
            codes = (
                tuple(str(e.get("errorCode")) for e in payload if isinstance(e, dict))
                if isinstance(payload, list)
                else ()
            )
            results.append(
                CompositeResult(
                    reference_id=str(row.get("referenceId", "")),
                    status=int(row.get("httpStatusCode", 0)),
                    record_id=record_id if isinstance(record_id, str) else None,
                    error_codes=codes,
                )
            )
        return tuple(results)

    def _subrequest_url(self, tail: str) -> str:
        return f"/services/data/{self._config.api_version}/{tail}"

    # -- catalog ------------------------------------------------------------------------

    async def pricebook_id(self) -> str:
        """The configured portal price book, else the org's standard one (cached)."""
        if self._standard_pricebook_id is None:
            answer = await self.query(
                soql("SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1")
            )
            records = answer["records"]
            if not records or not isinstance(records[0].get("Id"), str):
                raise UpstreamBadResponse(SYSTEM, "the org has no standard price book")
            self._standard_pricebook_id = str(records[0]["Id"])
        return self._standard_pricebook_id

    async def get_catalog(self) -> tuple[CatalogEntry, ...]:
        """Every product flagged ``Portal_Catalog__c`` with its active price entries."""
        statement = soql(
            "SELECT Id, Name, ProductCode, Family, Description, IsActive, Portal_Catalog__c, "
            "WHMCS_Product_Id__c, Portal_Attributes__c, "
            "(SELECT Id, Product2Id, Pricebook2Id, UnitPrice, CurrencyIsoCode, IsActive, "
            "Billing_Cycle__c FROM PricebookEntries "
            "WHERE Pricebook2Id = :pricebook AND IsActive = true ORDER BY Id) "
            "FROM Product2 WHERE Portal_Catalog__c = true ORDER BY ProductCode, Id",
            pricebook=await self.pricebook_id(),
        )
        answer = await self.query(statement)
        return mapped(
            SYSTEM,
            "Product2",
            lambda: catalog_from_salesforce_products(answer, currency=self._config.currency),
        )

    # -- customers ----------------------------------------------------------------------

    async def find_account(
        self, billing_client_id: str
    ) -> tuple[CrmAccount, tuple[CrmContact, ...]] | None:
        """The Account linked to a WHMCS client (with its Contacts), or None."""
        statement = soql(
            "SELECT Id, Name, AccountNumber, Phone, BillingStreet, BillingCity, BillingState, "
            "BillingPostalCode, BillingCountry, WHMCS_Client_Id__c, "
            "(SELECT Id, AccountId, FirstName, LastName, Email, Phone, MobilePhone, "
            "MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry "
            "FROM Contacts ORDER BY CreatedDate) "
            "FROM Account WHERE WHMCS_Client_Id__c = :client ORDER BY CreatedDate LIMIT 1",
            client=billing_client_id,
        )
        records = (await self.query(statement))["records"]
        if not records:
            return None
        return mapped(SYSTEM, "Account", lambda: crm_account_from_salesforce(records[0]))

    async def update_contact(self, contact_id: str, update: ProfileUpdate) -> None:
        body = profile_update_to_salesforce_contact(update).as_json()
        if body:
            await self.update("Contact", contact_id, body)

    # -- orders -------------------------------------------------------------------------

    async def get_orders(
        self, account_id: str, *, page: int = 1, page_size: int = 20
    ) -> Page[OrderSummary]:
        """The account's orders, newest first."""
        total = await self.count(
            soql("SELECT COUNT() FROM Order WHERE AccountId = :account", account=account_id)
        )
        statement = soql(
            "SELECT " + _ORDER_FIELDS + " FROM Order WHERE AccountId = :account "  # noqa: S608 - constant template
            "ORDER BY CreatedDate DESC, Id DESC LIMIT :limit OFFSET :offset",
            account=account_id,
            limit=page_size,
            offset=page_offset(page, page_size),
        )
        answer = await self.query(statement)
        items = mapped(
            SYSTEM,
            "Order",
            lambda: order_summaries_from_salesforce(answer, currency=self._config.currency),
        )
        return Page[OrderSummary](items=list(items), page=page, page_size=page_size, total=total)

    async def get_order(self, account_id: str, order_id: str) -> Order:
        """One of the account's orders with its items; anything else is not found."""
        statement = soql(
            "SELECT " + _ORDER_FIELDS + ", "
            "(SELECT Id, OrderId, Quantity, UnitPrice, TotalPrice, PricebookEntryId, "
            "Billing_Cycle__c, Product2.Id, Product2.ProductCode, Product2.Name "
            "FROM OrderItems ORDER BY Id) "
            "FROM Order WHERE Id = :order AND AccountId = :account LIMIT 1",
            order=order_id,
            account=account_id,
        )
        answer = await self.query(statement)
        orders = mapped(
            SYSTEM, "Order", lambda: orders_from_salesforce(answer, currency=self._config.currency)
        )
        if not orders:
            raise SalesforceNotFound(404, "NOT_FOUND")
        return orders[0]

    async def create_order(
        self, order: PricedOrder, *, account_id: str, effective_date: date
    ) -> str:
        """Create a Draft Order and its items in one all-or-none composite request."""
        header, items = order_to_salesforce(
            order,
            account_id=account_id,
            pricebook_id=await self.pricebook_id(),
            effective_date=effective_date,
            order_id="@{order.id}",
        )
        subrequests: list[dict[str, object]] = [
            {"method": "POST", "url": self._subrequest_url("sobjects/Order"),
             "referenceId": "order", "body": header.as_json()},
        ]  # fmt: skip
        subrequests += [
            {"method": "POST", "url": self._subrequest_url("sobjects/OrderItem"),
             "referenceId": f"item{n}", "body": item.as_json()}
            for n, item in enumerate(items)
        ]  # fmt: skip
        results = await self.composite(subrequests, all_or_none=True)
        failed = next((r for r in results if r.status >= 300), None)
        if failed is not None:
            code = failed.error_codes[0] if failed.error_codes else "UNKNOWN"
            raise SalesforceApiError(failed.status, code)
        order_id = results[0].record_id
        if order_id is None:
            raise UpstreamBadResponse(SYSTEM, "composite order create returned no id")
        return order_id

    async def update_order_status(
        self,
        order_id: str,
        status: OrderStatus,
        *,
        failure_reason: str | None = None,
        billing_order_id: str | None = None,
        subscription_ids: Sequence[str] = (),
    ) -> None:
        body = order_status_to_salesforce(
            status,
            failure_reason=failure_reason,
            billing_order_id=billing_order_id,
            subscription_ids=subscription_ids,
        )
        await self.update("Order", order_id, body.as_json())

    # -- support ------------------------------------------------------------------------

    async def get_cases(
        self,
        account_id: str,
        *,
        status: CaseStatusFilter | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> Page[Case]:
        """The account's cases, newest first; ``status`` open/closed filters on IsClosed."""
        closed: bool | None = None
        if status is not None:
            closed = status.value == "closed"
        where = "AccountId = :account" + ("" if closed is None else " AND IsClosed = :closed")
        values: dict[str, Any] = {"account": account_id}
        if closed is not None:
            values["closed"] = closed
        total = await self.count(soql("SELECT COUNT() FROM Case WHERE " + where, **values))  # noqa: S608 - constant template
        statement = soql(
            "SELECT " + _CASE_FIELDS + " FROM Case WHERE " + where + " "  # noqa: S608 - constant template
            "ORDER BY CreatedDate DESC, Id DESC LIMIT :limit OFFSET :offset",
            limit=page_size,
            offset=page_offset(page, page_size),
            **values,
        )
        answer = await self.query(statement)
        items = mapped(SYSTEM, "Case", lambda: cases_from_salesforce(answer))
        return Page[Case](items=list(items), page=page, page_size=page_size, total=total)

    async def get_case(self, account_id: str, case_id: str) -> CaseDetail:
        """One of the account's cases with its published comments."""
        case_answer = await self.query(
            soql(
                "SELECT " + _CASE_FIELDS + " FROM Case WHERE Id = :case AND AccountId = :account",  # noqa: S608 - constant template
                case=case_id,
                account=account_id,
            )
        )
        if not case_answer["records"]:
            raise SalesforceNotFound(404, "NOT_FOUND")
        comments = await self.query(
            soql(
                "SELECT Id, ParentId, CommentBody, IsPublished, CreatedById, CreatedDate "
                "FROM CaseComment WHERE ParentId = :case AND IsPublished = true "
                "ORDER BY CreatedDate, Id",
                case=case_id,
            )
        )
        portal_user = (await self.tokens.get()).user_id
        return mapped(
            SYSTEM,
            "Case",
            lambda: case_detail_from_salesforce(
                case_answer["records"][0], comments, customer_author_ids={portal_user}
            ),
        )

    async def create_case(
        self, case: NewCase, *, account_id: str, contact_id: str | None = None
    ) -> str:
        body = case_to_salesforce(case, account_id=account_id, contact_id=contact_id)
        return await self.create("Case", body.as_json())

    async def add_case_comment(self, account_id: str, case_id: str, comment: NewCaseComment) -> str:
        """Add a published comment to one of the account's cases."""
        owned = await self.count(
            soql(
                "SELECT COUNT() FROM Case WHERE Id = :case AND AccountId = :account",
                case=case_id,
                account=account_id,
            )
        )
        if owned == 0:
            raise SalesforceNotFound(404, "NOT_FOUND")
        body = case_comment_to_salesforce(comment, case_id=case_id)
        return await self.create("CaseComment", body.as_json())
