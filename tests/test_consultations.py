"""A consultation's lifecycle: UK dates and times in, UTC stored, the public's sentence at each
step, refusals, and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, Document, StaffUser
from feedback_portal.services import consultations
from feedback_portal.services.consultations import Period
from feedback_portal.services.documents import seed_document
from feedback_portal.services.exceptions import ConsultationChangeRefused
from tests.conftest import make_app
from tests.factories import all_comments, comment_post, make_comment, make_staff
from tests.helpers.audit import audit_entries
from tests.pages import check_page, text_of

FEBRUARY = Period(opens_on=date(2027, 2, 1), opens_time=time(9, 0), closes_on=date(2027, 2, 23))
IN_JANUARY = datetime(2027, 1, 10, 12, tzinfo=UTC)
IN_FEBRUARY = datetime(2027, 2, 10, 12, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def admin(app) -> int:
    return make_staff(app, role="admin", email="admin@example.gov.uk")


def _actor(admin_id: int) -> StaffUser:
    return db.session.get(StaffUser, admin_id)


def _document_id() -> int:
    return db.session.scalar(select(Document.id))


def _create(admin_id: int, period: Period = FEBRUARY, title: str = "Our next consultation") -> int:
    consultation = consultations.create_consultation(title, _document_id(), period, "pre", _actor(admin_id))
    return consultation.id


# UK dates and times into UTC -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "opens_at", "closes_at"),
    [
        # Winter, GMT: the UK clock is UTC. "Until 23:59" ends at midnight.
        (FEBRUARY, utc(2027, 2, 1, 9), utc(2027, 2, 24)),
        # Summer, BST: an hour ahead of UTC.
        (
            Period(date(2027, 6, 1), time(9, 0), date(2027, 7, 1), time(17, 0)),
            utc(2027, 6, 1, 8),
            utc(2027, 7, 1, 16, 1),
        ),
        # The clocks go forward at 01:00 GMT on 28 March 2027: that day ends at 23:00 UTC.
        (
            Period(date(2027, 3, 28), time(0, 30), date(2027, 3, 28)),
            utc(2027, 3, 28, 0, 30),
            utc(2027, 3, 28, 23),
        ),
        # The clocks go back at 02:00 BST on 31 October 2027: the first 01:30 is BST.
        (
            Period(date(2027, 10, 31), time(1, 30), date(2027, 10, 31)),
            utc(2027, 10, 31, 0, 30),
            utc(2027, 11, 1),
        ),
    ],
    ids=["gmt", "bst", "clocks-forward", "clocks-back"],
)
def test_uk_dates_and_times_are_stored_in_utc_closing_after_the_last_minute(period, opens_at, closes_at):
    assert period.in_utc() == (opens_at, closes_at)


def test_the_closing_time_is_2359_unless_given():
    assert FEBRUARY.closes_time == time(23, 59)


def test_a_time_the_clocks_skip_is_refused():
    skipped = Period(date(2027, 3, 28), time(1, 30), date(2027, 4, 1))
    with pytest.raises(ConsultationChangeRefused, match="clocks go forward") as refused:
        skipped.in_utc()
    assert refused.value.field == "opens_time"


def test_closing_before_opening_is_refused(app, admin):
    backwards = Period(date(2027, 2, 23), time(9, 0), date(2027, 2, 1))
    with app.app_context(), pytest.raises(ConsultationChangeRefused) as refused:
        _create(admin, backwards)
    assert str(refused.value) == "The closing date must be after the opening date"
    assert refused.value.field == "closes_on"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Consultation.id))) == 1
    assert audit_entries(app, "consultation.create") == []


# The lifecycle, and what the public reads at each step ----------------------------------------


def _sentence(consultation_id: int, now: datetime) -> str:
    return consultations.notice_for(consultations.get_consultation(consultation_id), now).sentence


def test_a_new_consultation_is_a_draft_the_public_cannot_comment_on(app, admin):
    with app.app_context():
        consultation_id = _create(admin)
        consultation = consultations.get_consultation(consultation_id)
        assert consultation.status == "draft"
        assert not consultation.is_open(IN_FEBRUARY)
        assert _sentence(consultation_id, IN_FEBRUARY) == "Commenting has not opened yet"
    [entry] = audit_entries(app, "consultation.create")
    assert entry.record_id == consultation_id
    assert entry.after == {
        "status": "draft",
        "opens_at": "2027-02-01T09:00:00+00:00",
        "closes_at": "2027-02-24T00:00:00+00:00",
    }


def test_scheduling_extending_and_closing_early_say_what_is_true_at_each_moment(app, admin):
    with app.app_context():
        consultation_id = _create(admin)
        consultations.schedule(consultation_id, FEBRUARY, _actor(admin), now=IN_JANUARY)
        assert _sentence(consultation_id, IN_JANUARY) == "This consultation opens on 1 February 2027 at 09:00"
        assert _sentence(consultation_id, IN_FEBRUARY) == "You can comment until 23:59 on 23 February 2027"
        assert _sentence(consultation_id, utc(2027, 2, 23, 23, 59, 59)).startswith("You can comment")
        assert _sentence(consultation_id, utc(2027, 2, 24)) == (
            "This consultation closed on 23 February 2027 at 23:59"
        )

        consultations.extend(consultation_id, date(2027, 3, 2), time(23, 59), _actor(admin), now=IN_FEBRUARY)
        assert _sentence(consultation_id, IN_FEBRUARY) == "You can comment until 23:59 on 2 March 2027"

        closed_at = utc(2027, 2, 20, 14, 37, 12)
        consultations.close_now(consultation_id, _actor(admin), now=closed_at)
        assert consultations.get_consultation(consultation_id).closes_at == closed_at
        assert (
            _sentence(consultation_id, closed_at) == "This consultation closed on 20 February 2027 at 14:37"
        )

        consultations.reopen(
            consultation_id, date(2027, 3, 9), time(12, 0), _actor(admin), now=utc(2027, 2, 21)
        )
        assert _sentence(consultation_id, utc(2027, 2, 21)) == "You can comment until 12:00 on 9 March 2027"

    actions = [
        (entry.action, entry.before["closes_at"], entry.after["closes_at"])
        for entry in audit_entries(app)
        if (entry.record_type, entry.record_id) == ("consultation", consultation_id)
        and entry.action != "consultation.create"
    ]
    assert actions == [
        ("consultation.schedule", "2027-02-24T00:00:00+00:00", "2027-02-24T00:00:00+00:00"),
        ("consultation.extend", "2027-02-24T00:00:00+00:00", "2027-03-03T00:00:00+00:00"),
        ("consultation.close_early", "2027-03-03T00:00:00+00:00", "2027-02-20T14:37:12+00:00"),
        ("consultation.reopen", "2027-02-20T14:37:12+00:00", "2027-03-09T12:01:00+00:00"),
    ]
    [scheduled] = [
        entry for entry in audit_entries(app, "consultation.schedule") if entry.record_id == consultation_id
    ]
    assert (scheduled.before["status"], scheduled.after["status"]) == ("draft", "scheduled")
    assert scheduled.actor_id == admin


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda cid, actor: consultations.extend(
                cid, date(2027, 2, 20), time(23, 59), actor, now=IN_FEBRUARY
            ),
            "The new closing time must be after 23:59 on 23 February 2027",
        ),
        (
            lambda cid, actor: consultations.extend(
                cid, date(2027, 3, 20), time(23, 59), actor, now=utc(2027, 3, 1)
            ),
            "This consultation has closed: reopen it instead",
        ),
        (
            lambda cid, actor: consultations.close_now(cid, actor, now=IN_JANUARY),
            "Only an open consultation can be closed early",
        ),
        (
            lambda cid, actor: consultations.reopen(
                cid, date(2027, 3, 20), time(23, 59), actor, now=IN_FEBRUARY
            ),
            "This consultation has not closed: extend it instead",
        ),
        (
            lambda cid, actor: consultations.reopen(
                cid, date(2027, 2, 25), time(23, 59), actor, now=utc(2027, 3, 1)
            ),
            "The new closing date must be in the future",
        ),
    ],
    ids=["extend-earlier", "extend-closed", "close-not-open", "reopen-open", "reopen-into-the-past"],
)
def test_changes_that_make_no_sense_are_refused_and_change_nothing(app, admin, change, reason):
    with app.app_context():
        consultation_id = _create(admin)
        consultations.schedule(consultation_id, FEBRUARY, _actor(admin), now=IN_JANUARY)
        with pytest.raises(ConsultationChangeRefused) as refused:
            change(consultation_id, _actor(admin))
        assert str(refused.value) == reason
        db.session.expire_all()
        consultation = consultations.get_consultation(consultation_id)
        assert (consultation.opens_at, consultation.closes_at) == FEBRUARY.in_utc()
    assert [
        entry.action
        for entry in audit_entries(app)
        if entry.record_type == "consultation" and entry.record_id == consultation_id
    ] == [
        "consultation.create",
        "consultation.schedule",
    ]


def test_a_draft_cannot_be_extended_closed_or_reopened(app, admin):
    with app.app_context():
        consultation_id = _create(admin)
        with pytest.raises(ConsultationChangeRefused, match="draft: schedule it first"):
            consultations.close_now(consultation_id, _actor(admin), now=IN_FEBRUARY)


def test_new_dates_that_would_leave_a_comment_out_of_its_consultation_are_refused(app, admin):
    make_comment(app, "Sent while it was open")
    with app.app_context():
        current = consultations.get_current_consultation()
        opened, closes = current.opens_at, current.closes_at
        later = Period(date(2099, 1, 1), time(9, 0), date(2099, 2, 1))
        with pytest.raises(ConsultationChangeRefused, match="so that they still belong to it") as refused:
            consultations.schedule(current.id, later, _actor(admin))
        assert refused.value.field == "opens_on"
        db.session.expire_all()
        current = consultations.get_current_consultation()
        assert (current.opens_at, current.closes_at) == (opened, closes)
        # Dates that still cover the comment are fine.
        earlier = Period(date(2020, 1, 1), time(9, 0), date(2099, 2, 1))
        consultations.schedule(current.id, earlier, _actor(admin))
    assert len(audit_entries(app, "consultation.schedule")) == 1


def test_the_current_consultation_is_the_open_one_else_the_next_else_the_last(app, admin):
    with app.app_context():
        seeded = consultations.get_current_consultation().id
        upcoming = _create(admin, title="Upcoming")
        consultations.schedule(
            upcoming, Period(date(2099, 1, 1), time(9, 0), date(2099, 2, 1)), _actor(admin)
        )
        assert consultations.find_current_consultation().id == seeded
        consultations.close_now(seeded, _actor(admin))
        assert consultations.find_current_consultation().id == upcoming
        assert consultations.find_current_consultation(utc(2100, 1, 1)).id == upcoming


def test_moderation_mode_changes_for_the_consultation_named(app, admin):
    with app.app_context():
        other = _create(admin)
        assert consultations.set_moderation_mode("post", _actor(admin), consultation_id=other)
        assert consultations.get_consultation(other).moderation_mode == "post"
        assert consultations.get_current_consultation().moderation_mode == "pre"


# Seeding, and opening in development ----------------------------------------------------------


def test_seeding_a_fresh_site_makes_a_draft_that_development_opens_until_2359_twelve_weeks_on(
    test_database_url,
):
    app = make_app(test_database_url)
    with app.app_context():
        seed_document()
        [draft] = consultations.list_consultations()
        assert (draft.status, draft.opens_at, draft.closes_at) == ("draft", None, None)
        assert consultations.notice_for(draft).sentence == "Commenting has not opened yet"
        now = utc(2027, 1, 5, 10)
        opened = consultations.open_for_development(now)
        assert opened is not None
        assert (opened.opens_at, opened.closes_at) == (now, utc(2027, 3, 30, 23))  # 23:59 BST on 30 March
        assert consultations.open_for_development(now) is None
        db.session.remove()
        db.engine.dispose()


def test_the_development_command_refuses_to_run_elsewhere(app):
    result = app.test_cli_runner().invoke(args=["consultations", "open-for-development"])
    assert result.exit_code != 0
    assert "only runs in development" in result.output


# What the public sees -------------------------------------------------------------------------

PAGES = ["/", "/definition", "/definition/basic", "/definition/transformative/examples/transformative-3"]


def _reschedule(app, admin_id: int, period: Period) -> None:
    with app.app_context():
        current = consultations.get_current_consultation()
        consultations.schedule(current.id, period, _actor(admin_id))


@pytest.mark.parametrize("path", PAGES)
def test_before_it_opens_every_page_says_when_and_shows_no_form(client, app, admin, path):
    _reschedule(app, admin, Period(date(2099, 3, 1), time(9, 0), date(2099, 3, 31)))
    soup = check_page(client.get(path))
    assert text_of(soup.select_one(".council-consultation-notice")) == (
        "This consultation opens on 1 March 2099 at 09:00."
    )
    assert soup.select_one("textarea#comment") is None
    assert soup.select_one("input[name='answer-reaction']") is None


@pytest.mark.parametrize("path", PAGES)
def test_while_it_is_open_every_page_says_until_when(client, app, admin, path):
    _reschedule(app, admin, Period(date(2020, 3, 1), time(9, 0), date(2099, 2, 23)))
    soup = check_page(client.get(path))
    assert text_of(soup.select_one(".council-consultation-notice")) == (
        "You can comment until 23:59 on 23 February 2099."
    )
    if path != "/":
        assert soup.select_one("form textarea#comment") is not None


def test_a_draft_shows_no_dates(client, app):
    with app.app_context():
        consultation = consultations.get_current_consultation()
        consultation.status = "draft"
        db.session.commit()
    soup = check_page(client.get("/definition/basic"))
    assert text_of(soup.select_one("#comment-form-heading")) == "Commenting has not opened yet"
    assert text_of(soup.select_one(".council-consultation-notice")) == "Commenting has not opened yet."


def test_a_comment_sent_before_it_opens_is_refused_with_its_text_given_back(client, app, admin):
    data = comment_post(client, "/definition/basic", comment="Early bird")
    _reschedule(app, admin, Period(date(2099, 3, 1), time(9, 0), date(2099, 3, 31)))
    soup = check_page(client.post("/definition/basic", data=data), status=403)
    assert [text_of(error) for error in soup.select(".govuk-error-summary__list a")] == [
        "Your comment was not sent. This consultation opens on 1 March 2099 at 09:00."
    ]
    assert soup.select_one("textarea#comment").get_text() == "Early bird"
    assert all_comments(app) == []
