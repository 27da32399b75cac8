"""`/api/auth`: signup, link, login, refresh, logout, sessions and passwords."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from bff.auth import accounts, recovery, service
from bff.auth.context import AuthContextDep
from bff.auth.dependencies import CurrentPrincipal
from bff.auth.errors import (
    AlreadyLinked,
    CsrfHeaderMissing,
    EmailTaken,
    InvalidCredentials,
    RefreshInvalid,
    RefreshReused,
    ResetTokenInvalid,
    Throttled,
)
from bff.auth.runtime import AuthDep
from bff.auth.schemas import (
    AuthResponse,
    AuthUser,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LinkRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    ResetPasswordRequest,
    SessionList,
    SessionRead,
    SignupRequest,
    TokenTransport,
)
from bff.auth.transport import (
    clear_refresh_cookie,
    presented_refresh_token,
    set_refresh_cookie,
)
from bff.core.problems import ProblemDoc, problem_responses
from bff.settings import AuthSettings

router = APIRouter(prefix="/api/auth", tags=["auth"])

# Raised with a code by the services, not by an error class of their own.
WEAK_PASSWORD = ProblemDoc(
    422, "auth.weak_password", "Unprocessable Content", "The password is too weak."
)
SESSION_NOT_FOUND = ProblemDoc(404, "auth.session_not_found", "Not Found", "No such session.")

_COOKIE_NOTE = (
    " The refresh token is set as the `bff_refresh` cookie (HttpOnly, Path `/api/auth`, "
    'Max-Age 7 days), or returned as `refreshToken` when `tokenTransport` is `"body"`.'
)
_CSRF_NOTE = (
    " A request that relies on the cookie must send a JSON content type or "
    "`X-Requested-With` (else 403 `auth.csrf_header_missing`)."
)


def _respond(
    tokens: service.IssuedTokens,
    response: Response,
    *,
    transport: TokenTransport,
    settings: AuthSettings,
) -> AuthResponse:
    if transport == "cookie":
        set_refresh_cookie(response, tokens.refresh_token, settings)
    user = tokens.user
    return AuthResponse(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token if transport == "body" else None,
        user=AuthUser(
            id=str(user.id), email=user.email, first_name=user.first_name, last_name=user.last_name
        ),
    )


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
    summary="Create a customer and their portal login",
    description="Creates the billing (WHMCS) client, the Salesforce Account and Contact, then "
    "the portal user linked to both, and signs in. The password needs 12+ characters, must not "
    "be a common password or the email (422 `auth.weak_password`)." + _COOKIE_NOTE,
    responses=problem_responses(EmailTaken, WEAK_PASSWORD, 502, 503, 504),
)
async def signup(body: SignupRequest, response: Response, ctx: AuthContextDep) -> AuthResponse:
    tokens = await accounts.signup(
        ctx,
        email=body.email,
        password=body.password.get_secret_value(),
        first_name=body.first_name,
        last_name=body.last_name,
        phone=body.phone,
        address=body.address,
    )
    return _respond(tokens, response, transport=body.token_transport, settings=ctx.auth.settings)


@router.post(
    "/link",
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
    summary="Create a portal login for an existing billing customer",
    description="Checks the email and password against the billing system (WHMCS), then creates "
    "a portal login bound to that client and its Salesforce account. 409 "
    "`auth.already_linked` when that account already has a login." + _COOKIE_NOTE,
    responses=problem_responses(InvalidCredentials, AlreadyLinked, Throttled, 502, 503, 504),
)
async def link(body: LinkRequest, response: Response, ctx: AuthContextDep) -> AuthResponse:
    tokens = await accounts.link(ctx, email=body.email, password=body.password.get_secret_value())
    return _respond(tokens, response, transport=body.token_transport, settings=ctx.auth.settings)


@router.post(
    "/login",
    response_model_exclude_none=True,
    summary="Sign in with email and password",
    description="Unknown email and wrong password answer the same 401 "
    "`auth.invalid_credentials` in about the same time. Repeated failures per account and per "
    "client IP lead to growing delays: 429 `auth.throttled` with `Retry-After`." + _COOKIE_NOTE,
    responses=problem_responses(InvalidCredentials, Throttled),
)
async def login(body: LoginRequest, response: Response, ctx: AuthContextDep) -> AuthResponse:
    tokens = await service.login(ctx, email=body.email, password=body.password.get_secret_value())
    return _respond(tokens, response, transport=body.token_transport, settings=ctx.auth.settings)


@router.post(
    "/refresh",
    response_model_exclude_none=True,
    summary="Exchange the refresh token for new tokens (rotation)",
    description="Every refresh rotates the refresh token. Presenting a token that was already "
    "rotated revokes the whole session (401 `auth.refresh_reused`); within a few seconds of a "
    "rotation the previous token still returns the same new token, so concurrent tabs stay "
    "signed in. The new token travels the way the old one came (cookie or body)." + _CSRF_NOTE,
    responses=problem_responses(RefreshInvalid, RefreshReused, CsrfHeaderMissing),
)
async def refresh(
    request: Request,
    response: Response,
    ctx: AuthContextDep,
    body: RefreshRequest | None = None,
) -> AuthResponse:
    token, from_cookie = presented_refresh_token(request, body.refresh_token if body else None)
    tokens = await service.refresh(ctx, refresh_token=token)
    transport: TokenTransport = "cookie" if from_cookie else "body"
    return _respond(tokens, response, transport=transport, settings=ctx.auth.settings)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out of this session",
    description="Ends the session of the presented refresh token (cookie or body) and clears "
    "the cookie. Always 204, also for an unknown or spent token." + _CSRF_NOTE,
    responses=problem_responses(CsrfHeaderMissing),
)
async def logout(
    request: Request,
    response: Response,
    ctx: AuthContextDep,
    body: LogoutRequest | None = None,
) -> None:
    token, _ = presented_refresh_token(request, body.refresh_token if body else None)
    await service.logout(ctx, refresh_token=token)
    clear_refresh_cookie(response, ctx.auth.settings)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out of every session",
    description="Revokes every session of the caller; their access tokens stop working at once.",
    responses=problem_responses(401),
)
async def logout_all(principal: CurrentPrincipal, response: Response, ctx: AuthContextDep) -> None:
    await service.logout_all(ctx, principal=principal)
    clear_refresh_cookie(response, ctx.auth.settings)


@router.get(
    "/sessions",
    summary="List the caller's live sessions",
    description="One entry per signed-in device or app (refresh-token family), most recently "
    "used first; `current` marks the session of this request's access token.",
    responses=problem_responses(401),
)
async def list_sessions(principal: CurrentPrincipal, ctx: AuthContextDep) -> SessionList:
    sessions = await service.list_sessions(ctx, principal=principal)
    return SessionList(
        items=[
            SessionRead(
                id=s.id,
                created_at=s.created_at,
                last_used_at=s.last_used_at,
                user_agent=s.user_agent,
                current=s.current,
            )
            for s in sessions
        ]
    )


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one of the caller's sessions",
    description="Another user's session id answers the same 404 as an unknown one.",
    responses=problem_responses(SESSION_NOT_FOUND),
)
async def revoke_session(session_id: str, principal: CurrentPrincipal, ctx: AuthContextDep) -> None:
    await service.revoke_session(ctx, principal=principal, session_id=session_id)


@router.post(
    "/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    summary="Ask for a password-reset e-mail",
    description="Always 202 with an empty body, whether or not the email has an account. The "
    "e-mail (a link valid 30 minutes, usable once) is queued and sent outside the request.",
    responses={
        202: {"description": "Accepted; an e-mail goes out if the account exists."},
        **problem_responses(Throttled),
    },
)
async def forgot_password(body: ForgotPasswordRequest, ctx: AuthContextDep) -> Response:
    await recovery.forgot_password(ctx, email=body.email)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset token",
    description="The token is single-use and valid 30 minutes (else 400 "
    "`auth.reset_token_invalid`). Every session of the user is revoked.",
    responses=problem_responses(ResetTokenInvalid, WEAK_PASSWORD),
)
async def reset_password(body: ResetPasswordRequest, ctx: AuthContextDep) -> None:
    await recovery.reset_password(
        ctx, token=body.token, new_password=body.new_password.get_secret_value()
    )


@router.post(
    "/password/change",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the password",
    description="Needs the current password (401 `auth.invalid_credentials` otherwise; "
    "throttled like logins). The caller's other sessions are revoked; this one stays.",
    responses=problem_responses(InvalidCredentials, WEAK_PASSWORD, Throttled),
)
async def change_password(
    body: ChangePasswordRequest, principal: CurrentPrincipal, ctx: AuthContextDep
) -> None:
    await recovery.change_password(
        ctx,
        principal=principal,
        current_password=body.current_password.get_secret_value(),
        new_password=body.new_password.get_secret_value(),
    )


__all__ = ["AuthDep", "router"]
