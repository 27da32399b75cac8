"""`/api/invoices` and `/api/payment-methods`: the caller's billing, from WHMCS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from bff.auth.dependencies import CurrentCustomer
from bff.billing import service
from bff.billing.errors import InvoiceNotFound, InvoiceNotPayable
from bff.billing.schemas import (
    InvoiceDetail,
    InvoicePage,
    InvoiceStatusFilter,
    PaymentMethod,
    PaymentSession,
)
from bff.core.paging import DEFAULT_PAGE_SIZE, PageQuery, PageSizeQuery
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep

router = APIRouter(prefix="/api", tags=["billing"])

InvoiceId = Annotated[str, Path(max_length=20, description="WHMCS invoice id.")]


@router.get(
    "/invoices",
    response_model=InvoicePage,
    summary="List invoices",
    description="The caller's invoices, newest first, paged by WHMCS. `overdue` = unpaid and "
    "past due (also matched by `unpaid`). Cached per customer for a few seconds.",
    responses=problem_responses(401, 422, 502, 503, 504),
)
async def list_invoices(
    customer: CurrentCustomer,
    state: AppStateDep,
    status: InvoiceStatusFilter | None = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = DEFAULT_PAGE_SIZE,
) -> Response:
    body = await service.rendered_invoices(
        state, customer, status=status, page=page, page_size=page_size
    )
    return Response(body, media_type="application/json")


@router.get(
    "/invoices/{invoice_id}",
    response_model=InvoiceDetail,
    summary="Get an invoice",
    description="One of the caller's invoices with its items. Another customer's invoice is "
    "the same 404 as a missing one.",
    responses=problem_responses(InvoiceNotFound, 502, 503, 504),
)
async def get_invoice(
    customer: CurrentCustomer, state: AppStateDep, invoice_id: InvoiceId
) -> Response:
    body = await service.rendered_invoice(state, customer, invoice_id=invoice_id)
    return Response(body, media_type="application/json")


@router.post(
    "/invoices/{invoice_id}/payment-session",
    status_code=201,
    summary="Start paying an invoice",
    description="A single-use link (WHMCS single sign-on, valid about 60 s) that opens the "
    "invoice's payment page in the billing system. Only unpaid (including overdue) invoices: "
    "otherwise 409 `billing.invoice_not_payable`.",
    responses=problem_responses(InvoiceNotFound, InvoiceNotPayable, 502, 503, 504),
)
async def create_payment_session(
    customer: CurrentCustomer, state: AppStateDep, invoice_id: InvoiceId
) -> PaymentSession:
    return await service.create_payment_session(state, customer, invoice_id=invoice_id)


@router.get(
    "/payment-methods",
    summary="List payment methods",
    description="The caller's stored payment methods (cards, bank accounts), as WHMCS keeps "
    "them; card numbers are never more than the description WHMCS gives (last digits).",
    responses=problem_responses(401, 502, 503, 504),
)
async def list_payment_methods(
    customer: CurrentCustomer, state: AppStateDep
) -> list[PaymentMethod]:
    return list(await service.list_payment_methods(state, customer))
