"""Response headers the request-context middleware adds, in one pass over the raw list."""

from __future__ import annotations

from bff.core.middleware import _read_request_headers, _with_context_headers

EXTRA = [(b"x-request-id", b"req-0123456789"), (b"cache-control", b"no-store")]


def test_request_id_and_no_store_replace_the_apps_own() -> None:
    app_headers = [
        (b"content-type", b"application/json"),
        (b"Cache-Control", b"public, max-age=60"),
        (b"x-request-id", b"spoofed"),
        (b"x-frame-options", b"SAMEORIGIN"),
    ]
    headers = _with_context_headers(app_headers, EXTRA)
    assert sorted(headers) == sorted(
        [
            (b"content-type", b"application/json"),
            (b"x-frame-options", b"SAMEORIGIN"),  # the app's own choice is kept
            (b"x-request-id", b"req-0123456789"),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]
    )


def test_request_headers_read_in_one_pass() -> None:
    def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
        return {"headers": list(headers)}

    assert _read_request_headers(scope()) == (None, False)  # type: ignore[arg-type]
    first = scope((b"x-request-id", b"first-000001"), (b"x-request-id", b"second-00002"))
    assert _read_request_headers(first) == ("first-000001", False)  # type: ignore[arg-type]
    bearer = scope((b"authorization", b"Bearer x"))
    assert _read_request_headers(bearer) == (None, True)  # type: ignore[arg-type]
    refresh = scope((b"cookie", b"a=1; bff_refresh=abc"))
    assert _read_request_headers(refresh) == (None, True)  # type: ignore[arg-type]
    other = scope((b"cookie", b"a=1"))
    assert _read_request_headers(other) == (None, False)  # type: ignore[arg-type]
