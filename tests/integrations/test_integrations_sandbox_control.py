"""The sandboxes' ``/_sandbox/`` control API and runner."""

from __future__ import annotations

import logging

import httpx
import pytest

from integrations.salesforce import SalesforceClient, soql
from integrations.sandbox import (
    SandboxUrls,
    generate_dev_keypair,
    running_sandboxes,
)
from integrations.sandbox.demo_data import HANAKO, KENJI
from integrations.whmcs import WhmcsClient
from tests.integrations.factories import Faults, priced_order


async def test_call_log_counts_per_action_and_reset_restores_seed(
    whmcs: WhmcsClient, whmcs_sandbox: Faults, control: httpx.AsyncClient, sandboxes: SandboxUrls
) -> None:
    await whmcs.get_client("1")
    await whmcs.get_client("2")
    await whmcs.add_order(priced_order(("VPN-PRO", "10", 1)), client_id=str(KENJI.client_id))
    log = (await control.get(f"{sandboxes.whmcs_base_url}/_sandbox/calls")).json()
    assert log["counts"] == {"GetClientsDetails": 2, "AddOrder": 1}
    assert [c["key"] for c in log["calls"]] == ["GetClientsDetails"] * 2 + ["AddOrder"]

    (await control.post(f"{sandboxes.whmcs_base_url}/_sandbox/reset")).raise_for_status()
    assert await whmcs_sandbox.counts() == {}
    assert (await whmcs.get_orders(client_id=str(KENJI.client_id))).total == 0


async def test_fault_rules_are_validated_scoped_and_cleared(
    whmcs: WhmcsClient, control: httpx.AsyncClient, sandboxes: SandboxUrls
) -> None:
    url = f"{sandboxes.whmcs_base_url}/_sandbox/faults"
    assert (await control.put(url, json={"errorStatus": 200})).status_code == 422
    assert (await control.put(url, json={"bogus": 1})).status_code == 422
    (
        await control.put(url, json=[{"action": "GetInvoices", "errorStatus": 500}])
    ).raise_for_status()
    await whmcs.get_client("1")  # another action is not affected
    (await control.delete(url)).raise_for_status()
    assert (await whmcs.get_invoices("1")).total == 20


async def test_salesforce_approve_shortcut(
    salesforce: SalesforceClient, salesforce_sandbox: Faults
) -> None:
    draft = next(
        o for o in (await salesforce.get_orders(HANAKO.account_id)).items
        if o.status.value == "draft"
    )  # fmt: skip
    assert (
        await salesforce_sandbox.post(f"/_sandbox/orders/{draft.id}/approve")
    ).status_code == 200
    assert (
        await salesforce_sandbox.post(f"/_sandbox/orders/{draft.id}/approve")
    ).status_code == 409
    assert (await salesforce_sandbox.post("/_sandbox/orders/801nope/approve")).status_code == 404
    approved = await salesforce.count(
        soql("SELECT COUNT() FROM Order WHERE Status = :status", status="Approved")
    )
    assert approved == 1


async def test_rest_calls_need_a_token(sandboxes: SandboxUrls, control: httpx.AsyncClient) -> None:
    response = await control.get(
        f"{sandboxes.salesforce_instance_url}/services/data/v66.0/query",
        params={"q": "SELECT Id FROM Account"},
        headers={"Authorization": "Bearer forged"},
    )
    assert response.status_code == 401
    assert response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]


async def test_runner_binds_requested_ports_and_stops_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    keys = generate_dev_keypair()
    async with running_sandboxes(salesforce_public_key_pem=keys.public_key_pem) as urls:
        async with httpx.AsyncClient() as client:
            for base in urls.control_urls().values():
                assert (await client.get(f"{base}/_sandbox/calls")).status_code == 200
        ports = {u.rsplit(":", 1)[1] for u in urls.control_urls().values()}
        assert len(ports) == 3
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"{urls.whmcs_base_url}/_sandbox/calls")
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


async def test_sandbox_connections_send_without_waiting_for_acks() -> None:
    """Accepted sandbox sockets have TCP_NODELAY (asyncio sets it only when the listening
    socket says IPPROTO_TCP); without it a response written in two parts waited ~45 ms for
    the client's delayed ACK, and the provisioning benchmark measured that, not the BFF."""
    import asyncio
    import socket

    from integrations.sandbox._runner import _bind

    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=_bind("127.0.0.1", 0))
    async with server:
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(accepted, 5) != 0
        writer.close()


async def test_call_log_names_the_queried_object(
    salesforce: SalesforceClient, control: httpx.AsyncClient, sandboxes: SandboxUrls
) -> None:
    await salesforce.query(
        soql("SELECT Id, (SELECT Id FROM PricebookEntries) FROM Product2 WHERE IsActive = true")
    )
    await salesforce.count(soql("SELECT COUNT() FROM Order"))
    log = (await control.get(f"{sandboxes.salesforce_instance_url}/_sandbox/calls")).json()
    # Following pages (`nextRecordsUrl`) carry no statement, so no subject.
    queries = [c["subject"] for c in log["calls"] if c["key"] == "query" and c["subject"]]
    assert queries[-2:] == ["Product2", "Order"]
