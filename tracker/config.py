"""Settings from the environment. No secret has a default in code."""

from __future__ import annotations

import os
from typing import Any


def database_url(raw: str | None) -> str | None:
    """Normalise a ``DATABASE_URL`` so PostgreSQL URLs use the psycopg 3 driver."""
    if not raw:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class Config:
    """Production settings; everything that differs per deployment comes from the environment."""

    TESTING = False
    # Resolved against the instance folder by the factory when DATABASE_URL is unset.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SECRET_KEY: str | None = None
    REDIS_URL: str | None = None
    # How many reverse proxies (load balancers) stand in front and set X-Forwarded-For:
    # rate limits then count the real client, not the proxy. 0: the app faces clients.
    PROXY_COUNT = 0
    ALERT_WEBHOOK_URL: str | None = None

    # One diary entry with a full note is a few kB; a batch is capped at 100 of them.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_BATCH_ENTRIES = 100
    MAX_RANGE_DAYS = 366
    SHARE_CODE_MINUTES = 60

    JWT_ACCESS_TOKEN_EXPIRES = 15 * 60
    JWT_REFRESH_TOKEN_EXPIRES = 30 * 24 * 3600
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "detail"

    # Argon2id parameters (RFC 9106 "second recommended option" uses 64 MiB; 3 passes).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 1

    # The web pages' session cookie: HTTP-only, same-site, HTTPS-only when COOKIE_SECURE=true
    # (set it wherever TLS is terminated in front of the app).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = None  # a form's token lasts as long as the signed-in session

    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute"
    LINK_RATE_LIMIT = "10 per minute"
    REGISTER_RATE_LIMIT = "20 per hour"

    API_TITLE = "Sciatica symptom diary"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
        "security": [{"bearerAuth": []}],
    }

    @classmethod
    def from_environment(cls) -> dict[str, Any]:
        """The settings this deployment's environment gives."""
        settings: dict[str, Any] = {}
        url = database_url(os.environ.get("DATABASE_URL"))
        if url:
            settings["SQLALCHEMY_DATABASE_URI"] = url
        for name in ("SECRET_KEY", "REDIS_URL", "ALERT_WEBHOOK_URL"):
            if os.environ.get(name):
                settings[name] = os.environ[name]
        if os.environ.get("PROXY_COUNT", "").isdigit():
            settings["PROXY_COUNT"] = int(os.environ["PROXY_COUNT"])
        if os.environ.get("COOKIE_SECURE", "").lower() == "true":
            settings["SESSION_COOKIE_SECURE"] = True
        if settings.get("REDIS_URL"):
            settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
        return settings


class TestConfig(Config):
    """Fast password hashing and a fixed secret; the database URL is given by the tests."""

    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    RATELIMIT_ENABLED = True
    # Tests sign in often; the rate-limit tests set their own, lower limits.
    LOGIN_RATE_LIMIT = "1000 per minute"
    LINK_RATE_LIMIT = "1000 per minute"
    REGISTER_RATE_LIMIT = "1000 per minute"

    @classmethod
    def settings(cls) -> dict[str, Any]:
        return {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
