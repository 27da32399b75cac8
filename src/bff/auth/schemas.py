"""HTTP shapes of `/api/auth` (camelCase on the wire)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr
from pydantic.alias_generators import to_camel

from domain.common.address import Address
from domain.common.dates import UtcDatetime
from domain.customer.contract import Phone

TokenTransport = Literal["cookie", "body"]
_COOKIE: TokenTransport = "cookie"
_BEARER: Literal["Bearer"] = "Bearer"
Password = Annotated[SecretStr, Field(min_length=1, max_length=256)]
NewPassword = Annotated[
    SecretStr,
    Field(
        min_length=1,
        max_length=256,
        description="At least 12 characters; not a common password; not the email address.",
        # Documented, not enforced here: a shorter one is 422 `auth.weak_password` with the
        # other password rules, not a generic validation error.
        json_schema_extra={"minLength": 12},
    ),
]
LoginEmail = Annotated[str, Field(min_length=3, max_length=254)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class Schema(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, extra="forbid"
    )


class SignupRequest(Schema):
    """A new customer: login, name, phone and address."""

    email: EmailStr = Field(max_length=254)
    password: NewPassword
    first_name: Name
    last_name: Name
    phone: Phone
    address: Address
    token_transport: TokenTransport = _COOKIE


class LinkRequest(Schema):
    """The billing-system (WHMCS) login to turn into a portal login."""

    email: LoginEmail = Field(description="The email of the existing billing account.")
    password: Password = Field(description="Its billing-system password; it becomes the portal's.")
    token_transport: TokenTransport = _COOKIE


class LoginRequest(Schema):
    """Credentials, and how the refresh token should travel."""

    email: LoginEmail
    password: Password
    token_transport: TokenTransport = Field(
        default=_COOKIE,
        description='`"body"` (mobile) returns the refresh token in the body instead of '
        "the `bff_refresh` cookie.",
    )


class RefreshRequest(Schema):
    """The refresh token (mobile); browsers send the `bff_refresh` cookie instead."""

    refresh_token: str | None = Field(
        default=None,
        max_length=200,
        description="Mobile clients send the token here; browsers rely on the cookie.",
    )


class LogoutRequest(RefreshRequest):
    """The refresh token of the session to end (mobile); browsers send the cookie."""


class ForgotPasswordRequest(Schema):
    """The email of the account whose password is forgotten."""

    email: LoginEmail


class ResetPasswordRequest(Schema):
    """The token from the reset e-mail and the new password."""

    token: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class ChangePasswordRequest(Schema):
    """The current password and the new one."""

    current_password: Password
    new_password: NewPassword


class AuthUser(Schema):
    """The signed-in portal user."""

    id: str
    email: str
    first_name: str
    last_name: str


class AuthResponse(Schema):
    """Tokens of a new or refreshed session, and who signed in."""

    access_token: str = Field(description="JWT for `Authorization: Bearer`.")
    token_type: Literal["Bearer"] = _BEARER
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    refresh_token: str | None = Field(
        default=None,
        description='Only when `tokenTransport` is `"body"` (or the token came in the body).',
    )
    user: AuthUser


class SessionRead(Schema):
    """One signed-in device or app (a refresh-token family)."""

    id: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime
    user_agent: str | None
    current: bool = Field(description="The session this request's access token belongs to.")


class SessionList(Schema):
    """The caller's live sessions."""

    items: list[SessionRead]
