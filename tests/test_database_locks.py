"""A locked database makes a request fail quickly with the friendly page, never wait for ever.

Another connection holds a real lock (PostgreSQL: the comment table in ACCESS EXCLUSIVE mode;
SQLite: an exclusive lock on the file, which in WAL mode stops writers but not readers) while
the portal is used. Each test runs on the database the suite runs on.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from feedback_portal.extensions import db
from tests.factories import all_comments, comment_post
from tests.pages import check_page, text_of

SECTION = "/definition/basic"
# The lock is let go after this long whatever happens, so that a portal that waits for it
# (as it did before it had timeouts) fails the test instead of hanging the suite.
LOCK_HELD_AT_MOST_SECONDS = 20
# Generous: the portal's own lock timeout is 3 seconds.
ANSWERED_WITHIN_SECONDS = 10


class HeldLock:
    """A lock on the comments held by another connection, let go by release() (once)."""

    def __init__(self, url: str) -> None:
        self._released = threading.Lock()
        if url.startswith("sqlite"):
            self._take_sqlite(url)
        else:
            self._take_postgresql(url)
        self._timer = threading.Timer(LOCK_HELD_AT_MOST_SECONDS, self.release)
        self._timer.daemon = True
        self._timer.start()

    def _take_sqlite(self, url: str) -> None:
        connection = sqlite3.connect(
            url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
        )
        connection.execute("BEGIN EXCLUSIVE")
        self._let_go = lambda: (connection.rollback(), connection.close())

    def _take_postgresql(self, url: str) -> None:
        engine = create_engine(url)
        connection = engine.connect()
        transaction = connection.begin()
        connection.exec_driver_sql("LOCK TABLE comment IN ACCESS EXCLUSIVE MODE")
        self._let_go = lambda: (transaction.rollback(), connection.close(), engine.dispose())

    def release(self) -> None:
        if self._released.acquire(blocking=False):
            self._timer.cancel()
            self._let_go()


@pytest.fixture
def lock_the_comments(test_database_url: str) -> Iterator[Callable[[], HeldLock]]:
    """Lock the comments from another connection; every lock taken is let go when the test ends."""
    held: list[HeldLock] = []

    def lock() -> HeldLock:
        held.append(HeldLock(test_database_url))
        return held[-1]

    yield lock
    for each in held:
        each.release()


def timed(call: Callable[[], TestResponse]) -> tuple[TestResponse, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_comment_posted_while_the_comments_are_locked_gets_its_text_back_quickly(client, lock_the_comments):
    data = comment_post(client, SECTION, comment="Please keep this while the table is locked.")
    lock_the_comments()
    response, seconds = timed(lambda: client.post(SECTION, data=data))
    soup = check_page(response, status=503)
    assert "has not been saved" in text_of(soup)
    assert soup.select_one("textarea[readonly]").get_text() == "Please keep this while the table is locked."
    assert seconds < ANSWERED_WITHIN_SECONDS


def test_the_same_comment_is_saved_once_the_lock_is_gone(client, app, lock_the_comments):
    data = comment_post(client, SECTION, comment="Second time lucky.")
    lock = lock_the_comments()
    assert client.post(SECTION, data=data).status_code == 503
    lock.release()
    assert client.post(SECTION, data=data).status_code == 302
    assert [comment.body for comment in all_comments(app)] == ["Second time lucky."]


def test_pages_that_do_not_need_the_comments_answer_while_they_are_locked(client, lock_the_comments):
    lock_the_comments()
    # The privacy notice reads its retention periods from the settings: it is not one of them.
    for path in ("/accessibility", "/cookies"):
        check_page(client.get(path))


def test_healthz_says_the_database_is_unwell_within_a_second_or_two_while_the_comments_are_locked(
    client, lock_the_comments
):
    lock_the_comments()
    response, seconds = timed(lambda: client.get("/healthz"))
    assert response.status_code == 503
    report = response.get_json()
    assert report["status"] == "unavailable"
    assert report["checks"]["connection"] == "ok"
    assert report["checks"]["writing"] != "ok"
    # SQLite's write-ahead log lets a reader read past a writer's lock; PostgreSQL's lock stops both.
    assert report["checks"]["reading"] == ("ok" if _on_sqlite(client) else "locked or not answering")
    assert seconds < 2.5


def test_healthz_says_ok_again_once_the_lock_is_gone(client, lock_the_comments):
    lock_the_comments().release()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"connection": "ok", "reading": "ok", "writing": "ok"}


def _on_sqlite(client_or_app) -> bool:
    app = getattr(client_or_app, "application", client_or_app)
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def test_on_sqlite_pages_that_read_comments_answer_while_a_comment_is_being_written(
    client, app, lock_the_comments
):
    if not _on_sqlite(client):
        pytest.skip("PostgreSQL's ACCESS EXCLUSIVE lock stops readers too")
    data = comment_post(client, SECTION, comment="Sent while another comment is being written.")
    lock_the_comments()
    # This page is never kept for every visitor: it reads the comments each time.
    check_page(client.get(SECTION + "/comments"))
    # The lock is real: a comment waits for it, then gets the page that keeps its text.
    assert client.post(SECTION, data=data).status_code == 503


def test_every_sqlite_connection_writes_ahead_syncs_at_checkpoints_and_waits_for_a_lock(app):
    if not _on_sqlite(app):
        pytest.skip("SQLite's settings")
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        busy_timeout_ms = connection.execute(text("PRAGMA busy_timeout")).scalar()
        assert busy_timeout_ms == app.config["DATABASE_LOCK_TIMEOUT_MS"] > 0
