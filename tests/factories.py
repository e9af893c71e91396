"""Small helpers that make records the way the app would, for tests to build on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState
from feedback_portal.services import consultations, documents, feedback
from feedback_portal.services.feedback import CommentSubmission, CommentTarget


def make_comment(
    app: Flask,
    text: str = "This makes sense to me.",
    section_slug: str | None = "basic",
    item_key: str | None = None,
    state: str = CommentState.PUBLISHED,
    name: str | None = None,
    email: str | None = None,
    reaction: str | None = None,
) -> str:
    """Save a comment through the service, then put it in `state`. Returns its reference."""
    with app.app_context():
        # The part alone, not the whole document with every section and example.
        version, section, item = documents.get_part(None, section_slug, item_key)
        target = CommentTarget(version=version, section=section, item=item)
        comment = feedback.submit_comment(
            target,
            CommentSubmission(
                submission_key=feedback.new_submission_key(),
                text=text,
                reaction=reaction,
                name=name,
                email=email,
                wants_updates=False,
                wants_involvement=False,
                client_address="192.0.2.10",
            ),
        )
        comment.state = state
        if state == CommentState.PUBLISHED:
            comment.published_at = datetime.now(UTC)
        db.session.commit()
        return comment.reference


def all_comments(app: Flask) -> list[Comment]:
    with app.app_context():
        comments = list(db.session.scalars(db.select(Comment).order_by(Comment.id)))
        db.session.expunge_all()
        return comments


def close_consultation(app: Flask) -> None:
    with app.app_context():
        consultation = consultations.find_current_consultation()
        consultation.closes_at = datetime.now(UTC) - timedelta(days=1)
        db.session.commit()


def use_post_moderation(app: Flask) -> None:
    with app.app_context():
        consultations.find_current_consultation().moderation_mode = "post"
        db.session.commit()


def form_fields(client: FlaskClient, path: str) -> dict[str, str]:
    """The hidden fields of the form on a page (CSRF token, submission key, when it was shown)."""
    soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    forms = [form for form in soup.select("form") if not form.get("action", "").endswith("forget-my-details")]
    assert forms, f"no form on {path}"
    return {
        field["name"]: field.get("value", "")
        for field in forms[-1].select("input[type=hidden]")
        if field.get("name")
    }


def comment_post(client: FlaskClient, path: str, **fields: str) -> dict[str, str]:
    """What a browser would post from the comment form on `path`, with `fields` filled in."""
    data = form_fields(client, path)
    data.setdefault("website", "")
    data.update(fields)
    return data


REFERENCE = re.compile(r"^/feedback/(CP-[23456789A-Z]{6})$")


STAFF_PASSWORD = "correct horse battery staple lamp"


def make_staff(
    app: Flask, role: str = "moderator", email: str | None = None, password: str = STAFF_PASSWORD
) -> int:
    """A staff account that can sign in. Returns its id."""
    from feedback_portal.services import accounts

    with app.app_context():
        user = accounts.create_user(email or f"{role}@example.gov.uk", role, password=password)
        return user.id


def sign_in(client: FlaskClient, email: str, password: str = STAFF_PASSWORD, next_page: str | None = None):
    """Sign in through the real sign-in page. Returns the response to the form post."""
    path = "/staff/login" + (f"?next={next_page}" if next_page else "")
    data = form_fields(client, path)
    data.update(email=email, password=password)
    return client.post(path, data=data)


def signed_in_client(app: Flask, role: str = "moderator", email: str | None = None) -> FlaskClient:
    """A client signed in as a new account with `role`."""
    email = email or f"{role}@example.gov.uk"
    make_staff(app, role=role, email=email)
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, "could not sign in"
    return client
