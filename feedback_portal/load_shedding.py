"""Shedding load: a request that waited too long gets a fast 503, and a late one stores nothing.

Under more load than the servers can take, requests queue at the proxy and in gunicorn. A
request that waited longer than REQUEST_QUEUE_LIMIT is answered at once with the busy page
(which gives back any text that was sent) instead of being worked on for someone who may
have gone. A request's deadline is its start plus REQUEST_TIMEOUT, the proxy's own timeout,
less a margin: after it, the proxy has told the person it failed, so no commit may happen.

The start is when the proxy received the request (its X-Request-Start header, trusted only
behind a proxy, PROXY_COUNT > 0), or else when the app did.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

# A time in seconds since 1970 is about 1.8e9; larger values are milliseconds or microseconds.
LARGEST_PLAUSIBLE_SECONDS = 1e11


class ServerBusy(ServiceUnavailable):
    """Too late to serve this request: the busy page, with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)


def init_app(app: Flask) -> None:
    # First of the request hooks, so a shed request costs no database work.
    app.before_request_funcs.setdefault(None, []).insert(0, start_the_clock)
    if not event.contains(Session, "before_commit", refuse_a_late_commit):
        event.listen(Session, "before_commit", refuse_a_late_commit)


def request_start(header: str | None, now: float) -> float:
    """When the proxy received the request, from 't=1700000000.123' (or seconds, ms, µs); else now."""
    try:
        started = float((header or "").strip().removeprefix("t="))
    except ValueError:
        return now
    while started > LARGEST_PLAUSIBLE_SECONDS:
        started /= 1000
    return min(started, now)


def start_the_clock() -> None:
    config = current_app.config
    now = time.time()
    header = request.headers.get("X-Request-Start") if config["PROXY_COUNT"] else None
    started = request_start(header, now)
    g.request_deadline = started + config["REQUEST_TIMEOUT"] - config["REQUEST_DEADLINE_MARGIN"]
    if now - started > config["REQUEST_QUEUE_LIMIT"]:
        raise ServerBusy(config["RETRY_AFTER_SECONDS"])


def refuse_a_late_commit(session: Any) -> None:
    """Nothing is stored for a request whose sender has already been told it failed."""
    if not has_request_context():
        return
    deadline = g.get("request_deadline")
    if deadline is not None and time.time() > deadline:
        raise ServerBusy(current_app.config["RETRY_AFTER_SECONDS"])
