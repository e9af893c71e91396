"""Forgotten passwords: no clue whether an account exists, and a limit on reset emails per account."""

from __future__ import annotations

import statistics
import time

import pytest

from feedback_portal.services import accounts, outbox
from tests.factories import form_fields
from tests.pages import parse, text_of

KNOWN = "known@example.gov.uk"
RESET_EMAILS_PER_HOUR = 3
# The real password hashing, as in production: the slow work an attacker would time.
PRODUCTION_HASHING = {"ARGON2_PROFILE": "standard"}


@pytest.fixture
def app_overrides(request, mail_server) -> dict:
    overrides = {"MAIL_PORT": mail_server.port, "PUBLIC_BASE_URL": "https://feedback.example.gov.uk"}
    return overrides | getattr(request, "param", {})


def make_accounts(app, *emails: str) -> None:
    with app.app_context():
        for email in emails:
            accounts.create_user(email, "moderator")


def ask_for_reset(app, email: str) -> tuple[int, str]:
    """Ask for a reset link from a new browser; returns the status and what the page says."""
    client = app.test_client()
    data = form_fields(client, "/staff/forgot-password")
    response = client.post("/staff/forgot-password", data={**data, "email": email})
    return response.status_code, text_of(parse(response).select_one("main"))


def seconds_to_answer(app, email: str) -> float:
    client = app.test_client()
    data = form_fields(client, "/staff/forgot-password")
    started = time.perf_counter()
    client.post("/staff/forgot-password", data={**data, "email": email})
    return time.perf_counter() - started


def test_a_fourth_reset_in_an_hour_sends_no_fourth_email_and_looks_the_same(app, mail_server):
    make_accounts(app, KNOWN)
    pages = [ask_for_reset(app, KNOWN) for _ in range(RESET_EMAILS_PER_HOUR + 1)]
    with app.app_context():
        outbox.send_due_messages()
    assert len(mail_server.to(KNOWN)) == RESET_EMAILS_PER_HOUR
    status, says = pages[0]
    assert status == 200 and "we have sent it a link" in says
    assert pages.count(pages[0]) == len(pages)
    assert pages[0] == ask_for_reset(app, "nobody@example.gov.uk")


@pytest.mark.parametrize("app_overrides", [PRODUCTION_HASHING], indirect=True)
def test_the_answer_takes_about_as_long_whether_or_not_the_account_exists(app):
    known = [f"person{n}@example.gov.uk" for n in range(10)]
    make_accounts(app, *known)
    ask_for_reset(app, "warm-up@example.gov.uk")  # the first request of a process pays for setup
    ask_for_reset(app, known.pop())
    # Taken in turns, so that a busy moment on the machine slows both kinds alike.
    pairs = [
        (seconds_to_answer(app, email), seconds_to_answer(app, f"nobody{n}@example.gov.uk"))
        for n, email in enumerate(known)
    ]
    existing = statistics.median(known_one for known_one, _ in pairs)
    missing = statistics.median(missing_one for _, missing_one in pairs)
    # Generous: a timing attack needs answers that do not overlap, not a factor of three.
    assert existing / 3 < missing < existing * 3
