"""Public pages kept once for every visitor: the same bytes as a page rendered for one, and a
change seen on the next request, on every server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import create_engine, select, text
from time_machine import TimeMachineFixture

from feedback_portal.extensions import db
from feedback_portal.models import Comment, StaffUser
from feedback_portal.services import consultations, moderation, public_content
from tests.conftest import make_app
from tests.factories import REFERENCE, all_comments, comment_post, make_comment, make_staff
from tests.helpers.updates import publish_response, publish_summary
from tests.redis_server import free_port

TOKENS = ("csrf_token", "submission_key", "form_shown_at")


def own_values(html: str) -> dict[str, list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    # The "does this make sense" form's fields are prefixed: answer-submission_key.
    return {name: [field["value"] for field in soup.select(f"input[name$={name}]")] for name in TOKENS}


def without_own_values(html: str) -> str:
    """The page with each visitor's own values (new for every view) written as their names."""
    for name, values in own_values(html).items():
        for value in values:
            html = html.replace(f'value="{value}"', f'value="{name}"')
    return html


def page_on(app: Flask, path: str) -> str:
    response = app.test_client().get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def kept_page(app: Flask, path: str) -> public_content.CachedPage:
    with app.app_context():
        page = public_content.cached_page(f"{public_content.current_stamp()}:{path}")
    assert page is not None, f"{path} is not kept"
    return page


@pytest.fixture
def busy_document(app: Flask) -> str:
    """Published comments with a response, a summary, and a comment on an example."""
    first = make_comment(app, "The levels are hard to tell apart.", name="Ruth")
    make_comment(app, "Yes, this is clear.", reaction="yes")
    make_comment(app, "About this example.", item_key="basic-1")
    make_comment(app, "Not published yet.", state="pending")
    publish_response(app, first, "Thank you: we rewrote the first level.")
    publish_summary(app, section_slug="basic", you_said="You said the levels blur.")
    return first


@pytest.mark.parametrize(
    "path", ["/", "/definition", "/definition/basic", "/definition/basic/examples/basic-1"]
)
def test_a_kept_page_is_byte_for_byte_the_page_rendered_for_one_visitor(app, busy_document, path):
    rendered_each_time = make_app(app.config["SQLALCHEMY_DATABASE_URI"], PAGE_CACHE_ENABLED=False)

    first, kept = page_on(app, path), page_on(app, path)
    alone = page_on(rendered_each_time, path)

    assert without_own_values(kept) == without_own_values(alone) == without_own_values(first)
    assert kept_page(app, path).stand_in_prefix not in kept
    if path == "/definition/basic":
        assert "The levels are hard to tell apart." in kept
        assert "Thank you: we rewrote the first level." in kept
        assert "You said the levels blur." in kept
        assert "Not published yet." not in kept


def test_every_view_of_a_kept_page_has_its_own_tokens_and_its_comment_is_accepted(app, client):
    page_on(app, "/definition/basic")
    first, second = (
        own_values(page_on(app, "/definition/basic")),
        own_values(page_on(app, "/definition/basic")),
    )
    for name in ("submission_key", "form_shown_at"):
        assert first[name] and second[name]
        assert set(first[name]).isdisjoint(second[name])
    # The comment form and the "does this make sense" form each have a key of their own.
    assert len(set(first["submission_key"])) == len(first["submission_key"]) == 2

    response = client.post(
        "/definition/basic", data=comment_post(client, "/definition/basic", comment="Sent from a kept page.")
    )

    assert REFERENCE.match(response.headers["Location"])
    [comment] = all_comments(app)
    assert comment.body == "Sent from a kept page." and comment.spam_signal is None


def moderator(app: Flask) -> StaffUser:
    email = "cache-moderator@example.gov.uk"
    staff_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))
    return db.session.get(StaffUser, staff_id or make_staff(app, role="moderator", email=email))


def publish(app: Flask, reference: str) -> None:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        moderation.publish_comment(comment.id, comment.revision, moderator(app))


def hide(app: Flask, reference: str) -> None:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        moderation.hide_comment(comment.id, comment.revision, "abusive", moderator(app))


@pytest.fixture(params=["each server's memory", "one Redis"])
def two_servers(request, app: Flask) -> tuple[Flask, Flask]:
    """Two app servers on the app's database, each with its own cache or both on one Redis."""
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    if request.param == "one Redis":
        redis_url = request.getfixturevalue("redis_url")
        return (
            make_app(database_url, PAGE_CACHE_REDIS_URL=redis_url),
            make_app(database_url, PAGE_CACHE_REDIS_URL=redis_url),
        )
    return app, make_app(database_url)


def test_a_change_made_on_one_server_is_seen_on_the_next_request_to_every_server(app, two_servers):
    first_server, second_server = two_servers
    waiting = make_comment(app, "Waiting to be read.", state="pending")
    for server in (first_server, second_server):
        assert "Waiting to be read." not in page_on(server, "/definition/basic")
        kept_page(server, "/definition/basic")

    publish(first_server, waiting)
    for server in (second_server, first_server):
        assert "Waiting to be read." in page_on(server, "/definition/basic")

    publish_response(first_server, waiting, "We have read it.")
    assert "We have read it." in page_on(second_server, "/definition/basic")

    hide(first_server, waiting)
    for server in (second_server, first_server):
        assert "Waiting to be read." not in page_on(server, "/definition/basic")


def test_a_comment_waiting_for_moderation_keeps_the_kept_pages(app, client):
    page_on(app, "/definition/basic")
    with app.app_context():
        before = public_content.current_stamp()

    response = client.post(
        "/definition/basic", data=comment_post(client, "/definition/basic", comment="New one.")
    )

    assert response.status_code == 302
    with app.app_context():
        assert public_content.current_stamp() == before
    kept_page(app, "/definition/basic")
    assert "New one." not in page_on(app, "/definition/basic")


def test_a_kept_page_stops_offering_the_form_when_the_consultation_closes(
    app, time_machine: TimeMachineFixture
):
    with app.app_context():
        consultation = consultations.get_current_consultation()
        # Well within the time a page is kept at most (PAGE_CACHE_SECONDS), so only the closing
        # can retire it.
        consultation.closes_at = datetime.now(UTC) + timedelta(minutes=1)
        db.session.commit()
        closes_at = consultation.closes_at
    assert 'name="comment"' in page_on(app, "/definition/basic")
    kept_page(app, "/definition/basic")

    # The clock moves past the closing time, as it would while the page sits in the cache: no
    # change to the data tells the cache the page is out of date.
    time_machine.move_to(closes_at + timedelta(seconds=1))

    page = page_on(app, "/definition/basic")
    assert 'name="comment"' not in page
    assert "This consultation closed on" in page


def test_remembered_details_are_shown_to_their_owner_and_never_kept_for_anyone_else(app, client):
    client.post(
        "/definition/basic",
        data=comment_post(
            client,
            "/definition/basic",
            comment="Remember me.",
            name="Ruth Example",
            email="ruth@example.org",
            remember_details="y",
        ),
    )

    assert "Ruth Example" in client.get("/definition/basic").get_data(as_text=True)
    assert "Ruth Example" not in page_on(app, "/definition/basic")
    assert "ruth@example.org" not in page_on(app, "/definition/basic")


def test_a_cache_that_does_not_answer_still_serves_every_page(test_database_url, app):
    make_comment(app, "Still here.")
    nowhere = make_app(test_database_url, PAGE_CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")

    assert "Still here." in page_on(nowhere, "/definition/basic")
    assert "Still here." in page_on(nowhere, "/definition/basic")


# One pooled connection, so that the session's write is sure to use the one the stamp was read on.
@pytest.mark.parametrize(
    "app_overrides",
    [{"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0}}],
)
def test_reading_the_stamp_leaves_its_connection_keeping_transactions_whole(app):
    """The stamp is read outside a transaction (on PostgreSQL); the pooled connection it used must
    then take part in transactions again, or a write that fails half-way would keep its first half."""
    with app.app_context():
        public_content.current_stamp()
        db.session.add(StaffUser(email="half-way@example.gov.uk", role="moderator"))
        db.session.flush()
        db.session.rollback()
        db.session.remove()
    with app.app_context():
        assert (
            db.session.scalar(select(StaffUser).where(StaffUser.email == "half-way@example.gov.uk")) is None
        )


# One pooled connection and no ping before each use, so that the next page finds the connection
# the server lost while it was idle (a PostgreSQL restart, say) at its first statement.
@pytest.mark.parametrize(
    "app_overrides", [{"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}}]
)
def test_a_connection_lost_while_idle_costs_one_page_and_the_next_is_served(app, test_database_url):
    if not test_database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose a connection to")
    page_on(app, "/definition/basic")
    with app.app_context():
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
    admin = create_engine(test_database_url)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()

    unavailable = app.test_client().get("/definition/basic")
    assert unavailable.status_code == 503
    assert 'name="comment"' in page_on(app, "/definition/basic")
