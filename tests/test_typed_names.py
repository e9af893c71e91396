"""Names are text a person typed, too: what comment text is protected by, names, interests and
access needs are protected by, from the two public forms to the staff pages, the emails and the
exports. Escaped, isolated for direction, warned about, never a formula, never in a mail header.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from feedback_portal import email
from feedback_portal.extensions import db
from feedback_portal.models import Comment, InvolvementOffer, OutboxMessage, StaffUser
from tests.factories import all_comments, comment_post, make_staff, signed_in_client
from tests.helpers.involvement import all_offers
from tests.helpers.workbook import read_workbook
from tests.pages import check_page, text_of
from tests.staff.moderation_helpers import csrf_token, id_of, post_action
from tests.staff.test_export import post_export, read_csv

SECTION = "/definition/basic"
GET_INVOLVED = "/get-involved"
# Shows as "Sam Evil" only because the override turns what follows it round.
TURNED = "Sam \u202eliveE"
FORMULA = '=HYPERLINK("https://evil.example","Sam")'
SCRIPT = "<script>alert(1)</script>"
INJECTED = "Sam\r\nBcc: x@example.org"


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port}


def send_comment(client, **fields: str) -> str:
    """A comment sent through the comment form; its reference."""
    data = comment_post(client, SECTION, comment="It reads well to me.", **fields)
    response = client.post(SECTION, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def offer_post(client, **fields) -> dict:
    data = comment_post(client, GET_INVOLVED)
    data.update(name="Priya Shah", email="priya@example.com", interests="training", consent="y")
    data.update(fields)
    return data


def send_offer(client, **fields) -> int:
    """An offer sent through /get-involved; its id."""
    response = client.post(GET_INVOLVED, data=offer_post(client, **fields))
    assert response.headers.get("Location") == "/get-involved/done", response.get_data(as_text=True)
    return all_offers(client.application)[-1].id


def offer_page(client, offer_id: int):
    return check_page(client.get(f"/staff/involvement/{offer_id}"))


# Direction --------------------------------------------------------------------------------------


def test_a_name_that_changes_direction_is_isolated_and_warned_about_on_the_comment_page(app, client):
    comment_id = id_of(app, send_comment(client, name=TURNED, email="sam@example.com"))
    admin = signed_in_client(app, role="admin")
    page = check_page(admin.get(f"/staff/comments/{comment_id}"))
    warning = text_of(page.select_one(".govuk-warning-text"))
    assert "or the name given with it" in warning and "change the direction of text" in warning
    assert page.select_one("#comment-name bdi").get_text() == TURNED
    # A moderator is not shown the name, so neither is a warning about it.
    moderator = check_page(signed_in_client(app, role="moderator").get(f"/staff/comments/{comment_id}"))
    assert moderator.select_one(".govuk-warning-text") is None
    assert TURNED not in str(moderator)

    assert post_action(admin, comment_id, "publish").status_code == 302
    card = check_page(client.get(SECTION)).select_one(f"#comment-{all_comments(app)[0].reference}")
    assert card.select_one("h3 bdi").get_text() == TURNED


def test_an_offers_name_access_needs_and_interests_are_isolated_and_warned_about(app, client):
    offer_id = send_offer(
        client,
        name=TURNED,
        access_needs="Step-free \u2067access",
        interests=["training", "other"],
        other_interest="Parks \u202bplease",
    )
    page = offer_page(signed_in_client(app, role="admin"), offer_id)
    assert "change the direction of text" in text_of(page.select_one(".govuk-warning-text"))
    contact = page.select_one("#contact-details")
    for typed in (TURNED, "Step-free \u2067access"):
        assert contact.find(string=typed).parent["dir"] == "auto"
    assert page.select_one("#offer-details").find(string="Parks \u202bplease").parent["dir"] == "auto"


def test_the_interests_the_team_names_are_isolated_wherever_an_offer_lists_them(app, client):
    admin = signed_in_client(app, role="admin")
    label = "Parks \u202eskrap"
    path = "/staff/admin/involvement-options"
    added = admin.post(f"{path}/interest", data={"csrf_token": csrf_token(admin), "interest-label": label})
    assert added.status_code == 302
    form = check_page(client.get(GET_INVOLVED))
    [shown] = [
        each for each in form.select("input[name=interests] + label") if each.get_text(strip=True) == label
    ]
    key = form.select_one(f"input#{shown['for']}")["value"]
    offer_id = send_offer(client, interests=key)

    listing = check_page(admin.get("/staff/involvement"))
    assert [bdi.get_text() for bdi in listing.select(f"#offer-{offer_id} td bdi")][:2] == [
        "Priya Shah",
        label,
    ]
    details = offer_page(admin, offer_id).select_one("#offer-details")
    assert details.find("li").select_one("bdi").get_text() == label


# Escaping ---------------------------------------------------------------------------------------


def test_a_name_written_as_html_is_shown_as_typed_and_never_runs(app, client):
    comment_id = id_of(app, send_comment(client, name=SCRIPT))
    offer_id = send_offer(client, name=SCRIPT, access_needs=SCRIPT, how_to_be_involved=SCRIPT)
    admin = signed_in_client(app, role="admin")
    assert post_action(admin, comment_id, "publish").status_code == 302

    for page_client, path in (
        (client, SECTION),
        (admin, f"/staff/comments/{comment_id}"),
        (admin, "/staff/involvement"),
        (admin, f"/staff/involvement/{offer_id}"),
    ):
        response = page_client.get(path)
        assert "<script>alert" not in response.get_data(as_text=True), path
        assert SCRIPT in text_of(check_page(response)), path


# What the forms let in --------------------------------------------------------------------------


def test_a_name_with_a_line_break_is_refused_by_both_forms_and_nothing_is_kept_or_sent(app, client):
    data = comment_post(client, SECTION, comment="Fine.", name=INJECTED, email="sam@example.com")
    refused = check_page(client.post(SECTION, data=data))
    assert "Your name must only include letters" in text_of(refused.select_one(".govuk-error-summary"))
    refused = check_page(client.post(GET_INVOLVED, data=offer_post(client, name=INJECTED)))
    assert "Your name must only include letters" in text_of(refused.select_one(".govuk-error-summary"))
    with app.app_context():
        for model in (Comment, InvolvementOffer, OutboxMessage):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


# Emails -----------------------------------------------------------------------------------------


def test_no_email_a_named_person_causes_carries_their_name_or_their_text_in_a_header(
    app, client, runner, mail_server
):
    staff_id = make_staff(app, role="admin", email="admin@example.gov.uk")
    with app.app_context():
        person = db.session.get(StaffUser, staff_id)
        person.created_at = datetime.now(UTC) - timedelta(days=30)
        person.digest_frequency = "daily"
        db.session.commit()
    comment_id = id_of(
        app,
        send_comment(client, name=TURNED, email="sam@example.com", wants_updates="y", wants_involvement="y"),
    )
    send_offer(
        client,
        name=FORMULA,
        access_needs="Large print\nBcc: x@example.org",
        how_to_be_involved="Subject: hello",
    )
    admin = signed_in_client(app, email="publisher@example.gov.uk", role="admin")
    assert post_action(admin, comment_id, "publish").status_code == 302
    with app.app_context():
        yesterday = datetime.now(UTC) - timedelta(days=1)
        db.session.execute(update(Comment).values(created_at=yesterday))
        db.session.execute(update(InvolvementOffer).values(created_at=yesterday))
        db.session.commit()
    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output

    kinds = sorted(item.subject.split(" ")[0] for item in mail_server.received)
    # Two receipts for the comment and its offer, the offer's receipt, the decision, the digest.
    assert kinds == ["Feedback", "Thank", "Thank", "We", "Your"]
    for item in mail_server.received:
        [recipient] = item.envelope_to
        assert recipient in {"sam@example.com", "priya@example.com", "admin@example.gov.uk"}
        assert item.to == recipient  # the bare address: no name in front of it
        assert "Bcc" not in item.message and "Cc" not in item.message
        for header, value in item.message.items():
            for typed in ("Sam", "HYPERLINK", "x@example.org", "Large print", "hello"):
                assert typed not in value, (item.subject, header)


def test_a_subject_that_is_not_one_line_never_reaches_a_header(app):
    with app.app_context(), pytest.raises(email.UnsafeSubject):
        email.enqueue("receipt", "x", "sam@example.com", "Thanks\r\nBcc: x@example.org", "receipt")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# Exports ----------------------------------------------------------------------------------------


def test_a_name_written_as_a_formula_stays_text_in_every_export(app, client):
    send_comment(client, name=FORMULA, email="sam@example.com")
    send_offer(
        client,
        name=FORMULA,
        access_needs="=1+1",
        interests=["training", "other"],
        other_interest="@SUM(1)",
        how_to_be_involved="-2+3",
    )
    analyst = signed_in_client(app, role="analyst")
    header, row = read_csv(post_export(analyst, profile="internal", include_contact_details="yes"))
    assert dict(zip(header, row, strict=True))["Name"] == "'" + FORMULA

    workbook = post_export(analyst, profile="internal", include_contact_details="yes", file_format="xlsx")
    [sheet] = read_workbook(workbook.get_data())
    name = sheet.cells[1][sheet.values[0].index("Name")]
    assert (name.text, name.formula, name.text_format) == (FORMULA, False, True)

    token = csrf_token(analyst, "/staff/involvement")
    offers = analyst.post("/staff/involvement/export", data={"csrf_token": token, "file_format": "csv"})
    header, row = read_csv(offers)
    values = dict(zip(header, row, strict=True))
    assert values["Name"] == "'" + FORMULA
    assert values["Access needs"] == "'=1+1"
    assert values["Something else they are interested in"] == "'@SUM(1)"
    assert values["How they would like to be involved"] == "'-2+3"

    data = {"csrf_token": token, "file_format": "xlsx"}
    [sheet] = read_workbook(analyst.post("/staff/involvement/export", data=data).get_data())
    # A row's empty cells at its end are not written: zip stops at the last one that is.
    typed = dict(zip(sheet.values[0], sheet.cells[1], strict=False))
    for heading, written in (
        ("Name", FORMULA),
        ("Access needs", "=1+1"),
        ("How they would like to be involved", "-2+3"),
    ):
        assert (typed[heading].text, typed[heading].formula, typed[heading].text_format) == (
            written,
            False,
            True,
        )
