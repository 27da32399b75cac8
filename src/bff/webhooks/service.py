"""WHMCS hook call-outs: verify, deduplicate, invalidate.

Verification (all failures are the same 401 ``webhook.unauthorized``):

- ``X-Timestamp``: Unix seconds, within ``BFF_WEBHOOKS__TOLERANCE_S`` (5 min) of now;
- ``X-Signature``: hex HMAC-SHA256, keyed with ``BFF_WHMCS__WEBHOOK_SECRET``, of
  ``"<X-Timestamp>." + raw body`` (binding the timestamp so an old body cannot be re-sent
  with a fresh one); a ``sha256=`` prefix is accepted; compared in constant time;
- replay: the event id (``eventId``, else a hash of the raw body) is remembered in Redis
  (``SET NX``) for twice the tolerance, so the same delivery is only acted on once;
  a replay is refused.

Events invalidate the caches they make stale: invoice events drop the customer's billing
cache, service events the subscriptions (and billing) cache, product events the catalog.
The customer is ``clientId`` when the hook sends it, else the invoice's owner read from
WHMCS. Unknown events are acknowledged and logged, so WHMCS does not retry them.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import structlog
from pydantic import ValidationError

from bff.billing import service as billing
from bff.catalog.service import invalidate_catalog
from bff.core.state import AppState
from bff.subscriptions import service as subscriptions
from bff.webhooks.errors import WebhookUnauthorized
from bff.webhooks.schemas import WebhookAck, WhmcsEvent
from integrations.errors import UpstreamError

log = structlog.get_logger("bff.webhooks")

INVOICE_EVENTS = frozenset(
    {
        "InvoicePaid",
        "InvoiceCreated",
        "InvoiceCreation",
        "InvoiceUnpaid",
        "InvoiceCancelled",
        "InvoiceRefunded",
        "AddInvoicePayment",
        "InvoicePaymentReminder",
    }
)
SERVICE_EVENTS = frozenset(
    {
        "ServiceStatusChange",
        "AfterModuleCreate",
        "AfterModuleSuspend",
        "AfterModuleUnsuspend",
        "AfterModuleTerminate",
        "AfterModuleChangePackage",
        "CancellationRequest",
        "AcceptOrder",
        "OrderPaid",
    }
)
CATALOG_EVENTS = frozenset({"ProductEdit", "ProductDelete", "CatalogUpdated"})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Signature`` a sender computes (also used by tests and the docs)."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    secret: str,
    tolerance_s: int,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> None:
    if not timestamp or not signature or not timestamp.isdigit():
        raise WebhookUnauthorized()
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_s:
        raise WebhookUnauthorized()
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.strip().removeprefix("sha256=").lower()):
        raise WebhookUnauthorized()


async def handle_whmcs(
    state: AppState, *, timestamp: str | None, signature: str | None, body: bytes
) -> WebhookAck:
    settings = state.settings
    verify(
        secret=settings.whmcs.webhook_secret.get_secret_value(),
        tolerance_s=settings.webhooks.tolerance_s,
        timestamp=timestamp,
        signature=signature,
        body=body,
    )
    try:
        event = WhmcsEvent.model_validate_json(body)
    except ValidationError:
        # Signed by WHMCS but unreadable: acknowledge (a retry would not help) and log.
        log.warning("webhook.unreadable_body")
        return WebhookAck(action="ignored")
    nonce = event.event_id or hashlib.sha256(body).hexdigest()
    fresh = await state.redis.set(
        f"bff:webhook:whmcs:{nonce}", timestamp or "", nx=True, ex=2 * settings.webhooks.tolerance_s
    )
    if not fresh:
        log.info("webhook.replayed", webhook_event=event.event)
        raise WebhookUnauthorized()
    return await _apply(state, event)


async def _apply(state: AppState, event: WhmcsEvent) -> WebhookAck:
    name = event.event
    if name in CATALOG_EVENTS:
        await invalidate_catalog(state)
    elif name in INVOICE_EVENTS or name in SERVICE_EVENTS:
        client_id = event.client_id or await _invoice_owner(state, event.invoice_id)
        if client_id is None:
            log.warning("webhook.no_customer", webhook_event=name)
            return WebhookAck(action="ignored")
        await billing.invalidate(state, client_id)
        if name in SERVICE_EVENTS:
            await subscriptions.invalidate(state, client_id)
    else:
        log.info("webhook.unknown_event", webhook_event=name)
        return WebhookAck(action="ignored")
    log.info("webhook.applied", webhook_event=name)
    return WebhookAck(action="invalidated")


async def _invoice_owner(state: AppState, invoice_id: str | None) -> str | None:
    if invoice_id is None:
        return None
    try:
        body = await state.providers.whmcs.call(
            "GetInvoice", {"invoiceid": invoice_id}, idempotent=True
        )
    except UpstreamError as error:
        log.warning("webhook.owner_lookup_failed", error_type=type(error).__name__)
        return None
    owner = body.get("userid")
    return str(owner) if owner is not None else None
