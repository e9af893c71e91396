"""A name and email address remembered on this device only when the person ticks the box.

They are kept encrypted in a cookie of their own, never readable in any cookie, and cleared
by "Not you? Clear these details" or by sending a form without the tick. Each test runs on
SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import re
import time

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from feedback_portal.public import remembered_details
from tests.factories import all_comments, comment_post
from tests.helpers.cookies import every_reading_of
from tests.pages import check_page, parse, text_of

SECTION = "/definition/basic"
ITEM = "/definition/transformative/examples/transformative-3"
GET_INVOLVED = "/get-involved"
COOKIE = remembered_details.COOKIE_NAME
NAME = "Aisha Khan"
EMAIL = "aisha.khan@example.com"
DAYS_90 = 90 * 24 * 60 * 60


def send_comment(client: FlaskClient, path: str = SECTION, **fields: str) -> None:
    response = client.post(path, data=comment_post(client, path, comment="A comment.", **fields))
    assert response.status_code == 302, "the comment was not accepted"


def send_offer(client: FlaskClient, **fields: str) -> None:
    data = comment_post(client, GET_INVOLVED)
    first_interest = parse(client.get(GET_INVOLVED)).select_one("input[name=interests]")["value"]
    data.update({"name": NAME, "email": EMAIL, "interests": first_interest, "consent": "y", **fields})
    response = client.post(GET_INVOLVED, data=data)
    assert response.headers["Location"] == "/get-involved/done"


def filled_in(client: FlaskClient, path: str) -> tuple[str | None, str | None]:
    soup = check_page(client.get(path))
    name, email = soup.select_one("input#name"), soup.select_one("input#email")
    return name.get("value") or None, email.get("value") or None


def clear_button(soup):
    return soup.find("button", string=re.compile(r"^\s*Not you\? Clear these details\s*$"))


def press_clear(client: FlaskClient, path: str):
    form = clear_button(check_page(client.get(path))).find_parent("form")
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    return client.post(form["action"], data=data)


def cookie_values(client: FlaskClient) -> list[str]:
    return [cookie.value for cookie in client._cookies.values()]


def set_cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


# Without the tick box, nothing is remembered ------------------------------------------------


def test_the_box_is_offered_unticked_on_every_form_that_takes_a_name(client):
    for path in ("/definition", SECTION, ITEM, GET_INVOLVED):
        soup = check_page(client.get(path))
        box = soup.select_one("input[name=remember_details]")
        assert box is not None and not box.has_attr("checked"), path
        label = soup.select_one(f"label[for='{box['id']}']")
        assert label.get_text(strip=True) == "Remember my name and email on this device"
        assert "Do not tick this on a shared or public computer" in text_of(soup)


def test_without_the_tick_the_next_form_is_empty_and_no_cookie_holds_the_details(client, app):
    response = client.post(SECTION, data=comment_post(client, SECTION, comment="Hi.", name=NAME, email=EMAIL))
    assert not any(header.startswith(COOKIE) for header in set_cookie_headers(response))
    assert filled_in(client, "/definition/intermediate") == (None, None)
    assert clear_button(parse(client.get("/definition/intermediate"))) is None
    assert client.get_cookie(COOKIE) is None
    for value in cookie_values(client):
        assert NAME not in every_reading_of(value) and EMAIL not in every_reading_of(value)
    assert [(c.author_name, c.author_email) for c in all_comments(app)] == [(NAME, EMAIL)]


# With the tick box ---------------------------------------------------------------------------


def test_with_the_tick_the_details_fill_in_every_form_and_no_cookie_can_be_read(client):
    send_comment(client, name=NAME, email=EMAIL, remember_details="y")
    for path in ("/definition", "/definition/intermediate", ITEM, GET_INVOLVED):
        assert filled_in(client, path) == (NAME, EMAIL), path
        soup = parse(client.get(path))
        assert clear_button(soup) is not None, path
        assert "We have filled in the name and email address remembered on this device." in text_of(soup)
        # Even when remembered, the box is unticked: the next person must ask for themselves.
        assert not soup.select_one("input[name=remember_details]").has_attr("checked")
    values = cookie_values(client)
    assert client.get_cookie(COOKIE) is not None and len(values) == 2  # the session, and this one
    for value in values:
        reading = every_reading_of(value)
        assert NAME not in reading and EMAIL not in reading and "aisha" not in reading.lower()


def test_the_cookie_is_http_only_same_site_and_lasts_the_days_the_cookies_page_says(client):
    response = client.post(
        SECTION, data=comment_post(client, SECTION, comment="Hi.", name=NAME, remember_details="y")
    )
    [header] = [h for h in set_cookie_headers(response) if h.startswith(COOKIE + "=")]
    attributes = {part.strip().split("=")[0].lower(): part for part in header.split(";")}
    assert "httponly" in attributes and "secure" not in attributes  # over plain HTTP, in tests
    assert attributes["samesite"].strip() == "SameSite=Lax" and attributes["path"].strip() == "Path=/"
    assert attributes["max-age"].strip() == f"Max-Age={DAYS_90}"
    cookies_page = text_of(check_page(client.get("/cookies")))
    assert "It is deleted after 90 days." in cookies_page
    assert "remembered_details" in cookies_page and "encrypted" in cookies_page


def test_over_https_the_cookie_is_secure_and_host_only(app, client):
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session")
    page = "https://localhost" + SECTION
    data = comment_post(client, page, comment="Hi.", name=NAME, remember_details="y")
    response = client.post(page, data=data, headers={"Referer": page})
    [header] = [h for h in set_cookie_headers(response) if "remembered_details=" in h]
    assert header.startswith("__Host-remembered_details=")
    assert "Secure" in header and "HttpOnly" in header and "Domain" not in header


def test_only_what_was_given_is_remembered(client):
    send_comment(client, name=NAME, remember_details="y")
    assert filled_in(client, ITEM) == (NAME, None)


def test_ticking_with_no_name_or_email_remembers_nothing(client):
    send_comment(client, remember_details="y")
    assert client.get_cookie(COOKIE) is None
    assert clear_button(parse(client.get(SECTION))) is None


def test_the_get_involved_form_remembers_too_and_fills_in_the_comment_forms(client):
    send_offer(client, remember_details="y")
    assert filled_in(client, SECTION) == (NAME, EMAIL)
    assert filled_in(client, GET_INVOLVED) == (NAME, EMAIL)


def test_sending_without_the_tick_forgets_what_was_remembered_before(client):
    send_comment(client, name=NAME, email=EMAIL, remember_details="y")
    send_comment(client, "/definition/intermediate", name="Someone Else", email="else@example.com")
    assert client.get_cookie(COOKIE) is None
    assert filled_in(client, SECTION) == (None, None)


def test_an_offer_without_the_tick_forgets_what_was_remembered_before(client):
    send_comment(client, name=NAME, email=EMAIL, remember_details="y")
    send_offer(client, name="Someone Else")
    assert client.get_cookie(COOKIE) is None
    assert filled_in(client, GET_INVOLVED) == (None, None)


def test_a_form_with_errors_keeps_the_tick(client):
    data = comment_post(client, SECTION, comment="", name=NAME, remember_details="y")
    soup = check_page(client.post(SECTION, data=data))
    assert soup.select_one("input[name=remember_details]").has_attr("checked")
    assert client.get_cookie(COOKIE) is None


# Clearing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SECTION, ITEM, "/definition", GET_INVOLVED])
def test_not_you_clears_the_details_and_returns_to_the_same_empty_form(client, path):
    send_comment(client, name=NAME, email=EMAIL, remember_details="y")
    response = press_clear(client, path)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert client.get_cookie(COOKIE) is None
    soup = check_page(client.get(path))
    assert "We have cleared the name and email address remembered on this device." in text_of(soup)
    assert not soup.select_one("input#name").get("value") and not soup.select_one("input#email").get("value")
    assert clear_button(soup) is None
    assert filled_in(client, path) == (None, None)  # and on the next visit too


def test_a_page_with_remembered_details_is_kept_out_of_caches(client):
    send_comment(client, name=NAME, remember_details="y")
    response = client.get(SECTION)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


# A cookie we did not make, or made too long ago -----------------------------------------------


def test_a_tampered_cookie_is_ignored_and_deleted(client):
    send_comment(client, name=NAME, email=EMAIL, remember_details="y")
    value = client.get_cookie(COOKIE).value
    flipped = value[:40] + ("A" if value[40] != "A" else "B") + value[41:]
    client.set_cookie(COOKIE, flipped)
    response = client.get(SECTION)
    soup = check_page(response)
    assert not soup.select_one("input#name").get("value") and clear_button(soup) is None
    assert any(h.startswith(COOKIE + "=;") for h in set_cookie_headers(response))
    assert client.get_cookie(COOKIE) is None


@pytest.mark.parametrize("value", ["", "not-a-token", "gAAAAA", "é" * 10, "x" * 4000])
def test_a_cookie_that_is_not_ours_is_ignored(client, value):
    client.set_cookie(COOKIE, value)
    assert filled_in(client, SECTION) == (None, None)


def test_a_cookie_made_with_another_key_is_ignored(client):
    client.set_cookie(COOKIE, Fernet(Fernet.generate_key()).encrypt(b'{"name": "Intruder"}').decode())
    assert filled_in(client, SECTION) == (None, None)


def test_a_cookie_older_than_its_lifetime_is_ignored(client, app: Flask):
    with app.test_request_context():
        fernet = remembered_details._fernet()
        old = fernet.encrypt_at_time(b'{"name": "Aisha Khan"}', int(time.time()) - DAYS_90 - 60).decode()
        fresh = fernet.encrypt_at_time(b'{"name": "Aisha Khan"}', int(time.time()) - DAYS_90 + 60).decode()
    client.set_cookie(COOKIE, old)
    assert filled_in(client, SECTION) == (None, None)
    client.set_cookie(COOKIE, fresh)
    assert filled_in(client, SECTION) == (NAME, None)


def test_details_remembered_before_a_change_of_secret_key_are_still_read(app, client):
    send_comment(client, name=NAME, remember_details="y")
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-key-" + "x" * 40, SECRET_KEY_FALLBACKS=[old_key])
    assert filled_in(client, SECTION) == (NAME, None)
    app.config.update(SECRET_KEY_FALLBACKS=[])
    assert filled_in(client, SECTION) == (None, None)


def test_details_left_in_the_session_by_an_earlier_version_are_dropped(client):
    with client.session_transaction() as session:
        session["contact"] = {"name": NAME, "email": EMAIL}
    assert filled_in(client, SECTION) == (None, None)
    with client.session_transaction() as session:
        assert "contact" not in session


def test_not_you_also_clears_the_last_offers_withdraw_link(client):
    """On a shared computer, the next person must not find the last person's withdraw link."""
    send_offer(client, name=NAME, remember_details="y")
    assert "/get-involved/withdraw/" in client.get("/get-involved/done").get_data(as_text=True)
    press_clear(client, GET_INVOLVED)
    assert "/get-involved/withdraw/" not in client.get("/get-involved/done").get_data(as_text=True)
