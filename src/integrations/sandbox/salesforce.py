"""Salesforce sandbox: OAuth 2.0 JWT bearer token endpoint and the REST API subset the
portal uses (query + ``nextRecordsUrl``, sObject create/get/update, sObject collections,
composite), with Salesforce's error arrays and ``Sforce-Limit-Info`` header.

Control API extras: ``POST /_sandbox/orders/{id}/approve`` (Status -> Approved, what an
admin does in the org) and ``POST /_sandbox/tokens/expire`` (every issued access token
becomes invalid, to exercise the client's refresh-once path).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.sandbox._control import SandboxControl
from integrations.sandbox._sf_store import SalesforceFault, SObjectStore, format_datetime
from integrations.sandbox._soql import execute, parse, project_record
from integrations.sandbox.demo_data import (
    AGENT_USER_ID,
    CATALOG,
    DEMO_CASES,
    DEMO_CUSTOMERS,
    HANAKO,
    INTEGRATION_USER_ID,
    TARO,
    DemoCustomer,
    DemoProduct,
    sf_id,
)

__all__ = ["SalesforceSandboxSettings", "create_salesforce_app"]

ORG_ID = "00D5g000000SBOXEAA"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
STANDARD_PRICEBOOK_ID = sf_id("01s", 1)
API_DAILY_LIMIT = 15000


@dataclass(frozen=True, slots=True)
class SalesforceSandboxSettings:
    public_key_pem: str
    consumer_key: str
    username: str
    audience: str = "https://login.salesforce.com"
    token_lifetime_seconds: float = 7200.0
    query_batch_size: int = 2000


@dataclass
class _Tokens:
    issued: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    requests: int = 0


def _seed(store: SObjectStore, today: dt.date) -> None:
    def at(days_ago: int) -> str:
        moment = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(1, 0))
        return format_datetime(moment.replace(tzinfo=dt.UTC))

    def create(sobject: str, **values: object) -> str:
        return store.create(sobject, values, seeding=True)

    create(
        "User",
        Id=INTEGRATION_USER_ID,
        Name="Portal Integration",
        Username="integration@portal.example.jp",
        Email="integration@portal.example.jp",
    )
    create("User", Id=AGENT_USER_ID, Name="Support Agent", Username="agent@mvno.example.jp",
           Email="agent@mvno.example.jp")  # fmt: skip
    store.counters["User"] = 2
    for c in DEMO_CUSTOMERS:
        _seed_customer(store, c, at(400))
    create("Pricebook2", Id=STANDARD_PRICEBOOK_ID, Name="Standard Price Book", IsActive=True,
           IsStandard=True)  # fmt: skip
    store.counters["Pricebook2"] = 1
    entries: dict[str, str] = {}
    entry_no = 0
    for n, p in enumerate(CATALOG, start=1):
        product_id = create(
            "Product2", Id=sf_id("01t", n), Name=p.name, ProductCode=p.sku,
            Family=_FAMILIES[p.category], IsActive=p.active, Description=p.description,
            Portal_Catalog__c=p.active, WHMCS_Product_Id__c=str(p.pid),
            Portal_Attributes__c=json.dumps(_attributes(p), ensure_ascii=False),
            CreatedDate=at(900),
        )  # fmt: skip
        for cycle, price in (("Monthly", p.monthly), ("Annually", p.annually),
                             ("One-time", p.one_time)):  # fmt: skip
            if price is None:
                continue
            entry_no += 1
            entry_id = create(
                "PricebookEntry", Id=sf_id("01u", entry_no), Pricebook2Id=STANDARD_PRICEBOOK_ID,
                Product2Id=product_id, UnitPrice=float(price), IsActive=p.active,
                UseStandardPrice=False, CurrencyIsoCode="JPY", Billing_Cycle__c=cycle,
                CreatedDate=at(900),
            )  # fmt: skip
            entries.setdefault(p.sku, entry_id)
    store.counters["Product2"] = len(CATALOG)
    store.counters["PricebookEntry"] = entry_no
    orders = [
        (TARO, 540, "Activated", "1", ["SIM-VOICE-10G", "OPT-VOICEMAIL"], None),
        (HANAKO, 730, "Activated", "2", ["SIM-VOICE-20G", "SIM-ESIM-10G"], None),
        (HANAKO, 700, "Activated", "3", ["NET-HIKARI-1G", "VPN-BASIC"], None),
        (HANAKO, 40, "Failed", None, ["NET-HIKARI-10G"],
         "提供エリア外のため開通できませんでした"),
        (HANAKO, 1, "Draft", None, ["VPN-PRO"], None),
    ]  # fmt: skip
    prices = {p.sku: p.monthly or p.one_time for p in CATALOG}
    for customer, days_ago, status, whmcs_id, skus, reason in orders:
        order_id = store.create("Order", {
            "AccountId": customer.account_id, "EffectiveDate": (
                today - dt.timedelta(days=days_ago)).isoformat(),
            "Status": "Draft", "Pricebook2Id": STANDARD_PRICEBOOK_ID, "Type": "New",
            "CurrencyIsoCode": "JPY", "BillToContactId": customer.contact_id,
            "CreatedDate": at(days_ago),
        }, seeding=True)  # fmt: skip
        for sku in skus:
            store.create("OrderItem", {
                "OrderId": order_id, "PricebookEntryId": entries[sku], "Quantity": 1.0,
                "UnitPrice": float(prices[sku] or 0), "Billing_Cycle__c": "Monthly",
                "CreatedDate": at(days_ago),
            }, seeding=True)  # fmt: skip
        order = store.table("Order")[order_id]
        order.update(Status=status, StatusCode="Activated" if status == "Activated" else "Draft",
                     WHMCS_Order_Id__c=whmcs_id, Failure_Reason__c=reason)  # fmt: skip
    for case in DEMO_CASES:
        case_id = store.create("Case", {
            "Subject": case.subject, "Description": case.description, "Status": case.status,
            "Priority": case.priority, "Origin": "Web", "Type": case.category,
            "ContactId": case.customer.contact_id, "AccountId": case.customer.account_id,
            "CreatedDate": at(case.days_ago),
        }, seeding=True)  # fmt: skip
        record = store.table("Case")[case_id]
        record["CaseNumber"] = case.number
        if case.status == "Closed":
            record["ClosedDate"] = at(max(case.days_ago - 3, 0))
        for comment in case.comments:
            store.create("CaseComment", {
                "ParentId": case_id, "CommentBody": comment.body,
                "IsPublished": comment.published, "CreatedDate": at(comment.days_ago),
                "CreatedById": AGENT_USER_ID if comment.by_agent else INTEGRATION_USER_ID,
            }, seeding=True)  # fmt: skip


_FAMILIES = {"sim": "SIM", "internet": "Internet", "vpn": "VPN", "option": "Option"}


def _attributes(product: DemoProduct) -> dict[str, object]:
    """``Portal_Attributes__c``: product facts the portal shows or needs (JSON text)."""
    attributes: dict[str, object] = {"setupFee": f"{product.setup_fee:.2f}"}
    if product.plan_code is not None:
        attributes["planCode"] = product.plan_code
        attributes["simType"] = product.sim_type or "physical"
        attributes["dataCapMb"] = product.data_cap_mb if product.data_cap_mb else "unlimited"
        attributes["topUpSizesMb"] = ["1024", "3072"]
    elif product.data_cap_mb is not None:
        attributes["quotaMb"] = product.data_cap_mb
    return attributes


def _seed_customer(store: SObjectStore, c: DemoCustomer, created: str) -> None:
    store.create("Account", {
        "Id": c.account_id, "Name": f"{c.last_name} {c.first_name}",
        "AccountNumber": f"C{c.client_id:06d}", "Phone": c.phone,
        "BillingStreet": f"{c.street} {c.building}".strip(), "BillingCity": c.city,
        "BillingState": c.prefecture, "BillingPostalCode": c.postcode, "BillingCountry": "JP",
        "OwnerId": INTEGRATION_USER_ID, "WHMCS_Client_Id__c": str(c.client_id),
        "CreatedDate": created,
    }, seeding=True)  # fmt: skip
    store.create("Contact", {
        "Id": c.contact_id, "AccountId": c.account_id, "FirstName": c.first_name,
        "LastName": c.last_name, "Email": c.email, "MobilePhone": c.phone,
        "MailingStreet": c.street, "MailingCity": c.city, "MailingState": c.prefecture,
        "MailingPostalCode": c.postcode, "MailingCountry": "JP", "CreatedDate": created,
    }, seeding=True)  # fmt: skip
    store.counters["Account"] = store.counters["Contact"] = c.client_id


def _errors(fault: SalesforceFault) -> JSONResponse:
    return JSONResponse([fault.as_error()], status_code=fault.status)


_FAULT_CODES = {500: "UNKNOWN_EXCEPTION", 503: "SERVER_UNAVAILABLE", 401: "INVALID_SESSION_ID",
                403: "REQUEST_LIMIT_EXCEEDED", 404: "NOT_FOUND"}  # fmt: skip


def _error_response(status: int) -> Response:
    code = _FAULT_CODES.get(status, "UNKNOWN_EXCEPTION")
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(
        [{"message": "Injected sandbox fault", "errorCode": code}], status, headers=headers
    )


class _Org:
    """The sandbox org: store, tokens, query locators."""

    def __init__(self, settings: SalesforceSandboxSettings, today: dt.date) -> None:
        self.settings = settings
        self.today = today
        self.reset()

    def reset(self) -> None:
        seed_time = dt.datetime.combine(self.today, dt.time(0, 0), tzinfo=dt.UTC)
        self.store = SObjectStore(clock=seed_time, current_user=INTEGRATION_USER_ID)
        _seed(self.store, self.today)
        self.tokens = _Tokens()
        self.locators: dict[str, list[dict[str, object]]] = {}
        self.locator_ids = itertools.count(1)
        self.api_usage = 0

    def issue_token(self) -> str:
        token = f"{ORG_ID[:15]}!{secrets.token_urlsafe(32)}"
        self.tokens.issued[token] = time.monotonic() + self.settings.token_lifetime_seconds
        return token

    def check_token(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        expiry = self.tokens.issued.get(token)
        if expiry is None or expiry < time.monotonic():
            raise SalesforceFault(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def verify_assertion(self, assertion: str) -> str | None:
        """Return an OAuth error description, or None when the assertion is valid."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return "invalid assertion"
        if header.get("alg") != "RS256":
            return "invalid assertion"
        try:
            claims = jwt.decode(
                assertion, self.settings.public_key_pem, algorithms=["RS256"],
                options={"verify_aud": False, "verify_iss": False,
                         "require": ["exp", "iss", "sub", "aud"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            return "expired authorization code"
        except jwt.PyJWTError:
            return "invalid assertion"
        if claims.get("aud") != self.settings.audience:
            return "audience is invalid"
        if claims.get("iss") != self.settings.consumer_key:
            return "invalid_client_id"
        if claims.get("sub") != self.settings.username:
            return "user hasn't approved this consumer"
        if float(claims["exp"]) > time.time() + 300:  # must be within 3 minutes (+ skew)
            return "expired authorization code"
        return None


def create_salesforce_app(  # noqa: PLR0915 - a route table of small closures over one org
    settings: SalesforceSandboxSettings, *, today: dt.date | None = None
) -> Starlette:
    org = _Org(settings, today or dt.date.today())
    control = SandboxControl(reset_state=org.reset)

    def limit_headers() -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={org.api_usage}/{API_DAILY_LIMIT}"}

    def rest(
        handler: Callable[[Request], object],
    ) -> Callable[[Request], object]:
        async def endpoint(request: Request) -> Response:
            control.record(request, _call_key(request.url.path))
            faulted = await control.intercept(request, action=None, error_response=_error_response)
            if faulted is not None:
                return faulted
            try:
                org.check_token(request)
                org.api_usage += 1
                result = await handler(request)  # type: ignore[misc]
            except SalesforceFault as fault:
                response: Response = _errors(fault)
            else:
                response = result if isinstance(result, Response) else JSONResponse(result)
            response.headers.update(limit_headers())
            return response

        return endpoint

    async def token(request: Request) -> Response:
        control.record(request, "/services/oauth2/token")
        faulted = await control.intercept(request, action=None, error_response=_error_response)
        if faulted is not None:
            return faulted
        org.tokens.requests += 1
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != JWT_GRANT:
            return JSONResponse(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
                400,
            )
        problem = org.verify_assertion(form.get("assertion", ""))
        if problem == "invalid_client_id":
            return JSONResponse(
                {"error": "invalid_client_id", "error_description": "client identifier invalid"},
                400,
            )
        if problem is not None:
            return JSONResponse({"error": "invalid_grant", "error_description": problem}, 400)
        instance = str(request.base_url).rstrip("/")
        return JSONResponse({
            "access_token": org.issue_token(), "scope": "api",
            "instance_url": instance, "id": f"{instance}/id/{ORG_ID}/{INTEGRATION_USER_ID}",
            "token_type": "Bearer", "issued_at": str(int(time.time() * 1000)),
        })  # fmt: skip

    def page(records: list[dict[str, object]], total: int, version: str) -> dict[str, object]:
        size = settings.query_batch_size
        body: dict[str, object] = {"totalSize": total, "done": True, "records": records[:size]}
        if len(records) > size:
            locator = f"01gSB{next(org.locator_ids):013d}"
            org.locators[locator] = records
            body["done"] = False
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{size}"
        return body

    async def query(request: Request) -> object:
        version = request.path_params["version"]
        soql = request.query_params.get("q")
        if not soql:
            raise SalesforceFault(400, "MALFORMED_QUERY", "q parameter is required")
        total, records = execute(org.store, parse(soql, today=org.today), version=version)
        return page(records, total, version)

    async def query_more(request: Request) -> object:
        version = request.path_params["version"]
        match = re.fullmatch(r"(01gSB\d{13})-(\d+)", request.path_params["locator"])
        records = org.locators.get(match.group(1)) if match else None
        if match is None or records is None:
            raise SalesforceFault(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(match.group(2))
        size = settings.query_batch_size
        body: dict[str, object] = {
            "totalSize": len(records), "done": start + size >= len(records),
            "records": records[start : start + size],
        }  # fmt: skip
        if not body["done"]:
            body["nextRecordsUrl"] = (
                f"/services/data/{version}/query/{match.group(1)}-{start + size}"
            )
        return body

    async def json_body(request: Request) -> object:
        try:
            return json.loads(await request.body())
        except ValueError:
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Unexpected character") from None

    def create_one(sobject: str, body: object) -> dict[str, object]:
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        record_id = org.store.create(sobject, body)
        return {"id": record_id, "success": True, "errors": []}

    async def sobject_create(request: Request) -> object:
        result = create_one(request.path_params["sobject"], await json_body(request))
        return JSONResponse(result, status_code=201)

    async def sobject_get(request: Request) -> object:
        version = request.path_params["version"]
        sobject, record = org.store.get(request.path_params["sobject"], request.path_params["id"])
        wanted = request.query_params.get("fields")
        names = [f.strip() for f in wanted.split(",")] if wanted else list(record)
        return project_record(org.store, sobject, record, names, version=version)

    async def sobject_update(request: Request) -> object:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        org.store.update(request.path_params["sobject"], request.path_params["id"], body)
        return Response(status_code=204)

    def collection(records: object, all_or_none: bool, write: Callable[[dict[str, object]], str]
                   ) -> list[dict[str, object]]:  # fmt: skip
        if not isinstance(records, list) or len(records) > 200:
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "records must be a list of <= 200")
        snapshot = org.store.snapshot()
        results: list[dict[str, object]] = []
        failed = False
        for record in records:
            try:
                if not isinstance(record, dict):
                    raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
                results.append({"id": write(record), "success": True, "errors": []})
            except SalesforceFault as fault:
                failed = True
                results.append({"id": None, "success": False, "errors": [
                    {"statusCode": fault.code, "message": fault.message, "fields": fault.fields}
                ]})  # fmt: skip
        if failed and all_or_none:
            org.store.restore(snapshot)
            results = [
                r if not r["success"] else {"id": None, "success": False, "errors": [
                    {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                     "message": "Record rolled back because not all records were valid and "
                                "the request was using AllOrNone header", "fields": []}]}
                for r in results
            ]  # fmt: skip
        return results

    def record_type(record: dict[str, object]) -> str:
        attributes = record.get("attributes")
        if not isinstance(attributes, dict) or not isinstance(attributes.get("type"), str):
            raise SalesforceFault(400, "INVALID_TYPE", "Each record needs attributes.type")
        return str(attributes["type"])

    async def collection_create(request: Request) -> object:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        return collection(
            body.get("records"), bool(body.get("allOrNone")),
            lambda r: org.store.create(record_type(r), r),
        )  # fmt: skip

    async def collection_update(request: Request) -> object:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")

        def update(record: dict[str, object]) -> str:
            record_id = str(record.get("id") or record.get("Id") or "")
            values = {k: v for k, v in record.items() if k not in {"id", "Id"}}
            org.store.update(record_type(record), record_id, values)
            return record_id

        return collection(body.get("records"), bool(body.get("allOrNone")), update)

    async def composite(request: Request) -> object:
        version = request.path_params["version"]
        body = await json_body(request)
        subrequests = body.get("compositeRequest") if isinstance(body, dict) else None
        if not isinstance(subrequests, list) or not 0 < len(subrequests) <= 25:
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "compositeRequest: 1 to 25 items")
        all_or_none = bool(body.get("allOrNone")) if isinstance(body, dict) else False
        snapshot = org.store.snapshot()
        refs: dict[str, dict[str, object]] = {}
        responses: list[dict[str, object]] = []
        failed = False
        for sub in subrequests:
            ref_id = str(sub.get("referenceId", "")) if isinstance(sub, dict) else ""
            if failed and all_or_none:
                responses.append({"body": [{"errorCode": "PROCESSING_HALTED",
                                            "message": "The transaction was rolled back"}],
                                  "httpHeaders": {}, "httpStatusCode": 400,
                                  "referenceId": ref_id})  # fmt: skip
                continue
            try:
                status, payload = _composite_one(org, sub, refs, version)
            except SalesforceFault as fault:
                failed = True
                status, payload = fault.status, [fault.as_error()]
            if isinstance(payload, dict):
                refs[ref_id] = payload
            responses.append({"body": payload, "httpHeaders": {}, "httpStatusCode": status,
                              "referenceId": ref_id})  # fmt: skip
        if failed and all_or_none:
            org.store.restore(snapshot)
        return {"compositeResponse": responses}

    async def versions(_: Request) -> Response:
        return JSONResponse([{"label": "Spring '26", "url": "/services/data/v66.0",
                              "version": "66.0"}])  # fmt: skip

    async def approve(request: Request) -> Response:
        order = org.store.table("Order").get(request.path_params["id"])
        if order is None:
            return JSONResponse({"error": "order not found"}, 404)
        if order["Status"] != "Draft":
            return JSONResponse({"error": f"order is {order['Status']}, not Draft"}, 409)
        org.store.update("Order", str(order["Id"]), {"Status": "Approved"})
        return JSONResponse({"id": order["Id"], "status": "Approved"})

    async def expire_tokens(_: Request) -> Response:
        org.tokens.issued.clear()
        return Response(status_code=204)

    base = "/services/data/{version:str}"
    routes = [
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/data", versions, methods=["GET"]),
        Route(f"{base}/query", rest(query), methods=["GET"]),
        Route(f"{base}/query/{{locator:str}}", rest(query_more), methods=["GET"]),
        Route(f"{base}/sobjects/{{sobject:str}}", rest(sobject_create), methods=["POST"]),
        Route(f"{base}/sobjects/{{sobject:str}}/{{id:str}}", rest(sobject_get), methods=["GET"]),
        Route(f"{base}/sobjects/{{sobject:str}}/{{id:str}}", rest(sobject_update),
              methods=["PATCH"]),
        Route(f"{base}/composite/sobjects", rest(collection_create), methods=["POST"]),
        Route(f"{base}/composite/sobjects", rest(collection_update), methods=["PATCH"]),
        Route(f"{base}/composite", rest(composite), methods=["POST"]),
    ]  # fmt: skip
    extra = [
        Route("/_sandbox/orders/{id:str}/approve", approve, methods=["POST"]),
        Route("/_sandbox/tokens/expire", expire_tokens, methods=["POST"]),
    ]
    app = Starlette(routes=[*routes, *control.routes(extra)])
    app.state.control = control
    app.state.org = org
    return app


def _call_key(path: str) -> str:
    """Group the call log by resource: ``/services/data/v66.0/sobjects/Case/500…`` ->
    ``sobjects/Case``; queries -> ``query``."""
    match = re.match(r"^/services/data/v[\d.]+/(query|sobjects/\w+|composite/sobjects|composite)",
                     path)  # fmt: skip
    return match.group(1) if match else path


_SUB_URL = re.compile(r"^/services/data/v[\d.]+/sobjects/(\w+)(?:/(\w+))?$")
_REF = re.compile(r"@\{(\w+)\.(\w+)\}")


def _composite_one(
    org: _Org, sub: object, refs: dict[str, dict[str, object]], version: str
) -> tuple[int, object]:
    if not isinstance(sub, dict):
        raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")

    def resolve(value: object) -> object:
        if isinstance(value, str):

            def lookup(m: re.Match[str]) -> str:
                ref = refs.get(m.group(1))
                if ref is None or m.group(2) not in ref:
                    raise SalesforceFault(400, "INVALID_REFERENCE", "unknown reference")
                return str(ref[m.group(2)])

            return _REF.sub(lookup, value)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    url = str(resolve(sub.get("url", "")))
    match = _SUB_URL.match(url.split("?", maxsplit=1)[0])
    if match is None:
        raise SalesforceFault(400, "INVALID_URL", "unsupported composite subrequest URL")
    sobject, record_id = match.group(1), match.group(2)
    method = str(sub.get("method", "")).upper()
    body = resolve(sub.get("body"))
    if method == "POST" and record_id is None:
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        return 201, {"id": org.store.create(sobject, body), "success": True, "errors": []}
    if method == "PATCH" and record_id is not None:
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        org.store.update(sobject, record_id, body)
        return 204, None
    if method == "GET" and record_id is not None:
        obj, record = org.store.get(sobject, record_id)
        return 200, project_record(org.store, obj, record, list(record), version=version)
    raise SalesforceFault(405, "METHOD_NOT_ALLOWED", "unsupported composite method")
