"""`flask export csv` and `flask export xlsx` of every comment, as subprocesses, with their peak memory.

Memory growth is the peak RSS of the full export less that of the same command exporting
nothing (comments received before 2000, of which there are none): what the rows cost, not the
interpreter and the app.
Its time, likewise, is the full export's less the empty one's. The CSV's ceiling is Python's
csv module writing the same rows (read back from the export) from memory to a file.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import REPO_ROOT

NOTHING_BEFORE = "2000-01-01"


@dataclass(frozen=True)
class Export:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stderr: str


def run_export(env: dict[str, str], file_format: str, output: Path, *filters: str) -> Export:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "export", file_format,
               "--profile", "internal", "--consultation", "0", "--output", str(output), *filters]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    return Export(time.monotonic() - started, usage.ru_maxrss / 1024, process.returncode, stderr[-2000:])


def csv_module_seconds(rows: list[list[str]], output: Path) -> float:
    started = time.perf_counter()
    with output.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return time.perf_counter() - started


@dataclass(frozen=True)
class ExportRound:
    rows: int
    csv_rows_per_second: float
    csv_module_rows_per_second: float
    csv_growth_mb: float
    xlsx_seconds: float
    xlsx_growth_mb: float
    failures: list[str]


def measure(env: dict[str, str], scratch: Path, filters: list[str]) -> ExportRound:
    """Export every comment (or those `filters` choose) as CSV and .xlsx, and the same with none."""
    failures = []
    empty = {
        fmt: run_export(env, fmt, scratch / f"empty.{fmt}", "--to", NOTHING_BEFORE) for fmt in ("csv", "xlsx")
    }
    full_csv = run_export(env, "csv", scratch / "full.csv", *filters)
    full_xlsx = run_export(env, "xlsx", scratch / "full.xlsx", *filters)
    for name, export in [*empty.items(), ("csv (full)", full_csv), ("xlsx (full)", full_xlsx)]:
        if export.returncode != 0:
            failures.append(f"flask export {name} exited with {export.returncode}: {export.stderr}")
    with (scratch / "full.csv").open(newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    data_rows = max(len(rows) - 1, 0)
    module_seconds = csv_module_seconds(rows, scratch / "csv-module.csv")
    del rows
    csv_seconds = max(full_csv.seconds - empty["csv"].seconds, 1e-6)
    return ExportRound(
        rows=data_rows,
        csv_rows_per_second=data_rows / csv_seconds,
        csv_module_rows_per_second=data_rows / module_seconds,
        csv_growth_mb=full_csv.peak_rss_mb - empty["csv"].peak_rss_mb,
        xlsx_seconds=full_xlsx.seconds - empty["xlsx"].seconds,
        xlsx_growth_mb=full_xlsx.peak_rss_mb - empty["xlsx"].peak_rss_mb,
        failures=failures,
    )
