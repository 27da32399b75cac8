"""Typed portal operations on Salesforce: catalog, accounts, orders, support cases.

Every query binds its values with :func:`soql`; every answer goes through a domain mapper.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import httpx

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
from integrations.errors import UpstreamBadResponse
from integrations.metrics import IntegrationMetrics
from integrations.salesforce._config import SalesforceConfig
from integrations.salesforce._errors import SYSTEM, SalesforceApiError, SalesforceNotFound
from integrations.salesforce._rest import SalesforceRestClient
from integrations.salesforce._soql import soql

__all__ = ["SalesforceClient"]

_ORDER_FIELDS = (
    "Id, OrderNumber, Status, StatusCode, AccountId, EffectiveDate, TotalAmount, "
    "CurrencyIsoCode, Description, CreatedDate, LastModifiedDate, Failure_Reason__c, "
    "WHMCS_Order_Id__c, Subscription_Ids__c, Provisioned_At__c"
)
_CASE_FIELDS = (
    "Id, CaseNumber, Subject, Description, Type, Status, Priority, IsClosed, AccountId, "
    "ContactId, CreatedDate, LastModifiedDate"
)


class SalesforceClient(SalesforceRestClient):
    """The portal's Salesforce operations, returning domain types.

    Usage::

        client = SalesforceClient(http, config)
        catalog = await client.get_catalog()
        page = await client.get_orders(account_id, page=1, page_size=20)
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: SalesforceConfig,
        *,
        metrics: IntegrationMetrics | None = None,
    ) -> None:
        super().__init__(http, config, metrics=metrics)
        self._pricebook_id: str | None = config.pricebook_id

    # -- catalog ------------------------------------------------------------------------

    async def pricebook_id(self) -> str:
        """The configured portal price book, else the org's standard one (cached)."""
        if self._pricebook_id is None:
            answer = await self.query(
                soql("SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1")
            )
            records = answer["records"]
            if not records or not isinstance(records[0].get("Id"), str):
                raise UpstreamBadResponse(SYSTEM, "the org has no standard price book")
            self._pricebook_id = str(records[0]["Id"])
        return self._pricebook_id

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
            {"method": "POST", "url": self.subrequest_url("sobjects/Order"),
             "referenceId": "order", "body": header.as_json()},
        ]  # fmt: skip
        subrequests += [
            {"method": "POST", "url": self.subrequest_url("sobjects/OrderItem"),
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
        provisioned_at: datetime | None = None,
    ) -> None:
        body = order_status_to_salesforce(
            status,
            failure_reason=failure_reason,
            billing_order_id=billing_order_id,
            subscription_ids=subscription_ids,
            provisioned_at=provisioned_at,
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
