"""Serving an app with gunicorn for the length of a `with` block, the same way for every app:
the repository's gunicorn.conf.py (production's workers, threads, backlog and timeouts), on a
free local port."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GUNICORN_SETTINGS = ("--config=gunicorn.conf.py", "--log-level=warning", "--graceful-timeout=5")
STARTUP_TIMEOUT_SECONDS = 20.0
SHUTDOWN_TIMEOUT_SECONDS = 15.0
LOG_TAIL_LINES = 30


@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


class ServerFailedToStart(RuntimeError):
    """gunicorn exited, or did not answer in time."""


def describe_settings() -> str:
    return (
        f"gunicorn {' '.join(GUNICORN_SETTINGS)} (WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2')})"
    )


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-LOG_TAIL_LINES:])


@contextmanager
def serve(app_spec: str, env: dict[str, str], ready_path: str, log_path: Path) -> Iterator[Server]:
    """Serve `app_spec` (module:variable) on a free local port, yield it, then stop it."""
    port = find_free_port()
    command = [sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS, f"--bind={HOST}:{port}", app_spec]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, port, ready_path, log_path)
        yield Server(port, process.pid, log_path)
    finally:
        stop(process)


def wait_until_answering(process: subprocess.Popen, port: int, path: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last_answer = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailedToStart(
                f"gunicorn exited with code {process.returncode}.\n{log_tail(log_path)}"
            )
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
            last_answer = f"HTTP {response.status}"
        except OSError as error:
            last_answer = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        time.sleep(0.1)
    raise ServerFailedToStart(
        f"GET {path} did not answer 200 within {STARTUP_TIMEOUT_SECONDS:.0f} s "
        f"(last: {last_answer}).\n{log_tail(log_path)}"
    )


def stop(process: subprocess.Popen) -> None:
    """Ask gunicorn to shut down gracefully (SIGTERM); kill it if it takes too long."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
