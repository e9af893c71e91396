"""Rate limits per client address: a script is stopped, a library full of people is not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from flask_limiter.util import get_qualified_name

from feedback_portal.extensions import LIMITED_VIEW_MARK, db, limiter, rate_limit_key
from feedback_portal.public.open_data import download_open_data_comments
from tests.conftest import make_app, seed_open_document
from tests.factories import all_comments, comment_post, make_staff, sign_in
from tests.pages import check_page, heading
from tests.redis_server import RedisServer

SECTION = "/definition/basic"


def post_comment(client, text: str, address: str = "198.51.100.7"):
    data = comment_post(client, SECTION, comment=text)
    return client.post(SECTION, data=data, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_thirty_people_on_one_shared_address_can_all_comment(app, app_overrides):
    # A library's public computers share one address; 30 people there comment at once.
    for person in range(30):
        response = post_comment(app.test_client(), f"Comment from person {person}")
        assert response.status_code == 302, f"person {person} was refused"
    assert len(all_comments(app)) == 30


def test_every_limit_is_on_a_view_the_limiter_wraps(app):
    # Reads skip the limiter for views it has not wrapped: a limit put on anything else (a helper
    # that a view calls) would be skipped on reads with them.
    wrapped = {
        get_qualified_name(view) for view in app.view_functions.values() if hasattr(view, LIMITED_VIEW_MARK)
    }
    limited = set(limiter.limit_manager._decorated_limits)
    assert get_qualified_name(download_open_data_comments) in limited
    assert limited <= wrapped, f"limits on what is not a view: {sorted(limited - wrapped)}"


@pytest.fixture
def no_default_limit_left_behind() -> Iterator[None]:
    """The limiter is one object for every app in the process, and keeps the first default limit
    it is given: take it away again, for the tests after this one."""
    yield
    limiter.limit_manager.set_default_limits([])


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2 per minute"}])
def test_a_limit_on_every_page_counts_reads_of_the_pages_without_limits_of_their_own(
    no_default_limit_left_behind, app
):
    # Reads of such pages skip the limiter while no limit covers every page: then they must not.
    client = app.test_client()
    statuses = [client.get(SECTION).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "3 per minute"}])
def test_too_many_comments_from_one_address_get_the_429_page_with_the_text_kept(client, app):
    for number in range(3):
        assert post_comment(client, f"Comment {number}").status_code == 302
    response = post_comment(client, "The one that is refused")
    soup = check_page(response, status=429)
    assert heading(soup) == "You have sent too many requests"
    assert soup.select_one("textarea[readonly]").get_text() == "The one that is refused"
    assert len(all_comments(app)) == 3
    assert post_comment(client, "From somewhere else", address="198.51.100.8").status_code == 302


@pytest.mark.parametrize(
    "app_overrides", [{"RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "2 per minute", "PROXY_COUNT": 1}]
)
def test_a_client_cannot_dodge_the_limit_by_forging_x_forwarded_for(app):
    client = app.test_client()

    def post_through_proxy(forged: str, real_client: str) -> int:
        data = comment_post(client, SECTION, comment=f"Forged {forged}")
        response = client.post(
            SECTION,
            data=data,
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
            # The proxy appends the address it saw; whatever the client sent comes first.
            headers={"X-Forwarded-For": f"{forged}, {real_client}"},
        )
        return response.status_code

    statuses = [post_through_proxy(forged, "198.51.100.9") for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3")]
    assert statuses == [302, 302, 429]
    # Another person behind the same proxy is counted on their own.
    assert post_through_proxy("3.3.3.3", "198.51.100.10") == 302


def test_app_servers_sharing_redis_share_the_limit(test_database_url, redis_url):
    settings = {
        "RATELIMIT_ENABLED": True,
        "COMMENT_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    first_server = make_app(test_database_url, **settings)
    with first_server.app_context():
        seed_open_document()
    client = first_server.test_client()
    for number in range(3):
        assert post_comment(client, f"Via server one {number}").status_code == 302
    # A second server process starts with its own limiter: only Redis knows the count.
    second_server = make_app(test_database_url, **settings)
    response = post_comment(second_server.test_client(), "Via server two")
    assert response.status_code == 429
    for app in (first_server, second_server):
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A real Redis of this test's own on a free port, which the test may stop."""
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def app_on_own_redis(test_database_url, own_redis_server):
    app = make_app(
        test_database_url,
        RATELIMIT_ENABLED=True,
        COMMENT_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI=own_redis_server.url,
    )
    with app.app_context():
        seed_open_document()
    make_staff(app, email="moderator@example.gov.uk")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_when_redis_goes_down_people_can_still_comment_and_sign_in(
    app_on_own_redis, own_redis_server, capsys
):
    client = app_on_own_redis.test_client()
    assert post_comment(client, "While Redis answers").status_code == 302
    assert client.get("/healthz").get_json()["rate_limits"] == "ok"

    own_redis_server.stop()

    assert [post_comment(client, f"Redis is down {n}").status_code for n in range(3)] == [302, 302, 302]
    assert sign_in(app_on_own_redis.test_client(), "moderator@example.gov.uk").status_code == 302
    assert len(all_comments(app_on_own_redis)) == 4
    # The limits still hold, counted in this process's memory, and the log says so.
    assert post_comment(client, "One too many").status_code == 429
    assert "falling back to in-memory storage" in capsys.readouterr().err
    health = client.get("/healthz")
    assert health.status_code == 200
    assert {key: value for key, value in health.get_json().items() if key != "checks"} == {
        "status": "degraded",
        "database": "ok",
        "rate_limits": "degraded",
    }


def test_the_limits_count_a_code_for_the_address_never_the_address_itself(app_on_own_redis, own_redis_server):
    # The privacy notice: "We never store the internet address itself."
    assert post_comment(app_on_own_redis.test_client(), "Counted", address="198.51.100.77").status_code == 302
    keys = [key.decode() for key in redis.Redis.from_url(own_redis_server.url).scan_iter()]
    with app_on_own_redis.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.77"}):
        code = rate_limit_key()
    assert any(code in key for key in keys), keys
    assert not any("198.51.100.77" in key for key in keys)
