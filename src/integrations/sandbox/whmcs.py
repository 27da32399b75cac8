"""WHMCS sandbox: ``POST /includes/api.php`` speaking the External API's form/JSON format,
plus the ``/_sandbox/`` control API. Actions live in ``_whmcs_actions``, state in
``_whmcs_state``."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.sandbox._control import SandboxControl
from integrations.sandbox._forms import read_form
from integrations.sandbox._whmcs_actions import ACTIONS, ActionError
from integrations.sandbox._whmcs_state import WhmcsState
from integrations.sandbox.demo_data import japan_today

__all__ = ["WhmcsSandboxCredentials", "create_whmcs_app"]


@dataclass(frozen=True, slots=True)
class WhmcsSandboxCredentials:
    identifier: str
    secret: str
    access_key: str | None = None


# --- app --------------------------------------------------------------------------------


def _error_response(status: int) -> Response:
    headers = {"Retry-After": "1"} if status == 503 else {}
    return Response(
        f"<html><body><h1>{status} Error</h1></body></html>",
        status_code=status,
        media_type="text/html",
        headers=headers,
    )


def create_whmcs_app(
    credentials: WhmcsSandboxCredentials, *, today: dt.date | None = None
) -> Starlette:
    """The WHMCS sandbox as an ASGI app (state lives in the app instance)."""
    seed_day = today or japan_today()
    holder = {"state": WhmcsState.seeded(seed_day)}

    def reset() -> None:
        holder["state"] = WhmcsState.seeded(seed_day)

    control = SandboxControl(reset_state=reset)

    async def api(request: Request) -> Response:
        form = await read_form(request)
        action = form.get("action")
        control.record(request, action or "(none)")
        faulted = await control.intercept(request, action=action, error_response=_error_response)
        if faulted is not None:
            return faulted
        if not (
            secrets.compare_digest(form.get("identifier"), credentials.identifier)
            and secrets.compare_digest(form.get("secret"), credentials.secret)
        ):
            return JSONResponse({"result": "error", "message": "Authentication Failed"})
        if credentials.access_key is not None and not secrets.compare_digest(
            form.get("accesskey"), credentials.access_key
        ):
            return JSONResponse({"result": "error", "message": "Invalid IP 127.0.0.1"})
        if form.get("responsetype", "xml").lower() != "json":
            return Response("<whmcsapi><result>error</result></whmcsapi>", media_type="text/xml")
        handler = ACTIONS.get(action.lower())
        if handler is None:
            return JSONResponse({"result": "error", "message": "Command Not Found"})
        try:
            payload = handler(holder["state"], form)
        except ActionError as exc:
            return JSONResponse({"result": "error", "message": str(exc)})
        except ValueError:
            return JSONResponse({"result": "error", "message": "Invalid parameter format"})
        return JSONResponse({"result": "success", **payload})

    app = Starlette(routes=[Route("/includes/api.php", api, methods=["POST"]), *control.routes()])
    app.state.control = control
    app.state.holder = holder
    return app
