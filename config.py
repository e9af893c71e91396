"""Configuration, read from environment variables only.

`PORTAL_ENV` picks the class: development (the default), testing or production.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

MIN_SECRET_KEY_LENGTH = 32
MIN_DISTINCT_SECRET_CHARACTERS = 12
DEVELOPMENT_SECRET_KEY = "development-only-key-not-for-production-use"  # noqa: S105 - refused in production
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def _host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    SECRET_KEY = os.environ.get("SECRET_KEY")
    # A relative SQLite path is resolved by Flask-SQLAlchemy under the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///portal.sqlite3")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # How long one statement may run, and wait for a lock, before it fails with the 503 page:
    # a locked table must not hold every worker thread while the whole site waits.
    DATABASE_STATEMENT_TIMEOUT_MS = _env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
    DATABASE_LOCK_TIMEOUT_MS = _env_int("DATABASE_LOCK_TIMEOUT_MS", 3000)

    # Requests larger than this get the 413 page before any view runs. The largest
    # legitimate post is a 5,000-character comment in a four-byte script plus fields.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 64 * 1024)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = 12 * 60 * 60

    # Number of reverse proxies in front of the app; X-Forwarded-For is trusted that far only,
    # from whoever connects: so the app must listen only where the proxy can reach (README).
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # Shedding load (feedback_portal/load_shedding.py). A request that waited longer than
    # this many seconds before the app saw it gets the busy page at once.
    REQUEST_QUEUE_LIMIT = _env_float("REQUEST_QUEUE_LIMIT", 10)
    # The proxy's timeout (nginx proxy_read_timeout): by then the person has been told it failed,
    # so nothing is committed after REQUEST_TIMEOUT less the margin from the request's start.
    REQUEST_TIMEOUT = _env_float("REQUEST_TIMEOUT", 30)
    REQUEST_DEADLINE_MARGIN = _env_float("REQUEST_DEADLINE_MARGIN", 2)
    # What the busy page's Retry-After header asks for.
    RETRY_AFTER_SECONDS = _env_int("RETRY_AFTER_SECONDS", 30)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "getinvolved@birmingham.gov.uk")
    # Seconds to wait for the mail server to connect or answer; then what is left waits its retry.
    MAIL_TIMEOUT = _env_float("MAIL_TIMEOUT", 30)

    # Where people reach this site, for links in emails (which are read outside any request).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host names a request may name (comma-separated); others get the 400 page. None allows any:
    # production fills it in from PUBLIC_BASE_URL when it is not set (see load_config).
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    # How long the withdraw and erase links in a receipt keep working.
    EMAIL_LINK_LIFETIME_DAYS = _env_int("EMAIL_LINK_LIFETIME_DAYS", 365)
    # How long a name and email address stay remembered on a device, when the person asks
    # (public/remembered_details.py). The cookies page states it.
    REMEMBERED_DETAILS_DAYS = _env_int("REMEMBERED_DETAILS_DAYS", 90)
    # How long `flask outbox send` holds the emails it claimed without renewing its claim: the
    # most a run that was killed half way delays them. A live run renews it as it goes.
    OUTBOX_CLAIM_LEASE_SECONDS = _env_int("OUTBOX_CLAIM_LEASE_SECONDS", 60)

    # "standard" is argon2-cffi's defaults; only the test suite uses "cheapest".
    ARGON2_PROFILE = "standard"

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Rendered public pages. Each server keeps its own in memory unless PAGE_CACHE_REDIS_URL
    # (else a Redis RATELIMIT_STORAGE_URI) names a Redis that several servers share. Either way
    # a change is seen on the next request everywhere: pages are kept under a stamp in the
    # database that every change renews, so the cache only decides how often pages are rendered.
    PAGE_CACHE_REDIS_URL = os.environ.get("PAGE_CACHE_REDIS_URL", "")
    # How long a page is kept: a stamp renewed retires it anyway; this only frees the memory.
    PAGE_CACHE_SECONDS = _env_int("PAGE_CACHE_SECONDS", 600)
    # Off, every page is rendered for each request: for measuring, and to compare the two.
    PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE_ENABLED", "1") != "0"
    # If Redis stops answering, count in this process's memory (and log a warning) rather than
    # refuse every comment and sign-in with a 500; Flask-Limiter goes back to Redis when it returns.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Per client address. A library's shared connection with 30 people commenting at a
    # normal pace stays well inside these; a script posting in a loop does not.
    COMMENT_RATE_LIMIT = os.environ.get("COMMENT_RATE_LIMIT", "40 per minute;400 per hour")
    REPORT_RATE_LIMIT = os.environ.get("REPORT_RATE_LIMIT", "10 per minute;60 per hour")
    # The open data files together (CSV and JSON pages): enough to page through every comment
    # at a steady pace; the CSV file holds them all in one request.
    OPEN_DATA_RATE_LIMIT = os.environ.get("OPEN_DATA_RATE_LIMIT", "60 per minute;1000 per hour")
    # A section's page shows this many of its most recent comments; the rest are a link away.
    SECTION_COMMENTS_SHOWN = _env_int("SECTION_COMMENTS_SHOWN", 50)
    # A person takes longer than this to read a form and type a comment; a bot does not.
    MIN_FORM_FILL_SECONDS = _env_int("MIN_FORM_FILL_SECONDS", 3)

    # Who runs this portal. Another council's team changes these, not the templates.
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Birmingham City Council")
    ORGANISATION_URL = os.environ.get("ORGANISATION_URL", "https://www.birmingham.gov.uk")
    DIRECTORATE_NAME = os.environ.get("DIRECTORATE_NAME", "Adults Social Care and Health")
    TEAM_NAME = os.environ.get("TEAM_NAME", "Citizen Involvement Team")
    TEAM_EMAIL = os.environ.get("TEAM_EMAIL", "getinvolved@birmingham.gov.uk")
    TEAM_TWITTER = os.environ.get("TEAM_TWITTER", "@brumgetinvolved")
    SERVICE_NAME = os.environ.get("SERVICE_NAME", "Have your say on co-production")
    BRAND_COLOUR = os.environ.get("BRAND_COLOUR", "#1d4f91")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # Development works out of the box; the key is only used on this machine.
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
    # `PORT=5101 make run` serves on 5101, so links in its emails must point there too.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{_env_int('PORT', 5000)}"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-key-that-is-long-enough-for-the-checks-0123456789"  # noqa: S105
    RATELIMIT_ENABLED = False
    MIN_FORM_FILL_SECONDS = 0
    ARGON2_PROFILE = "cheapest"
    # Flask-Mail sends nothing while TESTING unless told to: the tests use a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 2525


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("PORTAL_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise SystemExit(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from None


def trusted_hosts(config: Mapping[str, Any]) -> list[str] | None:
    """The hosts a request may name: TRUSTED_HOSTS, or in production PUBLIC_BASE_URL's host."""
    if config.get("TRUSTED_HOSTS"):
        return list(config["TRUSTED_HOSTS"])
    if config.get("ENV_NAME") == "production":
        return [_host_of(config.get("PUBLIC_BASE_URL") or "")]
    return None


def database_engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The engine options, with the statement and lock timeouts in the driver's own terms.

    PostgreSQL takes both as session settings when connecting; SQLite only knows how long to
    wait for a locked file (its busy timeout), which stands for both.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = config.get("SQLALCHEMY_DATABASE_URI") or ""
    statement_ms, lock_ms = config["DATABASE_STATEMENT_TIMEOUT_MS"], config["DATABASE_LOCK_TIMEOUT_MS"]
    connect_args = dict(options.get("connect_args") or {})
    if url.startswith("postgresql"):
        connect_args.setdefault("options", f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}")
    elif url.startswith("sqlite"):
        connect_args.setdefault("timeout", lock_ms / 1000)
    options["connect_args"] = connect_args
    return options


def configuration_problems(config: Mapping[str, Any]) -> list[str]:
    """What is wrong with a loaded configuration, in words that say what to set."""
    found = []
    if not HEX_COLOUR.match(config.get("BRAND_COLOUR") or ""):
        found.append("BRAND_COLOUR must be a colour written like #1d4f91.")
    if config.get("ENV_NAME") == "production":
        secret = config.get("SECRET_KEY") or ""
        if (
            len(secret) < MIN_SECRET_KEY_LENGTH
            or len(set(secret)) < MIN_DISTINCT_SECRET_CHARACTERS
            or secret == DEVELOPMENT_SECRET_KEY
        ):
            found.append(
                f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} "
                'characters, for example the output of: python -c "import secrets; '
                'print(secrets.token_urlsafe(48))"'
            )
        if config.get("ARGON2_PROFILE") != "standard":
            found.append("ARGON2_PROFILE must be standard in production.")
        if config.get("DEBUG"):
            found.append("Debug mode must be off in production: unset FLASK_DEBUG.")
        base_url = urlsplit(config.get("PUBLIC_BASE_URL") or "")
        if base_url.scheme != "https" or not base_url.hostname:
            found.append(
                "PUBLIC_BASE_URL must be the https address people reach the portal by, "
                "for example https://feedback.example.gov.uk: every link in an email is built from it."
            )
    return found


def unshared_rate_limits_problem(env_name: str, storage_uri: str, workers: int) -> str | None:
    """Why production must not start with per-process rate limits in several workers, if so.

    `memory://` counts in each process alone: N workers would let one address make N times the
    sign-in attempts and comments the limits allow, depending on which worker answers.
    """
    if env_name != "production" or workers <= 1 or not storage_uri.startswith("memory://"):
        return None
    return (
        f"RATELIMIT_STORAGE_URI is {storage_uri} and gunicorn would run {workers} workers: each "
        "worker would count rate limits on its own, so one address would get "
        f"{workers} times the sign-in attempts and comments it should. Share the count with "
        "RATELIMIT_STORAGE_URI=redis://host:6379, or run one worker with WEB_CONCURRENCY=1."
    )


def addresses_open_to_more_than_the_proxy(binds: list[str], proxy_count: int) -> list[str]:
    """The listening addresses where a client could skip the proxies and forge X-Forwarded-For.

    With PROXY_COUNT proxies, the app believes the last PROXY_COUNT entries of X-Forwarded-For
    from whoever connects, so it must listen only where the proxy alone can reach it. Loopback
    and Unix sockets are safe; any other address is safe only if a firewall or network makes it so.
    """
    if proxy_count <= 0:
        return []
    return [bind for bind in binds if not _is_private_to_this_machine(bind)]


def _is_private_to_this_machine(bind: str) -> bool:
    if bind.startswith(("unix:", "fd://")):
        return True
    host = bind.rsplit(":", 1)[0] if bind.count(":") == 1 or bind.startswith("[") else bind
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
