"""`/api/webhooks/whmcs`: call-outs from WHMCS hooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from bff.core.problems import problem_responses
from bff.core.state import AppStateDep
from bff.webhooks import service
from bff.webhooks.errors import WebhookUnauthorized
from bff.webhooks.schemas import WebhookAck, WhmcsEvent

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


@router.post(
    "/whmcs",
    summary="Receive a WHMCS hook event",
    description="Body `{event, eventId?, occurredAt, clientId?, invoiceId?, serviceId?}`. "
    "`X-Timestamp` (Unix seconds, within 5 min) and `X-Signature` = hex HMAC-SHA256 of "
    '`"<X-Timestamp>." + raw body` with the shared secret. A bad signature, a stale '
    "timestamp or a replayed event id is 401 `webhook.unauthorized`. Invoice events "
    "(InvoicePaid, InvoiceCreated, ...) drop the customer's cached billing, service events "
    "(ServiceStatusChange, AfterModule*, ...) their cached services, product events the "
    "catalog. Unknown events are acknowledged (`action: ignored`) and logged.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": WhmcsEvent.model_json_schema()}},
        }
    },
    responses=problem_responses(WebhookUnauthorized),
)
async def whmcs_webhook(
    request: Request,
    state: AppStateDep,
    x_timestamp: Annotated[str | None, Header(alias="X-Timestamp")] = None,
    x_signature: Annotated[str | None, Header(alias="X-Signature")] = None,
) -> WebhookAck:
    return await service.handle_whmcs(
        state, timestamp=x_timestamp, signature=x_signature, body=await request.body()
    )
