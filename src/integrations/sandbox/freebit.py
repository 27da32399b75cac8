"""Freebit sandbox implementing the team proposal in reference/freebit.md.

Every call is ``POST <path>/`` with one form field ``json`` holding a JSON string; every
answer is HTTP 200 with the ``resultCode`` envelope. Asynchronous operations (suspend /
resume, eSIM reissue, voice options, opening a line) answer ``"100"`` at once, lock the
line for ``async_delay_seconds`` (a second request meanwhile fails with ``400-201`` "line
locked") and apply the change when the delay is over. ``POST /_sandbox/authkeys/expire``
makes every issued ``authKey`` invalid.

New lines (``addKind`` ``"N"`` on ``mvno/ota/addAcnt/`` for physical SIMs and on
``mvno/esim/addAcnt/`` for eSIMs) get the next sandbox MSISDN (``070…``) and ICCID, are
in state ``"00"`` ✱ (activating) until the delay is over, then ``"10"`` (active). The
request's ``orderRef`` ✱ is kept: ``getAcnt`` finds the line by ``{"orderRef": ...}``,
and a second request with the same ``orderRef`` is ``400-201`` while the first is in
progress and ``400-356`` after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.sandbox._control import SandboxControl
from integrations.sandbox.demo_data import CATALOG, DEMO_SERVICES, japan_today

__all__ = ["FreebitSandboxSettings", "create_freebit_app"]

ACTIVE, SUSPENDED, CANCEL_SCHEDULED, CANCELLED = "10", "20", "30", "40"
ACTIVATING = "00"
NEW_LINE, REISSUE = "N", "R"
FIRST_NEW_LINE = 70_000_001
FLAG_ON, FLAG_OFF = "10", "20"
PLANS = {p.plan_code: p for p in CATALOG if p.plan_code}
UNLIMITED_MB = 999999


@dataclass(frozen=True, slots=True)
class FreebitSandboxSettings:
    oem_id: str
    oem_key: str
    auth_key_lifetime_seconds: float = 3600.0
    async_delay_seconds: float = 1.0


class FreebitFault(Exception):
    def __init__(self, result_code: str, status_code: str, message: str) -> None:
        super().__init__(message)
        self.result_code = result_code
        self.status_code = status_code
        self.message = message


@dataclass
class Line:
    account: str
    iccid: str
    product_number: str
    eid: str | None
    sim_type: str
    plan_code: str
    start_date: dt.date
    state: str = ACTIVE
    contract_line: str = "5G"
    talk_option: dict[str, str] = field(default_factory=dict)
    added_mb: int = 0
    next_plan_code: str | None = None
    next_plan_date: str | None = None
    locked_until: float = 0.0
    pending: list[Callable[[Line], None]] = field(default_factory=list)
    quota_ids: int = 0
    order_ref: str | None = None

    def settle(self) -> None:
        """Apply asynchronous operations whose delay is over."""
        if self.pending and time.monotonic() >= self.locked_until:
            for apply in self.pending:
                apply(self)
            self.pending.clear()


def _daily_usage(account: str, day: dt.date) -> int:
    digest = hashlib.sha256(f"{account}:{day.isoformat()}".encode()).digest()
    return 20 + int.from_bytes(digest[:2], "big") % 280


def _base_mb(plan_code: str) -> int:
    cap = PLANS[plan_code].data_cap_mb if plan_code in PLANS else None
    return cap if cap is not None else UNLIMITED_MB


class _Operator:
    def __init__(self, settings: FreebitSandboxSettings, today: dt.date) -> None:
        self.settings = settings
        self.today = today
        self.reset()

    def reset(self) -> None:
        self.auth_keys: dict[str, float] = {}
        self.lines: dict[str, Line] = {}
        self.opened = 0  # lines opened since the seed: numbers the next MSISDN / ICCID
        for s in DEMO_SERVICES:
            if s.msisdn is None or s.iccid is None or s.product_number is None:
                continue
            product = next(p for p in CATALOG if p.pid == s.pid)
            assert product.plan_code is not None
            self.lines[s.msisdn] = Line(
                account=s.msisdn, iccid=s.iccid, product_number=s.product_number, eid=s.eid,
                sim_type=product.sim_type or "physical", plan_code=product.plan_code,
                start_date=self.today - dt.timedelta(days=s.registered_days_ago),
                talk_option={"voiceMail": FLAG_ON if s.client_id == 1 else FLAG_OFF,
                             "callWaiting": FLAG_OFF, "callTransfer": FLAG_OFF,
                             "internationalCall": FLAG_OFF},
            )  # fmt: skip

    # -- helpers -----------------------------------------------------------------------

    def check_auth(self, body: dict[str, object]) -> None:
        expiry = self.auth_keys.get(str(body.get("authKey", "")))
        if expiry is None or expiry < time.monotonic():
            raise FreebitFault("200", "210", "認証キーが無効です")

    def line(self, body: dict[str, object], *, for_update: bool = False) -> Line:
        account = body.get("account")
        if not isinstance(account, str) or not account:
            raise FreebitFault("300", "301", "必須項目が不足しています: account")
        line = self.lines.get(account)
        if line is None or line.state == CANCELLED:
            raise FreebitFault("400", "400-101", "該当する回線が存在しません")
        line.settle()
        if for_update and line.pending:
            raise FreebitFault("400", "400-201", "回線は処理中です")
        return line

    def schedule(self, line: Line, apply: Callable[[Line], None]) -> None:
        line.locked_until = time.monotonic() + self.settings.async_delay_seconds
        line.pending.append(apply)
        if self.settings.async_delay_seconds <= 0:
            line.settle()

    def used_this_month(self, line: Line) -> int:
        start = max(self.today.replace(day=1), line.start_date)
        days = (self.today - start).days + 1
        return sum(_daily_usage(line.account, start + dt.timedelta(days=n)) for n in range(days))

    def quota(self, line: Line) -> dict[str, str]:
        base = _base_mb(line.plan_code)
        remaining = max(0, base + line.added_mb - self.used_this_month(line))
        month_end = (self.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return {"remainingMb": str(remaining), "baseMb": str(base),
                "addedMb": str(line.added_mb),
                "expire": (month_end - dt.timedelta(days=1)).strftime("%Y%m%d")}  # fmt: skip

    # -- operations ----------------------------------------------------------------------

    def auth(self, body: dict[str, object]) -> dict[str, object]:
        if not (
            secrets.compare_digest(str(body.get("oemId", "")), self.settings.oem_id)
            and secrets.compare_digest(str(body.get("oemKey", "")), self.settings.oem_key)
        ):
            raise FreebitFault("200", "211", "OEM IDまたはOEMキーが正しくありません")
        key = secrets.token_hex(16)
        lifetime = self.settings.auth_key_lifetime_seconds
        self.auth_keys[key] = time.monotonic() + lifetime
        expire = dt.datetime.now() + dt.timedelta(seconds=lifetime)
        return {"authKey": key, "expire": expire.strftime("%Y%m%d%H%M%S")}

    def detail(self, body: dict[str, object]) -> dict[str, object]:
        requests = body.get("requestDatas")
        if (
            not isinstance(requests, list)
            or len(requests) != 1
            or not isinstance(requests[0], dict)
        ):
            raise FreebitFault("300", "302", "requestDatas は1件で指定してください")
        wanted = requests[0]
        for key, attr in (("iccid", "iccid"), ("orderRef", "order_ref")):
            if key not in wanted:
                continue
            match = next(
                (ln for ln in self.lines.values() if getattr(ln, attr) == wanted[key]), None
            )
            if match is None:
                raise FreebitFault("400", "400-101", "該当する回線が存在しません")
            wanted = {"account": match.account}
        line = self.line(wanted)
        plan = PLANS.get(line.plan_code)
        data: dict[str, object] = {
            "kind": "MVNO", "account": line.account, "iccid": line.iccid,
            "productNumber": line.product_number, "simType": line.sim_type,
            "planCode": line.plan_code, "planName": plan.name if plan else line.plan_code,
            "state": line.state, "contractLine": line.contract_line,
            "startDate": line.start_date.strftime("%Y%m%d"),
            "talkOption": dict(line.talk_option), "quota": self.quota(line),
            "nextPlanCode": line.next_plan_code or "", "nextPlanDate": line.next_plan_date or "",
        }  # fmt: skip
        if line.eid:
            data["eid"] = line.eid
        return {"responseDatas": [data]}

    def traffic(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body)
        recent = [self.today - dt.timedelta(days=n) for n in range(3)]
        quota = self.quota(line)
        return {"account": line.account, "traffic": {
            "todayMb": str(_daily_usage(line.account, self.today)),
            "inRecentDays": [{"date": d.strftime("%Y%m%d"),
                              "usedMb": str(_daily_usage(line.account, d))} for d in recent],
            "thisMonthMb": str(self.used_this_month(line)),
            "remainingMb": quota["remainingMb"],
            "blackList": FLAG_ON if quota["remainingMb"] == "0" else FLAG_OFF,
        }}  # fmt: skip

    def history(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body)
        try:
            first = dt.datetime.strptime(str(body.get("fromMonth")), "%Y%m").date()
            last = dt.datetime.strptime(str(body.get("toMonth")), "%Y%m").date()
        except ValueError:
            raise FreebitFault("300", "302", "fromMonth/toMonth の形式が不正です") from None
        rows: list[dict[str, str]] = []
        month = first
        while month <= last and len(rows) < 24:
            end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            days = [month + dt.timedelta(days=n) for n in range((end - month).days)]
            used = sum(
                _daily_usage(line.account, d) for d in days if line.start_date <= d <= self.today
            )
            rows.append({"month": month.strftime("%Y%m"), "usedMb": str(used),
                         "addedMb": str(line.added_mb if month.month == self.today.month
                                        and month.year == self.today.year else 0)})  # fmt: skip
            month = end
        return {"account": line.account, "history": rows}

    def add_spec(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body, for_update=True)
        raw = str(body.get("quota", ""))
        if not raw.isdigit() or not 1 <= int(raw) <= 512000:
            raise FreebitFault("300", "302", "quota の値が不正です")
        if line.state != ACTIVE:
            raise FreebitFault("400", "400-356", "利用停止中の回線には追加できません")
        line.added_mb += int(raw)
        line.quota_ids += 1
        return {"quotaId": f"Q{line.account[-4:]}{line.quota_ids:06d}"}

    def change_plan(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body, for_update=True)
        plan_code = str(body.get("planCode", ""))
        if plan_code not in PLANS or PLANS[plan_code].sim_type != line.sim_type:
            raise FreebitFault("400", "400-356", "指定されたプランには変更できません")
        next_month = (self.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if str(body.get("runTime", "")) != next_month.strftime("%Y%m%d"):
            raise FreebitFault("300", "302", "runTime は翌月1日を指定してください")
        line.next_plan_code = plan_code
        line.next_plan_date = next_month.strftime("%Y%m%d")
        return {"reserveId": f"R{line.account[-4:]}{next_month:%Y%m}"}

    def change_state(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body, for_update=True)
        target = str(body.get("state", ""))
        allowed = {SUSPENDED: ACTIVE, ACTIVE: SUSPENDED}  # target -> required current state
        if target not in allowed:
            raise FreebitFault("300", "302", "state の値が不正です")
        if line.state != allowed[target]:
            raise FreebitFault("400", "400-356", "現在の状態では変更できません")
        self.schedule(line, lambda ln: setattr(ln, "state", target))
        return {}

    def change_talk_option(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body, for_update=True)
        options = body.get("talkOption")
        if not isinstance(options, dict) or not options:
            raise FreebitFault("300", "301", "talkOption を指定してください")
        if any(v not in (FLAG_ON, FLAG_OFF) for v in options.values()):
            raise FreebitFault("300", "302", "talkOption の値が不正です")
        changes = {str(k): str(v) for k, v in options.items()}
        self.schedule(line, lambda ln: ln.talk_option.update(changes))
        return {"orderId": f"T{line.account[-4:]}{secrets.randbelow(10**6):06d}"}

    def cancel(self, body: dict[str, object]) -> dict[str, object]:
        line = self.line(body, for_update=True)
        line.state = CANCEL_SCHEDULED
        return {}

    def open_line(self, body: dict[str, object], sim_type: str) -> dict[str, object]:
        if body.get("addKind") != NEW_LINE:
            raise FreebitFault("400", "400-356", "サンドボックスは新規(N)のみ対応しています")
        plan_code = str(body.get("planCode", ""))
        if plan_code not in PLANS or PLANS[plan_code].sim_type != sim_type:
            raise FreebitFault("400", "400-356", "指定されたプランでは開通できません")
        order_ref = body.get("orderRef")
        if order_ref is not None:
            existing = next((ln for ln in self.lines.values() if ln.order_ref == order_ref), None)
            if existing is not None:
                existing.settle()
                if existing.pending:
                    raise FreebitFault("400", "400-201", "回線は処理中です")
                raise FreebitFault("400", "400-356", "この注文の回線は開通済みです")
        n = FIRST_NEW_LINE + self.opened
        self.opened += 1
        line = Line(
            account=f"070{n:08d}", iccid=f"89811000{n:011d}",
            product_number=f"{'ES' if sim_type == 'esim' else 'AX'}{n:013d}", eid=None,
            sim_type=sim_type, plan_code=plan_code, start_date=self.today, state=ACTIVATING,
            talk_option={"voiceMail": FLAG_OFF, "callWaiting": FLAG_OFF,
                         "callTransfer": FLAG_OFF, "internationalCall": FLAG_OFF},
            order_ref=str(order_ref) if order_ref is not None else None,
        )  # fmt: skip
        self.lines[line.account] = line
        self.schedule(line, lambda ln: setattr(ln, "state", ACTIVE))
        answer: dict[str, object] = {
            "account": line.account, "iccid": line.iccid, "productNumber": line.product_number,
        }  # fmt: skip
        if sim_type == "esim":
            answer["activationCode"] = f"LPA:1$smdp.sandbox.example.jp${secrets.token_hex(8)}"
        return answer

    def ota(self, body: dict[str, object]) -> dict[str, object]:
        return self.open_line(body, "physical")

    def esim(self, body: dict[str, object]) -> dict[str, object]:
        if body.get("addKind") == NEW_LINE:
            return self.open_line(body, "esim")
        if body.get("addKind") != REISSUE:
            raise FreebitFault("400", "400-356", "addKind は N または R を指定してください")
        line = self.line(body, for_update=True)
        if line.sim_type != "esim":
            raise FreebitFault("400", "400-356", "eSIMではない回線です")
        new_eid = str(body.get("eid", ""))
        if len(new_eid) != 32 or not new_eid.isdigit():
            raise FreebitFault("300", "302", "eid の形式が不正です")
        matching_id = secrets.token_hex(8).upper()
        self.schedule(line, lambda ln: setattr(ln, "eid", new_eid))
        return {"activationCode": f"LPA:1$smdp.sandbox.example.jp${matching_id}"}


def _error_response(status: int) -> Response:
    headers = {"Retry-After": "1"} if status == 503 else None
    return Response("Service Temporarily Unavailable", status, headers=headers)


def _envelope(result_code: str, status_code: str, message: str) -> dict[str, object]:
    return {"resultCode": result_code, "status": {"message": message, "statusCode": status_code}}


def create_freebit_app(
    settings: FreebitSandboxSettings, *, today: dt.date | None = None
) -> Starlette:
    operator = _Operator(settings, today or japan_today())
    control = SandboxControl(reset_state=operator.reset)
    operations: dict[str, tuple[Callable[[dict[str, object]], dict[str, object]], bool]] = {
        "/emptool/api/authOem/": (operator.auth, False),
        "/emptool/api/master/getAcnt/": (operator.detail, True),
        "/emptool/api/mvno/getTrafficInfo/": (operator.traffic, True),
        "/emptool/api/mvno/getTrafficHistory/": (operator.history, True),
        "/emptool/api/master/addSpec/": (operator.add_spec, True),
        "/emptool/api/mvno/changePlan/": (operator.change_plan, True),
        "/emptool/api/mvno/talkoption/changeOrder/": (operator.change_talk_option, True),
        "/emptool/api/mvno/changeState/": (operator.change_state, True),
        "/emptool/api/master/cnclAcnt/": (operator.cancel, True),
        "/emptool/api/mvno/esim/addAcnt/": (operator.esim, True),
        "/emptool/api/mvno/ota/addAcnt/": (operator.ota, True),
    }

    async def endpoint(request: Request) -> Response:
        path = request.url.path
        control.record(request, path)
        faulted = await control.intercept(request, action=None, error_response=_error_response)
        if faulted is not None:
            return faulted
        handler, needs_auth = operations[path]
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            body = json.loads(form.get("json", ""))
            if not isinstance(body, dict):
                raise FreebitFault("300", "302", "json の形式が不正です")
            if needs_auth:
                operator.check_auth(body)
            payload = handler(body)
        except ValueError:
            return JSONResponse(_envelope("300", "302", "json の形式が不正です"))
        except FreebitFault as fault:
            return JSONResponse(_envelope(fault.result_code, fault.status_code, fault.message))
        return JSONResponse({**_envelope("100", "200", "OK"), **payload})

    async def expire_auth_keys(_: Request) -> Response:
        operator.auth_keys.clear()
        return Response(status_code=204)

    extra = [Route("/_sandbox/authkeys/expire", expire_auth_keys, methods=["POST"])]
    routes = [Route(path, endpoint, methods=["POST"]) for path in operations]
    app = Starlette(routes=[*routes, *control.routes(extra)])
    app.state.control = control
    app.state.operator = operator
    return app
