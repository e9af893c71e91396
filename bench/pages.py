"""Staff pages and the digest's queries, timed in one process with Flask's test client.

Run as `python -m bench.pages <repeats>` with DATABASE_URL set (a run's copy); prints JSON:
{"times": {case: [milliseconds, ...]}, "errors": {case: status}}. It signs in through the real
sign-in form once, as an admin it makes, and times each request whole (routing, queries, template).
The staff pages take no load here: these are the times one person waits, at 1,000 and 1,000,000.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.databases import FEW_SECTION, MATCHES_NOTHING
from bench.forms import hidden_fields
from feedback_portal import create_app
from feedback_portal.extensions import db
from feedback_portal.models import Tag
from feedback_portal.services import accounts, digests, moderation

EMAIL = "bench-admin@example.gov.uk"
PASSWORD = "bench horse battery staple lamp"  # noqa: S105 - an account in a throwaway copy


def queue_cases(deep_cursor: str, item_key: str, yesterday: str) -> dict[str, str]:
    """The queue's first page, a deep page, and each filter on its own."""
    queue = "/staff/comments"
    return {
        "queue first page": queue,
        "queue deep page": f"{queue}?after={deep_cursor}",
        "queue state=published": f"{queue}?state=published",
        "queue state=any": f"{queue}?state=any",
        "queue section": f"{queue}?section={FEW_SECTION}",
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


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def main() -> int:
    repeats = int(sys.argv[1])
    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    cursor, item_key = prepare(app)
    client = app.test_client()
    sign_in(client)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    cases = {
        **queue_cases(cursor, item_key, yesterday),
        "staff dashboard": "/staff/",
        "figures page": "/staff/figures",
    }
    times: dict[str, list[float]] = {name: [] for name in [*cases, "digest queries (a day)"]}
    errors: dict[str, int] = {}
    for repeat in range(repeats + 1):  # the first pass warms up (templates, caches) and is not kept
        for name, path in cases.items():
            milliseconds, response = timed(lambda path=path: client.get(path))
            if response.status_code != 200:
                errors[name] = response.status_code
            if repeat:
                times[name].append(milliseconds)
        with app.app_context():
            until = datetime.now(UTC)
            milliseconds, _ = timed(
                lambda until=until: digests.build_digest(until - timedelta(days=1), until)
            )
            if repeat:
                times["digest queries (a day)"].append(milliseconds)
            db.session.rollback()
    json.dump({"times": times, "errors": errors}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
