"""The bench's databases: migrated and seeded by the portal's own commands, then filled with
generated comments in bulk SQL (one INSERT ... SELECT), and cached between runs.

A cache is keyed by the migrations, the seeded content and this file: change any and it is
rebuilt. SQLite caches are files under bench/.cache/; PostgreSQL caches are template databases
named bench_cache_<key>_<size>, copied with CREATE DATABASE ... TEMPLATE for each run.
Every run works on a copy, so what a run writes (comments, a staff user) never reaches the cache.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from bench.servers import REPO_ROOT

CACHE_DIR = REPO_ROOT / "bench" / ".cache"
PREPARE_TIMEOUT_SECONDS = 600
SMALL, LARGE = 1_000, 1_000_000
# The two sections whose pages are measured, and how many published comments each shows.
FEW_SECTION, FEW_COMMENTS = "basic", 20
MANY_SECTION, MANY_COMMENTS = "intermediate", 200
# Generated comments spread over this many days before the database was built.
SPREAD_DAYS = 60
# A text no generated comment contains: the queue's search that matches nothing.
MATCHES_NOTHING = "zebra quixotic"


class DatabasePreparationFailed(RuntimeError):
    """A flask command or the bulk insert failed."""


def cache_key() -> str:
    digest = hashlib.sha256()
    sources = sorted((REPO_ROOT / "migrations" / "versions").glob("*.py"))
    sources += sorted((REPO_ROOT / "feedback_portal" / "content").glob("*"))
    sources.append(Path(__file__))
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def flask_command(env: dict[str, str], *command: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PREPARE_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise DatabasePreparationFailed(
            f"flask {' '.join(command)} failed with code {completed.returncode}:\n"
            f"{completed.stdout}{completed.stderr}"
        )
    return completed.stdout


def open_consultation(env: dict[str, str]) -> None:
    """Open the consultation from now, as `make run` does in development: a cached database's
    closing date may have passed."""
    flask_command(env, "consultations", "open-for-development")


def build(env: dict[str, str], comments: int) -> None:
    """Migrate and seed env["DATABASE_URL"], then add `comments` generated comments."""
    flask_command(env, "db", "upgrade")
    flask_command(env, "seed")
    open_consultation(env)
    engine = create_engine(env["DATABASE_URL"])
    postgresql = engine.dialect.name == "postgresql"
    try:
        with engine.begin() as connection:
            # PostgreSQL's tally trigger, run a million times in one transaction, would update the
            # same few rows a million times over; they are counted once afterwards instead.
            if postgresql:
                connection.execute(text("ALTER TABLE comment DISABLE TRIGGER comment_tally"))
            insert_comments(connection, comments)
            if postgresql:
                connection.execute(text("ALTER TABLE comment ENABLE TRIGGER comment_tally"))
        if postgresql:
            flask_command(env, "tallies", "recount")
        if engine.dialect.name == "postgresql":
            # What autovacuum would soon do to a million new rows.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM"))
    finally:
        engine.dispose()
    # What production's daily cron runs: SQLite has no statistics until it does.
    flask_command(env, "analyze")


def insert_comments(connection: Connection, total: int) -> None:
    """`total` comments in one statement: the measured sections get exactly their published
    comments; the rest fall on the other sections and the whole document, in every state."""
    first = connection.execute(
        text(
            "SELECT c.id, max(v.id) FROM consultation c JOIN document_version v "
            "ON v.document_id = c.document_id AND v.published_at IS NOT NULL GROUP BY c.id ORDER BY c.id"
        )
    ).first()
    if first is None:
        raise DatabasePreparationFailed("flask seed made no consultation with a published version")
    consultation, version = first
    sections: dict[str, int] = dict(
        connection.execute(
            text("SELECT slug, id FROM section WHERE version_id = :v ORDER BY position, id"), {"v": version}
        ).all()
    )
    others = [sections[slug] for slug in sections if slug not in {FEW_SECTION, MANY_SECTION}]
    measured = FEW_COMMENTS + MANY_COMMENTS
    rest = max(total - measured, 0)
    now = time.time()
    common = {"version": version, "consultation": consultation}
    # The measured sections' comments: published, within the last day.
    connection.execute(
        text(insert_sql(connection.dialect.name, other_sections=None)),
        {
            **common,
            "first": 1,
            "last": measured,
            "few_section": sections[FEW_SECTION],
            "many_section": sections[MANY_SECTION],
            "few": FEW_COMMENTS,
            "start": now - 86_400,
            "step": 86_400 / measured,
        },
    )
    if rest:
        connection.execute(
            text(insert_sql(connection.dialect.name, other_sections=others)),
            {
                **common,
                "first": measured + 1,
                "last": measured + rest,
                "start": now - SPREAD_DAYS * 86_400,
                "step": SPREAD_DAYS * 86_400 / rest,
            },
        )


STATES = (
    "CASE i % 10 WHEN 0 THEN 'pending' WHEN 1 THEN 'pending' WHEN 2 THEN 'pending' "
    "WHEN 3 THEN 'pending' WHEN 4 THEN 'published' WHEN 5 THEN 'published' WHEN 6 THEN 'published' "
    "WHEN 7 THEN 'rejected' WHEN 8 THEN 'spam' ELSE 'hidden' END"
)
REACTIONS = "CASE i % 4 WHEN 1 THEN 'yes' WHEN 2 THEN 'partly' WHEN 3 THEN 'no' END"


def insert_sql(dialect: str, other_sections: list[int] | None) -> str:
    """INSERT ... SELECT over the numbers first..last: generate_series on PostgreSQL, a recursive
    CTE on SQLite. Without other_sections, the measured sections' published comments."""
    if other_sections is None:
        section = "CASE WHEN i < :first + :few THEN :few_section ELSE :many_section END"
        state = "'published'"
    else:
        branches = " ".join(f"WHEN {n} THEN {section_id}" for n, section_id in enumerate(other_sections))
        section = f"CASE i % {len(other_sections) + 1} {branches} END"
        state = STATES
    if dialect == "postgresql":
        numbers = "generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n(i)"
        prefix = ""
        reference = "'CB' || lpad(i::text, 10, '0')"
        moment = "to_timestamp(:start + (i - :first) * :step)"
        false = "false"
    else:
        prefix = "WITH RECURSIVE n(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM n WHERE i < :last) "
        numbers = "n"
        reference = "'CB' || printf('%010d', i)"
        moment = "strftime('%Y-%m-%d %H:%M:%S', :start + (i - :first) * :step, 'unixepoch') || '.000000'"
        false = "0"
    # Only this file's own constants and integers are formatted in; the values are bound.
    return (
        f"{prefix}INSERT INTO comment (reference, submission_key, document_version_id, consultation_id, "  # noqa: S608
        "section_id, body, reaction, author_name, author_email, wants_updates, wants_involvement, state, "
        "revision, created_at, published_at, channel) "
        f"SELECT {reference}, 'bench-' || i, :version, :consultation, {section}, "
        "'Comment ' || i || ' on co-production: people who use services should shape them from the start.', "
        f"{REACTIONS}, CASE WHEN i % 3 = 0 THEN 'Person ' || i END, "
        f"CASE WHEN i % 3 = 0 THEN 'person' || i || '@example.org' END, {false}, {false}, {state}, 1, "
        f"{moment}, CASE WHEN {state} = 'published' THEN {moment} END, 'online' FROM {numbers}"
    )


# SQLite --------------------------------------------------------------------------------------


def sqlite_copy(comments: int, scratch: Path, env: dict[str, str]) -> str:
    """A copy of the cached SQLite database of this size (built first if needed), in `scratch`."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached = CACHE_DIR / f"sqlite-{cache_key()}-{comments}.sqlite3"
    if not cached.exists():
        for stale in [
            *CACHE_DIR.glob(f"sqlite-*-{comments}.sqlite3"),
            *CACHE_DIR.glob(f"sqlite-*-{comments}.building"),
        ]:
            stale.unlink()
        building = cached.with_suffix(".building")
        building.unlink(missing_ok=True)
        build({**env, "DATABASE_URL": f"sqlite:///{building}"}, comments)
        building.rename(cached)
    copy = scratch / f"sqlite-{comments}.sqlite3"
    shutil.copyfile(cached, copy)
    url = f"sqlite:///{copy}"
    open_consultation({**env, "DATABASE_URL": url})
    return url


# PostgreSQL ----------------------------------------------------------------------------------


@contextmanager
def postgresql_copy(server_url: str, comments: int, env: dict[str, str]) -> Iterator[str]:
    """A fresh database copied from the cached template of this size (built first if needed),
    dropped afterwards. Only CREATE/DROP DATABASE run on the database BENCH_DATABASE_URL names."""
    url = make_url(server_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise ValueError(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {url.get_backend_name()}.")
    template = f"bench_cache_{cache_key()}_{comments}"
    name = f"bench_run_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            existing = set(connection.scalars(text("SELECT datname FROM pg_database")))
            if template not in existing:
                for stale in existing:
                    if stale.startswith("bench_cache_") and stale.endswith(f"_{comments}"):
                        connection.execute(text(f'DROP DATABASE "{stale}" WITH (FORCE)'))
                building = f"{template}_building"
                connection.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{building}"'))
                build({**env, "DATABASE_URL": url.set(database=building).render_as_string(False)}, comments)
                connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{template}"'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        copy_url = url.set(database=name).render_as_string(hide_password=False)
        try:
            open_consultation({**env, "DATABASE_URL": copy_url})
            yield copy_url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
