"""Settings: compulsory two-step sign-in, and pre- or post-moderation of the consultation.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, Setting
from feedback_portal.services import accounts
from tests.factories import all_comments, comment_post, make_staff, signed_in_client
from tests.helpers.uk_time import in_uk_words
from tests.pages import check_page, heading, text_of
from tests.staff.admin_helpers import assert_refused_to, audit_entries, error_messages, post

SECTION = "/definition/basic"
GETS = ["/staff/settings"]
POSTS = [
    ("/staff/settings/two-step", {"require_two_step": "yes"}),
    ("/staff/settings/moderation-mode", {"moderation_mode": "post"}),
]


@pytest.fixture
def admin(app):
    return signed_in_client(app, role="admin")


def moderation_mode(app) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Consultation.moderation_mode))


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_other_roles_are_refused_the_settings(app, role):
    assert_refused_to(app, signed_in_client(app, role=role), GETS, POSTS)


def test_someone_not_signed_in_is_sent_to_sign_in_and_cannot_change_settings(app):
    make_staff(app, role="admin")
    assert_refused_to(app, None, GETS, POSTS)


def test_the_page_shows_the_current_settings_and_the_consultation_dates(app, admin):
    soup = check_page(admin.get("/staff/settings"))
    assert heading(soup) == "Settings"
    assert soup.select_one("input[name=require_two_step][value=no]").has_attr("checked")
    assert soup.select_one("input[name=moderation_mode][value=pre]").has_attr("checked")
    assert "Pre-moderation" in text_of(soup) and "Post-moderation" in text_of(soup)
    with app.app_context():
        consultation = db.session.scalar(db.select(Consultation))
        opens, closes = consultation.opens_at, consultation.closes_at
    assert text_of(soup.select_one("#opens-at")) == in_uk_words(opens)
    assert text_of(soup.select_one("#closes-at")) == in_uk_words(closes)
    assert (
        soup.select_one("#opens-at time")["datetime"] == opens.replace(microsecond=0).isoformat()
    )  # HTML allows whole seconds


def test_compulsory_two_step_sends_everyone_without_it_to_set_it_up(app, admin):
    moderator = signed_in_client(app, role="moderator")
    check_page(moderator.get("/staff/"))
    response = post(admin, "/staff/settings/two-step", require_two_step="yes")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/settings"
    with app.app_context():
        assert accounts.totp_is_required()
        assert db.session.get(Setting, accounts.REQUIRE_TOTP_SETTING).value == "yes"
    [entry] = audit_entries(app, "setting.change")
    assert (entry.before, entry.after) == ({"require_totp": "no"}, {"require_totp": "yes"})
    assert entry.actor_id is not None

    for client, path in [(moderator, "/staff/"), (moderator, "/staff/account"), (admin, "/staff/settings")]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/staff/account/two-step", path
    check_page(moderator.get("/staff/account/two-step"))


def test_two_step_can_be_made_optional_again(app, admin):
    with app.app_context():
        accounts.set_totp_required(True, actor=None)
        # The admin must have two-step sign-in to reach the settings while it is compulsory.
        user = accounts.find_user_by_email("admin@example.gov.uk")
        user.totp_secret = accounts.new_totp_secret()
        db.session.commit()
    check_page(admin.get("/staff/settings"))
    response = post(admin, "/staff/settings/two-step", require_two_step="no")
    assert response.status_code == 302
    with app.app_context():
        assert not accounts.totp_is_required()
    assert audit_entries(app, "setting.change")[-1].after == {"require_totp": "no"}
    check_page(signed_in_client(app, role="analyst").get("/staff/"))


def test_post_moderation_publishes_new_comments_at_once_and_pre_moderation_does_not(app, admin):
    response = post(admin, "/staff/settings/moderation-mode", moderation_mode="post")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/settings"
    assert moderation_mode(app) == "post"
    soup = check_page(admin.get("/staff/settings"))
    assert "Post-moderation is on" in text_of(soup.select_one(".govuk-notification-banner"))
    assert soup.select_one("input[name=moderation_mode][value=post]").has_attr("checked")

    public = app.test_client()
    public.post(SECTION, data=comment_post(public, SECTION, comment="Published straight away."))
    [comment] = all_comments(app)
    assert comment.state == "published" and comment.published_at is not None
    assert "Published straight away." in text_of(check_page(public.get(SECTION)))

    post(admin, "/staff/settings/moderation-mode", moderation_mode="pre")
    assert moderation_mode(app) == "pre"
    public.post(SECTION, data=comment_post(public, SECTION, comment="Waits for a moderator."))
    assert [c.state for c in all_comments(app)] == ["published", "pending"]

    entries = audit_entries(app, "consultation.moderation_mode")
    assert [(e.record_type, e.before, e.after) for e in entries] == [
        ("consultation", {"moderation_mode": "pre"}, {"moderation_mode": "post"}),
        ("consultation", {"moderation_mode": "post"}, {"moderation_mode": "pre"}),
    ]
    assert all(e.actor_id is not None and e.record_id is not None for e in entries)


def test_pre_moderation_is_the_default(app):
    assert moderation_mode(app) == "pre"
    public = app.test_client()
    public.post(SECTION, data=comment_post(public, SECTION, comment="Pending."))
    assert [c.state for c in all_comments(app)] == ["pending"]


def test_choosing_the_mode_already_set_records_nothing(app, admin):
    response = post(admin, "/staff/settings/moderation-mode", moderation_mode="pre")
    assert response.status_code == 302
    assert audit_entries(app, "consultation.moderation_mode") == []


@pytest.mark.parametrize("value", [None, "", "none", "PRE"])
def test_a_moderation_mode_that_is_not_offered_is_refused_with_an_error(app, admin, value):
    fields = {} if value is None else {"moderation_mode": value}
    response = post(admin, "/staff/settings/moderation-mode", **fields)
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: Settings")
    assert error_messages(response) == ["Select how comments are moderated"]
    assert soup.select_one(".govuk-error-summary__list a")["href"] == "#moderation_mode"
    # The other form still shows the saved setting.
    assert soup.select_one("input[name=require_two_step][value=no]").has_attr("checked")
    assert moderation_mode(app) == "pre"
    assert audit_entries(app, "consultation.moderation_mode") == []


def test_a_two_step_value_that_is_not_offered_is_refused_with_an_error(app, admin):
    response = post(admin, "/staff/settings/two-step", require_two_step="maybe")
    check_page(response)
    assert error_messages(response) == ["Select whether two-step sign-in is compulsory"]
    with app.app_context():
        assert not accounts.totp_is_required()
    assert audit_entries(app, "setting.change") == []
