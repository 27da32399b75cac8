"""Login, refresh rotation (grace window, reuse detection, races), logout and sessions."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.api.auth.support import PASSWORD, TEST_GRACE_S, Users, bearer, client_from, login
from tests.helpers import captured_log_lines

PROBLEM = "application/problem+json"


async def _sessions(api: httpx.AsyncClient, access_token: object) -> httpx.Response:
    return await api.get("/api/auth/sessions", headers=bearer(access_token))


async def _refresh_body(api: httpx.AsyncClient, token: object) -> httpx.Response:
    return await api.post("/api/auth/refresh", json={"refreshToken": token})


class TestLogin:
    async def test_cookie_transport_sets_the_refresh_cookie_only(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        response = await api.post(
            "/api/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"accessToken", "tokenType", "expiresIn", "user"}
        assert body["tokenType"] == "Bearer"
        assert body["expiresIn"] == 900
        assert body["user"] == {
            "id": str(user.id),
            "email": user.email,
            "firstName": "Taro",
            "lastName": "Test",
        }
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("bff_refresh=")
        for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/api/auth", "Max-Age=604800"):
            assert attribute in cookie
        assert (await _sessions(api, body["accessToken"])).status_code == 200

    async def test_body_transport_returns_the_refresh_token(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        response = await api.post(
            "/api/auth/login",
            json={"email": user.email, "password": PASSWORD, "tokenTransport": "body"},
        )
        assert response.status_code == 200
        assert response.json()["refreshToken"]
        assert "set-cookie" not in response.headers

    async def test_email_is_case_insensitive(self, api: httpx.AsyncClient, users: Users) -> None:
        user = await users.create()
        await login(api, f"  {user.email.upper()} ")

    async def test_unknown_email_and_wrong_password_look_the_same(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        async with client_from(api, "10.0.0.1") as other:
            wrong = await other.post(
                "/api/auth/login", json={"email": user.email, "password": "not the password!!"}
            )
            unknown = await other.post(
                "/api/auth/login", json={"email": "nobody@example.jp", "password": "whatever12345"}
            )
        for response in (wrong, unknown):
            assert response.status_code == 401
            assert response.headers["content-type"] == PROBLEM
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["code"] == "auth.invalid_credentials"
        assert wrong.json()["detail"] == unknown.json()["detail"]

    async def test_unknown_email_costs_about_as_much_as_a_wrong_password(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        await login(api, user.email)  # rehashed at production cost from here on

        async def timed(email: str, ip: str) -> float:
            async with client_from(api, ip) as other:
                started = time.perf_counter()
                response = await other.post(
                    "/api/auth/login", json={"email": email, "password": "wrong password 123"}
                )
                assert response.status_code == 401
                return time.perf_counter() - started

        known = sorted([await timed(user.email, f"10.0.1.{i}") for i in range(5)])[2]
        unknown = sorted([await timed(f"x{i}@example.jp", f"10.0.2.{i}") for i in range(5)])[2]
        assert 0.5 < unknown / known < 2.0, (known, unknown)

    async def test_login_rehashes_a_password_hashed_with_old_parameters(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        assert "m=8192" in user.password_hash
        await login(api, user.email)
        stored = await users.get(user.id)
        assert stored is not None
        assert "m=19456,t=2,p=1" in stored.password_hash
        await login(api, user.email)

    async def test_malformed_login_body_is_422_without_echoing_the_password(
        self, api: httpx.AsyncClient
    ) -> None:
        response = await api.post("/api/auth/login", json={"email": "a@b.jp", "password": ""})
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM


class TestRefresh:
    async def test_rotates_on_every_use(self, api: httpx.AsyncClient, users: Users) -> None:
        user = await users.create()
        first = await login(api, user.email)
        second = await _refresh_body(api, first["refreshToken"])
        assert second.status_code == 200
        rotated = second.json()
        assert rotated["refreshToken"] != first["refreshToken"]
        assert rotated["accessToken"] != first["accessToken"]
        third = await _refresh_body(api, rotated["refreshToken"])
        assert third.status_code == 200
        assert (await _sessions(api, third.json()["accessToken"])).status_code == 200

    async def test_predecessor_inside_grace_returns_the_same_successor(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        token = (await login(api, user.email))["refreshToken"]
        one = await _refresh_body(api, token)
        two = await _refresh_body(api, token)
        assert one.status_code == two.status_code == 200
        assert one.json()["refreshToken"] == two.json()["refreshToken"]
        # ...and the successor keeps working (no branch was created).
        assert (await _refresh_body(api, one.json()["refreshToken"])).status_code == 200

    async def test_reuse_after_grace_revokes_the_whole_family(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        session = await login(api, user.email)
        newest = (await _refresh_body(api, session["refreshToken"])).json()
        await asyncio.sleep(TEST_GRACE_S + 0.2)
        reused = await _refresh_body(api, session["refreshToken"])
        assert reused.status_code == 401
        assert reused.json()["code"] == "auth.refresh_reused"
        # The newest token of the family and its access token stop working too.
        after = await _refresh_body(api, newest["refreshToken"])
        assert after.status_code == 401
        assert after.json()["code"] == "auth.refresh_invalid"
        denied = await _sessions(api, newest["accessToken"])
        assert denied.status_code == 401
        assert denied.json()["code"] == "auth.unauthorized"

    async def test_an_older_ancestor_is_reuse_even_inside_the_grace_window(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        t0 = (await login(api, user.email))["refreshToken"]
        t1 = (await _refresh_body(api, t0)).json()["refreshToken"]
        t2 = (await _refresh_body(api, t1)).json()["refreshToken"]
        reused = await _refresh_body(api, t0)
        assert reused.json()["code"] == "auth.refresh_reused"
        assert (await _refresh_body(api, t2)).status_code == 401

    async def test_concurrent_refreshes_neither_log_out_nor_fork(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        session = await login(api, user.email)
        responses = await asyncio.gather(
            *(_refresh_body(api, session["refreshToken"]) for _ in range(20))
        )
        assert {r.status_code for r in responses} == {200}
        successors = {r.json()["refreshToken"] for r in responses}
        assert len(successors) == 1
        listed = await _sessions(api, responses[0].json()["accessToken"])
        assert len(listed.json()["items"]) == 1
        # The one successor rotates normally.
        assert (await _refresh_body(api, successors.pop())).status_code == 200

    async def test_cookie_refresh_needs_the_csrf_header(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        cookie = (await login(api, user.email, transport="cookie"))["cookie"]
        refused = await api.post("/api/auth/refresh", headers={"Cookie": f"bff_refresh={cookie}"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "auth.csrf_header_missing"
        form = await api.post(
            "/api/auth/refresh",
            headers={
                "Cookie": f"bff_refresh={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            content=b"a=b",
        )
        assert form.status_code in (403, 415)
        allowed = await api.post(
            "/api/auth/refresh",
            headers={"Cookie": f"bff_refresh={cookie}", "X-Requested-With": "XMLHttpRequest"},
        )
        assert allowed.status_code == 200, allowed.text
        assert "refreshToken" not in allowed.json()
        assert allowed.cookies.get("bff_refresh") not in (None, cookie)
        with_json = await api.post(
            "/api/auth/refresh",
            headers={"Cookie": f"bff_refresh={allowed.cookies['bff_refresh']}"},
            json={},
        )
        assert with_json.status_code == 200

    async def test_garbage_and_missing_tokens_are_refresh_invalid(
        self, api: httpx.AsyncClient
    ) -> None:
        for body in ({"refreshToken": "garbage"}, {"refreshToken": "abc.def"}, {}):
            response = await api.post("/api/auth/refresh", json=body)
            assert response.status_code == 401
            assert response.json()["code"] == "auth.refresh_invalid"
        assert (await api.post("/api/auth/refresh")).json()["code"] == "auth.refresh_invalid"


class TestLogoutAndSessions:
    async def test_logout_ends_the_session_and_clears_the_cookie(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        session = await login(api, user.email)
        response = await api.post(
            "/api/auth/logout", json={"refreshToken": session["refreshToken"]}
        )
        assert response.status_code == 204
        assert 'bff_refresh=""' in response.headers["set-cookie"]
        assert "Max-Age=0" in response.headers["set-cookie"]
        assert (await _refresh_body(api, session["refreshToken"])).status_code == 401
        assert (await _sessions(api, session["accessToken"])).status_code == 401

    async def test_logout_with_cookie_needs_csrf_proof_and_spent_tokens_are_fine(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        cookie = (await login(api, user.email, transport="cookie"))["cookie"]
        refused = await api.post("/api/auth/logout", headers={"Cookie": f"bff_refresh={cookie}"})
        assert refused.status_code == 403
        headers = {"Cookie": f"bff_refresh={cookie}", "X-Requested-With": "fetch"}
        assert (await api.post("/api/auth/logout", headers=headers)).status_code == 204
        assert (await api.post("/api/auth/logout", headers=headers)).status_code == 204
        assert (await api.post("/api/auth/logout")).status_code == 204

    async def test_sessions_list_and_revoke(self, api: httpx.AsyncClient, users: Users) -> None:
        user = await users.create()
        phone = await login(api, user.email)
        laptop = await api.post(
            "/api/auth/login",
            json={"email": user.email, "password": PASSWORD, "tokenTransport": "body"},
            headers={"User-Agent": "Laptop/1.0"},
        )
        listed = (await _sessions(api, phone["accessToken"])).json()["items"]
        assert len(listed) == 2
        assert sum(item["current"] for item in listed) == 1
        assert {item["userAgent"] for item in listed} >= {"Laptop/1.0"}
        for item in listed:
            assert item["createdAt"].endswith("Z")
            assert set(item) == {"id", "createdAt", "lastUsedAt", "userAgent", "current"}
        laptop_id = next(item["id"] for item in listed if item["userAgent"] == "Laptop/1.0")
        deleted = await api.delete(
            f"/api/auth/sessions/{laptop_id}", headers=bearer(phone["accessToken"])
        )
        assert deleted.status_code == 204
        assert (await _sessions(api, laptop.json()["accessToken"])).status_code == 401
        assert len((await _sessions(api, phone["accessToken"])).json()["items"]) == 1

    async def test_another_users_session_is_404(self, api: httpx.AsyncClient, users: Users) -> None:
        mine, theirs = await users.create(), await users.create()
        me = await login(api, mine.email)
        them = await login(api, theirs.email)
        their_id = (await _sessions(api, them["accessToken"])).json()["items"][0]["id"]
        for session_id in (their_id, "does-not-exist"):
            response = await api.delete(
                f"/api/auth/sessions/{session_id}", headers=bearer(me["accessToken"])
            )
            assert response.status_code == 404
        assert (await _sessions(api, them["accessToken"])).status_code == 200

    async def test_logout_all_revokes_every_session(
        self, api: httpx.AsyncClient, users: Users
    ) -> None:
        user = await users.create()
        sessions = [await login(api, user.email) for _ in range(3)]
        response = await api.post(
            "/api/auth/logout-all", headers=bearer(sessions[0]["accessToken"])
        )
        assert response.status_code == 204
        for session in sessions:
            assert (await _sessions(api, session["accessToken"])).status_code == 401
            assert (await _refresh_body(api, session["refreshToken"])).status_code == 401

    async def test_bearer_endpoints_refuse_missing_credentials(
        self, api: httpx.AsyncClient
    ) -> None:
        for method, path in (
            ("GET", "/api/auth/sessions"),
            ("POST", "/api/auth/logout-all"),
            ("DELETE", "/api/auth/sessions/x"),
        ):
            response = await api.request(method, path)
            assert response.status_code == 401
            assert response.json()["code"] == "auth.unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"


async def test_no_secret_reaches_the_logs(api: httpx.AsyncClient, users: Users) -> None:
    user = await users.create()
    with captured_log_lines() as lines:
        session = await login(api, user.email)
        rotated = (await _refresh_body(api, session["refreshToken"])).json()
        async with client_from(api, "10.8.0.1") as other:
            await other.post("/api/auth/login", json={"email": user.email, "password": "nope-nope"})
        await api.get("/api/auth/sessions", headers=bearer("garbage.token.here"))
    logged = "\n".join(lines)
    assert logged  # the access log did run
    for secret in (
        PASSWORD,
        "nope-nope",
        str(session["refreshToken"]),
        str(session["accessToken"]),
        str(rotated["refreshToken"]),
        str(session["refreshToken"]).partition(".")[2],
    ):
        assert secret not in logged
