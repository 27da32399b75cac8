"""The examples against a live `bff dev`: the demo SPA in headless Chromium on its own
origin, and the TypeScript client (compiled by tsc) in node.

What httpx cannot show: CORS preflights and credentialed requests as a browser makes
them, the refresh cookie's attributes as Chromium stores and sends them (HttpOnly,
Secure on http://127.0.0.1, SameSite=Lax between two ports of one site, Path
/api/auth), and a session surviving a page reload through that cookie alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from integrations.sandbox.demo_data import TARO
from tests.browser.conftest import HERE, REPO_ROOT, Origins

ARTIFACTS = REPO_ROOT / "var" / "artifacts"
REFRESH_COOKIE_MAX_AGE_S = 7 * 24 * 3600


def _run_node(node: str, args: list[str], env: dict[str, str], cwd: Path) -> Any:
    """Runs a node script that prints one JSON line last; returns it parsed."""
    result = subprocess.run(
        [node, *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr or result.stdout
    return json.loads(result.stdout.strip().splitlines()[-1])


def _requests_by_method_and_status(bff_url: str) -> dict[tuple[str, str], float]:
    counts: dict[tuple[str, str], float] = {}
    metrics = httpx.get(f"{bff_url}/metrics", timeout=5).text
    for family in text_string_to_metric_families(metrics):
        for sample in family.samples:
            if sample.name == "bff_http_requests_total":
                key = (sample.labels["method"], sample.labels["status"])
                counts[key] = counts.get(key, 0) + sample.value
    return counts


def test_spa_journey_in_chromium(node: str, chromium: str, origins: Origins, bff_url: str) -> None:
    email = f"spa-{uuid.uuid4().hex[:12]}@example.jp"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    facts = _run_node(
        node,
        [str(HERE / "spa_journey.mjs")],
        {
            "SPA_URL": f"{origins.spa}/?api={bff_url}",
            "FOREIGN_URL": f"{origins.foreign}/?api={bff_url}",
            "BFF_URL": bff_url,
            "JOURNEY_EMAIL": email,
            "JOURNEY_PASSWORD": "Browser-Journey-2026!x",
            "CHROMIUM_PATH": chromium,
            "ARTIFACT_DIR": str(ARTIFACTS),
        },
        cwd=HERE,
    )
    (ARTIFACTS / "spa-journey.json").write_text(json.dumps(facts, indent=2))

    assert facts["pageErrors"] == []
    assert facts["steps"][-1] == "a foreign origin is refused"

    # The cookie as Chromium stored it from a cross-origin, credentialed response.
    cookie = facts["cookieAfterSignup"]
    assert cookie is not None, "Chromium did not store bff_refresh"
    assert {k: cookie[k] for k in ("domain", "path", "httpOnly", "secure", "sameSite")} == {
        "domain": "127.0.0.1",
        "path": "/api/auth",
        "httpOnly": True,
        "secure": True,
        "sameSite": "Lax",
    }
    assert REFRESH_COOKIE_MAX_AGE_S - 300 < cookie["expiresInS"] <= REFRESH_COOKIE_MAX_AGE_S
    assert facts["documentCookie"] == "", "page script can read a cookie"
    assert facts["cookieAfterFirstLogout"] is None
    assert facts["cookieAfterLogout"] is None
    assert facts["webStorageEntries"] == 0, "the SPA must keep tokens out of web storage"

    # After a reload only the cookie can have signed the page in again.
    assert facts["reloadRefreshStatus"] == 200
    assert facts["catalogItems"] > 0
    assert facts["orderNumber"] in facts["ordersListed"]

    responses = facts["bffResponses"]
    assert responses, "no BFF responses observed"
    for response in responses:
        assert response["allowOrigin"] == origins.spa, response
        assert response["allowCredentials"] == "true", response
    cookie_paths = {r["path"] for r in responses if r["sentCookie"]}
    assert "/api/auth/refresh" in cookie_paths
    assert all(path.startswith("/api/auth/") for path in cookie_paths), cookie_paths

    # The CSRF rule holds in the browser: a simple (preflight-free) POST carries the
    # cookie but is refused.
    assert facts["simpleRefresh"] == {"status": 403, "code": "auth.csrf_header_missing"}
    assert facts["foreignStatus"] == "Failed to fetch"

    counts = _requests_by_method_and_status(bff_url)
    assert counts.get(("OPTIONS", "200"), 0) >= 5, counts  # JSON bodies, bearer: preflights
    assert counts.get(("OPTIONS", "400"), 0) >= 1, counts  # the foreign origin's preflight
    assert (ARTIFACTS / "spa-journey.png").stat().st_size > 0


def test_typescript_client_example_runs(node: str, spa_client: Path, bff_url: str) -> None:
    """src/example.ts, compiled: signs in, lists unpaid invoices, orders (Idempotency-Key)."""
    # The demo customer exists in billing only; /link gives them a portal login.
    linked = httpx.post(
        f"{bff_url}/api/auth/link",
        json={"email": TARO.email, "password": TARO.password, "tokenTransport": "body"},
        timeout=30,
    )
    assert linked.status_code == 201, linked.text
    build = subprocess.run(
        ["npm", "run", "--silent", "build"],
        cwd=spa_client,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    script = (
        "const { exampleClient, runExample } = await import(process.env.EXAMPLE_MODULE);"
        "const client = exampleClient(process.env.BFF_URL);"
        "const result = await runExample(client, process.env.EMAIL, process.env.PASSWORD);"
        "console.log(JSON.stringify(result));"
    )
    result = _run_node(
        node,
        ["--input-type=module", "--eval", script],
        {
            "EXAMPLE_MODULE": (spa_client / "dist" / "example.js").as_uri(),
            "BFF_URL": bff_url,
            "EMAIL": TARO.email,
            "PASSWORD": TARO.password,
        },
        cwd=spa_client,
    )
    assert result["user"]["email"] == TARO.email
    assert result["unpaidInvoices"], "the demo customer has unpaid invoices"
    assert all(invoice["status"] in {"unpaid", "overdue"} for invoice in result["unpaidInvoices"])
    assert result["order"]["status"] == "draft"
    assert len(result["order"]["items"]) == 1
