"""REST resources of the Salesforce sandbox: query and query-more, sObject create/get/
update, sObject Collections, composite. Handlers return JSON-ready values or raise
``SalesforceFault``; the app wraps them with auth, faults and the limits header."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrations.sandbox._sf_org import Org, SalesforceSandboxSettings
from integrations.sandbox._sf_store import SalesforceFault
from integrations.sandbox._soql import parse
from integrations.sandbox._soql_eval import execute, project_record

__all__ = ["RestResources"]


class RestResources:
    def __init__(self, org: Org, settings: SalesforceSandboxSettings) -> None:
        self.org = org
        self.settings = settings

    def page(self, records: list[dict[str, object]], total: int, version: str) -> dict[str, object]:
        size = self.settings.query_batch_size
        body: dict[str, object] = {"totalSize": total, "done": True, "records": records[:size]}
        if len(records) > size:
            locator = f"01gSB{next(self.org.locator_ids):013d}"
            self.org.locators[locator] = records
            body["done"] = False
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{size}"
        return body

    async def query(self, request: Request) -> object:
        version = request.path_params["version"]
        soql = request.query_params.get("q")
        if not soql:
            raise SalesforceFault(400, "MALFORMED_QUERY", "q parameter is required")
        total, records = execute(self.org.store, parse(soql, today=self.org.today), version=version)
        return self.page(records, total, version)

    async def query_more(self, request: Request) -> object:
        version = request.path_params["version"]
        match = re.fullmatch(r"(01gSB\d{13})-(\d+)", request.path_params["locator"])
        records = self.org.locators.get(match.group(1)) if match else None
        if match is None or records is None:
            raise SalesforceFault(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(match.group(2))
        size = self.settings.query_batch_size
        body: dict[str, object] = {
            "totalSize": len(records), "done": start + size >= len(records),
            "records": records[start : start + size],
        }  # fmt: skip
        if not body["done"]:
            body["nextRecordsUrl"] = (
                f"/services/data/{version}/query/{match.group(1)}-{start + size}"
            )
        return body

    async def json_body(self, request: Request) -> object:
        try:
            return json.loads(await request.body())
        except ValueError:
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Unexpected character") from None

    def create_one(self, sobject: str, body: object) -> dict[str, object]:
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        record_id = self.org.store.create(sobject, body)
        return {"id": record_id, "success": True, "errors": []}

    async def sobject_create(self, request: Request) -> object:
        result = self.create_one(request.path_params["sobject"], await self.json_body(request))
        return JSONResponse(result, status_code=201)

    async def sobject_get(self, request: Request) -> object:
        version = request.path_params["version"]
        sobject, record = self.org.store.get(
            request.path_params["sobject"], request.path_params["id"]
        )
        wanted = request.query_params.get("fields")
        names = [f.strip() for f in wanted.split(",")] if wanted else list(record)
        return project_record(self.org.store, sobject, record, names, version=version)

    async def sobject_update(self, request: Request) -> object:
        body = await self.json_body(request)
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        self.org.store.update(request.path_params["sobject"], request.path_params["id"], body)
        return Response(status_code=204)

    def collection(
        self, records: object, all_or_none: bool, write: Callable[[dict[str, object]], str]
    ) -> list[dict[str, object]]:
        if not isinstance(records, list) or len(records) > 200:
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "records must be a list of <= 200")
        snapshot = self.org.store.snapshot()
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
            self.org.store.restore(snapshot)
            results = [
                r if not r["success"] else {"id": None, "success": False, "errors": [
                    {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                     "message": "Record rolled back because not all records were valid and "
                                "the request was using AllOrNone header", "fields": []}]}
                for r in results
            ]  # fmt: skip
        return results

    def record_type(self, record: dict[str, object]) -> str:
        attributes = record.get("attributes")
        if not isinstance(attributes, dict) or not isinstance(attributes.get("type"), str):
            raise SalesforceFault(400, "INVALID_TYPE", "Each record needs attributes.type")
        return str(attributes["type"])

    async def collection_create(self, request: Request) -> object:
        body = await self.json_body(request)
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        return self.collection(
            body.get("records"), bool(body.get("allOrNone")),
            lambda r: self.org.store.create(self.record_type(r), r),
        )  # fmt: skip

    async def collection_update(self, request: Request) -> object:
        body = await self.json_body(request)
        if not isinstance(body, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Expected a JSON object")

        def update(record: dict[str, object]) -> str:
            record_id = str(record.get("id") or record.get("Id") or "")
            values = {k: v for k, v in record.items() if k not in {"id", "Id"}}
            self.org.store.update(self.record_type(record), record_id, values)
            return record_id

        return self.collection(body.get("records"), bool(body.get("allOrNone")), update)

    async def composite(self, request: Request) -> object:
        version = request.path_params["version"]
        body = await self.json_body(request)
        subrequests = body.get("compositeRequest") if isinstance(body, dict) else None
        if not isinstance(subrequests, list) or not 0 < len(subrequests) <= 25:
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "compositeRequest: 1 to 25 items")
        all_or_none = bool(body.get("allOrNone")) if isinstance(body, dict) else False
        snapshot = self.org.store.snapshot()
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
                status, payload = _composite_one(self.org, sub, refs, version)
            except SalesforceFault as fault:
                failed = True
                status, payload = fault.status, [fault.as_error()]
            if isinstance(payload, dict):
                refs[ref_id] = payload
            responses.append({"body": payload, "httpHeaders": {}, "httpStatusCode": status,
                              "referenceId": ref_id})  # fmt: skip
        if failed and all_or_none:
            self.org.store.restore(snapshot)
        return {"compositeResponse": responses}


_SUB_URL = re.compile(r"^/services/data/v[\d.]+/sobjects/(\w+)(?:/(\w+))?$")
_REF = re.compile(r"@\{(\w+)\.(\w+)\}")


def _composite_one(
    org: Org, sub: object, refs: dict[str, dict[str, object]], version: str
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
