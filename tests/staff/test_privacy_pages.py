"""/staff/privacy: an admin finds a person by email address, downloads their file and erases them."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, InvolvementOffer
from feedback_portal.services import privacy
from tests.factories import signed_in_client
from tests.helpers.people import ADDRESS, columns_holding, make_person
from tests.pages import check_page, text_of
from tests.staff.admin_helpers import assert_refused_to, error_messages, post


def _actions(app: Flask) -> list[tuple[str, dict]]:
    with app.app_context():
        return [
            (e.action, e.details or {})
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_only_admins_may_find_export_or_erase(app: Flask, role: str) -> None:
    client = signed_in_client(app, role)
    fields = {"email": ADDRESS}
    assert_refused_to(
        app,
        client,
        gets=["/staff/privacy"],
        posts=[
            ("/staff/privacy", fields),
            ("/staff/privacy/download", fields),
            ("/staff/privacy/erase", fields),
            ("/staff/privacy/erase/confirm", fields),
        ],
    )


def test_a_search_that_is_not_an_address_keeps_it_and_says_what_to_fix(app: Flask) -> None:
    client = signed_in_client(app, "admin")
    response = post(client, "/staff/privacy", email="sam@")
    page = check_page(response)
    assert page.title.get_text().startswith("Error: ")
    assert error_messages(response) == ["Enter an email address in the correct format, like name@example.com"]
    assert page.select_one("input#email")["value"] == "sam@"
    assert error_messages(post(client, "/staff/privacy", email="")) == ["Enter the email address they used"]


def test_an_admin_finds_downloads_and_erases_a_person(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = make_person(app, tmp_path)
    client = signed_in_client(app, "admin")
    assert "Find a person" in text_of(
        check_page(client.get("/staff/privacy")).select_one(".govuk-service-navigation")
    )
    caplog.set_level(logging.DEBUG)

    page = check_page(post(client, "/staff/privacy", email=ADDRESS.upper()))
    assert page.select_one("#held-comments").get_text(strip=True) == "Comments (2)"
    assert page.select_one("#held-offers").get_text(strip=True) == "Offers to get involved (3)"
    assert page.select_one("#held-consents").get_text(strip=True) == "Consents (5)"
    assert page.select_one("#held-emails").get_text(strip=True) == "Emails queued or sent (5)"
    assert all(reference in text_of(page) for reference in data.references)
    assert "comment_note.text: 1" in page.select_one("#mentions").get_text()
    assert [button.get_text(strip=True) for button in page.select(".govuk-button-group button")] == [
        "Download their information",
        "Erase their contact details",
    ]

    download = post(client, "/staff/privacy/download", email=ADDRESS)
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "no-store"
    assert 'filename="subject-access.zip"' in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.get_data())) as archive:
        machine = json.loads(archive.read("your-information.json"))
    assert [c["reference"] for c in machine["comments"]] == data.references

    confirm = check_page(post(client, "/staff/privacy/erase", email=ADDRESS))
    assert confirm.h1.get_text(strip=True) == "Erase this person’s contact details?"
    assert "Offers to get involved (3)" in confirm.select_one("#erasure").get_text(" ", strip=True)
    with app.app_context():
        assert columns_holding(ADDRESS) != []  # nothing is erased until it is confirmed

    done = post(client, "/staff/privacy/erase/confirm", email=ADDRESS)
    assert done.status_code == 302 and done.headers["Location"] == "/staff/privacy"
    banner = text_of(check_page(client.get("/staff/privacy")).select_one(".govuk-notification-banner"))
    assert "2 comments anonymised, 3 offers deleted, 5 consents withdrawn and anonymised" in banner
    with app.app_context():
        assert columns_holding(ADDRESS) == []
        assert db.session.scalar(select(func.count()).select_from(InvolvementOffer)) == 0
        code = privacy.subject_code(ADDRESS)
    actions = _actions(app)
    assert [action for action, _ in actions if action.startswith("privacy.")] == [
        "privacy.found",
        "privacy.exported",
        "privacy.erased",
    ]
    assert all(details.get("subject") == code for action, details in actions if action.startswith("privacy."))
    assert ADDRESS.lower() not in caplog.text.lower()

    again = check_page(post(client, "/staff/privacy", email=ADDRESS))
    assert (
        again.select_one("#nothing-held").get_text(strip=True)
        == "No information is held for that email address."
    )


def test_erasing_an_address_nobody_used_says_so_and_changes_nothing(app: Flask) -> None:
    client = signed_in_client(app, "admin")
    before = _actions(app)
    response = post(client, "/staff/privacy/erase/confirm", email="nobody@example.org")
    assert response.status_code == 302
    banner = check_page(client.get("/staff/privacy")).select_one(".govuk-notification-banner")
    assert "No information is held for that email address. Nothing was changed." in text_of(banner)
    assert _actions(app) == before
    response = post(client, "/staff/privacy/download", email="nobody@example.org")
    assert response.status_code == 302


def test_an_admin_sets_the_retention_periods_and_the_notice_follows(app: Flask) -> None:
    client = signed_in_client(app, "admin")
    page = check_page(client.get("/staff/settings"))
    assert page.select_one("input#contact_months")["value"] == "12"
    assert page.select_one("input#offer_months")["value"] == "24"
    assert page.select_one("input#sent_email_days")["value"] == "30"

    response = post(
        client, "/staff/settings/retention", contact_months="0", offer_months="x", sent_email_days="7"
    )
    page = check_page(response)
    assert page.title.get_text().startswith("Error: ")
    assert error_messages(response) == [
        "Enter how long to keep names and email addresses as a whole number of months from 1 to 120",
        "Enter how long to keep offers to get involved as a whole number of months from 1 to 120",
    ]
    assert page.select_one("input#offer_months")["value"] == "x"

    response = post(
        client, "/staff/settings/retention", contact_months="6", offer_months="18", sent_email_days="7"
    )
    assert response.status_code == 302
    notice = text_of(check_page(client.get("/privacy")))
    assert "6 months after the consultation closes" in notice
    assert "18 months after you gave them" in notice
    assert "7 days after we sent it" in notice
    [(_, details)] = [(a, d) for a, d in _actions(app) if a == "settings.retention"]
    assert details == {}
    with app.app_context():
        assert privacy.get_retention_periods() == privacy.RetentionPeriods(6, 18, 7)
