"""Faults and bad requests get a friendly page, never a stack trace."""

import pytest

from feedback_portal.services import exceptions
from tests.conftest import make_app
from tests.pages import check_page, heading, text_of

UNREACHABLE_DATABASES = {
    "sqlite": "sqlite:////nonexistent-folder/for/the/portal.sqlite3",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2",
}


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "rate_limits": "ok",
        "checks": {"connection": "ok", "reading": "ok", "writing": "ok"},
    }


@pytest.fixture(params=sorted(UNREACHABLE_DATABASES))
def app_without_database(request):
    return make_app(UNREACHABLE_DATABASES[request.param])


def test_healthz_says_unavailable_when_the_database_does_not_answer(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "unavailable",
        "rate_limits": "ok",
        "checks": {"connection": "unreachable", "reading": "not checked", "writing": "not checked"},
    }


@pytest.mark.parametrize("path", ["/", "/definition", "/definition/basic"])
def test_pages_show_the_unavailable_page_when_the_database_is_down(app_without_database, path):
    response = app_without_database.test_client().get(path)
    soup = check_page(response, status=503)
    assert heading(soup) == "Sorry, the service is unavailable"
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "OperationalError", "SELECT", "psycopg", "sqlite3", "nonexistent-folder"):
        assert leak not in body


def test_pages_that_need_no_database_still_work_when_it_is_down(app_without_database):
    # The privacy notice reads its retention periods from the settings, so it needs the database.
    client = app_without_database.test_client()
    for path in ("/accessibility", "/cookies"):
        check_page(client.get(path))


def test_a_body_over_the_limit_gets_the_too_large_page(client):
    response = client.post("/definition/basic", data={"comment": "x" * (10 * 1024 * 1024)})
    soup = check_page(response, status=413)
    assert heading(soup) == "What you sent is too large"


def test_a_post_to_a_page_that_only_reads_gets_the_method_not_allowed_page(client):
    response = client.post("/privacy")
    soup = check_page(response, status=405)
    assert "GET" in response.headers["Allow"]
    assert heading(soup) == "Sorry, that cannot be done from this address"


def test_an_unexpected_error_gets_the_problem_page_without_details(app):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail: SELECT * FROM staff")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom-for-test")
    soup = check_page(response, status=500)
    assert "secret detail" not in response.get_data(as_text=True)
    assert heading(soup) == "Sorry, there is a problem with the service"


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Sorry, there is a problem with what was sent"),
        (403, "You do not have permission to see this page"),
        (429, "You have sent too many requests"),
        (503, "Sorry, the service is unavailable"),
    ],
)
def test_each_error_has_its_own_friendly_page(app, code, title):
    from flask import abort

    app.add_url_rule(f"/fail-{code}", f"fail_{code}", lambda: abort(code))
    soup = check_page(app.test_client().get(f"/fail-{code}"), status=code)
    assert heading(soup) == title
    assert "getinvolved@birmingham.gov.uk" in text_of(soup.select_one("main"))


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [
        (exceptions.Conflict("changed"), 409, "Someone else changed this first"),
        (exceptions.NotFound("gone"), 404, "Page not found"),
        (exceptions.ConsultationClosed("closed"), 403, "closed"),
        (exceptions.DomainError("bad"), 400, None),
    ],
    ids=["conflict", "not-found", "consultation-closed", "domain-error"],
)
def test_a_domain_error_no_route_handles_gets_its_own_friendly_page(app, error, status, words):
    """Every domain error maps to one status and page, from one table in errors.py."""

    def raises() -> str:
        raise error

    app.add_url_rule("/raises-a-domain-error", "raises_a_domain_error", raises)
    response = app.test_client().get("/raises-a-domain-error")
    soup = check_page(response, status=status)
    if words:
        assert words.lower() in text_of(soup).lower()
    assert "Traceback" not in response.get_data(as_text=True)
