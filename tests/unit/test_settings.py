from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from bff.settings import DEV_PLACEHOLDER_SECRET, Environment, Settings

STRONG = secrets.token_urlsafe(48)
PRODUCTION_AUTH: dict[str, object] = {
    "jwt_keys": {"2026-11": STRONG},
    "jwt_active_kid": "2026-11",
    "refresh_token_secret": secrets.token_urlsafe(48),
}
PRODUCTION_OK: dict[str, object] = {
    "env": Environment.PRODUCTION,
    "auth": PRODUCTION_AUTH,
    "database_url": "postgresql+asyncpg://bff@db/bff",
    "redis_url": "redis://cache:6379/0",
    "whmcs": {"webhook_secret": secrets.token_urlsafe(48)},
    "salesforce": {"private_key_pem": "-----BEGIN PRIVATE KEY-----\n..."},
}


def test_active_kid_must_name_a_key() -> None:
    with pytest.raises(ValidationError, match="BFF_AUTH__JWT_ACTIVE_KID"):
        build(auth={"jwt_keys": {"a": STRONG}, "jwt_active_kid": "b"})


def test_jwt_keys_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_AUTH__JWT_KEYS", f'{{"2026-11": "{STRONG}", "2026-12": "{STRONG}"}}')
    monkeypatch.setenv("BFF_AUTH__JWT_ACTIVE_KID", "2026-12")
    settings = build()
    assert set(settings.auth.jwt_keys) == {"2026-11", "2026-12"}
    assert settings.auth.jwt_keys["2026-12"].get_secret_value() == STRONG


def build(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


def test_development_defaults_need_no_services() -> None:
    settings = build()
    assert settings.is_sqlite
    assert settings.uses_fake_redis
    assert not settings.json_logs
    assert settings.max_body_bytes == 1024 * 1024


def test_production_with_strong_settings_starts() -> None:
    settings = build(**PRODUCTION_OK)
    assert settings.is_production
    assert settings.json_logs


@pytest.mark.parametrize(
    ("override", "names"),
    [
        (
            {"auth": {"jwt_keys": {"k": DEV_PLACEHOLDER_SECRET}, "jwt_active_kid": "k"}},
            "BFF_AUTH__JWT_KEYS",
        ),
        ({"auth": {"jwt_keys": {"k": "short"}, "jwt_active_kid": "k"}}, "BFF_AUTH__JWT_KEYS"),
        ({"auth": {"jwt_keys": {"k": "a" * 64}, "jwt_active_kid": "k"}}, "BFF_AUTH__JWT_KEYS"),
        (
            {"auth": {"jwt_keys": {"new": STRONG, "old": "weak"}, "jwt_active_kid": "new"}},
            "BFF_AUTH__JWT_KEYS (old)",
        ),
        (
            {"auth": {"jwt_keys": {"k": STRONG}, "jwt_active_kid": "k"}},
            "BFF_AUTH__REFRESH_TOKEN_SECRET",
        ),
        ({"auth": {**PRODUCTION_AUTH, "cookie_secure": False}}, "BFF_AUTH__COOKIE_SECURE"),
        ({"whmcs": {"webhook_secret": "x"}}, "BFF_WHMCS__WEBHOOK_SECRET"),
        ({"salesforce": {}}, "BFF_SALESFORCE__PRIVATE_KEY_PEM"),
        (
            {"salesforce": {"private_key_pem": "pem", "pubsub_tls": False}},
            "BFF_SALESFORCE__PUBSUB_TLS",
        ),
        ({"database_url": "sqlite+aiosqlite:///./bff.db"}, "BFF_DATABASE_URL"),
        ({"redis_url": "memory://"}, "BFF_REDIS_URL"),
    ],
)
def test_production_refuses_insecure_setting(override: dict[str, object], names: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build(**(PRODUCTION_OK | override))
    assert names in str(raised.value)


@pytest.mark.parametrize("env", list(Environment))
def test_wildcard_cors_origin_is_always_refused(env: Environment) -> None:
    with pytest.raises(ValidationError, match="BFF_CORS_ORIGINS"):
        build(**(PRODUCTION_OK | {"env": env, "cors_origins": ["*"]}))


def test_lists_and_nested_groups_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BFF_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("BFF_WHMCS__DEADLINE_S", "3.5")
    monkeypatch.setenv("BFF_SALESFORCE__API_VERSION", "v67.0")
    settings = build()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.whmcs.deadline_s == 3.5
    assert settings.salesforce.api_version == "v67.0"


def test_secrets_do_not_appear_in_repr() -> None:
    settings = build(**PRODUCTION_OK)
    assert STRONG not in repr(settings)
    assert STRONG not in str(settings.model_dump())
