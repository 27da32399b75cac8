"""The customer's profile: read from billing (WHMCS), written to billing and the CRM.

A PATCH writes WHMCS first, then the Salesforce Contact. If Salesforce fails, the WHMCS
change is undone (best effort) and the error goes to the caller, so the two systems do
not drift apart on a half-applied update. The portal's own row (login email, names) is
never touched by a profile update.
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bff.auth.audit import AuditType, record
from bff.auth.dependencies import Customer
from bff.auth.errors import NotAuthenticated
from bff.core.db import transactional_session
from bff.core.providers import Providers
from bff.core.state import AppState
from bff.me.cache import ProfileCache, profile_cache
from bff.users.models import User
from domain.customer.contract import ContactDetails, CustomerProfile, ProfileUpdate

log = structlog.get_logger("bff.me")


async def _user(db: AsyncSession, customer: Customer) -> User:
    user = await db.get(User, customer.user_id)
    if user is None:
        raise NotAuthenticated("The account no longer exists.")
    return user


def _profile(user: User, contact: ContactDetails) -> CustomerProfile:
    return CustomerProfile.from_contact(
        user_id=str(user.id),
        created_at=user.created_at,
        contact=contact.model_copy(update={"email": user.email}),
    )


async def get_profile(
    *, db: AsyncSession, providers: Providers, customer: Customer
) -> CustomerProfile:
    user = await _user(db, customer)
    account = await providers.whmcs.get_client(customer.whmcs_client_id)
    return _profile(user, account.contact)


async def rendered_profile(state: AppState, customer: Customer) -> bytes:
    """``GET /api/me``'s body, from the profile cache (see ``bff.me.cache``)."""

    async def load() -> bytes:
        async for db in transactional_session(state.session_factory):
            profile = await get_profile(db=db, providers=state.providers, customer=customer)
            return profile.model_dump_json(by_alias=True).encode()
        raise AssertionError("unreachable: the session generator yields once")

    cache = profile_cache(state.redis, state.settings)
    return await cache.get(_cache_key(customer), load)


async def forget_profile(state: AppState, customer: Customer) -> None:
    await profile_cache(state.redis, state.settings).invalidate(_cache_key(customer))


def _cache_key(customer: Customer) -> str:
    return ProfileCache.key(str(customer.user_id), customer.whmcs_client_id)


async def update_profile(
    *, db: AsyncSession, providers: Providers, customer: Customer, update: ProfileUpdate
) -> CustomerProfile:
    user = await _user(db, customer)
    before = (await providers.whmcs.get_client(customer.whmcs_client_id)).contact
    await providers.whmcs.update_client(customer.whmcs_client_id, update)
    if customer.salesforce_contact_id:
        try:
            await providers.salesforce.update_contact(customer.salesforce_contact_id, update)
        except Exception:
            await _undo_billing_update(providers, customer, before, update)
            raise
    record(
        db,
        AuditType.PROFILE_UPDATED,
        user_id=user.id,
        fields=sorted(update.model_dump(exclude_none=True)),
    )
    changes = {name: value for name, value in update if value is not None}
    return _profile(user, before.model_copy(update=changes))


async def _undo_billing_update(
    providers: Providers, customer: Customer, before: ContactDetails, update: ProfileUpdate
) -> None:
    restore = ProfileUpdate.model_construct(
        phone=before.phone if update.phone is not None else None,
        address=before.address if update.address is not None else None,
    )
    if restore.phone is None and restore.address is None:
        return
    try:
        await providers.whmcs.update_client(customer.whmcs_client_id, restore)
    except Exception:
        log.exception("me.profile_undo_failed", whmcs_client_id=customer.whmcs_client_id)
