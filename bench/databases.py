"""Throwaway databases for a benchmark run, migrated and seeded by the portal's own commands."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.servers import REPO_ROOT

PREPARE_TIMEOUT_SECONDS = 300


class DatabasePreparationFailed(RuntimeError):
    """`flask db upgrade`, `flask seed` or `flask consultations open-for-development` failed."""


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    yield f"sqlite:///{directory / 'bench.sqlite3'}"


@contextmanager
def postgresql_database(server_url: str) -> Iterator[str]:
    """A fresh database named bench_<random> on the server of `server_url`, dropped afterwards.

    Only CREATE DATABASE and DROP DATABASE run on the given database; its tables are never touched.
    """
    url = make_url(server_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise ValueError(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {url.get_backend_name()}.")
    name = f"bench_{secrets.token_hex(6)}"
    # CREATE DATABASE cannot run inside a transaction.
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE ends any connection a server that was killed rather than stopped left open.
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def prepare_database(env: dict[str, str]) -> None:
    """Upgrade the schema, load the definition and open its consultation, as `make run` does in
    development (so the pages measured carry the comment form), for env["DATABASE_URL"]."""
    for command in (["db", "upgrade"], ["seed"], ["consultations", "open-for-development"]):
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
