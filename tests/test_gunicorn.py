"""The README's production command, run for real: gunicorn with gunicorn.conf.py and wsgi:app."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import addresses_open_to_more_than_the_proxy, unshared_rate_limits_problem
from tests.redis_server import RedisServer, free_port
from tests.test_config import STRONG_KEY

REPOSITORY = Path(__file__).parent.parent
# Settings of the machine running the tests must not leak into the server under test.
PORTAL_VARIABLES = (
    "PORTAL_ENV",
    "RATELIMIT_STORAGE_URI",
    "WEB_CONCURRENCY",
    "PROXY_COUNT",
    "GUNICORN_CMD_ARGS",
)


def production_environment(database_url: str, **settings: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name not in PORTAL_VARIABLES}
    environment.update(
        PORTAL_ENV="production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=database_url,
        PORT=str(free_port()),
        PUBLIC_BASE_URL="https://feedback.example.gov.uk",
        # The tests ask for /healthz by the loopback address, as a health checker on the machine would.
        TRUSTED_HOSTS="feedback.example.gov.uk,127.0.0.1",
    )
    environment.update(settings)
    return environment


def gunicorn_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *arguments, "wsgi:app"]


@contextmanager
def running_gunicorn(environment: dict[str, str], *arguments: str) -> Iterator[str]:
    """Start the production command and yield its base URL once /healthz answers."""
    process = subprocess.Popen(
        gunicorn_command(*arguments), cwd=REPOSITORY, env=environment, stderr=subprocess.PIPE, text=True
    )
    base_url = f"http://127.0.0.1:{environment['PORT']}"
    try:
        wait_for_health(process, base_url)
        yield base_url
    finally:
        process.terminate()
        process.communicate(timeout=60)


def health_status(base_url: str) -> int:
    """The status of /healthz on the server under test (http on loopback, which we started)."""
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for_health(process: subprocess.Popen, base_url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn stopped: " + process.communicate()[1])
        try:
            health_status(base_url)
            return
        except OSError:  # not listening yet (URLError), or no worker booted in time
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer /healthz")


def refusal(environment: dict[str, str], *arguments: str) -> str:
    """Run the production command, expecting it to refuse to start. Returns what it said."""
    process = subprocess.Popen(
        gunicorn_command(*arguments), cwd=REPOSITORY, env=environment, stderr=subprocess.PIPE, text=True
    )
    try:
        said = process.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        process.terminate()
        process.communicate(timeout=60)
        pytest.fail("gunicorn started when it should have refused")
    assert process.returncode != 0
    return said


# Item: each worker counting rate limits alone --------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "arguments", "workers"),
    [
        ({}, (), 2),  # the README's command as written: two workers, limits in memory
        ({"RATELIMIT_STORAGE_URI": "memory://"}, ("--workers", "3"), 3),
        ({"WEB_CONCURRENCY": "4"}, (), 4),
    ],
)
def test_production_refuses_workers_that_would_each_count_limits_alone(
    test_database_url, settings, arguments, workers
):
    said = refusal(production_environment(test_database_url, **settings), *arguments)
    assert "The portal will not start" in said
    assert f"{workers} workers" in said
    assert f"{workers} times the sign-in attempts and comments" in said
    assert "RATELIMIT_STORAGE_URI=redis://" in said
    assert "WEB_CONCURRENCY=1" in said


def test_production_starts_with_one_worker_and_limits_in_memory(test_database_url):
    environment = production_environment(test_database_url, WEB_CONCURRENCY="1")
    with running_gunicorn(environment) as base_url:
        assert health_status(base_url) == 200


def test_production_starts_two_workers_when_they_share_limits_in_redis(test_database_url):
    redis_server = RedisServer()
    try:
        environment = production_environment(test_database_url, RATELIMIT_STORAGE_URI=redis_server.url)
        with running_gunicorn(environment) as base_url:
            assert health_status(base_url) == 200
    finally:
        redis_server.stop()


@pytest.mark.parametrize(
    ("env_name", "storage_uri", "workers", "refused"),
    [
        ("production", "memory://", 2, True),
        ("production", "memory://", 1, False),
        ("production", "redis://127.0.0.1:6379", 8, False),
        ("development", "memory://", 2, False),
        ("testing", "memory://", 2, False),
    ],
)
def test_only_production_with_several_workers_needs_a_shared_limit_store(
    env_name, storage_uri, workers, refused
):
    assert (unshared_rate_limits_problem(env_name, storage_uri, workers) is not None) is refused


# Item: X-Forwarded-For believed from clients that skip the proxy ---------------------------------


def test_gunicorn_listens_on_loopback_even_when_port_is_set(test_database_url):
    # Gunicorn's own default with PORT set is 0.0.0.0, where clients could skip the proxy.
    environment = production_environment(test_database_url, WEB_CONCURRENCY="1")
    finished = subprocess.run(
        gunicorn_command("--print-config"),
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    printed = (line.split("=", 1) for line in finished.stdout.splitlines() if "=" in line)
    settings = {name.strip(): value.strip() for name, value in printed}
    assert settings["bind"] == f"['127.0.0.1:{environment['PORT']}']"


def test_gunicorn_warns_when_clients_could_skip_the_proxy(test_database_url):
    environment = production_environment(test_database_url, PROXY_COUNT="1")
    open_address = f"0.0.0.0:{environment['PORT']}"
    # Refused for its two workers, after the warning and before it listens anywhere.
    said = refusal(environment, "--bind", open_address)
    assert f"Listening at {open_address} with PROXY_COUNT=1" in said
    assert "choose their client address" in said
    assert "choose their client address" not in refusal(environment)


@pytest.mark.parametrize(
    ("binds", "proxy_count", "open_to_more"),
    [
        (["127.0.0.1:8000"], 1, []),
        (["[::1]:8000", "localhost:8000", "unix:/run/portal.sock"], 2, []),
        (["0.0.0.0:8000"], 1, ["0.0.0.0:8000"]),
        (["[::]:8000", "192.0.2.10:8000"], 1, ["[::]:8000", "192.0.2.10:8000"]),
        (["0.0.0.0:8000"], 0, []),  # no proxy: the header is never believed
    ],
)
def test_which_listening_addresses_let_clients_skip_the_proxy(binds, proxy_count, open_to_more):
    assert addresses_open_to_more_than_the_proxy(binds, proxy_count) == open_to_more
