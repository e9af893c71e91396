"""Absolute links come from PUBLIC_BASE_URL, never from a request's Host header.

A client chooses its Host header. Each test here sends one that names the attacker's server
and checks that every link the portal then mails or hands over points at the portal.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from feedback_portal.services import outbox
from tests.conftest import make_app
from tests.factories import comment_post, form_fields, make_staff, sign_in
from tests.pages import check_page, parse, text_of
from tests.staff.admin_helpers import csrf_token

PUBLIC_BASE_URL = "https://feedback.example.gov.uk"
FORGED = {"Host": "attacker.example"}
STRONG_KEY = "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3
LINK = re.compile(r"https?://[^\s\"'<>]+")


class ForgedHostClient(FlaskClient):
    """A client whose every request names the attacker's server as its Host."""

    def open(self, *args, **kwargs) -> TestResponse:
        kwargs["headers"] = {**dict(kwargs.get("headers") or {}), **FORGED}
        return super().open(*args, **kwargs)


def forged_client(app: Flask) -> FlaskClient:
    return ForgedHostClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}


def delivered_to(app: Flask, mail_server, address: str):
    with app.app_context():
        outbox.send_due_messages()
    [message] = mail_server.to(address)
    return message


def assert_only_portal_links(*texts: str) -> None:
    found = [link for text in texts for link in LINK.findall(text)]
    assert found, "no links at all"
    assert [link for link in found if not link.startswith(PUBLIC_BASE_URL + "/")] == []
    assert all("attacker" not in text for text in texts)


def test_a_receipt_asked_for_with_a_forged_host_links_only_to_the_portal(app, mail_server):
    client = forged_client(app)
    data = comment_post(client, "/definition/basic", comment="Clear to me.", email="resident@example.com")
    response = client.post("/definition/basic", data=data)
    assert response.status_code == 302
    receipt = delivered_to(app, mail_server, "resident@example.com")
    assert_only_portal_links(receipt.text, receipt.html)


def test_a_password_reset_asked_for_with_a_forged_host_links_only_to_the_portal(app, mail_server):
    make_staff(app, email="known@example.gov.uk")
    client = forged_client(app)
    data = form_fields(client, "/staff/forgot-password")
    client.post("/staff/forgot-password", data={**data, "email": "known@example.gov.uk"})
    reset = delivered_to(app, mail_server, "known@example.gov.uk")
    assert "/staff/set-password/" in reset.text
    assert_only_portal_links(reset.text, reset.html)


def test_an_admin_on_a_forged_host_gets_and_sends_a_set_password_link_to_the_portal(app, mail_server):
    make_staff(app, role="admin", email="admin@example.gov.uk")
    admin = forged_client(app)
    assert sign_in(admin, "admin@example.gov.uk").status_code == 302
    response = admin.post(
        "/staff/users/new",
        data={"csrf_token": csrf_token(admin), "email": "new.person@example.gov.uk", "role": "moderator"},
    )
    page = check_page(admin.get(response.headers["Location"]))
    shown = page.select_one("#password-link").get_text(strip=True)
    assert shown.startswith(PUBLIC_BASE_URL + "/staff/set-password/")
    emailed = delivered_to(app, mail_server, "new.person@example.gov.uk")
    assert_only_portal_links(emailed.text, emailed.html)
    assert shown in emailed.text


def test_the_get_involved_withdrawal_link_is_on_the_portal_whatever_the_host(app):
    client = forged_client(app)
    data = comment_post(client, "/get-involved")
    data.update(name="Priya Shah", email="priya@example.com", interests="training", consent="y")
    response = client.post("/get-involved", data=data)
    assert response.headers["Location"] == "/get-involved/done"
    done = check_page(client.get("/get-involved/done"))
    link = done.select_one("a[href*='/get-involved/withdraw/']")
    assert link["href"].startswith(PUBLIC_BASE_URL + "/get-involved/withdraw/")
    assert "attacker" not in text_of(done)


def production_app(database_url: str, **overrides) -> Flask:
    settings = {"SECRET_KEY": STRONG_KEY, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}
    return make_app(database_url, "production", **{**settings, **overrides})


def test_production_answers_an_unknown_host_with_the_400_page(app, test_database_url):
    client = production_app(test_database_url).test_client()
    refused = client.get("/privacy", headers=FORGED, base_url="https://feedback.example.gov.uk")
    assert refused.status_code == 400
    assert "attacker" not in refused.get_data(as_text=True)
    assert parse(refused).select_one("h1") is not None
    served = client.get("/privacy", base_url="https://feedback.example.gov.uk")
    assert served.status_code == 200


def test_production_serves_the_hosts_named_in_trusted_hosts(app, test_database_url):
    hosts = ["feedback.example.gov.uk", "portal.internal"]
    client = production_app(test_database_url, TRUSTED_HOSTS=hosts).test_client()
    assert client.get("/privacy", base_url="https://portal.internal").status_code == 200
    assert client.get("/privacy", base_url="https://attacker.example").status_code == 400
