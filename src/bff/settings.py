"""Every knob of the BFF, read once from the environment (prefix ``BFF_``) or ``.env``.

Nested groups use ``__`` as the separator, e.g. ``BFF_WHMCS__API_URL``. Each knob has a
safe default for local development; ``BFF_ENV=production`` refuses to start with a weak
or missing secret, a SQLite database, or a wildcard CORS origin (credentials are always
allowed, so a wildcard would let any site act as the signed-in user).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_PLACEHOLDER_SECRET = "dev-only-change-me-dev-only-change-me"  # noqa: S105 - public placeholder
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingError(ValueError):
    """A setting that must not reach production; the message names the variable."""


class UpstreamSettings(BaseModel):
    """Timeouts and resilience shared by every external system's client."""

    connect_timeout_s: float = Field(default=2.0, gt=0)
    read_timeout_s: float = Field(default=5.0, gt=0)
    deadline_s: float = Field(default=8.0, gt=0, description="Total time one call may take.")
    max_connections: int = Field(default=50, ge=1)
    max_concurrency: int = Field(default=32, ge=1)
    read_retries: int = Field(default=2, ge=0, le=5)
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_s: float = Field(default=30.0, gt=0)


class WhmcsSettings(UpstreamSettings):
    api_url: str = "http://127.0.0.1:8101/includes/api.php"
    identifier: SecretStr = SecretStr("sandbox-identifier")
    secret: SecretStr = SecretStr("sandbox-secret")
    access_key: SecretStr | None = None
    webhook_secret: SecretStr = SecretStr(DEV_PLACEHOLDER_SECRET)


class SalesforceSettings(UpstreamSettings):
    login_url: str = "http://127.0.0.1:8102"
    api_version: str = Field(default="v66.0", pattern=r"^v\d{2,3}\.0$")
    client_id: str = "sandbox-consumer-key"
    username: str = "integration@portal.example.jp"
    audience: str = "https://login.salesforce.com"
    private_key_pem: SecretStr | None = Field(
        default=None,
        description="PEM of the RSA key whose certificate is uploaded to the connected app; "
        "`bff dev` generates a throwaway pair for the sandbox when empty.",
    )
    pubsub_target: str = Field(
        default="api.pubsub.salesforce.com:7443",
        description="host:port of the Pub/Sub API (gRPC); `bff dev` points it at the sandbox.",
    )
    pubsub_tls: bool = Field(
        default=True, description="TLS to the Pub/Sub API; only the sandbox runs plaintext."
    )


class FreebitSettings(UpstreamSettings):
    base_url: str = "http://127.0.0.1:8103"
    oem_id: str = "SANDBOXOEM"
    oem_key: SecretStr = SecretStr("sandbox-oem-key")


class SandboxSettings(BaseModel):
    """Local emulators started by `bff dev` / `bff sandbox`."""

    enabled: bool = Field(default=True, description="Start the sandboxes inside `bff dev`.")
    host: str = "127.0.0.1"
    whmcs_port: int = Field(default=8101, ge=0, le=65535)
    salesforce_port: int = Field(default=8102, ge=0, le=65535)
    freebit_port: int = Field(default=8103, ge=0, le=65535)
    pubsub_port: int = Field(
        default=8104, ge=0, le=65535, description="Salesforce sandbox's gRPC Pub/Sub API."
    )
    freebit_async_delay_s: float = Field(
        default=1.0,
        ge=0,
        description="Freebit sandbox: how long an asynchronous operation (opening a line, "
        "suspend/resume, ...) keeps the line locked before it takes effect.",
    )


class AuthSettings(BaseModel):
    """Logins, access tokens, refresh-token families, passwords and brute-force throttling."""

    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = Field(
        default="HS256", description="The one algorithm access tokens are signed and checked with."
    )
    jwt_keys: dict[str, SecretStr] = Field(
        default_factory=lambda: {"dev": SecretStr(DEV_PLACEHOLDER_SECRET)},
        description="Verification keys by `kid`; rotate by adding a key, then switching "
        "`jwt_active_kid`, then removing the old key after one access-token lifetime.",
    )
    jwt_active_kid: str = Field(default="dev", description="The `kid` new tokens are signed with.")
    jwt_issuer: str = "portal-bff"
    jwt_audience: str = "portal-api"
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_s: int = Field(
        default=7 * 24 * 3600, ge=3600, description="Absolute lifetime of a refresh-token family."
    )
    refresh_grace_s: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long the immediate predecessor of a refresh token still returns "
        "the same successor (concurrent tabs), instead of counting as reuse.",
    )
    refresh_token_secret: SecretStr = Field(
        default=SecretStr(DEV_PLACEHOLDER_SECRET),
        description="HMAC key that derives each refresh token's successor.",
    )
    cookie_secure: bool = True
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    password_reset_ttl_s: int = Field(default=1800, ge=60, le=24 * 3600)
    password_reset_url: str = Field(
        default="http://localhost:5173/reset-password",
        description="Link in the reset e-mail; the token is appended as `?token=`.",
    )
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=19 * 1024, ge=8 * 1024)
    argon2_parallelism: int = Field(default=1, ge=1)
    throttle_account_free_attempts: int = Field(default=5, ge=1)
    throttle_ip_free_attempts: int = Field(default=20, ge=1)
    throttle_base_delay_s: float = Field(default=1.0, gt=0)
    throttle_max_delay_s: float = Field(default=900.0, gt=0)
    throttle_window_s: int = Field(
        default=3600, ge=60, description="How long failed attempts are remembered."
    )
    outbox_drain_interval_s: float = Field(
        default=2.0, ge=0, description="In-process outbox sender period; 0 turns it off."
    )
    session_view_staleness_s: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="Longest a revocation may take to reach this process's local view of "
        "sessions; past it (subscription lost or silent) each request asks Redis. 0 turns "
        "the view off.",
    )
    session_view_max_entries: int = Field(
        default=50_000,
        ge=100,
        description="Sessions the local view remembers (least recently used are dropped).",
    )

    @model_validator(mode="after")
    def _active_kid_is_a_key(self) -> Self:
        if self.jwt_active_kid not in self.jwt_keys:
            raise ValueError("BFF_AUTH__JWT_ACTIVE_KID must name one of BFF_AUTH__JWT_KEYS")
        if self.cookie_samesite == "none" and not self.cookie_secure:
            raise ValueError("BFF_AUTH__COOKIE_SAMESITE=none needs BFF_AUTH__COOKIE_SECURE=true")
        return self


class CacheSettings(BaseModel):
    """Redis caches of provider data (catalog, per-customer billing and services)."""

    catalog_ttl_s: float = Field(default=600.0, gt=0, description="Catalog freshness (TTL).")
    catalog_stale_s: float = Field(
        default=86_400.0,
        ge=0,
        description="How long past its TTL a copy is kept to serve "
        "while Salesforce is failing (stale-while-error).",
    )
    catalog_early_refresh_s: float = Field(
        default=30.0,
        ge=0,
        description="Window before expiry in which one request starts a "
        "background refresh (plus XFetch's probabilistic early expiry).",
    )
    catalog_max_age_s: int = Field(default=60, ge=0, description="`Cache-Control: max-age`.")
    local_ttl_s: float = Field(
        default=1.0,
        ge=0,
        description="In-process copy of a Redis entry while invalidation pushes are not "
        "live: the staleness bound; 0 turns it off.",
    )
    pushed_local_ttl_s: float = Field(
        default=60.0,
        ge=0,
        description="In-process copy of a shared entry while the Redis pub/sub "
        "invalidation push is live (changes reach every instance at once).",
    )
    profile_ttl_s: float = Field(
        default=300.0, ge=0, description="Cached `GET /api/me` profile (Redis); 0 turns it off."
    )
    profile_local_max: int = Field(
        default=10_000, ge=0, description="In-process cached profiles per process (LRU)."
    )
    lock_ttl_s: float = Field(default=15.0, gt=0, description="Single-flight lock lifetime.")
    customer_ttl_s: float = Field(
        default=30.0, ge=0, description="Per-customer invoice/service cache; 0 turns it off."
    )


class IdempotencySettings(BaseModel):
    ttl_s: float = Field(default=86_400.0, gt=0, description="How long a key is remembered.")
    in_flight_timeout_s: float = Field(
        default=120.0, gt=0, description="An in-flight record older than this is abandoned."
    )


class WebhookSettings(BaseModel):
    tolerance_s: int = Field(default=300, ge=1, description="Accepted X-Timestamp skew.")


class EventsSettings(BaseModel):
    """`bff events`: the Salesforce Pub/Sub consumer that enqueues provisioning jobs."""

    enabled_in_dev: bool = Field(
        default=True, description="Run the consumer inside `bff dev` (with the sandbox)."
    )
    topic: str = "/event/OrderProvisionRequested__e"
    batch_size: int = Field(
        default=50, ge=1, le=100, description="Events requested per flow-control top-up."
    )
    lease_ttl_s: float = Field(
        default=15.0, gt=0, description="Lease of the one active consumer; a dead one's lapses."
    )
    lease_renew_s: float = Field(default=5.0, gt=0, description="How often the lease is renewed.")
    reconnect_initial_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _renew_within_lease(self) -> Self:
        if self.lease_renew_s * 2 > self.lease_ttl_s:
            raise ValueError("BFF_EVENTS__LEASE_RENEW_S must be at most half the lease TTL")
        return self


class ProvisioningSettings(BaseModel):
    """`bff worker`: the provisioning job (one run per Salesforce Order)."""

    enabled_in_dev: bool = Field(
        default=True, description="Run the arq worker inside `bff dev` (with the sandbox)."
    )
    job_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Per-try limit; a killed worker's job waits this + 10 s before it reruns.",
    )
    max_tries: int = Field(
        default=10, ge=1, description="arq tries per job; the last transient failure fails it."
    )
    retry_base_s: float = Field(default=5.0, gt=0, description="First retry delay (doubles).")
    retry_max_s: float = Field(default=300.0, gt=0, description="Longest retry delay.")
    keep_result_s: int = Field(
        default=86_400,
        ge=0,
        description="How long arq keeps a result, so the same job id is not run again.",
    )
    lock_wait_s: float = Field(
        default=2.0, ge=0, description="How long a try waits for the per-order lock."
    )
    order_tag_field_id: int = Field(
        default=5,
        ge=1,
        description="WHMCS service custom field holding the Salesforce Order id (the tag).",
    )
    msisdn_field_id: int = Field(
        default=1,
        ge=1,
        description="WHMCS service custom field (named `MSISDN`) the new line's number goes to.",
    )
    iccid_field_id: int = Field(
        default=2,
        ge=1,
        description="WHMCS service custom field (named `ICCID`) the new SIM's ICCID goes to.",
    )
    max_jobs: int = Field(default=10, ge=1, description="Jobs one worker runs concurrently.")


class DashboardSettings(BaseModel):
    section_deadline_s: float = Field(default=3.0, gt=0, description="Deadline per section.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BFF_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
    )

    env: Environment = Environment.DEVELOPMENT
    app_name: str = "Customer Portal BFF"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    web_concurrency: int = Field(default=1, ge=1, description="`bff serve` worker processes.")
    server: Literal["granian", "uvicorn"] = Field(
        default="granian", description="HTTP server of `bff serve` (see README: server choice)."
    )

    database_url: str = "sqlite+aiosqlite:///./var/bff.sqlite3"
    database_pool_size: int = Field(default=10, ge=1)
    database_echo: bool = False
    redis_url: str = Field(
        default="memory://",
        description="`memory://` selects the in-process fake Redis of the embedded default.",
    )
    redis_max_connections: int = Field(default=64, ge=1)
    readiness_timeout_s: float = Field(default=1.0, gt=0)

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"]
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Peers whose X-Forwarded-For/-Proto are believed; empty trusts none.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    request_deadline_s: float = Field(default=15.0, gt=0)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console", "auto"] = Field(
        default="auto", description="`auto`: JSON in production, console otherwise."
    )

    whmcs: WhmcsSettings = Field(default_factory=WhmcsSettings)
    salesforce: SalesforceSettings = Field(default_factory=SalesforceSettings)
    freebit: FreebitSettings = Field(default_factory=FreebitSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    idempotency: IdempotencySettings = Field(default_factory=IdempotencySettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    events: EventsSettings = Field(default_factory=EventsSettings)
    provisioning: ProvisioningSettings = Field(default_factory=ProvisioningSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_comma_list(cls, value: object) -> object:
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _refuse_wildcard_origin(cls, origins: list[str]) -> list[str]:
        if "*" in origins:
            raise InsecureSettingError(
                "BFF_CORS_ORIGINS must list origins explicitly: credentials are allowed"
            )
        return origins

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
        if self.env is not Environment.PRODUCTION:
            return self
        secrets = {
            **{
                f"BFF_AUTH__JWT_KEYS ({kid})": key
                for kid, key in sorted(self.auth.jwt_keys.items())
            },
            "BFF_AUTH__REFRESH_TOKEN_SECRET": self.auth.refresh_token_secret,
            "BFF_WHMCS__WEBHOOK_SECRET": self.whmcs.webhook_secret,
        }
        for name, secret in secrets.items():
            if _is_weak(secret.get_secret_value()):
                raise InsecureSettingError(
                    f"{name} must be a random secret of at least {MIN_SECRET_LENGTH} characters"
                )
        if not self.auth.cookie_secure:
            raise InsecureSettingError("BFF_AUTH__COOKIE_SECURE must be true in production")
        if self.salesforce.private_key_pem is None:
            raise InsecureSettingError("BFF_SALESFORCE__PRIVATE_KEY_PEM must be set")
        if not self.salesforce.pubsub_tls:
            raise InsecureSettingError("BFF_SALESFORCE__PUBSUB_TLS must be true in production")
        if self.is_sqlite:
            raise InsecureSettingError("BFF_DATABASE_URL must point at PostgreSQL, not SQLite")
        if self.uses_fake_redis:
            raise InsecureSettingError("BFF_REDIS_URL must point at a Redis server")
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_fake_redis(self) -> bool:
        return self.redis_url.startswith("memory://")

    @property
    def json_logs(self) -> bool:
        if self.log_format == "auto":
            return self.is_production
        return self.log_format == "json"


def _is_weak(secret: str) -> bool:
    return (
        len(secret) < MIN_SECRET_LENGTH
        or secret == DEV_PLACEHOLDER_SECRET
        or (len(set(secret)) < 8)
    )
