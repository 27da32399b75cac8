"""Errors of the auth feature, each with the contract's stable code."""

from __future__ import annotations

from bff.core.errors import BadRequest, Conflict, Forbidden, RateLimited, Unauthorized


class InvalidCredentials(Unauthorized):
    code = "auth.invalid_credentials"
    default_detail = "The email or password is not correct."


class RefreshInvalid(Unauthorized):
    code = "auth.refresh_invalid"
    default_detail = "The refresh token is missing, expired or not valid."


class RefreshReused(Unauthorized):
    code = "auth.refresh_reused"
    default_detail = "The refresh token was already used; every session of it has been signed out."


class NotAuthenticated(Unauthorized):
    code = "auth.unauthorized"


class EmailTaken(Conflict):
    code = "auth.email_taken"
    default_detail = "An account with this email already exists; sign in or link it instead."


class AlreadyLinked(Conflict):
    code = "auth.already_linked"
    default_detail = "This billing account already has a portal login."


class Throttled(RateLimited):
    code = "auth.throttled"
    default_detail = "Too many attempts; wait before trying again."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)


class ResetTokenInvalid(BadRequest):
    code = "auth.reset_token_invalid"
    default_detail = "The reset link is not valid or has expired; ask for a new one."


class CsrfHeaderMissing(Forbidden):
    code = "auth.csrf_header_missing"
    default_detail = (
        "Requests authenticated by the refresh cookie must send a JSON body "
        "or the X-Requested-With header."
    )


class NotLinked(Forbidden):
    code = "auth.not_linked"
    default_detail = "This login is not linked to a customer account."
