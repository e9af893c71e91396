"""Helpers for the admin page tests: posting forms as a browser would, and reading the log."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, Consultation, Setting, StaffUser
from tests.helpers.audit import audit_entries  # noqa: F401 - used by the tests that import it from here
from tests.pages import check_page, parse


def csrf_token(client: FlaskClient) -> str:
    """The client's CSRF token, from the sign-in page (which anyone can load)."""
    field = parse(client.get("/staff/login")).select_one("input[name=csrf_token]")
    assert field is not None, "no CSRF token on the sign-in page"
    return field["value"]


def post(client: FlaskClient, path: str, **fields: str) -> TestResponse:
    """Post `fields` with a valid CSRF token, as the page's form would."""
    return client.post(path, data={"csrf_token": csrf_token(client), **fields})


def get_staff(app: Flask, email: str) -> StaffUser:
    with app.app_context():
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        assert user is not None, f"no account {email}"
        db.session.expunge(user)
        return user


def snapshot(app: Flask) -> dict[str, Any]:
    """Everything an admin page can change, to check that a refused request changed nothing."""
    with app.app_context():
        return {
            "users": [
                (u.id, u.email, u.role, u.is_disabled, u.session_version, u.password_hash)
                for u in db.session.scalars(select(StaffUser).order_by(StaffUser.id))
            ],
            "settings": [(s.key, s.value) for s in db.session.scalars(select(Setting).order_by(Setting.key))],
            "modes": [c.moderation_mode for c in db.session.scalars(select(Consultation))],
            "audit": [
                (e.id, e.action) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            ],
        }


def error_messages(response: TestResponse) -> list[str]:
    return [a.get_text(strip=True) for a in parse(response).select(".govuk-error-summary__list a")]


def assert_refused_to(
    app: Flask,
    client: FlaskClient | None,
    gets: list[str],
    posts: list[tuple[str, dict[str, str]]],
    signed_in: bool = True,
) -> None:
    """Every GET and POST is refused to `client` and changes nothing.

    Signed in without the admin role: 403 for everything. Not signed in (client None, or
    `signed_in` False for a session that has ended): pages redirect to sign in and come
    back, posts get 403. Posts carry a valid CSRF token, so that it is the role check that
    refuses them.
    """
    anonymous = client is None or not signed_in
    client = client or app.test_client()
    before = snapshot(app)
    for path in gets:
        response = client.get(path)
        if anonymous:
            assert response.status_code == 302, path
            location = urlsplit(response.headers["Location"])
            assert location.path == "/staff/login", path
            assert parse_qs(location.query)["next"] == [path], path
        else:
            check_page(response, 403)
    for path, fields in posts:
        check_page(post(client, path, **fields), 403)
    assert snapshot(app) == before
