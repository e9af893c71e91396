"""Exporting comments as CSV: the form, both files cell by cell, who may have what, the audit
entry, the filters, bad input, streaming in constant memory, and `flask export csv`."""

from __future__ import annotations

import csv
import io
import logging
import os
import pty
import runpy
import subprocess
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from feedback_portal.extensions import db
from feedback_portal.models import Comment, Report, StaffUser
from feedback_portal.services import consultations, documents, moderation
from feedback_portal.services import export as exports
from feedback_portal.services.export import stream as export_stream
from tests.factories import make_comment, make_staff, signed_in_client
from tests.helpers.tallies import tallies_counted_after_a_bulk_load
from tests.pages import check_page, heading, parse, text_of
from tests.staff.moderation_helpers import audit_entries, audit_json, csrf_token, id_of, set_created_at


def today() -> str:
    """Today's date as the export names its file: read when asserting, so a run across midnight passes."""
    return datetime.now(UTC).date().isoformat()


FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n"]
URDU = "یہ تعریف واضح ہے"
BENGALI = "এই সংজ্ঞাটি পরিষ্কার"
EMOJI = "👍🏽 🎉 👨‍👩‍👧"
# Everything a spreadsheet or a CSV parser could trip on, each starting a cell somewhere.
AWKWARD_TEXTS = [
    *(f"{prefix}SUM(A1:A9) said the comment" for prefix in FORMULA_PREFIXES),
    'He said "this is fine", then "no"',
    "Commas, semicolons; and\ttabs inside",
    "Line one\nline two\r\nline three\rline four",
    f"{URDU} — {BENGALI} — {EMOJI}",
    '=HYPERLINK("http://example.com","click")',
]
AWKWARD_NAMES = [
    *(f"{prefix}cmd|' /C calc'!A0" for prefix in FORMULA_PREFIXES),
    'Ann "Nan" O\'Neil, Jr.',
    "Two\nlines",
    "Line\r\nbreak",
    "عائشہ خان 👍🏽",
    "রহিম উদ্দিন",
]
AWKWARD_EMAILS = [
    *(f"{prefix}person{index}@example.com" for index, prefix in enumerate(FORMULA_PREFIXES)),
    'quote"d@example.com',
    "comma,person@example.com",
    "line\nbreak@example.com",
    "emoji👍@example.com",
    "বাংলা@example.com",
]
ALL_INTERNAL = [column.heading for column in exports.INTERNAL_PROFILE.columns]
WITHOUT_CONTACT = [heading for heading in ALL_INTERNAL if heading not in ("Name", "Email")]
OPEN_HEADER = [
    "Reference",
    "Date published",
    "Date received",
    "Channel",
    "Section",
    "Practice example",
    "Makes sense?",
    "Comment",
    "Themes",
    "Response",
    "Response published",
]


# Helpers ----------------------------------------------------------------------------------------


def spreadsheet_safe(value: str | None) -> str:
    """What a cell must hold for `value`: a leading ' before anything a spreadsheet would run."""
    if value is None:
        return ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else value


def export_fields(client: FlaskClient, **fields: str) -> dict[str, str]:
    """What the export form posts: its defaults, a CSRF token, and `fields`."""
    data = {
        "csrf_token": csrf_token(client, "/staff/export"),
        "file_format": "csv",
        "state": "",
        "section": "",
        "item": "",
        "reaction": "",
        "created_from": "",
        "created_to": "",
        "tag": "",
        "has_reports": "",
        "text": "",
    }
    data.update(fields)
    return data


def post_export(client: FlaskClient, **fields: str):
    return client.post("/staff/export.csv", data=export_fields(client, **fields))


def read_csv(response) -> list[list[str]]:
    """Parse a downloaded file as a spreadsheet importer would: the BOM stripped, newline=""."""
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def assert_is_a_download(response, profile: str) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="feedback-{profile}-{today()}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"


def assert_quoted_with_crlf(response, rows: list[list[str]]) -> None:
    """Written again with every cell quoted and CRLF line ends, the rows give the same bytes."""
    rewritten = io.StringIO()
    csv.writer(rewritten, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    assert response.get_data().decode("utf-8") == "\ufeff" + rewritten.getvalue()


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row, strict=True)) for row in body]


def comments(app: Flask) -> list[Comment]:
    with app.app_context():
        found = list(db.session.scalars(select(Comment).order_by(Comment.id)))
        db.session.expunge_all()
        return found


def set_fields(app: Flask, reference: str, **values) -> None:
    with app.app_context():
        db.session.execute(update(Comment).where(Comment.reference == reference).values(**values))
        db.session.commit()


def moment(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def make_awkward_comments(app: Flask) -> list[str]:
    """Comments whose text, name and email hold every awkward thing, in every state."""
    states = ["published", "pending", "rejected", "hidden", "spam"]
    references = []
    for index, text in enumerate(AWKWARD_TEXTS):
        reference = make_comment(
            app,
            text=f"placeholder {index}",
            section_slug="basic",
            item_key="basic-1" if index % 3 == 0 else None,
            state=states[index % len(states)],
            reaction=["yes", "partly", "no", None][index % 4],
        )
        # Straight into the table: the export must be safe whatever is in it, even what
        # today's forms would turn away.
        set_fields(
            app,
            reference,
            body=text,
            author_name=AWKWARD_NAMES[index % len(AWKWARD_NAMES)],
            author_email=AWKWARD_EMAILS[index % len(AWKWARD_EMAILS)],
            wants_updates=index % 2 == 0,
        )
        references.append(reference)
    # A published comment with a redaction: the original must stay out of open data.
    redacted = make_comment(app, text="placeholder", section_slug=None, state="published")
    set_fields(
        app,
        redacted,
        body="=Call me on 07700 900123, I'm Jo Bloggs",
        public_body="-Call me on [phone number removed], I'm [name removed]",
        author_name="Jo Bloggs",
        author_email="jo@example.com",
    )
    references.append(redacted)
    return references


def labels(app: Flask) -> tuple[dict[int, str], dict[int, str]]:
    with app.app_context():
        version = documents.get_current_version()
        sections = {section.id: section.heading for section in version.sections}
        items = {item.id: item.text for section in version.sections for item in section.items}
        return sections, items


def expected_internal_row(comment: Comment, sections: dict, items: dict, contact: bool) -> list[str]:
    redacted = comment.public_body is not None
    row = [
        comment.reference,
        moment(comment.created_at),
        comment.created_at.astimezone(UTC).date().isoformat(),
        comment.channel,
        moment(comment.published_at),
        "1",
        sections[comment.section_id] if comment.section_id else "The whole document",
        items[comment.practice_item_id] if comment.practice_item_id else "",
        comment.reaction or "",
        comment.state,
        spreadsheet_safe(comment.public_body if redacted else comment.body),
        "yes" if redacted else "no",
        spreadsheet_safe(comment.body) if redacted else "",
        "",
        "",
        "0",
    ]
    if contact:
        row += [spreadsheet_safe(comment.author_name), spreadsheet_safe(comment.author_email)]
    return [*row, "yes" if comment.wants_updates else "no", "yes" if comment.wants_involvement else "no"]


@pytest.fixture
def analyst(app: Flask) -> FlaskClient:
    return signed_in_client(app, role="analyst")


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return signed_in_client(app, role="admin")


@pytest.fixture
def moderator(app: Flask) -> FlaskClient:
    return signed_in_client(app, role="moderator")


# The page ---------------------------------------------------------------------------------------


def test_the_page_describes_the_columns_of_each_file(app, analyst):
    soup = check_page(analyst.get("/staff/export"))
    assert heading(soup) == "Export comments"
    form = soup.select_one("form[action='/staff/export.csv']")
    assert form is not None and form["method"] == "post"
    assert form.select_one("input[name=csrf_token]") is not None
    for name in ["state", "section", "item", "reaction", "tag", "has_reports"]:
        assert form.select_one(f"select[name={name}]") is not None, name
    for name in ["created_from", "created_to", "text"]:
        assert form.select_one(f"input[name={name}]") is not None, name
    assert [radio["value"] for radio in form.select("input[name=profile]")] == ["internal", "open"]
    assert not any(radio.has_attr("checked") for radio in form.select("input[name=profile]"))
    assert form.select_one("input[name=include_contact_details][type=checkbox]") is not None
    # Any state, not the queue's pending, and never withdrawn.
    state = form.select_one("select[name=state]")
    assert state.select_one("option[selected]")["value"] == ""
    assert [option["value"] for option in state.select("option")] == [
        "",
        "pending",
        "published",
        "rejected",
        "spam",
        "hidden",
    ]
    internal = soup.select_one("#columns-internal").find_parent("table")
    assert [th.get_text(strip=True) for th in internal.select("tbody th")] == ALL_INTERNAL
    open_data = soup.select_one("#columns-open").find_parent("table")
    assert [th.get_text(strip=True) for th in open_data.select("tbody th")] == OPEN_HEADER
    assert "Never pass this column on" in text_of(internal)


def test_moderators_are_not_offered_contact_details(app, moderator):
    soup = check_page(moderator.get("/staff/export"))
    assert soup.select_one("input[name=include_contact_details]") is None
    assert "will not include names or email addresses" in text_of(soup.select_one("#no-contact-details"))


def test_someone_not_signed_in_is_sent_to_sign_in_and_cannot_export(app, client):
    make_comment(app, name="Sam", email="sam@example.com")
    for path in ["/staff/export", "/staff/export.csv"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")
    response = client.post(
        "/staff/export.csv",
        data={"csrf_token": csrf_token(client, "/staff/login"), "profile": "internal"},
    )
    check_page(response, 403)
    assert "sam@example.com" not in response.get_data(as_text=True)
    assert audit_entries(app, exports.EXPORT_ACTION) == []


def test_the_old_address_of_the_file_leads_to_the_form(app, analyst):
    response = analyst.get("/staff/export.csv")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/export"


# The files, cell by cell ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_the_internal_file_gives_back_every_cell_as_written_and_runs_no_formula(app, role):
    make_awkward_comments(app)
    client = signed_in_client(app, role=role)
    response = post_export(client, profile="internal", include_contact_details="yes")
    assert_is_a_download(response, "internal")
    rows = read_csv(response)
    assert_quoted_with_crlf(response, rows)
    assert rows[0] == ALL_INTERNAL
    sections, items = labels(app)
    expected = [expected_internal_row(comment, sections, items, contact=True) for comment in comments(app)]
    assert len(rows) - 1 == len(expected) == len(AWKWARD_TEXTS) + 1
    for written, wanted in zip(rows[1:], expected, strict=True):
        assert written == wanted
    # No cell of the file starts with anything a spreadsheet would run.
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell
    names = {row[ALL_INTERNAL.index("Name")] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in names and "عائشہ خان 👍🏽" in names and "রহিম উদ্দিন" in names


def test_the_open_data_file_holds_published_comments_as_the_public_sees_them_and_nothing_personal(
    app, analyst
):
    make_awkward_comments(app)
    response = post_export(analyst, profile="open")
    assert_is_a_download(response, "open")
    rows = read_csv(response)
    assert_quoted_with_crlf(response, rows)
    assert rows[0] == OPEN_HEADER
    sections, items = labels(app)
    published = [comment for comment in comments(app) if comment.state == "published"]
    assert published and len(published) < len(comments(app))
    with app.app_context():
        expected = [
            [
                comment.reference,
                comment.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                comment.created_at.astimezone(UTC).date().isoformat(),
                comment.channel,
                sections[comment.section_id] if comment.section_id else "The whole document",
                items[comment.practice_item_id] if comment.practice_item_id else "",
                comment.reaction or "",
                spreadsheet_safe(comment.public_text),
                "",
                "",
                "",
            ]
            for comment in published
        ]
    assert rows[1:] == expected
    raw = response.get_data().decode("utf-8")
    assert "-Call me on [phone number removed]" in raw
    for comment in comments(app):
        # Published comments' references are on the public pages too; no other is in the file.
        assert (comment.reference in raw) == (comment.state == "published")
        for personal in (comment.author_name, comment.author_email):
            if personal and len(personal) > 3:
                assert personal not in raw, personal
        if comment.state != "published":
            assert comment.body not in raw
    assert "07700 900123" not in raw and "Jo Bloggs" not in raw
    assert [row[0] for row in rows[1:]] == [comment.reference for comment in published]


def test_withdrawn_comments_are_in_no_export(app, admin):
    kept = make_comment(app, text="Still here")
    gone = make_comment(app, text="Taken back")
    set_fields(app, gone, state="withdrawn", body="")
    for profile in ["internal", "open"]:
        rows = read_csv(post_export(admin, profile=profile))
        assert len(rows) == 2, profile
    rows = as_dicts(read_csv(post_export(admin, profile="internal")))
    assert [row["Reference"] for row in rows] == [kept]


def test_themes_reports_and_rejection_reasons_are_in_the_internal_file(app, admin):
    reference = make_comment(app, text="Tagged and reported")
    rejected = make_comment(app, text="Not about the document", state="pending")
    comment_id, rejected_id = id_of(app, reference), id_of(app, rejected)
    with app.app_context():
        actor = db.session.scalar(select(StaffUser).where(StaffUser.role == "admin"))
        moderation.add_tag(comment_id, "transport", actor)
        moderation.add_tag(comment_id, "accessible meetings", actor)
        moderation.reject_comment(rejected_id, 1, "off-topic", None, actor)
        for key in ["a", "b"]:
            db.session.add(Report(comment_id=comment_id, reason="abusive", reporter_key=key))
        db.session.commit()
    rows = {row["Reference"]: row for row in as_dicts(read_csv(post_export(admin, profile="internal")))}
    assert rows[reference]["Themes"] == "accessible meetings; transport"
    assert rows[reference]["Reports"] == "2"
    assert rows[rejected]["Rejection reason"] == "It is not about the document"
    assert rows[rejected]["State"] == "rejected"


def test_a_file_with_no_comments_has_its_header_only(app, analyst):
    for profile, header in [("internal", WITHOUT_CONTACT), ("open", OPEN_HEADER)]:
        response = post_export(analyst, profile=profile)
        assert_is_a_download(response, profile)
        assert read_csv(response) == [header]


# Who may have what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "profile", "contact", "header"),
    [
        ("admin", "internal", "yes", ALL_INTERNAL),
        ("analyst", "internal", "yes", ALL_INTERNAL),
        ("admin", "internal", "", WITHOUT_CONTACT),
        ("analyst", "internal", "", WITHOUT_CONTACT),
        ("moderator", "internal", "", WITHOUT_CONTACT),
        ("admin", "open", "", OPEN_HEADER),
        ("analyst", "open", "", OPEN_HEADER),
        ("moderator", "open", "", OPEN_HEADER),
    ],
)
def test_each_role_gets_the_file_it_may_have(app, role, profile, contact, header):
    make_comment(app, name="Sam Person", email="sam@example.com")
    client = signed_in_client(app, role=role)
    response = post_export(client, profile=profile, include_contact_details=contact)
    assert_is_a_download(response, profile)
    rows = read_csv(response)
    assert rows[0] == header
    raw = response.get_data().decode("utf-8")
    assert ("sam@example.com" in raw) == (header == ALL_INTERNAL)
    assert ("Sam Person" in raw) == (header == ALL_INTERNAL)


@pytest.mark.parametrize(("profile", "asked"), [("internal", "yes"), ("open", "on"), ("", "y")])
def test_a_moderator_asking_for_contact_details_is_refused_and_it_is_recorded(
    app, moderator, caplog, monkeypatch, profile, asked
):
    # Alembic's fileConfig (migrations/env.py), run by the test database's set-up in this
    # process, disables every logger that existed before it: turn this one back on.
    monkeypatch.setattr(exports.logger, "disabled", False)
    make_comment(app, name="Sam Person", email="sam@example.com")
    with caplog.at_level(logging.WARNING):
        response = post_export(moderator, profile=profile, include_contact_details=asked)
    check_page(response, 403)
    assert "sam@example.com" not in response.get_data(as_text=True)
    assert audit_entries(app, exports.EXPORT_ACTION) == []
    [refusal] = audit_entries(app, "export.refused")
    with app.app_context():
        moderator_id = db.session.scalar(select(StaffUser.id).where(StaffUser.role == "moderator"))
    assert refusal.actor_id == moderator_id
    assert refusal.details["role"] == "moderator"
    assert refusal.details["profile"] == (profile or "unknown")
    warnings = [record for record in caplog.records if "Export refused" in record.getMessage()]
    assert len(warnings) == 1
    logged = warnings[0].getMessage()
    assert str(moderator_id) in logged and "moderator@example.gov.uk" not in logged
    assert "sam@example.com" not in logged


# The audit log ----------------------------------------------------------------------------------


def test_each_export_is_recorded_with_who_the_file_the_filters_and_the_row_count(app, analyst):
    make_awkward_comments(app)
    basic_published = [c for c in comments(app) if c.state == "published" and c.section_id is not None]
    response = post_export(
        analyst,
        profile="internal",
        include_contact_details="yes",
        state="published",
        section="basic",
        created_from="2020-01-01",
        text="said",
    )
    rows = read_csv(response)
    matching = [c for c in basic_published if "said" in c.body]
    assert len(rows) - 1 == len(matching) > 0
    [entry] = audit_entries(app, exports.EXPORT_ACTION)
    with app.app_context():
        analyst_id = db.session.scalar(select(StaffUser.id).where(StaffUser.role == "analyst"))
    assert entry.actor_id == analyst_id
    assert entry.details == {
        "profile": "internal",
        "format": "csv",
        "contact_details": True,
        "filters": {"state": "published", "section": "basic", "from": "2020-01-01", "text_search": True},
        "row_count": len(matching),
        "via": "web",
    }
    # Nothing personal reaches the log: no text, no name, no email, not even the words searched for.
    logged = audit_json(app)
    for comment in comments(app):
        for value in (comment.body, comment.author_name, comment.author_email):
            if value and len(value) > 4:
                assert value not in logged
    assert "said" not in logged


def test_each_download_is_recorded_once(app, analyst):
    make_comment(app)
    post_export(analyst, profile="open").get_data()
    post_export(analyst, profile="internal").get_data()
    entries = audit_entries(app, exports.EXPORT_ACTION)
    assert [entry.details["profile"] for entry in entries] == ["open", "internal"]
    assert [entry.details["row_count"] for entry in entries] == [1, 1]


# Filters ----------------------------------------------------------------------------------------


@pytest.fixture
def filtered_comments(app: Flask) -> dict[str, str]:
    """Four comments that each filter tells apart, by name."""
    found = {
        "basic-example": make_comment(app, text="On the first example", item_key="basic-1", reaction="yes"),
        "intermediate": make_comment(
            app,
            text="Accessible meetings matter",
            section_slug="intermediate",
            state="pending",
            reaction="no",
        ),
        "document": make_comment(app, text="About it all", section_slug=None, state="rejected"),
        "reported": make_comment(app, text="Someone reported this 100%"),
    }
    for name, day in zip(found, ["2026-01-10", "2026-01-15", "2026-01-20", "2026-01-25"], strict=True):
        set_created_at(app, found[name], datetime.fromisoformat(day + "T12:00:00+00:00"))
    with app.app_context():
        actor = db.session.get(StaffUser, make_staff(app, role="admin", email="tagger@example.gov.uk"))
        moderation.add_tag(id_of(app, found["basic-example"]), "transport", actor)
        db.session.add(Report(comment_id=id_of(app, found["reported"]), reason="abusive", reporter_key="k"))
        db.session.commit()
    return found


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ["basic-example", "intermediate", "document", "reported"]),
        ({"state": "published"}, ["basic-example", "reported"]),
        ({"state": "rejected"}, ["document"]),
        ({"section": "document"}, ["document"]),
        ({"section": "basic"}, ["basic-example", "reported"]),
        ({"item": "basic-1"}, ["basic-example"]),
        ({"reaction": "no"}, ["intermediate"]),
        ({"created_from": "2026-01-14", "created_to": "2026-01-20"}, ["intermediate", "document"]),
        ({"created_to": "2026-01-10"}, ["basic-example"]),
        ({"tag": "transport"}, ["basic-example"]),
        ({"has_reports": "yes"}, ["reported"]),
        ({"text": "ACCESSIBLE meetings"}, ["intermediate"]),
        ({"text": "100%"}, ["reported"]),
        ({"text": "_"}, []),
        ({"state": "published", "section": "basic", "tag": "transport"}, ["basic-example"]),
    ],
)
def test_the_filters_choose_the_comments(app, admin, filtered_comments, fields, expected):
    rows = as_dicts(read_csv(post_export(admin, profile="internal", **fields)))
    assert [row["Reference"] for row in rows] == [filtered_comments[name] for name in expected]
    [entry] = audit_entries(app, exports.EXPORT_ACTION)
    assert entry.details["row_count"] == len(expected)


def test_open_data_searches_only_the_text_the_public_sees(app, analyst):
    reference = make_comment(app, text="placeholder")
    set_fields(app, reference, body="My neighbour Jo Bloggs agrees", public_body="My neighbour agrees")
    assert len(read_csv(post_export(analyst, profile="internal", text="Bloggs"))) == 2
    assert len(read_csv(post_export(analyst, profile="open", text="Bloggs"))) == 1
    assert len(read_csv(post_export(analyst, profile="open", text="neighbour"))) == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"state": "deleted"}, "state", "Select a state from the list"),
        ({"state": "withdrawn"}, "state", "Select a state from the list"),
        ({"section": "no-such-section"}, "section", "Select a section from the list"),
        ({"item": "no-such-item"}, "item", "Select a practice example from the list"),
        ({"reaction": "maybe"}, "reaction", "Select an answer from the list"),
        ({"tag": "no such theme"}, "tag", "Select a theme from the list"),
        ({"has_reports": "perhaps"}, "has_reports", "Select whether to show only reported comments"),
        ({"created_from": "2026-02-30"}, "created_from", "must be a real date"),
        ({"created_to": "26/11/2026"}, "created_to", "must be a real date"),
        (
            {"created_from": "2026-03-01", "created_to": "2026-02-01"},
            "created_to",
            "must be the same as or after",
        ),
        ({"text": "bad\x07bell"}, "text", "must not include control characters"),
        ({"profile": ""}, "profile", "Select which file you need"),
        ({"profile": "everything"}, "profile", "Select which file you need"),
        ({"profile": "open", "state": "pending"}, "state", "Open data only holds published comments"),
        (
            {"profile": "open", "include_contact_details": "yes"},
            "include_contact_details",
            "Open data never includes names or email addresses",
        ),
    ],
)
def test_filters_that_cannot_be_used_say_what_to_fix_and_give_no_file(app, analyst, fields, field, message):
    make_comment(app, name="Sam Person", email="sam@example.com")
    response = post_export(analyst, **{"profile": "internal", **fields})
    soup = check_page(response)
    assert "Content-Disposition" not in response.headers
    assert soup.title.get_text().startswith("Error: Export comments")
    summary = [link.get_text(strip=True) for link in soup.select(".govuk-error-summary__list a")]
    assert any(message in text for text in summary), summary
    assert any(link["href"] == f"#{field}" for link in soup.select(".govuk-error-summary__list a"))
    assert message in text_of(soup.select_one(f"#{field}-error"))
    assert audit_entries(app, exports.EXPORT_ACTION) == []
    assert "sam@example.com" not in response.get_data(as_text=True)


def test_the_form_keeps_what_was_chosen_when_it_shows_errors(app, analyst):
    soup = parse(
        post_export(analyst, profile="open", section="basic", created_from="2026-13-01", text="meetings")
    )
    assert soup.select_one("select[name=section] option[selected]")["value"] == "basic"
    assert soup.select_one("input[name=created_from]")["value"] == "2026-13-01"
    assert soup.select_one("input[name=text]")["value"] == "meetings"
    assert soup.select_one("input[name=profile][value=open]").has_attr("checked")


# Streaming --------------------------------------------------------------------------------------


def bulk_insert_comments(app: Flask, count: int, start: int = 0) -> None:
    """Many published comments at once, straight into the table (a Core bulk insert)."""
    with app.app_context():
        version_id = documents.get_current_version().id
        consultation_id = consultations.get_current_consultation().id
        now = datetime.now(UTC)
        text = "A comment long enough to count, " * 8
        with tallies_counted_after_a_bulk_load():
            db.session.execute(
                Comment.__table__.insert(),
                [
                    {
                        "reference": f"T-{number:09d}",
                        "submission_key": f"bulk-{number}",
                        "document_version_id": version_id,
                        "consultation_id": consultation_id,
                        "body": f"{text}{number}",
                        "author_name": f"Person {number}",
                        "author_email": f"person{number}@example.com",
                        "state": "published",
                        "created_at": now,
                        "published_at": now,
                    }
                    for number in range(start, start + count)
                ],
            )


def peak_memory_of_export(client: FlaskClient, data: dict[str, str]) -> tuple[int, int]:
    """Stream an export and count its bytes without keeping them. Returns (bytes, peak memory)."""
    tracemalloc.start()
    try:
        response = client.post("/staff/export.csv", data=data)
        size = 0
        for chunk in response.response:
            size += len(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


def test_a_large_export_streams_in_the_same_memory_as_a_small_one(app, admin):
    data = export_fields(admin, profile="internal", include_contact_details="yes")
    bulk_insert_comments(app, 2_000)
    # Once first, so that what is loaded once (code, compiled queries) is not counted.
    peak_memory_of_export(admin, data)
    small_size, small_peak = peak_memory_of_export(admin, data)
    bulk_insert_comments(app, 18_000, start=2_000)
    large_size, large_peak = peak_memory_of_export(admin, data)
    assert large_size > 9 * small_size
    # Ten times the rows: if the rows were held, the peak would be ten times as high too.
    print(f"peak memory: {small_peak:,} bytes for 2,000 rows, {large_peak:,} for 20,000")
    assert large_peak < 2 * small_peak + 1_000_000, (small_peak, large_peak)
    counts = [entry.details["row_count"] for entry in audit_entries(app, exports.EXPORT_ACTION)]
    assert counts == [2_000, 2_000, 20_000]


def test_an_export_stopped_half_way_changes_nothing_and_leaves_no_file(app, admin, monkeypatch, tmp_path):
    bulk_insert_comments(app, 300)
    monkeypatch.setattr(export_stream, "BATCH_SIZE", 50)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))

    def table_state() -> list[tuple]:
        with app.app_context():
            return [tuple(row) for row in db.session.execute(select(Comment.__table__).order_by(Comment.id))]

    before = table_state()
    entries_before = len(audit_entries(app))
    response = admin.post(
        "/staff/export.csv", data=export_fields(admin, profile="internal", include_contact_details="yes")
    )
    chunks = iter(response.response)
    first = next(chunks) + next(chunks)
    assert first.startswith(b"\xef\xbb\xbf") and b"T-000000000" in first
    # The person goes away: the server closes the response.
    response.close()
    assert table_state() == before
    assert list(temporary.iterdir()) == []
    [entry] = audit_entries(app, exports.EXPORT_ACTION)
    assert entry.details["row_count"] == 300
    with app.app_context():
        # The export's own connection went back to the pool; nothing is left open.
        assert db.engine.pool.checkedout() == 0
    # Only the export's own entry was written.
    assert len(audit_entries(app)) == entries_before + 1


def test_comments_sent_during_an_export_are_not_in_it_and_the_count_is_the_file(app, admin, monkeypatch):
    bulk_insert_comments(app, 120)
    monkeypatch.setattr(export_stream, "BATCH_SIZE", 20)
    response = admin.post("/staff/export.csv", data=export_fields(admin, profile="open"))
    chunks = iter(response.response)
    received = [next(chunks), next(chunks)]
    # Part way through, more comments arrive (this also shows the export holds no lock).
    bulk_insert_comments(app, 30, start=120)
    received.extend(chunks)
    response.close()
    rows = list(csv.reader(io.StringIO(b"".join(received).decode("utf-8-sig"), newline="")))
    [entry] = audit_entries(app, exports.EXPORT_ACTION)
    assert len(rows) - 1 == entry.details["row_count"] == 120


def test_on_postgresql_an_export_reads_one_snapshot(app, admin, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no snapshot across statements; see services/export/stream.py")
    bulk_insert_comments(app, 120)
    monkeypatch.setattr(export_stream, "BATCH_SIZE", 20)
    response = admin.post(
        "/staff/export.csv", data=export_fields(admin, profile="internal", state="published")
    )
    chunks = iter(response.response)
    received = [next(chunks), next(chunks)]
    # A moderator hides the last comment while the export is under way.
    with app.app_context():
        db.session.execute(update(Comment).where(Comment.reference == "T-000000119").values(state="hidden"))
        db.session.commit()
    received.extend(chunks)
    response.close()
    rows = list(csv.reader(io.StringIO(b"".join(received).decode("utf-8-sig"), newline="")))
    assert len(rows) - 1 == 120
    state = rows[0].index("State")
    assert rows[-1][0] == "T-000000119" and rows[-1][state] == "published"


# The command line -------------------------------------------------------------------------------


def test_the_command_writes_the_same_file_as_the_page(app, admin, runner, tmp_path):
    make_awkward_comments(app)
    web = post_export(admin, profile="internal", include_contact_details="yes").get_data()
    result = runner.invoke(args=["export", "csv", "--profile", "internal"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == web
    assert "Exported 13 comments (internal file)" in result.stderr

    web_open = post_export(admin, profile="open", section="basic").get_data()
    output = tmp_path / "open.csv"
    result = runner.invoke(
        args=["export", "csv", "--profile", "open", "--section", "basic", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == web_open
    assert result.stdout_bytes == b""

    entries = audit_entries(app, exports.EXPORT_ACTION)
    command_line = [entry for entry in entries if entry.details["via"] == "command line"]
    assert len(command_line) == 2 and all(entry.actor_id is None for entry in command_line)
    assert command_line[0].details["contact_details"] is True
    assert command_line[1].details["filters"] == {"section": "basic"}
    assert all(entry.details["system_user"] for entry in command_line)


def test_the_command_takes_the_same_filters(app, runner, filtered_comments):
    result = runner.invoke(
        args=["export", "csv", "--profile", "internal", "--from", "2026-01-14", "--to", "2026-01-20"]
    )
    assert result.exit_code == 0, result.output
    rows = as_dicts(list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline=""))))
    assert [row["Reference"] for row in rows] == [
        filtered_comments["intermediate"],
        filtered_comments["document"],
    ]
    for args, expected in [
        (["--state", "published", "--tag", "transport"], ["basic-example"]),
        (["--item", "basic-1", "--reaction", "yes"], ["basic-example"]),
        (["--has-reports"], ["reported"]),
        (["--text", "accessible"], ["intermediate"]),
    ]:
        result = runner.invoke(args=["export", "csv", "--profile", "internal", *args])
        rows = as_dicts(list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline=""))))
        assert [row["Reference"] for row in rows] == [filtered_comments[name] for name in expected], args


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "everything"], "'everything' is not one of"),
        (["--profile", "internal", "--state", "deleted"], "There is no state 'deleted'"),
        (["--profile", "internal", "--section", "nope"], "There is no section 'nope'"),
        (["--profile", "internal", "--item", "nope"], "There is no practice example 'nope'"),
        (["--profile", "internal", "--reaction", "maybe"], "There is no answer 'maybe'"),
        (["--profile", "internal", "--tag", "nope"], "There is no theme 'nope'"),
        (["--profile", "internal", "--from", "2026-02-30"], "'2026-02-30' does not match"),
        (
            ["--profile", "internal", "--from", "2026-03-01", "--to", "2026-02-01"],
            "must be the same as or after",
        ),
        (["--profile", "open", "--state", "pending"], "Open data holds published comments only"),
    ],
)
def test_the_command_refuses_filters_it_cannot_use(app, runner, tmp_path, args, message):
    make_comment(app)
    output = tmp_path / "file.csv"
    result = runner.invoke(args=["export", "csv", *args, "--output", str(output)])
    assert result.exit_code == 2
    assert message in result.output
    assert not output.exists()
    assert audit_entries(app, exports.EXPORT_ACTION) == []


def test_the_command_says_who_it_is_for(app, runner):
    result = runner.invoke(args=["export", "csv", "--help"])
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    assert "for admins on the server" in help_text
    assert "names and email addresses" in help_text


def test_a_failed_command_leaves_no_half_written_file(app, runner, tmp_path, monkeypatch):
    bulk_insert_comments(app, 50)
    monkeypatch.setattr(export_stream, "BATCH_SIZE", 10)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(export_stream, "_open_rows", broken)
    output = tmp_path / "open.csv"
    result = runner.invoke(args=["export", "csv", "--profile", "open", "--output", str(output)])
    assert result.exit_code != 0
    assert not output.exists()


def test_the_command_shows_progress_on_a_terminal(app, test_database_url, tmp_path):
    bulk_insert_comments(app, 50)
    output = tmp_path / "internal.csv"
    controller, terminal = pty.openpty()
    try:
        finished = subprocess.run(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "export",
                "csv",
                "--profile",
                "internal",
                "-o",
                output,
            ],
            cwd=Path(__file__).parents[2],
            env={**os.environ, "PORTAL_ENV": "testing", "DATABASE_URL": test_database_url},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=60,
            check=False,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                piece = os.read(controller, 4096)
            except OSError:
                break
            if not piece:
                break
            shown += piece
    finally:
        os.close(controller)
    assert finished.returncode == 0, shown
    assert b"Exporting" in shown and b"100%" in shown
    assert b"Exported 50 comments (internal file)" in shown
    assert len(read_file_rows(output)) == 51


def read_file_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_gunicorn_lets_a_long_export_finish(monkeypatch):
    config_file = str(Path(__file__).parents[2] / "gunicorn.conf.py")
    monkeypatch.setenv("PORT", "8123")
    config = runpy.run_path(config_file)
    assert config["bind"] == "127.0.0.1:8123"
    # Threads: an export holds one thread, and the worker still tells the arbiter it is alive.
    assert (config["worker_class"], config["workers"], config["threads"]) == ("gthread", 2, 4)
    assert config["timeout"] >= 120 and config["graceful_timeout"] >= 120
    monkeypatch.delenv("PORT")
    assert runpy.run_path(config_file)["bind"] == "127.0.0.1:8000"
