"""The shared client factory and transport injection."""

from __future__ import annotations

from datetime import date

import httpx

from integrations.http import HttpPolicy, build_http_client, retry_after_seconds
from integrations.sandbox import WhmcsSandboxCredentials, create_whmcs_app
from integrations.sandbox.demo_data import TARO
from integrations.whmcs import WhmcsClient, WhmcsConfig


async def test_factory_applies_the_policy() -> None:
    config = WhmcsConfig(
        api_url="https://billing.example.jp/includes/api.php",
        identifier="id",
        secret="secret",
        http=HttpPolicy(connect_timeout=1.5, read_timeout=4.0, max_connections=7),
    )
    async with build_http_client(config) as client:
        assert client.timeout.connect == 1.5
        assert client.timeout.read == 4.0
        assert str(client.base_url) == "https://billing.example.jp/includes/api.php/"
        assert client.follow_redirects is False
    assert "secret" not in repr(config)


async def test_a_sandbox_runs_in_process_through_an_injected_transport() -> None:
    app = create_whmcs_app(WhmcsSandboxCredentials("id", "secret"), today=date(2026, 11, 23))
    config = WhmcsConfig(api_url="http://whmcs.test/includes/api.php", identifier="id",
                         secret="secret")  # fmt: skip
    async with build_http_client(config, transport=httpx.ASGITransport(app=app)) as http:
        login = await WhmcsClient(http, config).validate_login(TARO.email, TARO.password)
    assert login.user_id == str(TARO.user_id)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    def response(**headers: str) -> httpx.Response:
        return httpx.Response(503, headers=headers)

    assert retry_after_seconds(response()) == 1.0
    assert retry_after_seconds(response(**{"Retry-After": "7"})) == 7.0
    dated = response(
        **{"Retry-After": "Mon, 23 Nov 2026 10:00:30 GMT", "Date": "Mon, 23 Nov 2026 10:00:00 GMT"}
    )
    assert retry_after_seconds(dated) == 30.0
    assert retry_after_seconds(response(**{"Retry-After": "soon"}), default=2.0) == 2.0
