"""Load from wrk (Debian's package, installed when missing), with the CPU each side spent.

wrk is one C thread on epoll: it leaves the servers most of this machine's cores, and what it
does use is reported beside each measurement (its CPU share). The servers' CPU per request
is read from /proc for gunicorn's arbiter and its workers.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"
CONNECTIONS = 64
WRK_THREADS = 1
TIMEOUT = "10s"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP_SECONDS = 3
MIN_RESPONSES = 50
MAX_STRETCH = 8


class LoadGeneratorFailed(RuntimeError):
    """wrk could not be installed, exited with an error or printed no result."""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    expected: int  # responses with the expected status
    errors: int  # any other status, and socket errors and timeouts
    replayed: int  # POSTs sent again because the pool of forms ran out
    p50_ms: float
    p95_ms: float
    server_cpu_seconds: float
    client_cpu_seconds: float
    load_average: float

    @property
    def per_second(self) -> float:
        return self.expected / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_seconds / self.expected if self.expected else float("nan")

    @property
    def client_cpu_share(self) -> float:
        """The load generator's CPU time over the machine's CPU time in the run (0 to 1)."""
        return self.client_cpu_seconds / (self.seconds * (os.cpu_count() or 1)) if self.seconds else 0.0

    def details(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "replayed": self.replayed,
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "server_cpu_ms_per_request": round(self.cpu_ms_per_request, 3),
            "wrk_cpu_share": round(self.client_cpu_share, 3),
            "load_average_1min": self.load_average,
        }


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("... wrk is missing: apt-get install -y wrk", flush=True)
    completed = subprocess.run(
        ["apt-get", "install", "-y", "wrk"], capture_output=True, text=True, check=False
    )
    found = shutil.which("wrk")
    if not found:
        raise LoadGeneratorFailed(f"could not install wrk:\n{completed.stdout}{completed.stderr}")
    return found


def warm_up(url: str, expected_status: int = 200) -> None:
    """Light load, not kept: every worker thread has compiled its templates and opened its
    database connections before anything is measured."""
    run_wrk(url, WARM_UP_SECONDS, [], expected_status, connections=8)


def run_wrk_enough(url: str, seconds: float, server_pids: list[int], *args, **kwargs) -> Load:
    """wrk for `seconds`, or longer, doubling up to MAX_STRETCH times, until MIN_RESPONSES came
    back. With 64 connections a slow page's first responses take longer than a short run: it
    would measure nothing. The caller can start its next run at the length this one needed."""
    stretch = 1
    while True:
        load = run_wrk(url, seconds * stretch, server_pids, *args, **kwargs)
        # A POST's pool of forms ran out: a longer run would only send more of the last one.
        if load.expected + load.errors >= MIN_RESPONSES or load.replayed or stretch >= MAX_STRETCH:
            return load
        stretch *= 2


def process_tree_cpu(pid: int) -> float:
    """User and system CPU seconds of a process and its descendants, from /proc."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(int(child) for child in children)
    return total


def run_wrk(
    url: str,
    seconds: float,
    server_pids: list[int],
    expected_status: int = 200,
    post_file: Path | None = None,
    connections: int = CONNECTIONS,
    replay_ok: bool = False,
) -> Load:
    script = "post.lua" if post_file else "get.lua"
    command = [
        ensure_wrk(),
        f"--threads={WRK_THREADS}",
        f"--connections={connections}",
        f"--duration={max(seconds, 1):.0f}s",
        f"--timeout={TIMEOUT}",
        f"--script={LUA_DIR / script}",
        url,
        "--",
        str(expected_status),
    ]
    if post_file:
        command.append(str(post_file))
        if replay_ok:
            command.append("reuse")
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR)}
    server_before = sum(process_tree_cpu(pid) for pid in server_pids)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    completed = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=seconds + 60, check=False
    )
    elapsed = time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = sum(process_tree_cpu(pid) for pid in server_pids) - server_before
    lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCH ")]
    if completed.returncode != 0 or not lines:
        raise LoadGeneratorFailed(
            f"wrk {url} exited with {completed.returncode}:\n{completed.stdout}{completed.stderr}"
        )
    report = json.loads(lines[-1].removeprefix("BENCH "))
    socket_errors = sum(report[kind] for kind in ("connect", "read", "write", "timeout"))
    return Load(
        requests=report["requests"],
        seconds=report["duration_us"] / 1e6 or elapsed,
        expected=report["expected"] - report["replayed"],
        errors=report["unexpected"] + socket_errors,
        replayed=report["replayed"],
        p50_ms=report["p50_us"] / 1000,
        p95_ms=report["p95_us"] / 1000,
        server_cpu_seconds=server_cpu,
        client_cpu_seconds=(children_after.ru_utime + children_after.ru_stime)
        - (children_before.ru_utime + children_before.ru_stime),
        load_average=round(os.getloadavg()[0], 2),
    )
