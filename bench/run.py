"""`make bench`: every figure of issue 15 in one run, each beside its ceiling.

Throughput (wrk, 64 connections) is measured in pairs, ceiling then case, repeated REPEATS
times; a figure is the median of its pairs' ratios, with their spread. On SQLite always, and on
PostgreSQL too when BENCH_DATABASE_URL names a server. BENCH_SECONDS (default 10) is the length
of each wrk run and scales the steady load's 3 minutes; below 10, the exports run once, on the
newest comments only (BENCH_SECONDS/20 of them).

    BENCH_SECONDS=2 .venv/bin/python -m bench.run
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres make bench

The results are printed and written to bench/results/latest.json.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import databases, exports, figures, forms, proxy, steady
from bench.figures import AT_LEAST, AT_MOST, Figure
from bench.loadgen import (
    CONNECTIONS,
    MIN_RESPONSES,
    Load,
    LoadGeneratorFailed,
    run_wrk,
    run_wrk_enough,
    warm_up,
)
from bench.servers import REPO_ROOT, ServerFailedToStart, describe_settings, log_tail, serve


class StaffPagesFailed(RuntimeError):
    """bench.pages, which times the staff pages and the digest, exited with an error."""


DEFAULT_SECONDS = 10.0
REPEATS = 3
RESULTS = REPO_ROOT / "bench" / "results" / "latest.json"
SECTION_PAGES = {
    f"GET /definition/<slug>, {databases.FEW_COMMENTS} comments": f"/definition/{databases.FEW_SECTION}",
    f"GET /definition/<slug>, {databases.MANY_COMMENTS} comments": f"/definition/{databases.MANY_SECTION}",
}
OTHER_PAGES = {"GET /": "/", "GET /definition": "/definition"}
STEADY_SECONDS = 180
STEADY_VIEWS_PER_SECOND = 50
STEADY_COMMENTS_PER_SECOND = 10
# Forms scraped per POST expected: a POST (a redirect, no page) can outrun its page's GET; after
# the first pair, the pool is sized from the POST rate just measured.
FORMS_PER_EXPECTED_POST = 3


def main() -> int:
    seconds = bench_seconds()
    postgresql_url = os.environ.get("BENCH_DATABASE_URL") or None
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}. "
          f"wrk: 64 connections, {seconds:g} s a run, {REPEATS} pairs a figure.\n"
          f"Servers: {describe_settings()}.", flush=True)  # fmt: skip
    results: list[Figure] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch_name:
        scratch = Path(scratch_name)
        for label, small, large in database_pairs(scratch, postgresql_url):
            try:
                with ExitStack() as stack:
                    small_url = stack.enter_context(small())
                    keep(results, throughput_figures(label, small_url, scratch, seconds))
                    large_url = stack.enter_context(large())
                    keep(results, page_figures(label, small_url, large_url))
                    keep(results, export_figures(label, large_url, scratch, seconds))
                    if label == "PostgreSQL":
                        keep(results, [steady_load_figure(large_url, scratch, seconds)])
                        keep(results, [two_servers_figure(large_url, scratch, seconds)])
            except (
                ServerFailedToStart,
                LoadGeneratorFailed,
                StaffPagesFailed,
                databases.DatabasePreparationFailed,
            ) as error:
                failures.append(f"{label}: {type(error).__name__}: {error}")
    print("\nAll figures:")
    print(figures.table(results))
    figures.write_json(results, RESULTS)
    print(f"\nWritten to {RESULTS.relative_to(REPO_ROOT)}.")
    for failure in failures:
        print(f"\n{failure}")
    return 1 if failures else 0


def keep(results: list[Figure], new: list[Figure]) -> None:
    """Print the new figures now, and keep the file up to date, so an interrupted run loses little."""
    results += new
    print(figures.table(new), flush=True)
    figures.write_json(results, RESULTS)


def bench_seconds() -> float:
    value = os.environ.get("BENCH_SECONDS", "")
    try:
        seconds = float(value) if value else DEFAULT_SECONDS
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:
        raise SystemExit(f"BENCH_SECONDS must be a number of seconds between 0 and 3600, not {value!r}.")
    return seconds


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def environment(database_url: str) -> dict[str, str]:
    """The servers' environment: development settings (plain http; debug stays off), this run's
    own secret key, and the comment form's rate limit and minimum fill time relaxed."""
    env = {name: value for name, value in os.environ.items() if name not in {"FLASK_APP", "FLASK_DEBUG"}}
    env.update(
        DATABASE_URL=database_url,
        PORTAL_ENV="development",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or SECRET_KEY,
        COMMENT_RATE_LIMIT="1000000 per second",
        MIN_FORM_FILL_SECONDS="0",
    )
    return env


SECRET_KEY = secrets.token_urlsafe(36)


def database_pairs(scratch: Path, postgresql_url: str | None):
    """(label, small, large): each a context manager giving a run's copy of a cached database."""

    @contextmanager
    def sqlite(size: int):
        progress(f"SQLite, {size:,} comments: copying the cached database (building it first if needed)")
        yield databases.sqlite_copy(size, scratch, environment(""))

    yield "SQLite", lambda: sqlite(databases.SMALL), lambda: sqlite(databases.LARGE)
    if postgresql_url:

        def postgresql(size: int):
            progress(
                f"PostgreSQL, {size:,} comments: copying the cached template (building it first if needed)"
            )
            return databases.postgresql_copy(postgresql_url, size, environment(""))

        yield "PostgreSQL", lambda: postgresql(databases.SMALL), lambda: postgresql(databases.LARGE)


# Throughput ----------------------------------------------------------------------------------


def pairs_figure(name: str, runs: list[tuple[Load, Load]], goal: float, extra: dict | None = None) -> Figure:
    """A throughput figure from (case, ceiling) pairs of wrk runs."""
    details = {
        "responses": [case.expected for case, _ in runs],
        "wrk_seconds": [round(case.seconds, 1) for case, _ in runs],
        "errors": sum(case.errors for case, _ in runs),
        "ceiling_errors": sum(ceiling.errors for _, ceiling in runs),
        "p95_ms": statistics.median(case.p95_ms for case, _ in runs),
        "server_cpu_ms_per_request": statistics.median(case.cpu_ms_per_request for case, _ in runs),
        "ceiling_server_cpu_ms_per_request": statistics.median(c.cpu_ms_per_request for _, c in runs),
        "wrk_cpu_share": max(case.client_cpu_share for case, _ in runs),
        "load_average_1min": [case.load_average for case, _ in runs],
        **(extra or {}),
    }
    pairs = [(case.per_second, ceiling.per_second) for case, ceiling in runs]
    return figures.from_pairs(name, "requests/s", pairs, goal, AT_LEAST, details)


def throughput_figures(label: str, database_url: str, scratch: Path, seconds: float) -> list[Figure]:
    env = environment(database_url)
    engine = create_engine(database_url)
    # The ceiling's table: SQLite numbers an INTEGER PRIMARY KEY itself; PostgreSQL needs SERIAL.
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE IF NOT EXISTS bench_row (id {key} PRIMARY KEY, body TEXT NOT NULL)")
        )
    results = []
    logs = scratch / label.lower()
    logs.mkdir(exist_ok=True)
    with (
        serve("bench.hello:app", env, "/", logs / "hello.log") as hello,
        serve("bench.insert_one:app", env, "/", logs / "insert.log") as insert,
        serve("wsgi:app", env, "/healthz", logs / "portal.log") as portal,
    ):
        for name, path in {**SECTION_PAGES, **OTHER_PAGES}.items():
            goal = 0.40 if path in SECTION_PAGES.values() else 0.50
            progress(f"{label}: {name} against hello world, {REPEATS} pairs")
            runs = []
            warm_up(hello.url + "/")
            warm_up(portal.url + path)
            duration = seconds
            for _ in range(REPEATS):
                ceiling = run_wrk(hello.url + "/", seconds, [hello.pid])
                case = run_wrk_enough(portal.url + path, duration, [portal.pid])
                duration = max(duration, round(case.seconds))
                runs.append((case, ceiling))
            results.append(pairs_figure(f"{label}: {name}", runs, goal))
            if name.endswith(f" {databases.FEW_COMMENTS} comments"):
                get_rate, get_duration = max(case.per_second for case, _ in runs), duration
        results.append(comment_post_figure(label, engine, portal, insert, scratch, get_duration, get_rate))
        for server in (hello, insert, portal):
            if "Traceback" in log_tail(server.log_path):
                results[-1].details.setdefault("server_log", log_tail(server.log_path))
    engine.dispose()
    return results


def comment_post_figure(
    label, engine, portal, insert, scratch: Path, seconds: float, get_rate: float
) -> Figure:
    path = f"/definition/{databases.FEW_SECTION}"
    count_sql = text("SELECT count(*) FROM comment")
    with engine.connect() as connection:
        before = connection.execute(count_sql).scalar_one()
    runs = []
    insert_body = scratch / "insert-body.txt"
    forms.write_pool(["-\tbody=A+comment."], insert_body)
    warm_up(insert.url + "/")
    # As long as the page's GET needed to get enough responses, and enough forms for that.
    rate, duration = get_rate, seconds
    for repeat in range(REPEATS):
        # Plus a form for each connection: up to one request each is still in flight at the end.
        wanted = max(int(rate * duration * FORMS_PER_EXPECTED_POST), 2 * MIN_RESPONSES) + CONNECTIONS
        progress(f"{label}: comment POST, pair {repeat + 1}: scraping {wanted} forms from GET {path}")
        pool = forms.write_pool(forms.scrape(portal.port, path, wanted), scratch / f"forms-{repeat}.txt")
        ceiling = run_wrk(insert.url + "/insert", duration, [insert.pid], 201, insert_body, replay_ok=True)
        # Not lengthened: a second try would send forms the first one already used.
        case = run_wrk(portal.url + path, duration, [portal.pid], 302, pool)
        runs.append((case, ceiling))
        # A pool that ran out measured a lower bound: ask for twice as many forms next time.
        rate = max(case.per_second, 1) * (2 if case.replayed else 1)
    with engine.connect() as connection:
        stored = connection.execute(count_sql).scalar_one() - before
        receipts = connection.execute(text("SELECT count(*) FROM outbox_message")).scalar_one()
    accepted = sum(case.expected for case, _ in runs)
    extra = {
        "accepted": accepted,
        "stored": stored,
        # wrk stops counting at its deadline; the POSTs then in flight are still stored.
        "every_accepted_comment_stored": stored >= accepted,
        "outbox_messages": receipts,
        "forms_ran_out": sum(case.replayed for case, _ in runs),
    }
    figure = pairs_figure(f"{label}: comment POST vs insert-and-commit", runs, 0.70, extra)
    if extra["forms_ran_out"]:
        figure.details["note"] = "the forms ran out: the last was sent again, so this rate is a lower bound"
    if stored < accepted or figure.details["errors"] or extra["forms_ran_out"]:
        figure = dataclasses.replace(figure, meets=False)
    return figure


# Pages at 1,000 and 1,000,000 comments ------------------------------------------------------------


def time_pages(small_url: str, large_url: str, repeats: int) -> dict:
    env = {
        **environment(small_url),
        "BENCH_SMALL_DATABASE_URL": small_url,
        "BENCH_LARGE_DATABASE_URL": large_url,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.pages", str(repeats)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise StaffPagesFailed(f"bench.pages failed:\n{completed.stdout}{completed.stderr}")
    return json.loads(completed.stdout)


def page_figures(label: str, small_url: str, large_url: str) -> list[Figure]:
    progress(f"{label}: staff pages and the digest, at 1,000 then 1,000,000 comments, {REPEATS} pairs")
    timings = time_pages(small_url, large_url, REPEATS)
    results = []
    for name, at_large in timings["large"].items():
        errors = {case: status for case, status in timings["errors"].items() if case.startswith(name)}
        details = {"errors": errors, "times_ms": at_large, "times_at_1k_ms": timings["small"][name]}
        if name.startswith("queue"):
            pairs = list(zip(at_large, timings["small"][name], strict=True))
            figure = figures.from_pairs(f"{label}: {name} (1M vs 1k)", "ms", pairs, 1.5, AT_MOST, details)
        else:
            goal = 50 if name.startswith("digest") else 300
            figure = figures.absolute(f"{label}: {name} at 1M", "ms", at_large, goal, details)
        results.append(dataclasses.replace(figure, meets=figure.meets and not errors))
    return results


# Steady load in the production shape ------------------------------------------------------------


def production_environment(database_url: str) -> dict[str, str]:
    """Production settings (Secure cookies, trusted hosts, rate limits counted in Redis), with the
    comment form's limits relaxed as everywhere in the bench."""
    env = environment(database_url)
    env.update(
        PORTAL_ENV="production",
        PUBLIC_BASE_URL="https://feedback.example.gov.uk",
        TRUSTED_HOSTS="127.0.0.1",
        RATELIMIT_STORAGE_URI=os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/0",
    )
    return env


def steady_load_figure(database_url: str, scratch: Path, seconds: float) -> Figure:
    """50 section-page views and 10 comments a second, for 3 minutes (scaled by BENCH_SECONDS/10)."""
    duration = STEADY_SECONDS * seconds / DEFAULT_SECONDS
    path = f"/definition/{databases.FEW_SECTION}"
    with serve(
        "wsgi:app", production_environment(database_url), "/healthz", scratch / "steady.log"
    ) as portal:
        warm_up(portal.url + path)
        count = int(STEADY_COMMENTS_PER_SECOND * duration)
        progress(
            f"PostgreSQL, production shape: scraping {count} forms, then {duration:.0f} s of steady load"
        )
        posts = [
            steady.encode("POST", path, portal.port, None if cookie == "-" else cookie, body)
            for cookie, body in (line.split("\t", 1) for line in forms.scrape(portal.port, path, count))
        ]
        result = steady.measure(
            portal.port,
            duration,
            [
                (STEADY_VIEWS_PER_SECOND, steady.encode("GET", path, portal.port), 200),
                (STEADY_COMMENTS_PER_SECOND, posts, 302),
            ],
        )
    details = {"requests": result.requests, "errors": result.errors, "p50_ms": round(result.p50_ms, 1),
               "seconds": duration, "generator_cpu_share": round(result.generator_cpu_share, 3),
               "load_average_1min": round(os.getloadavg()[0], 2)}  # fmt: skip
    name = (
        f"PostgreSQL: p95 at {STEADY_VIEWS_PER_SECOND} views + {STEADY_COMMENTS_PER_SECOND} "
        "comments/s, production shape"
    )
    figure = figures.absolute(name, "ms", [result.p95_ms], 500, details)
    return dataclasses.replace(figure, meets=figure.meets and not result.errors)


def two_servers_figure(database_url: str, scratch: Path, seconds: float) -> Figure:
    """Two app servers behind nginx, sharing PostgreSQL and Redis, against one behind the same nginx."""
    env = {**production_environment(database_url), "PROXY_COUNT": "1"}
    path = f"/definition/{databases.FEW_SECTION}"
    with (
        serve("wsgi:app", env, "/healthz", scratch / "first.log") as first,
        serve("wsgi:app", env, "/healthz", scratch / "second.log") as second,
        proxy.nginx(scratch / "nginx", [first.port, second.port], "/healthz") as (nginx_pid, one, two),
    ):
        progress(f"PostgreSQL: GET {path} through nginx, two app servers against one, {REPEATS} pairs")
        pids = [first.pid, second.pid, nginx_pid]
        warm_up(f"http://127.0.0.1:{two}{path}")
        runs = []
        for _ in range(REPEATS):
            ceiling = run_wrk_enough(f"http://127.0.0.1:{one}{path}", seconds, pids)
            case = run_wrk_enough(f"http://127.0.0.1:{two}{path}", seconds, pids)
            runs.append((case, ceiling))
    return pairs_figure("PostgreSQL: two app servers behind nginx vs one", runs, 1.0)


# Exports -----------------------------------------------------------------------------------------


def export_figures(label: str, large_url: str, scratch: Path, seconds: float) -> list[Figure]:
    """The exports of the 1,000,000-comment database; below the default BENCH_SECONDS, only its
    most recent comments (in proportion) and once, for a quick look."""
    quick = seconds < DEFAULT_SECONDS
    filters = []
    if quick:
        days = databases.SPREAD_DAYS * seconds / DEFAULT_SECONDS / 2
        filters = ["--from", (datetime.now(UTC) - timedelta(days=days)).date().isoformat()]
    repeats = 1 if quick else REPEATS
    rounds = []
    for repeat in range(repeats):
        which = "the newest" if quick else "all"
        progress(f"{label}: exporting {which} comments as CSV and .xlsx ({repeat + 1}/{repeats})")
        rounds.append(exports.measure(environment(large_url), scratch, filters))
    rows = rounds[0].rows
    details = {"rows": rows, "failures": [f for r in rounds for f in r.failures]}
    csv_pairs = [(r.csv_rows_per_second, r.csv_module_rows_per_second) for r in rounds]
    of = f"of {rows:,} comments"
    return [
        figures.from_pairs(
            f"{label}: CSV export {of} vs csv module", "rows/s", csv_pairs, 0.80, AT_LEAST, details
        ),
        figures.absolute(
            f"{label}: CSV export {of}: memory growth", "MB", [r.csv_growth_mb for r in rounds], 20, {}
        ),
        figures.absolute(
            f"{label}: .xlsx export {of}: memory growth",
            "MB",
            [r.xlsx_growth_mb for r in rounds],
            20,
            {"xlsx_seconds": [round(r.xlsx_seconds, 1) for r in rounds]},
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
