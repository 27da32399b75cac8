"""Support cases through the caller's Salesforce account id (and contact, when linked).

Case creation accepts an ``Idempotency-Key`` (optional): with one, a retried create
returns the first case instead of opening a second.
"""

from __future__ import annotations

import re

from bff.auth.dependencies import Customer
from bff.core.db import utcnow
from bff.core.state import AppState
from bff.idempotency.service import StoredResponse, fingerprint, run_once
from bff.support.errors import CaseNotFound
from bff.support.schemas import CasePage
from domain.common.page import page_offset
from domain.support.contract import (
    Case,
    CaseComment,
    CaseDetail,
    CaseStatusFilter,
    CommentAuthor,
    NewCase,
    NewCaseComment,
)
from integrations.salesforce import SalesforceNotFound

CREATE_OPERATION = "support.create_case"
MAX_SOQL_OFFSET = 2000
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def _check_id(case_id: str) -> None:
    if not _SALESFORCE_ID.match(case_id):
        raise CaseNotFound()


async def list_cases(
    state: AppState,
    customer: Customer,
    *,
    status: CaseStatusFilter | None,
    page: int,
    page_size: int,
) -> CasePage:
    salesforce = state.providers.salesforce
    account = customer.salesforce_account_id
    if page_offset(page, page_size) > MAX_SOQL_OFFSET:
        # SOQL refuses OFFSET > 2000: such a page is past any real customer's cases.
        total = (await salesforce.get_cases(account, status=status, page=1, page_size=1)).total
        return CasePage(items=[], page=page, page_size=page_size, total=total)
    found = await salesforce.get_cases(account, status=status, page=page, page_size=page_size)
    return CasePage(
        items=found.items, page=found.page, page_size=found.page_size, total=found.total
    )


async def get_case(state: AppState, customer: Customer, *, case_id: str) -> CaseDetail:
    _check_id(case_id)
    try:
        return await state.providers.salesforce.get_case(customer.salesforce_account_id, case_id)
    except SalesforceNotFound:
        raise CaseNotFound() from None


async def create_case(
    state: AppState, customer: Customer, *, request: NewCase, idempotency_key: str | None
) -> StoredResponse:
    async def execute() -> StoredResponse:
        case_id = await state.providers.salesforce.create_case(
            request,
            account_id=customer.salesforce_account_id,
            contact_id=customer.salesforce_contact_id,
        )
        detail = await get_case(state, customer, case_id=case_id)
        # The contract answers a Case: a new case has no comments to list.
        case = Case.model_validate(detail.model_dump(exclude={"comments"}))
        return StoredResponse.of(201, case, headers={"Location": f"/api/support/cases/{case_id}"})

    return await run_once(
        state.session_factory,
        state.settings.idempotency,
        user_id=customer.user_id,
        operation=CREATE_OPERATION,
        key=idempotency_key,
        required=False,
        request_fingerprint=fingerprint(request),
        execute=execute,
    )


async def add_comment(
    state: AppState, customer: Customer, *, case_id: str, request: NewCaseComment
) -> CaseComment:
    _check_id(case_id)
    try:
        comment_id = await state.providers.salesforce.add_case_comment(
            customer.salesforce_account_id, case_id, request
        )
    except SalesforceNotFound:
        raise CaseNotFound() from None
    return CaseComment(
        id=comment_id, body=request.body, author=CommentAuthor.CUSTOMER, created_at=utcnow()
    )
