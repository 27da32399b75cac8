"""How refresh tokens travel: the `bff_refresh` cookie (default) or the JSON body (mobile).

A request that authenticates with the cookie must also prove it is not a cross-site
form: a JSON content type, or an `X-Requested-With` header (neither can be sent
cross-site without a CORS preflight, which only allowed origins pass).
"""

from __future__ import annotations

from fastapi import Request, Response

from bff.auth.errors import CsrfHeaderMissing
from bff.core.middleware import is_json_media_type
from bff.settings import AuthSettings

REFRESH_COOKIE = "bff_refresh"
COOKIE_PATH = "/api/auth"


def require_csrf_proof(request: Request) -> None:
    if request.headers.get("x-requested-with"):
        return
    if is_json_media_type(request.headers.get("content-type", "")):
        return
    raise CsrfHeaderMissing()


def presented_refresh_token(request: Request, body_token: str | None) -> tuple[str | None, bool]:
    """``(token, came_from_cookie)``; a cookie is only accepted with CSRF proof."""
    if body_token:
        return body_token, False
    cookie = request.cookies.get(REFRESH_COOKIE)
    if cookie:
        require_csrf_proof(request)
        return cookie, True
    return None, False


def set_refresh_cookie(response: Response, token: str, settings: AuthSettings) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        token,
        max_age=settings.refresh_token_ttl_s,
        path=COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite=settings.cookie_samesite,
    )


def clear_refresh_cookie(response: Response, settings: AuthSettings) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite=settings.cookie_samesite,
    )
