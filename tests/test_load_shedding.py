"""Under too much load the portal sheds requests fast and never stores a comment it said failed.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import time

import pytest

from feedback_portal.load_shedding import request_start
from tests.factories import all_comments, comment_post
from tests.pages import check_page, heading

SECTION = "/definition/basic"
TEXT = "My considered comment, which took me twenty minutes to write."


@pytest.fixture
def app_overrides() -> dict:
    # Behind one proxy, which gives up on a request after 3 seconds.
    return {
        "PROXY_COUNT": 1,
        "REQUEST_QUEUE_LIMIT": 10,
        "REQUEST_TIMEOUT": 3,
        "REQUEST_DEADLINE_MARGIN": 0.5,
        "RETRY_AFTER_SECONDS": 30,
    }


def proxy_received(seconds_ago: float) -> dict[str, str]:
    """The header nginx adds with `proxy_set_header X-Request-Start "t=${msec}";`."""
    return {"X-Request-Start": f"t={time.time() - seconds_ago:.3f}"}


def given_back(soup) -> list[str]:
    return [area.get_text() for area in soup.select("textarea[readonly]")]


def test_a_comment_that_waited_too_long_in_the_queue_gets_the_busy_page_with_its_text(client, app):
    data = comment_post(client, SECTION, comment=TEXT)
    response = client.post(SECTION, data=data, headers=proxy_received(60))
    soup = check_page(response, status=503)
    assert response.headers["Retry-After"] == "30"
    assert heading(soup) == "Sorry, the service is busy"
    assert given_back(soup) == [TEXT]
    assert all_comments(app) == []


def test_a_page_that_waited_too_long_is_refused_fast_too(client):
    response = client.get(SECTION, headers=proxy_received(60))
    check_page(response, status=503)
    assert response.headers["Retry-After"] == "30"


def test_a_comment_past_its_deadline_is_not_stored_and_the_text_is_given_back(client, app):
    # It waited less than the queue limit, but longer than the proxy waits for an answer:
    # the person has already been told it failed, so it must not be saved.
    data = comment_post(client, SECTION, comment=TEXT)
    soup = check_page(client.post(SECTION, data=data, headers=proxy_received(5)), status=503)
    assert given_back(soup) == [TEXT]
    assert all_comments(app) == []
    # The next comment, in time, is saved as usual.
    data = comment_post(client, SECTION, comment=TEXT)
    assert client.post(SECTION, data=data, headers=proxy_received(0)).status_code == 302
    assert [comment.body for comment in all_comments(app)] == [TEXT]


@pytest.mark.parametrize("app_overrides", [{"PROXY_COUNT": 0, "REQUEST_TIMEOUT": 3}])
def test_without_a_proxy_a_client_cannot_make_its_own_request_late(client, app):
    data = comment_post(client, SECTION, comment=TEXT)
    assert client.post(SECTION, data=data, headers=proxy_received(60)).status_code == 302
    assert len(all_comments(app)) == 1


def test_the_proxy_start_is_read_in_seconds_milliseconds_or_microseconds():
    now = 1_800_000_000.0
    for header in ("t=1799999990.5", "1799999990500", "t=1799999990500000"):
        assert request_start(header, now) == pytest.approx(1_799_999_990.5)
    assert request_start("nonsense", now) == now
    assert request_start(None, now) == now
    assert request_start(f"t={now + 100}", now) == now  # a clock ahead never makes a request early
