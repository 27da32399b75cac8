"""Who is calling: the one place every customer feature gets its ownership ids from.

    from bff.auth.dependencies import CurrentCustomer

    @router.get("/invoices")
    async def list_invoices(customer: CurrentCustomer, ...) -> Page[Invoice]:
        ...  # customer.whmcs_client_id, customer.salesforce_account_id

The access token is checked (signature, `kid`, algorithm, `iss`, `aud`, expiry), then
its session family is looked up in this process's session view (`session_view`), which
reads Redis once per session and then hears of revocations by push: a revoked session's
tokens stop working within `BFF_AUTH__SESSION_VIEW_STALENESS_S` (1 s), not when they
expire, with no Redis round trip per request. The family also carries the user's WHMCS
client id and Salesforce ids, so no database query is needed per request either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bff.auth.errors import NotAuthenticated, NotLinked
from bff.auth.runtime import auth_of
from bff.auth.tokens import InvalidAccessToken
from bff.core.openapi import BEARER_SCHEME, documents_problems

log = structlog.get_logger("bff.auth")

_bearer = HTTPBearer(auto_error=False, scheme_name=BEARER_SCHEME, bearerFormat="JWT")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the portal user and the session (token family) in use."""

    user_id: uuid.UUID
    session_id: str
    whmcs_client_id: str | None
    salesforce_account_id: str | None
    salesforce_contact_id: str | None


@dataclass(frozen=True, slots=True)
class Customer:
    """An authenticated caller linked to billing and CRM: fetch only through these ids."""

    user_id: uuid.UUID
    session_id: str
    whmcs_client_id: str
    salesforce_account_id: str
    salesforce_contact_id: str | None


@documents_problems(NotAuthenticated)
async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated()
    auth = auth_of(request)
    try:
        claims = auth.tokens.verify(credentials.credentials)
        user_id = uuid.UUID(claims.user_id)
    except (InvalidAccessToken, ValueError) as exc:
        log.info("auth.access_token_refused", reason=str(exc) or type(exc).__name__)
        raise NotAuthenticated("The access token is not valid.") from None
    owner = await auth.sessions.owner(claims.session_id)
    if owner is None or owner.user_id != claims.user_id:
        raise NotAuthenticated("The session has ended; sign in again.")
    structlog.contextvars.bind_contextvars(user_id=claims.user_id)
    return Principal(
        user_id=user_id,
        session_id=claims.session_id,
        whmcs_client_id=owner.whmcs_client_id,
        salesforce_account_id=owner.salesforce_account_id,
        salesforce_contact_id=owner.salesforce_contact_id,
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@documents_problems(NotLinked)
async def current_customer(principal: CurrentPrincipal) -> Customer:
    if principal.whmcs_client_id is None or principal.salesforce_account_id is None:
        raise NotLinked()
    return Customer(
        user_id=principal.user_id,
        session_id=principal.session_id,
        whmcs_client_id=principal.whmcs_client_id,
        salesforce_account_id=principal.salesforce_account_id,
        salesforce_contact_id=principal.salesforce_contact_id,
    )


CurrentCustomer = Annotated[Customer, Depends(current_customer)]
"""The caller as a customer; depend on this in every customer feature's routes."""
