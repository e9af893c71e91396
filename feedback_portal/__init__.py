"""The co-production feedback portal: create_app() builds it, one named step per concern."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.logging import default_handler
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for, configuration_problems, database_engine_options, trusted_hosts
from feedback_portal.extensions import cache, csrf, db, limiter, login_manager, mail, migrate


class ConfigurationError(RuntimeError):
    """The app must not start with this configuration."""


# Seconds to wait for Redis before a request counts its limits in memory instead: without a
# timeout, a Redis host that vanishes (rather than refusing connections) would hang every post.
REDIS_LIMIT_STORE_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=None, instance_relative_config=True)
    load_config(app, config_name, overrides)
    register_templates(app)
    # Before the extensions, so that bodies are checked before CSRF protection reads them.
    register_security(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_pages(app)
    register_commands(app)
    return app


def load_config(app: Flask, config_name: str | None, overrides: dict[str, Any] | None) -> None:
    app.config.from_object(config_for(config_name))
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database_engine_options(app.config)
    problems = configuration_problems(app.config)
    if problems:
        raise ConfigurationError("The portal will not start:\n- " + "\n- ".join(problems))
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.root_path + "/../templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from feedback_portal import vocabulary
    from feedback_portal.markdown import render_markdown
    from feedback_portal.templating import html_datetime, max_length, template_globals
    from feedback_portal.uk_time import open_until, uk_date, uk_date_at_time, uk_datetime

    WTFormsHelpers(app)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["html_datetime"] = html_datetime
    app.jinja_env.filters["uk_date"] = uk_date
    app.jinja_env.filters["uk_datetime"] = uk_datetime
    app.jinja_env.filters["uk_date_at_time"] = uk_date_at_time
    app.jinja_env.filters["open_until"] = open_until
    # A global, not a context value, so that macros imported without context can use it.
    app.jinja_env.globals["max_length"] = max_length
    app.jinja_env.globals["vocabulary"] = vocabulary
    app.context_processor(template_globals)


def register_extensions(app: Flask) -> None:
    register_database(app)
    migrate.init_app(app, db, directory=app.root_path + "/../migrations")
    csrf.init_app(app)
    mail.init_app(app)
    register_limiter(app)
    register_page_cache(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.sign_in"
    login_manager.login_message = "Sign in to see that page."

    from feedback_portal.services.accounts import load_user_for_session

    login_manager.user_loader(load_user_for_session)


def register_page_cache(app: Flask) -> None:
    from feedback_portal.services import public_content

    limits_store = app.config["RATELIMIT_STORAGE_URI"]
    redis_url = app.config["PAGE_CACHE_REDIS_URL"] or (limits_store if is_redis_url(limits_store) else "")
    settings = {
        "CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_SECONDS"],
        "CACHE_KEY_PREFIX": f"portal-page-{public_content.CACHED_PAGE_SHAPE}:",
    }
    if redis_url:
        settings |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
        settings |= {"CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}
    else:
        settings |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config=settings)
    public_content.track_changes()


def is_redis_url(url: str) -> bool:
    """A Redis that several servers share: the limiter's store, and then the page cache too."""
    return url.startswith(("redis://", "rediss://"))


def register_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", configure_sqlite_connection)


def configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    """Every SQLite connection: write-ahead logging, and syncing to disk at checkpoints only.

    With a write-ahead log, pages keep reading while a comment is written, and a write waits only
    for another write (up to the busy timeout, DATABASE_LOCK_TIMEOUT_MS: see config.py), not for
    every reader to finish. synchronous=NORMAL is what SQLite advises with it: the database stays
    whole after any crash, and only a power cut can lose the last transactions committed.
    A database in memory has no log file: SQLite keeps its journal in memory and says so.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def register_limiter(app: Flask) -> None:
    if is_redis_url(app.config["RATELIMIT_STORAGE_URI"]):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_LIMIT_STORE_TIMEOUTS)
    limiter.init_app(app)
    # The limiter is one object for every app in the process, and it remembers "storage dead"
    # across init_app; a new app has just been given a new storage, so start by trusting it.
    limiter._storage_dead = False
    # Flask-Limiter logs to a logger with only a NullHandler: without this, its warning that
    # Redis is unreachable and limits now count per process would reach no log at all.
    limiter.logger.addHandler(default_handler)


def register_security(app: Flask) -> None:
    from feedback_portal import load_shedding, security, sessions

    security.init_app(app)
    sessions.init_app(app)
    load_shedding.init_app(app)


def register_blueprints(app: Flask) -> None:
    from feedback_portal import url_ids

    # Before the blueprints, whose rules use the converter.
    url_ids.init_app(app)
    from feedback_portal.public.routes import blueprint as public
    from feedback_portal.staff import blueprint as staff

    app.register_blueprint(public)
    app.register_blueprint(staff)


def register_error_pages(app: Flask) -> None:
    from feedback_portal import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from feedback_portal import cli

    cli.init_app(app)
