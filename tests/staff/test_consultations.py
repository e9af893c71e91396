"""Running consultations at /staff/consultations: only admins, forms that keep what was typed,
and every change shown to the public in the words they read.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation
from feedback_portal.uk_time import in_uk
from tests.factories import make_staff, signed_in_client
from tests.pages import check_page, heading, text_of
from tests.staff.admin_helpers import assert_refused_to, audit_entries, error_messages, post

NEW = {
    "title": "Our next definition",
    "document": "1",
    "opens_on": ["1", "3", "2099"],
    "opens_time": "09:00",
    "closes_on": ["23", "4", "2099"],
    "closes_time": "23:59",
    "moderation_mode": "pre",
}


def _form(**changes) -> dict:
    """The create form's fields, as the browser posts them (a date input is three boxes)."""
    return {**NEW, **changes}


def _post(client, path: str, fields: dict):
    from tests.staff.admin_helpers import csrf_token

    return client.post(path, data={"csrf_token": csrf_token(client), **fields})


def _seeded_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Consultation.id).order_by(Consultation.id))


@pytest.fixture
def admin(app):
    return signed_in_client(app, role="admin")


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_only_admins_run_consultations(app, role):
    consultation_id = _seeded_id(app)
    assert_refused_to(
        app,
        signed_in_client(app, role=role),
        ["/staff/consultations", "/staff/consultations/new", f"/staff/consultations/{consultation_id}"],
        [
            ("/staff/consultations/new", {"title": "x"}),
            (f"/staff/consultations/{consultation_id}/close", {}),
            (f"/staff/consultations/{consultation_id}/moderation", {"moderation_mode": "post"}),
        ],
    )


def test_someone_not_signed_in_is_sent_to_sign_in(app):
    make_staff(app, role="admin")
    assert_refused_to(
        app, None, ["/staff/consultations"], [(f"/staff/consultations/{_seeded_id(app)}/close", {})]
    )


def test_the_list_shows_each_consultation_with_its_status_and_the_navigation_leads_there(app, admin):
    soup = check_page(admin.get("/staff/consultations"))
    assert heading(soup) == "Consultations"
    assert soup.select_one("nav a[href='/staff/consultations']") is not None
    row = soup.select_one(f"#consultation-{_seeded_id(app)}")
    assert "Open" in text_of(row.select_one(".govuk-tag"))
    assert "The public sees this one now" in text_of(row)


def test_the_create_form_offers_0900_and_2359_and_makes_a_draft(app, admin):
    soup = check_page(admin.get("/staff/consultations/new"))
    assert soup.select_one("input#opens_time")["value"] == "09:00"
    assert soup.select_one("input#closes_time")["value"] == "23:59"
    assert [each["name"] for each in soup.select("#closes_on input")] == ["closes_on"] * 3
    response = _post(admin, "/staff/consultations/new", _form())
    assert response.status_code == 302
    page = check_page(admin.get(response.headers["Location"]))
    assert "is saved as a draft" in text_of(page.select_one(".govuk-notification-banner"))
    assert text_of(page.select_one("#consultation-stage")) == "Draft"
    assert text_of(page.select_one("#consultation-opens")) == "1 March 2099 at 09:00"
    assert text_of(page.select_one("#consultation-closes")) == "23:59 on 23 April 2099"
    [entry] = audit_entries(app, "consultation.create")
    assert entry.after["closes_at"] == "2099-04-23T23:00:00+00:00"  # midnight BST


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"title": "", "opens_on": ["", "", ""], "closes_time": ""},
            ["Enter a title", "Enter the opening date", "Enter the closing time"],
        ),
        (
            {"closes_on": ["31", "2", "2099"], "opens_time": "25:00"},
            [
                "The opening time must be a 24-hour time, like 09:00 or 23:59",
                "The closing date must be a real date, like 27 3 2026",
            ],
        ),
        ({"closes_on": ["1", "2", "2099"]}, ["The closing date must be after the opening date"]),
        (
            {"opens_on": ["29", "3", "2099"], "opens_time": "01:30"},
            [
                "01:30 does not exist on that day in the UK, because the clocks go forward: "
                "enter a time before 01:00 or from 02:00"
            ],
        ),
    ],
    ids=["missing", "not-real", "closing-before-opening", "clocks-go-forward"],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(app, admin, changes, messages):
    response = _post(admin, "/staff/consultations/new", _form(**changes))
    soup = check_page(response, status=400)
    assert soup.title.get_text().startswith("Error: ")
    assert error_messages(response) == messages
    fields = _form(**changes)
    assert soup.select_one("input#title")["value"] == fields["title"]
    assert [each.get("value", "") for each in soup.select("#closes_on input")] == fields["closes_on"]
    assert soup.select_one("input#opens_time")["value"] == fields["opens_time"]
    assert audit_entries(app, "consultation.create") == []


def _public_notice(client) -> str:
    return text_of(check_page(client.get("/")).select_one(".council-consultation-notice"))


def test_scheduling_extending_closing_and_reopening_change_what_the_public_reads(app, admin):
    response = _post(admin, "/staff/consultations/new", _form())
    page = response.headers["Location"]
    consultation_id = int(page.rsplit("/", 1)[1])
    public = app.test_client()

    # The seeded consultation is open: the public sees it until it closes.
    _post(admin, f"/staff/consultations/{_seeded_id(app)}/close", {})
    assert _public_notice(public).startswith("This consultation closed on ")

    response = _post(
        admin,
        f"{page}/schedule",
        {
            "opens_on": ["1", "3", "2099"],
            "opens_time": "09:00",
            "closes_on": ["23", "4", "2099"],
            "closes_time": "23:59",
        },
    )
    assert response.status_code == 302
    flashed = text_of(check_page(admin.get(page)).select_one(".govuk-notification-banner"))
    assert "The public now reads: “This consultation opens on 1 March 2099 at 09:00”" in flashed
    assert _public_notice(public) == "This consultation opens on 1 March 2099 at 09:00."

    # Open it from yesterday, as if the time had come, by moving its opening.
    yesterday = in_uk(datetime.now(UTC) - timedelta(days=1))
    _post(
        admin,
        f"{page}/schedule",
        {
            "opens_on": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
            "opens_time": "00:00",
            "closes_on": ["23", "4", "2099"],
            "closes_time": "23:59",
        },
    )
    assert _public_notice(public) == "You can comment until 23:59 on 23 April 2099."

    _post(admin, f"{page}/extend", {"closes_on": ["30", "4", "2099"], "closes_time": "17:00"})
    assert _public_notice(public) == "You can comment until 17:00 on 30 April 2099."

    _post(admin, f"{page}/close", {})
    closed = check_page(public.get("/"))
    assert text_of(closed.select_one(".council-consultation-notice")).startswith(
        "This consultation closed on "
    )
    assert closed.select_one(".council-consultation-notice a")["href"] == "/you-said-we-did"

    _post(admin, f"{page}/reopen", {"closes_on": ["1", "5", "2099"], "closes_time": "23:59"})
    assert _public_notice(public) == "You can comment until 23:59 on 1 May 2099."

    actions = [
        e.action
        for e in audit_entries(app)
        if e.record_type == "consultation" and e.record_id == consultation_id
    ]
    assert actions == [
        "consultation.create",
        "consultation.schedule",
        "consultation.schedule",
        "consultation.extend",
        "consultation.close_early",
        "consultation.reopen",
    ]


def test_an_extension_to_an_earlier_time_is_refused_with_the_reason_and_the_typed_date_kept(app, admin):
    page = f"/staff/consultations/{_seeded_id(app)}"
    fields = {"closes_on": ["1", "1", "2020"], "closes_time": "12:00"}
    response = _post(admin, f"{page}/extend", fields)
    soup = check_page(response, status=400)
    [message] = error_messages(response)
    assert message.startswith("The new closing time must be after ")
    assert soup.select_one(".govuk-error-summary__list a")["href"] == "#closes_on"
    assert [each.get("value") for each in soup.select("#closes_on input")] == ["1", "1", "2020"]
    assert soup.select_one("input#closes_time")["value"] == "12:00"
    assert audit_entries(app, "consultation.extend") == []


def test_each_consultation_is_moderated_its_own_way(app, admin):
    _post(admin, "/staff/consultations/new", _form())
    with app.app_context():
        newest = db.session.scalar(select(Consultation).order_by(Consultation.id.desc()))
        newest_id = newest.id
    response = _post(admin, f"/staff/consultations/{newest_id}/moderation", {"moderation_mode": "post"})
    assert response.status_code == 302
    with app.app_context():
        modes = dict(db.session.execute(select(Consultation.id, Consultation.moderation_mode)).all())
    assert modes == {_seeded_id(app): "pre", newest_id: "post"}
    soup = check_page(admin.get(f"/staff/consultations/{newest_id}"))
    assert soup.select_one("input[name=moderation_mode][value=post]").has_attr("checked")


def test_closing_one_that_is_not_open_is_refused_with_the_reason(app, admin):
    page = f"/staff/consultations/{_seeded_id(app)}"
    _post(admin, f"{page}/close", {})
    # A second click on a page that was open, after someone else closed it.
    response = _post(admin, f"{page}/close", {})
    check_page(response, status=400)
    assert error_messages(response) == ["Only an open consultation can be closed early"]


def test_an_unknown_consultation_is_not_found(admin):
    assert admin.get("/staff/consultations/999").status_code == 404
    assert post(admin, "/staff/consultations/999/close").status_code == 404


def test_the_audit_log_names_each_change_and_links_to_the_consultation(app, admin):
    response = _post(admin, "/staff/consultations/new", _form())
    page = response.headers["Location"]
    dates = {name: NEW[name] for name in ("opens_on", "opens_time", "closes_on", "closes_time")}
    assert _post(admin, f"{page}/schedule", dates).status_code == 302
    soup = check_page(admin.get("/staff/audit"))
    text = text_of(soup)
    assert "Made a consultation, in draft" in text
    assert "Scheduled a consultation" in text
    assert {link["href"] for link in soup.select(f"a[href='{page}']")} == {page}


def test_a_site_whose_consultation_is_still_a_draft_shows_its_staff_pages(app, admin):
    with app.app_context():
        consultation = db.session.get(Consultation, _seeded_id(app))
        consultation.status, consultation.opens_at, consultation.closes_at = "draft", None, None
        db.session.commit()
    settings = check_page(admin.get("/staff/settings"))
    assert text_of(settings.select_one("#opens-at")) == "Not scheduled yet"
    check_page(admin.get("/staff/figures"))
    page = check_page(admin.get(f"/staff/consultations/{_seeded_id(app)}"))
    assert text_of(page.select_one("#public-notice")) == "Nothing of this consultation yet: it is a draft."
    assert page.select_one("#opens_on-day").get("value") is None
    assert page.select_one("input#closes_time")["value"] == "23:59"
