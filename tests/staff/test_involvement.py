"""The involvement pipeline at /staff/involvement: one list of offers from both forms, who sees
what, following offers up, and what a withdrawn offer leaves behind (nothing to see).

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, InvolvementNote, InvolvementOffer, InvolvementStatus
from feedback_portal.services import involvement_pipeline, privacy
from feedback_portal.services.feedback import INVOLVEMENT_CONSENT_WORDING
from feedback_portal.services.involvement import CONSENT_WORDING
from tests.factories import comment_post, make_staff, signed_in_client
from tests.helpers.audit import audit_entries
from tests.helpers.involvement import all_offers, make_offer, offer_row, set_status
from tests.helpers.workbook import read_workbook
from tests.pages import check_page, parse, text_of
from tests.staff.moderation_helpers import audit_json, csrf_token

LIST = "/staff/involvement"
CONTACT = ("Priya Shah", "priya@example.com", "0121 496 0000", "Large print, please")


@pytest.fixture
def admin(app):
    return signed_in_client(app, role="admin")


@pytest.fixture
def analyst(app):
    return signed_in_client(app, role="analyst")


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def offer_ids(soup) -> list[int]:
    return [int(row["id"].removeprefix("offer-")) for row in soup.select("tbody tr[id^=offer-]")]


def update(client, offer_id: int, status: str, follower: str = ""):
    data = {"csrf_token": csrf_token(client), "status": status, "follower": follower}
    return client.post(f"{LIST}/{offer_id}", data=data)


def export(client, file_format: str = "csv", **filters: str):
    data = {"csrf_token": csrf_token(client, LIST), "file_format": file_format, **filters}
    return client.post(f"{LIST}/export", data=data)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


# One list, from either form -------------------------------------------------------------------


def test_an_admin_sees_everything_an_offer_holds(app, admin):
    offer_id, _token = make_offer(app, interests=("training", "other"), other="Day centres")
    soup = check_page(admin.get(LIST))
    assert offer_ids(soup) == [offer_id]
    row = text_of(soup.select_one(f"#offer-{offer_id}"))
    assert "Priya Shah" in row and "Training staff" in row and "Meetings online" in row and "New" in row

    page = check_page(admin.get(f"{LIST}/{offer_id}"))
    details = text_of(page.select_one("#contact-details"))
    assert all(value in details for value in CONTACT)
    offer_text = text_of(page.select_one("#offer-details"))
    for expected in (
        "Training staff",
        "Something else",
        "Day centres",
        "Meetings online",
        "Weekday evenings",
    ):
        assert expected in offer_text
    consent = text_of(page.select_one("#consent"))
    assert CONSENT_WORDING in consent and "Given" in consent and page.select_one("#consent time") is not None


def test_a_comment_that_offers_to_get_involved_is_in_the_same_list(app, client, admin):
    section = "/definition/basic"
    data = comment_post(
        client, section, comment="I would like to help.", name="Sam Lee", email="sam@example.com"
    )
    data["wants_involvement"] = "y"
    assert client.post(section, data=data).status_code == 302
    [offer] = all_offers(app)
    assert (offer.source, offer.name, offer.email, offer.status) == (
        "comment",
        "Sam Lee",
        "sam@example.com",
        "new",
    )
    offer = offer_row(app, offer.id)
    [consent] = offer.consents
    assert consent.wording == INVOLVEMENT_CONSENT_WORDING and consent.comment_id == offer.comment_id

    page = check_page(admin.get(f"{LIST}/{offer.id}"))
    assert "Comment form" in text_of(page.select_one("#offer-details"))
    assert page.select_one(f"#offer-details a[href='/staff/comments/{offer.comment_id}']") is not None
    assert offer_ids(check_page(admin.get(LIST))) == [offer.id]


def test_a_comment_without_the_tick_or_from_a_bot_makes_no_offer(app, client):
    section = "/definition/basic"
    client.post(section, data=comment_post(client, section, comment="Just a comment.", email="a@example.com"))
    spam = comment_post(client, section, comment="Buy now", email="b@example.com", website="http://spam")
    spam["wants_involvement"] = "y"
    client.post(section, data=spam)
    assert all_offers(app) == []


def test_erasing_a_commenters_details_withdraws_the_offer_their_tick_made(app, client, admin):
    section = "/definition/basic"
    data = comment_post(client, section, comment="Count me in.", name="Sam Lee", email="sam@example.com")
    data["wants_involvement"] = "y"
    client.post(section, data=data)
    [offer] = all_offers(app)
    with app.app_context():
        comment = db.session.get(Comment, offer.comment_id)
        privacy.erase_contact_details(comment.reference, privacy.comment_link_token(comment, "erase"))
    offer = offer_row(app, offer.id)
    assert (offer.name, offer.email, offer.status) == (None, None, "withdrawn")
    assert admin.get(f"{LIST}/{offer.id}").status_code == 404


# Who sees what --------------------------------------------------------------------------------


def test_a_moderator_sees_the_list_and_offers_without_contact_details_or_access_needs(app, moderator):
    offer_id, _token = make_offer(app)
    listing = check_page(moderator.get(LIST))
    assert offer_ids(listing) == [offer_id]
    page = check_page(moderator.get(f"{LIST}/{offer_id}"))
    for soup in (listing, page):
        assert not any(value in text_of(soup) for value in CONTACT)
        assert "privacy notice" in text_of(soup)
    assert "Training staff" in text_of(page)
    assert page.select_one(f"form[action='{LIST}/{offer_id}']") is None
    assert listing.select_one(f"form[action='{LIST}/export']") is None


def test_a_moderator_asking_for_the_export_gets_403_logged_and_audited(app, moderator, caplog):
    make_offer(app)
    token = csrf_token(moderator)
    with caplog.at_level(logging.WARNING):
        response = moderator.post(f"{LIST}/export", data={"csrf_token": token, "file_format": "csv"})
    assert response.status_code == 403
    assert "priya" not in response.get_data(as_text=True).lower()
    [line] = [
        record.getMessage()
        for record in caplog.records
        if "Involvement contact details refused" in record.message
    ]
    assert "moderator" in line and "@" not in line
    [entry] = audit_entries(app, "involvement.contact_details_refused")
    assert entry.details["role"] == "moderator"
    assert "priya" not in audit_json(app).lower()


def test_a_moderator_cannot_change_an_offer_or_add_a_note(app, moderator):
    offer_id, _token = make_offer(app)
    assert update(moderator, offer_id, "contacted").status_code == 403
    note = {"csrf_token": csrf_token(moderator), "note": "Called."}
    assert moderator.post(f"{LIST}/{offer_id}/notes", data=note).status_code == 403
    assert offer_row(app, offer_id).status == "new"


def test_signed_out_people_are_sent_to_sign_in(client, app):
    offer_id, _token = make_offer(app)
    for path in (LIST, f"{LIST}/{offer_id}"):
        assert "/staff/login" in client.get(path).headers["Location"]


# Following up ---------------------------------------------------------------------------------


def test_an_analyst_marks_an_offer_contacted_names_who_follows_it_up_and_adds_a_note(app, analyst):
    offer_id, _token = make_offer(app)
    page = check_page(analyst.get(f"{LIST}/{offer_id}"))
    [follower] = [option for option in page.select("select[name=follower] option") if option["value"]]
    response = update(analyst, offer_id, "contacted", follower["value"])
    assert response.status_code == 302
    note = {"csrf_token": csrf_token(analyst), "note": "Phoned; she would like the next training day."}
    assert analyst.post(f"{LIST}/{offer_id}/notes", data=note).status_code == 302

    offer = offer_row(app, offer_id)
    assert (offer.status, offer.follower_id, offer.status_changed_by_id) == (
        "contacted",
        int(follower["value"]),
        offer.follower_id,
    )
    assert [each.text for each in offer.notes] == [note["note"]]
    page = check_page(analyst.get(f"{LIST}/{offer_id}"))
    assert note["note"] in text_of(page.select_one("#notes ~ div"))
    actions = [
        (entry.action, entry.before, entry.after)
        for entry in audit_entries(app)
        if entry.record_type == "involvement_offer"
    ]
    assert actions[0] == ("involvement.status_changed", {"status": "new"}, {"status": "contacted"})
    assert actions[1][0] == "involvement.follower_changed"
    assert actions[2][0] == "involvement.note_added"
    assert "training day" not in audit_json(app)


def test_staff_cannot_set_an_offer_withdrawn_and_are_told_why(app, admin):
    offer_id, _token = make_offer(app)
    soup = check_page(admin.get(f"{LIST}/{offer_id}"))
    offered = [radio["value"] for radio in soup.select("input[name=status]")]
    assert offered == ["new", "contacted", "involved", "not-now"]
    response = update(admin, offer_id, "withdrawn")
    assert response.status_code == 200
    soup = parse(response)
    assert soup.title.get_text().startswith("Error: ")
    assert soup.select_one(".govuk-error-summary") is not None
    assert offer_row(app, offer_id).status == "new"


def test_only_staff_who_may_see_contact_details_can_follow_an_offer_up(app, admin):
    offer_id, _token = make_offer(app)
    moderator_id = make_staff(app, role="moderator", email="mod@example.gov.uk")
    soup = check_page(admin.get(f"{LIST}/{offer_id}"))
    assert "mod@example.gov.uk" not in [
        option.get_text() for option in soup.select("select[name=follower] option")
    ]
    assert update(admin, offer_id, "contacted", str(moderator_id)).status_code == 200
    assert offer_row(app, offer_id).follower_id is None


# Filters and paging ---------------------------------------------------------------------------


def test_the_list_filters_by_status_interest_way_and_date(app, admin):
    now = datetime.now(UTC)
    old, _ = make_offer(app, interests=("policies",), ways=("phone",), created_at=now - timedelta(days=40))
    contacted, _ = make_offer(app, interests=("training", "policies"), ways=("online", "phone"))
    fresh, _ = make_offer(app, interests=("recruitment",), ways=())
    set_status(app, contacted, InvolvementStatus.CONTACTED)

    def listed(**arguments: str) -> list[int]:
        return offer_ids(check_page(admin.get(LIST, query_string=arguments)))

    assert listed() == [fresh, contacted, old]
    assert listed(status="contacted") == [contacted]
    assert listed(interest="policies") == [contacted, old]
    assert listed(way="phone") == [contacted, old]
    assert listed(way="online") == [contacted]
    day = (now - timedelta(days=40)).date().isoformat()
    assert listed(received_from=(now - timedelta(days=1)).date().isoformat()) == [fresh, contacted]
    assert listed(received_to=day) == [old]


def test_bad_filters_are_explained_and_list_nothing(app, admin):
    make_offer(app)
    response = admin.get(LIST, query_string={"received_from": "2026-02-31", "status": "withdrawn"})
    soup = parse(response)
    assert response.status_code == 200
    assert soup.title.get_text().startswith("Error: ")
    assert offer_ids(soup) == []


def test_the_list_pages_by_keyset(app, admin):
    made = [
        make_offer(app, created_at=datetime.now(UTC) - timedelta(minutes=minutes))[0] for minutes in range(5)
    ]
    with app.app_context():
        first = involvement_pipeline.list_offers(involvement_pipeline.OfferFilters(), page_size=2)
        second = involvement_pipeline.list_offers(
            involvement_pipeline.OfferFilters(), after=first.next_cursor, page_size=2
        )
        third = involvement_pipeline.list_offers(
            involvement_pipeline.OfferFilters(), after=second.next_cursor, page_size=2
        )
        pages = [[offer.id for offer in page.rows] for page in (first, second, third)]
    assert pages == [made[:2], made[2:4], made[4:]]
    assert third.next_cursor is None


# Withdrawn offers -----------------------------------------------------------------------------


def test_a_withdrawn_offer_disappears_from_staff_view_at_once(app, admin):
    offer_id, token = make_offer(app)
    kept, _ = make_offer(app, name="Kept Person", email="kept@example.com")
    with app.app_context():
        privacy.withdraw_offer(token)
    assert offer_ids(check_page(admin.get(LIST))) == [kept]
    assert admin.get(f"{LIST}/{offer_id}").status_code == 404
    assert update(admin, offer_id, "contacted").status_code == 404
    rows = csv_rows(export(admin))
    assert [row[0] for row in rows[1:]] == [str(kept)]
    offer = offer_row(app, offer_id)
    assert (offer.status, offer.name, offer.notes) == ("withdrawn", None, [])
    [entry] = audit_entries(app, "involvement.withdrawn_by_person")
    assert entry.actor_id is None and entry.after == {"status": "withdrawn"}


# Export ---------------------------------------------------------------------------------------


def test_the_csv_export_holds_every_column_and_is_audited(app, admin):
    offer_id, _token = make_offer(
        app, name='=HYPERLINK("x")', interests=("training", "other"), other="Day centres"
    )
    response = export(admin, "csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert re.match(
        r'attachment; filename="involvement-offers-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    header, row = csv_rows(response)
    values = dict(zip(header, row, strict=True))
    assert values["Offer"] == str(offer_id)
    assert values["Name"] == '\'=HYPERLINK("x")'  # never a formula
    assert (values["Email"], values["Phone"], values["Access needs"]) == CONTACT[1:]
    assert values["Interested in"] == "Training staff; Something else"
    assert values["Something else they are interested in"] == "Day centres"
    assert values["Ways of taking part"] == "Meetings online"
    assert values["Status"] == "New" and values["From"] == "Get involved form"
    assert values["Consent wording"] == CONSENT_WORDING and values["Consent given (UK time)"]
    [entry] = audit_entries(app, "involvement.exported")
    assert entry.details == {"format": "csv", "filters": {}, "row_count": 1}
    assert "priya" not in audit_json(app).lower()


def test_the_workbook_export_is_all_text_and_follows_the_filters(app, analyst):
    make_offer(app, name="=1+1", interests=("policies",))
    wanted, _ = make_offer(app, name="007", interests=("training",))
    response = export(analyst, "xlsx", interest="training")
    assert response.status_code == 200
    [sheet] = read_workbook(response.get_data())
    assert sheet.name == "Offers"
    assert [row[0] for row in sheet.values[1:]] == [str(wanted)]
    assert sheet.values[1][4] == "007"
    assert all(
        cell.kind in {"inlineStr", "s", None} and not cell.formula for row in sheet.cells for cell in row
    )
    [entry] = audit_entries(app, "involvement.exported")
    assert entry.details == {"format": "xlsx", "filters": {"interest": "training"}, "row_count": 1}


# Managing what the form offers ----------------------------------------------------------------


def test_an_admin_adds_hides_and_orders_what_the_form_offers(app, admin, client):
    path = "/staff/admin/involvement-options"
    soup = check_page(admin.get(path))
    add = {"csrf_token": csrf_token(admin), "way-label": "Workshops at the library"}
    assert admin.post(f"{path}/way", data=add).status_code == 302
    form = check_page(client.get("/get-involved"))
    ways = [label.get_text(strip=True) for label in form.select("input[name=ways] + label")]
    assert ways[-1] == "Workshops at the library"

    soup = check_page(admin.get(path))
    row = soup.find("td", string="Meetings in person").find_parent("tr")
    hide = row.select_one("form[action$='/hide']")["action"]
    assert admin.post(hide, data={"csrf_token": csrf_token(admin)}).status_code == 302
    row = check_page(admin.get(path)).find("td", string="Workshops at the library").find_parent("tr")
    assert (
        admin.post(
            row.select_one("form[action$='/up']")["action"], data={"csrf_token": csrf_token(admin)}
        ).status_code
        == 302
    )

    form = check_page(client.get("/get-involved"))
    ways = [label.get_text(strip=True) for label in form.select("input[name=ways] + label")]
    assert "Meetings in person" not in ways
    assert ways[-2:] == ["Workshops at the library", "Surveys and questionnaires"]
    actions = [entry.action for entry in audit_entries(app) if entry.record_type == "involvement_option"]
    assert actions == ["involvement.option_added", "involvement.option_hidden", "involvement.option_moved"]


def test_an_empty_label_is_explained(app, admin):
    path = "/staff/admin/involvement-options"
    response = admin.post(f"{path}/interest", data={"csrf_token": csrf_token(admin), "interest-label": " "})
    soup = parse(response)
    assert soup.title.get_text().startswith("Error: ")
    assert "Enter the words the form shows" in text_of(soup.select_one(".govuk-error-summary"))


def test_only_admins_manage_what_the_form_offers(app, analyst):
    assert analyst.get("/staff/admin/involvement-options").status_code == 403


def test_a_hidden_choice_and_an_old_section_interest_still_read_on_old_offers(app, admin):
    offer_id, _token = make_offer(app, interests=("basic", "in-person"), ways=("in-person",))
    page = check_page(admin.get("/staff/admin/involvement-options"))
    row = page.find("td", string="Meetings in person").find_parent("tr")
    admin.post(row.select_one("form[action$='/hide']")["action"], data={"csrf_token": csrf_token(admin)})
    details = text_of(check_page(admin.get(f"{LIST}/{offer_id}")).select_one("#offer-details"))
    assert "Basic – one way" in details and "Meetings in person" in details


def test_deleting_an_offer_deletes_the_teams_notes_on_it(app, analyst):
    """What an erasure does: the offer and everything written about it go."""
    offer_id, _token = make_offer(app)
    note = {"csrf_token": csrf_token(analyst), "note": "Called her."}
    analyst.post(f"{LIST}/{offer_id}/notes", data=note)
    with app.app_context():
        db.session.delete(db.session.get(InvolvementOffer, offer_id))
        db.session.commit()
        assert db.session.scalar(select(func.count(InvolvementNote.id))) == 0


def test_an_admin_rewords_a_choice_and_old_offers_read_the_new_words(app, admin, client):
    offer_id, _token = make_offer(app, interests=("training",))
    options = check_page(admin.get("/staff/admin/involvement-options"))
    change = options.find("td", string="Training staff").find_parent("tr").select_one("a")["href"]
    page = check_page(admin.get(change))
    assert page.select_one("input[name=label]")["value"] == "Training staff"
    refused = admin.post(change, data={"csrf_token": csrf_token(admin), "label": ""})
    assert parse(refused).title.get_text().startswith("Error: ")
    done = admin.post(change, data={"csrf_token": csrf_token(admin), "label": "Training council staff"})
    assert done.status_code == 302
    assert "Training council staff" in text_of(
        check_page(admin.get(f"{LIST}/{offer_id}")).select_one("#offer-details")
    )
    labels = [
        label.get_text(strip=True)
        for label in check_page(client.get("/get-involved")).select("input[name=interests] + label")
    ]
    assert "Training council staff" in labels and "Training staff" not in labels
    assert [entry.action for entry in audit_entries(app, "involvement.option_renamed")] == [
        "involvement.option_renamed"
    ]


def test_text_that_changes_direction_is_isolated_and_warned_about(app, admin):
    offer_id, _token = make_offer(app, name="Sam \u202eevil", how="Online \u2067please")
    page = check_page(admin.get(f"{LIST}/{offer_id}"))
    assert "characters that change the direction of text" in text_of(page.select_one(".govuk-warning-text"))
    name = page.select_one("#contact-details").find(string=lambda text: "evil" in text).parent
    assert name.get("dir") == "auto"
    listing = check_page(admin.get(LIST))
    assert listing.select_one(f"#offer-{offer_id} bdi").get_text() == "Sam \u202eevil"


def test_erasing_a_person_deletes_their_offer_and_the_teams_notes_on_it(app, analyst, runner):
    offer_id, _token = make_offer(app)
    note = {"csrf_token": csrf_token(analyst), "note": "Her daughter helps her with forms."}
    analyst.post(f"{LIST}/{offer_id}/notes", data=note)
    result = runner.invoke(args=["privacy", "erase", "priya@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(InvolvementNote.id))) == 0
        assert db.session.get(InvolvementOffer, offer_id) is None
    assert offer_ids(check_page(analyst.get(LIST))) == []


def test_an_offer_emptied_by_retention_leaves_the_list_with_its_notes(app, analyst, runner):
    old, _ = make_offer(app, created_at=datetime.now(UTC) - timedelta(days=800))
    kept, _ = make_offer(app, name="Recent Person", email="recent@example.com")
    for offer_id in (old, kept):
        analyst.post(f"{LIST}/{offer_id}/notes", data={"csrf_token": csrf_token(analyst), "note": "Called."})
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert offer_ids(check_page(analyst.get(LIST))) == [kept]
    assert analyst.get(f"{LIST}/{old}").status_code == 404
    assert [note.offer_id for note in offer_row(app, kept).notes] == [kept]
    assert offer_row(app, old).notes == []
