"""Signup (a new customer in every system) and link (a portal login for a billing customer).

Signup runs its steps in order, WHMCS client -> Salesforce Account -> Salesforce Contact
-> portal user, and is made safe by **retry, not compensation**: every step first looks
for what an earlier, interrupted attempt created and reuses it.

- WHMCS has no delete we may call, so an interrupted signup leaves a client without a
  portal login. The retry's AddClient is refused as a duplicate; the retry then proves
  it is the same person (WHMCS ValidateLogin with the password given at AddClient) and
  takes that client over. Anyone else gets 409 ``auth.email_taken``.
- The Salesforce Account is found by its ``WHMCS_Client_Id__c``, its Contact under it.
- The portal user is written last, in the request's transaction, so a failure anywhere
  leaves no half-linked user; a concurrent duplicate fails on the unique email (409).

The Account/Contact field writes live here because ``domain.customer`` has no
"new customer -> Salesforce" writer yet (only the profile-update one).
"""

from __future__ import annotations

import structlog
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from bff.auth.audit import AuditType, record, record_now
from bff.auth.context import AuthContext
from bff.auth.errors import AlreadyLinked, EmailTaken, InvalidCredentials
from bff.auth.passwords import password_problems
from bff.auth.service import IssuedTokens, normalize_email, start_session
from bff.core.errors import Unprocessable
from bff.core.problems import FieldError
from bff.users.models import User
from domain.common.address import Address
from domain.customer.addressing import join_street_lines
from domain.customer.contract import ContactDetails
from integrations.whmcs import WhmcsDuplicateEmail, WhmcsInvalidLogin

log = structlog.get_logger("bff.auth")

LINK_SCOPE = "link"


def check_new_password(password: str, *, email: str, field: str) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise Unprocessable(
            "The password is too weak.",
            code="auth.weak_password",
            errors=[FieldError(field=field, message=message) for message in problems],
        )


async def signup(
    ctx: AuthContext,
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str,
    address: Address,
) -> IssuedTokens:
    email = normalize_email(email)
    check_new_password(password, email=email, field="password")
    if await _user_exists(ctx, email=email):
        raise EmailTaken()
    contact = ContactDetails(
        email=email, first_name=first_name, last_name=last_name, phone=phone, address=address
    )
    client_id = await _billing_client(ctx, contact, password)
    account_id, contact_id = await _crm_records(ctx, client_id, contact)
    user = User(
        email=email,
        password_hash=await ctx.auth.passwords.hash(password),
        first_name=first_name,
        last_name=last_name,
        whmcs_client_id=int(client_id),
        salesforce_account_id=account_id,
        salesforce_contact_id=contact_id,
    )
    await _insert(ctx, user, conflict=EmailTaken)
    record(ctx.db, AuditType.SIGNUP, user_id=user.id)
    return await start_session(ctx.auth, user, user_agent=ctx.user_agent)


async def link(ctx: AuthContext, *, email: str, password: str) -> IssuedTokens:
    """A portal login for an existing billing customer, proven by their WHMCS password."""
    auth, email = ctx.auth, normalize_email(email)
    await auth.throttle.check(LINK_SCOPE, email=email, ip=ctx.client_ip)
    try:
        await ctx.providers.whmcs.validate_login(email, password)
        account = await ctx.providers.whmcs.find_client_by_email(email)
    except WhmcsInvalidLogin:
        account = None
    if account is None:
        await auth.throttle.failure(LINK_SCOPE, email=email, ip=ctx.client_ip)
        await record_now(
            ctx.session_factory, AuditType.LOGIN_FAILED, user_id=None, reason="link_refused"
        )
        raise InvalidCredentials()
    await auth.throttle.success(LINK_SCOPE, email=email)
    if await _user_exists(ctx, email=email, whmcs_client_id=int(account.client_id)):
        raise AlreadyLinked()
    details = account.contact.model_copy(update={"email": email})
    account_id, contact_id = await _crm_records(ctx, account.client_id, details)
    user = User(
        email=email,
        password_hash=await auth.passwords.hash(password),
        first_name=details.first_name,
        last_name=details.last_name,
        whmcs_client_id=int(account.client_id),
        salesforce_account_id=account_id,
        salesforce_contact_id=contact_id,
    )
    await _insert(ctx, user, conflict=AlreadyLinked)
    record(ctx.db, AuditType.LINK, user_id=user.id)
    return await start_session(auth, user, user_agent=ctx.user_agent)


async def _user_exists(ctx: AuthContext, *, email: str, whmcs_client_id: int | None = None) -> bool:
    condition = User.email == email
    if whmcs_client_id is not None:
        condition = or_(condition, User.whmcs_client_id == whmcs_client_id)
    return (await ctx.db.scalar(select(User.id).where(condition).limit(1))) is not None


async def _insert(ctx: AuthContext, user: User, *, conflict: type[Exception]) -> None:
    ctx.db.add(user)
    try:
        await ctx.db.flush()
    except IntegrityError:
        raise conflict() from None


async def _billing_client(ctx: AuthContext, contact: ContactDetails, password: str) -> str:
    whmcs = ctx.providers.whmcs
    try:
        return await whmcs.add_client(contact, password=password)
    except WhmcsDuplicateEmail:
        pass
    # A client with this email exists: ours from an interrupted signup (same password),
    # or someone else's. Only the first may continue.
    try:
        await whmcs.validate_login(contact.email, password)
    except WhmcsInvalidLogin:
        raise EmailTaken() from None
    existing = await whmcs.find_client_by_email(contact.email)
    if existing is None or await _user_exists(
        ctx, email=contact.email, whmcs_client_id=int(existing.client_id)
    ):
        raise EmailTaken()
    log.info("auth.signup_resumed", whmcs_client_id=existing.client_id)
    return existing.client_id


async def _crm_records(
    ctx: AuthContext, client_id: str, contact: ContactDetails
) -> tuple[str, str]:
    salesforce = ctx.providers.salesforce
    found = await salesforce.find_account(client_id)
    if found is not None:
        account, contacts = found
        if contacts:
            return account.account_id, contacts[0].contact_id
        account_id = account.account_id
    else:
        account_id = await salesforce.create("Account", _account_fields(client_id, contact))
    contact_id = await salesforce.create("Contact", _contact_fields(account_id, contact))
    return account_id, contact_id


def _account_fields(client_id: str, contact: ContactDetails) -> dict[str, object]:
    fields: dict[str, object] = {
        "Name": f"{contact.last_name} {contact.first_name}",
        "WHMCS_Client_Id__c": client_id,
    }
    if contact.phone:
        fields["Phone"] = contact.phone
    if contact.address:
        fields |= {
            "BillingStreet": join_street_lines(contact.address),
            "BillingCity": contact.address.city,
            "BillingState": contact.address.prefecture,
            "BillingPostalCode": contact.address.postcode,
            "BillingCountry": contact.address.country,
        }
    return fields


def _contact_fields(account_id: str, contact: ContactDetails) -> dict[str, object]:
    fields: dict[str, object] = {
        "AccountId": account_id,
        "FirstName": contact.first_name,
        "LastName": contact.last_name,
        "Email": contact.email,
    }
    if contact.phone:
        fields["Phone"] = contact.phone
    if contact.address:
        fields |= {
            "MailingStreet": join_street_lines(contact.address),
            "MailingCity": contact.address.city,
            "MailingState": contact.address.prefecture,
            "MailingPostalCode": contact.address.postcode,
            "MailingCountry": contact.address.country,
        }
    return fields
