"""Staff pages and the digest's queries, timed in one process with Flask's test client.

Run as `python -m bench.pages <repeats>` with BENCH_SMALL_DATABASE_URL and
BENCH_LARGE_DATABASE_URL set (a run's copies); prints JSON: {"small": {case: [ms, ...]},
"large": {...}, "errors": {...}}. On each database it signs in through the real sign-in form once,
as an admin it makes, and times each request whole (routing, queries, template), at 1,000 then at
1,000,000 comments, back to back. The staff pages take no load here: these are the times one
person waits.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import text

from bench.databases import MATCHES_NOTHING
from bench.forms import hidden_fields
from feedback_portal import create_app
from feedback_portal.extensions import db
from feedback_portal.models import Tag
from feedback_portal.services import accounts, digests, moderation

T = TypeVar("T")
EMAIL = "bench-admin@example.gov.uk"
QUEUE_SECTION = "introduction"
DIGEST = "digest queries (a day)"
PASSWORD = "bench horse battery staple lamp"  # noqa: S105 - an account in a throwaway copy


def queue_cases(deep_cursor: str, item_key: str, yesterday: str) -> dict[str, str]:
    """The queue's first page, a deep page, and each filter on its own."""
    queue = "/staff/comments"
    return {
        "queue first page": queue,
        "queue deep page": f"{queue}?after={deep_cursor}",
        "queue state=published": f"{queue}?state=published",
        "queue state=any": f"{queue}?state=any",
        # A section with pending comments: the measured sections have published ones only.
        "queue section": f"{queue}?section={QUEUE_SECTION}",
        "queue practice example": f"{queue}?item={item_key}",
        "queue reaction=no": f"{queue}?reaction=no",
        "queue received from": f"{queue}?created_from={yesterday}",
        "queue received to": f"{queue}?created_to={yesterday}",
        "queue theme": f"{queue}?tag=Bench+theme",
        "queue with reports": f"{queue}?has_reports=yes",
        "queue text matching nothing": f"{queue}?state=any&text={MATCHES_NOTHING.replace(' ', '+')}",
    }


def prepare(app) -> tuple[str, str]:
    """An admin to sign in as and a theme to filter by; a deep cursor and a practice example's key."""
    with app.app_context():
        accounts.create_user(EMAIL, "admin", password=PASSWORD)
        db.session.add(Tag(name="Bench theme"))
        db.session.commit()
        pending = db.session.execute(
            text("SELECT count(*) FROM comment WHERE state = 'pending'")
        ).scalar_one()
        created_at, comment_id = db.session.execute(
            text(
                "SELECT created_at, id FROM comment WHERE state = 'pending' "
                "ORDER BY created_at, id LIMIT 1 OFFSET :n"
            ),
            {"n": pending // 2},
        ).one()
        if isinstance(created_at, str):
            created_at = datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        cursor = moderation.QueueCursor(created_at=created_at, comment_id=comment_id).encode()
        item_key = db.session.execute(text("SELECT key FROM practice_item ORDER BY id LIMIT 1")).scalar_one()
        return cursor, item_key


def sign_in(client) -> None:
    fields = hidden_fields_of(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={**fields, "email": EMAIL, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in: HTTP {response.status_code}")


def hidden_fields_of(page: str) -> dict[str, str]:
    # The sign-in form has no submission key: take the CSRF token alone.
    try:
        return hidden_fields(page)
    except RuntimeError:
        start = page.index('name="csrf_token"')
        value = page[start:].split('value="', 1)[1].split('"', 1)[0]
        return {"csrf_token": value}


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def open_site(database_url: str) -> tuple:
    """An app on this database, a client signed in to it, and its cases (name: path)."""
    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": database_url})
    cursor, item_key = prepare(app)
    client = app.test_client()
    sign_in(client)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    cases = {
        **queue_cases(cursor, item_key, yesterday),
        "staff dashboard": "/staff/",
        "figures page": "/staff/figures",
    }
    return app, client, cases


def time_case(app, client, path: str | None) -> tuple[float, int]:
    """One request's milliseconds and status; without a path, the digest's queries for a day."""
    if path is not None:
        milliseconds, response = timed(lambda: client.get(path))
        return milliseconds, response.status_code
    with app.app_context():
        until = datetime.now(UTC)
        milliseconds, _ = timed(lambda: digests.build_digest(until - timedelta(days=1), until))
        db.session.rollback()
    return milliseconds, 200


def main() -> int:
    """Each case at 1,000 then at 1,000,000 comments, back to back, `repeats` times."""
    repeats = int(sys.argv[1])
    sites = {size: open_site(os.environ[f"BENCH_{size.upper()}_DATABASE_URL"]) for size in ("small", "large")}
    names = [*sites["small"][2], DIGEST]
    times: dict[str, dict[str, list[float]]] = {size: {name: [] for name in names} for size in sites}
    errors: dict[str, int] = {}
    for repeat in range(repeats + 1):  # the first pass warms up (templates, caches) and is not kept
        for name in names:
            for size, (app, client, cases) in sites.items():
                milliseconds, status = time_case(app, client, cases.get(name))
                if status != 200:
                    errors[f"{name} ({size})"] = status
                if repeat:
                    times[size][name].append(milliseconds)
    json.dump({**times, "errors": errors}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
