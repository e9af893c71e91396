"""Fixtures shared by every test: the app on a real database, a client, a runner, a live server.

The suite runs on SQLite by default and on PostgreSQL with `--database-url`, which
`make test` passes from TEST_DATABASE_URL. The schema is built by the real migrations,
and every test starts from empty tables with the document seeded.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from werkzeug.serving import make_server

from feedback_portal import create_app
from feedback_portal.extensions import db
from feedback_portal.models import ConsultationStatus
from feedback_portal.services import consultations, public_content
from feedback_portal.services.documents import seed_document
from feedback_portal.services.involvement_options import seed_default_options
from tests.helpers.url_rules import RuleCompiledOnce
from tests.mail_server import MailServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-url",
        default=None,
        help="Run the suite against this database (for example PostgreSQL) instead of SQLite.",
    )


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary folder, or a new PostgreSQL database beside the one given.

    A database of its own per run, so that runs side by side (two developers, CI) never
    drop each other's tables.
    """
    url = request.config.getoption("--database-url")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal-test.sqlite3'}"
        return
    with scratch_postgres_database(url, prefix="portal_test") as scratch_url:
        yield scratch_url


@contextmanager
def scratch_postgres_database(url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the one at `url`, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Every test builds a new app, and a new app would compile every template again: about two
# thirds of the suite's time. The compiled templates are shared instead, keyed by their source.
_TEMPLATE_BYTECODE = FileSystemBytecodeCache(tempfile.mkdtemp(prefix="portal-jinja-"))
# Likewise its URL rules: compiling them was four fifths of the rest of making an app.
Flask.url_rule_class = RuleCompiledOnce


# Every app a test makes, so that its database connections are closed when the test ends:
# a connection left to the garbage collector warns in whichever test happens to run then.
_apps_made: list[Flask] = []


def make_app(database_url: str, config_name: str = "testing", **overrides) -> Flask:
    app = create_app(config_name, {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    app.jinja_env.bytecode_cache = _TEMPLATE_BYTECODE
    _apps_made.append(app)
    return app


@pytest.fixture(autouse=True)
def close_the_connections_of_every_app_made() -> Iterator[None]:
    yield
    while _apps_made:
        with _apps_made.pop().app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    """The test database, upgraded to the newest migration once per run."""
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    if database_url.startswith("sqlite"):
        # The app writes SQLite through a write-ahead log, a second file that a plain copy of the
        # database would leave behind. Fold it in, and keep this file in rollback-journal mode,
        # so that each test's copy is the whole database; the app's first connection to a copy
        # puts it back in WAL mode.
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()
    return database_url


def empty_all_tables(connection: Connection) -> None:
    """Delete every row, and start every sequence again, in `connection`'s transaction.

    On PostgreSQL, TRUNCATE costs a file per table (about 10 ms each, empty or not), and the
    audit log's triggers forbid DELETE. So a superuser, as in CI, deletes with triggers off
    (the session acts as a replica); anyone else truncates.
    """
    if connection.dialect.name == "postgresql":
        if connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in db.metadata.sorted_tables:
                connection.execute(table.delete())
        else:
            tables = ", ".join(table.name for table in db.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        connection.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)"
                " FROM pg_sequences WHERE last_value IS NOT NULL"
            )
        )
    else:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    # The one row the migration makes, with a stamp no cached page was kept under.
    public_content.renew_stamp(connection)


@pytest.fixture(scope="session")
def emptying_engine(migrated_database: str) -> Iterator[Engine]:
    """One engine for the whole run that empties the tables before each test: an app made only
    for that would cost a tenth of a second a test (most of it compiling the URL rules)."""
    engine = create_engine(migrated_database)
    yield engine
    engine.dispose()


@pytest.fixture
def app_overrides(request: pytest.FixtureRequest) -> dict:
    """Override in a test module, or parametrize indirectly, to change the app's configuration."""
    return getattr(request, "param", {})


@pytest.fixture
def test_database_url(migrated_database: str, emptying_engine: Engine, tmp_path: Path) -> str:
    """An empty, migrated database for one test.

    SQLite: a copy of the migrated file (the audit log's triggers forbid deleting its rows).
    PostgreSQL: the suite's database, truncated.
    """
    if migrated_database.startswith("sqlite"):
        copy = tmp_path / "portal.sqlite3"
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    with emptying_engine.begin() as connection:
        empty_all_tables(connection)
    return migrated_database


def seed_open_document() -> None:
    """The definition, and its consultation open now: seeding makes a draft, and the tests, like
    `make run` in development, comment at once. Opened directly, so the audit log starts empty."""
    seed_document()
    consultation = consultations.get_current_consultation()
    if consultation.status == ConsultationStatus.DRAFT:
        now = datetime.now(UTC)
        consultation.status = ConsultationStatus.SCHEDULED
        consultation.opens_at, consultation.closes_at = now, now + consultations.DEVELOPMENT_LENGTH
        db.session.commit()


@pytest.fixture
def app(test_database_url: str, app_overrides: dict) -> Iterator[Flask]:
    """The app on a database of its own, with the definition document loaded."""
    app = make_app(test_database_url, **app_overrides)
    with app.app_context():
        seed_open_document()
        # PostgreSQL's tables were emptied: put back the choices the migration adds.
        seed_default_options()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free port, for the browser tests. Yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutting the server down waits for one poll.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Absolute links (a withdrawal link, a set-password link) lead where people reach the site.
    app.config["PUBLIC_BASE_URL"] = base_url
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


SEED_TEXT = Path(__file__).parent / "data" / "co-production-definition.txt"
# What to do when the browser tests find no Chromium: said by their fixture and by the summary.
INSTALL_CHROMIUM = "Install Debian's chromium-headless-shell, or set CHROMIUM_PATH"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say loudly when the browser tests did not run, so a green run cannot hide it."""
    not_run = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "BROWSER TESTS NOT RUN" in str(report.longrepr)
    ]
    if not_run:
        terminalreporter.write_sep("!", f"{len(not_run)} BROWSER TESTS WERE NOT RUN", red=True, bold=True)
        terminalreporter.write_line(f"{INSTALL_CHROMIUM}. CI sets REQUIRE_BROWSER=1.")


REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The tests' Redis, emptied before and after: for app servers that share it."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"Redis is not answering at {REDIS_URL}: start it (CI's .ci/run does) or set REDIS_TEST_URL"
        )
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on a free port. Tests that use it point MAIL_PORT at it (app_overrides)."""
    server = MailServer()
    server.start()
    yield server
    server.stop()
