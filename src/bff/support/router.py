"""`/api/support/cases`: the caller's support cases (Salesforce)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from bff.auth.dependencies import CurrentCustomer
from bff.core.paging import DEFAULT_PAGE_SIZE, PageQuery, PageSizeQuery
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep
from bff.idempotency.dependencies import REPLAYABLE_CREATED, IdempotencyKeyHeader
from bff.support import service
from bff.support.errors import CaseNotFound
from bff.support.schemas import (
    Case,
    CaseComment,
    CaseDetail,
    CasePage,
    CaseStatusFilter,
    NewCase,
    NewCaseComment,
)

router = APIRouter(prefix="/api/support/cases", tags=["support"])

CaseId = Annotated[str, Path(max_length=18, description="Salesforce Case id.")]


@router.get(
    "",
    summary="List support cases",
    description="The caller's cases, newest first; `open` is every status but closed.",
    responses=problem_responses(401, 422, 502, 503, 504),
)
async def list_cases(
    customer: CurrentCustomer,
    state: AppStateDep,
    status: CaseStatusFilter | None = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = DEFAULT_PAGE_SIZE,
) -> CasePage:
    return await service.list_cases(state, customer, status=status, page=page, page_size=page_size)


@router.post(
    "",
    status_code=201,
    response_model=Case,
    summary="Open a support case",
    description="Opens a case on the caller's account. Accepts an optional `Idempotency-Key`: "
    "a retry with the same key and body returns the first case (`Idempotent-Replayed: true`).",
    responses=REPLAYABLE_CREATED | problem_responses(400, 401, 409, 422, 502, 503, 504),
)
async def create_case(
    customer: CurrentCustomer,
    state: AppStateDep,
    body: NewCase,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    stored = await service.create_case(
        state, customer, request=body, idempotency_key=idempotency_key
    )
    return stored.to_response()


@router.get(
    "/{case_id}",
    summary="Get a support case",
    description="One of the caller's cases with its public comments only. Another "
    "customer's case is the same 404 as a missing one (`support.case_not_found`).",
    responses=problem_responses(CaseNotFound, 502, 503, 504),
)
async def get_case(customer: CurrentCustomer, state: AppStateDep, case_id: CaseId) -> CaseDetail:
    return await service.get_case(state, customer, case_id=case_id)


@router.post(
    "/{case_id}/comments",
    status_code=201,
    summary="Comment on a support case",
    description="Adds a public comment by the customer to one of the caller's cases.",
    responses=problem_responses(CaseNotFound, 502, 503, 504),
)
async def add_comment(
    customer: CurrentCustomer, state: AppStateDep, case_id: CaseId, body: NewCaseComment
) -> CaseComment:
    return await service.add_comment(state, customer, case_id=case_id, request=body)
