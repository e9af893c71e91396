"""`make bench`: the portal's pages under load, each beside a bare Flask page served the same way.

The ceiling is bench/hello.py under the same gunicorn settings, measured in the same run, so the
ratios can be compared between machines. The portal runs on a throwaway SQLite file, and also
on a throwaway PostgreSQL database when BENCH_DATABASE_URL names a server.

    BENCH_SECONDS=3 .venv/bin/python -m bench.run
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make bench
"""

from __future__ import annotations

import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.databases import DatabasePreparationFailed, postgresql_database, prepare_database, sqlite_database
from bench.loadgen import Job, Result
from bench.servers import REPO_ROOT, ServerFailedToStart, describe_settings, log_tail, serve

DEFAULT_SECONDS = 10.0
CONCURRENCY = 64
WARMUP_REQUESTS = 50
CEILING_APP = "bench.hello:app"
PORTAL_APP = "wsgi:app"
PORTAL_READY_PATH = "/healthz"
# Beyond the measured seconds: warm-up, the last in-flight responses, process start-up.
LOADGEN_GRACE_SECONDS = 90


@dataclass(frozen=True)
class Scenario:
    """One kind of request, repeated by every client. A POST gives method, body and headers."""

    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


CEILING = Scenario("hello world (ceiling)", "/")
SCENARIOS: list[Scenario] = [
    Scenario("GET /definition/basic", "/definition/basic"),
    Scenario("GET /definition", "/definition"),
    Scenario("GET /healthz", "/healthz"),
]


class LoadGeneratorFailed(RuntimeError):
    """bench.loadgen exited with an error or printed no result."""


@dataclass(frozen=True)
class Row:
    scenario: str
    database: str
    result: Result


def main() -> int:
    try:
        return run_benchmark(bench_seconds(), os.environ.get("BENCH_DATABASE_URL") or None)
    except KeyboardInterrupt:
        print("\nInterrupted; servers stopped and temporary databases removed.", file=sys.stderr)
        return 130


def bench_seconds() -> float:
    value = os.environ.get("BENCH_SECONDS", "")
    if not value:
        return DEFAULT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:
        raise SystemExit(f"BENCH_SECONDS must be a number of seconds between 0 and 3600, not {value!r}.")
    return seconds


def run_benchmark(seconds: float, postgresql_url: str | None) -> int:
    print_header(seconds, postgresql_url)
    rows: list[Row] = []
    notes: list[str] = []
    exit_code = 0
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        scratch_dir = Path(scratch)
        databases: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [
            ("SQLite", lambda: sqlite_database(scratch_dir))
        ]
        if postgresql_url:
            databases.append(("PostgreSQL", lambda: postgresql_database(postgresql_url)))
        try:
            # The ceiling never opens a database; it gets the same environment all the same.
            env = server_environment(f"sqlite:///{scratch_dir / 'unused.sqlite3'}")
            log_path = scratch_dir / "ceiling.log"
            with serve(CEILING_APP, env, CEILING.path, log_path) as port:
                rows.append(measure_scenario(CEILING, "-", port, seconds, notes, log_path))
            for label, open_database in databases:
                with open_database() as database_url:
                    env = server_environment(database_url)
                    progress(f"Preparing {label}: flask db upgrade, flask seed")
                    prepare_database(env)
                    log_path = scratch_dir / f"portal-{label.lower()}.log"
                    with serve(PORTAL_APP, env, PORTAL_READY_PATH, log_path) as port:
                        for scenario in SCENARIOS:
                            rows.append(measure_scenario(scenario, label, port, seconds, notes, log_path))
        except (ServerFailedToStart, DatabasePreparationFailed, LoadGeneratorFailed) as error:
            notes.append(f"{type(error).__name__}: {error}")
            exit_code = 1
    print_table(rows)
    for note in notes:
        print(f"\n{note}")
    return exit_code


def server_environment(database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in {"FLASK_APP", "FLASK_DEBUG"}}
    # Development, not production: production cookies are Secure-only and the bench speaks plain
    # http. Debug stays off either way, and a random key keeps this run's sessions its own.
    env.update(
        DATABASE_URL=database_url,
        PORTAL_ENV="development",
        SECRET_KEY=secrets.token_urlsafe(36),
    )
    return env


def measure_scenario(
    scenario: Scenario, database: str, port: int, seconds: float, notes: list[str], log_path: Path
) -> Row:
    progress(f"Measuring {scenario.name} on {database if database != '-' else 'no database'}")
    job = Job(
        port=port,
        path=scenario.path,
        method=scenario.method,
        body=scenario.body,
        headers=scenario.headers,
        seconds=seconds,
        concurrency=CONCURRENCY,
        warmup_requests=WARMUP_REQUESTS,
    )
    # A separate process, so that the client's work is not counted against the servers' GIL.
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.loadgen"],
            input=json.dumps(asdict(job)),
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=seconds + LOADGEN_GRACE_SECONDS,
            check=True,
        )
        result = Result(**json.loads(completed.stdout))
    except (subprocess.SubprocessError, ValueError, TypeError) as error:
        stderr = getattr(error, "stderr", None) or ""
        raise LoadGeneratorFailed(f"{scenario.name} on {database}: {error}\n{stderr}") from error
    if result.errors or result.warmup_errors:
        notes.append(
            f"{scenario.name} on {database}: errors {result.error_kinds}, "
            f"warm-up errors {result.warmup_errors}. Server log:\n{log_tail(log_path) or '(empty)'}"
        )
    return Row(scenario.name, database, result)


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def print_header(seconds: float, postgresql_url: str | None) -> None:
    databases = "SQLite (temporary file)"
    if postgresql_url:
        databases += f", PostgreSQL (a temporary database on {make_url(postgresql_url).render_as_string()})"
    print(
        f"Machine: {os.cpu_count()} cores. Load: {CONCURRENCY} concurrent keep-alive clients for "
        f"{seconds:g} s per page, after {WARMUP_REQUESTS} warm-up requests.\n"
        f"Servers: {describe_settings()}; ceiling {CEILING_APP}, portal {PORTAL_APP}.\n"
        f"Databases: {databases}.",
        flush=True,
    )


def print_table(rows: list[Row]) -> None:
    ceiling = next((row.result for row in rows if row.scenario == CEILING.name), None)
    headings = ("page", "database", "requests/s", "ceiling requests/s", "ratio", "errors", "p50 ms", "p95 ms")
    lines = [headings]
    for row in rows:
        result = row.result
        ceiling_rate = ceiling.requests_per_second if ceiling else math.nan
        ratio = result.requests_per_second / ceiling_rate if ceiling_rate else math.nan
        lines.append(
            (
                row.scenario,
                row.database,
                f"{result.requests_per_second:.0f}",
                f"{ceiling_rate:.0f}",
                f"{ratio:.2f}",
                str(result.errors),
                f"{result.p50_ms:.1f}",
                f"{result.p95_ms:.1f}",
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(headings))]
    print()
    for line in lines:
        cells = [
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


if __name__ == "__main__":
    sys.exit(main())
