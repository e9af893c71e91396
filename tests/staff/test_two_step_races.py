"""One two-step code sent from several sessions at the same moment signs in exactly one of them.

Real concurrent requests over HTTP to a live server, each from a browser-like session of its
own, on whichever database the suite runs on (SQLite, or PostgreSQL with --database-url).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pyotp
from bs4 import BeautifulSoup
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry
from feedback_portal.services import accounts
from tests.factories import STAFF_PASSWORD, make_staff

EMAIL = "two-step@example.gov.uk"
SESSIONS = 5


class Browser:
    """A session of its own: its own cookies, following redirects as a browser would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return urlsplit(response.url).path, response.read().decode()

    def post(self, path: str, **fields: str) -> tuple[str, str]:
        data = {**self.hidden_fields(path), **fields}
        with self.opener.open(self.base_url + path, urlencode(data).encode(), timeout=30) as response:
            return urlsplit(response.url).path, response.read().decode()

    def hidden_fields(self, path: str) -> dict[str, str]:
        _, page = self.get(path)
        form = BeautifulSoup(page, "html.parser").select("form")[-1]
        return {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}

    def is_signed_in(self) -> bool:
        return self.get("/staff/")[0] == "/staff/"


def turn_on_two_step_a_minute_ago(app) -> pyotp.TOTP:
    """Two-step sign-in on, its last used code a minute old, so that the current code is unused."""
    make_staff(app, email=EMAIL)
    secret = accounts.new_totp_secret()
    then = datetime.now(UTC) - timedelta(minutes=1)
    with app.app_context():
        user = accounts.find_user_by_email(EMAIL)
        assert accounts.turn_on_totp(user, secret, pyotp.TOTP(secret).at(then), now=then)
    return pyotp.TOTP(secret)


def send_code_at_once(browsers: list[Browser], code: str) -> list[str]:
    """Every browser posts the code at the same moment; returns the page each ended on."""
    barrier = threading.Barrier(len(browsers))
    pages: list[str] = []

    def send(browser: Browser) -> None:
        fields = browser.hidden_fields("/staff/login/code")
        barrier.wait(timeout=30)
        pages.append(browser.post("/staff/login/code", code=code, **fields)[0])

    threads = [threading.Thread(target=send, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return pages


def test_one_code_sent_from_several_sessions_at_once_signs_in_only_one(app, live_server):
    totp = turn_on_two_step_a_minute_ago(app)
    browsers = [Browser(live_server) for _ in range(SESSIONS)]
    for browser in browsers:
        landed, _ = browser.post("/staff/login", email=EMAIL, password=STAFF_PASSWORD)
        assert landed == "/staff/login/code"

    pages = send_code_at_once(browsers, totp.now())

    assert sorted(pages) == ["/staff/", *["/staff/login/code"] * (SESSIONS - 1)]
    assert [browser.is_signed_in() for browser in browsers].count(True) == 1
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("sign_in.%")))
        assert sorted(actions) == ["sign_in.failure"] * (SESSIONS - 1) + ["sign_in.success"]
