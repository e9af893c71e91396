"""Staff accounts: adding people, their set-password link, roles, disabling, and the last admin.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import OutboxMessage, PasswordLinkPurpose
from feedback_portal.services import accounts
from tests.factories import make_staff, sign_in, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.admin_helpers import (
    assert_refused_to,
    audit_entries,
    error_messages,
    get_staff,
    post,
)

NEW_PASSWORD = "pebble lantern orchard quietly"


@pytest.fixture
def admin(app):
    return signed_in_client(app, role="admin")


@pytest.fixture
def moderator_id(app) -> int:
    return make_staff(app, role="moderator", email="mo@example.gov.uk")


def account_routes(user_id: int) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    gets = [
        "/staff/users",
        "/staff/users/new",
        f"/staff/users/{user_id}",
        f"/staff/users/{user_id}/password-link",
    ]
    posts = [
        ("/staff/users/new", {"email": "new@example.gov.uk", "role": "admin"}),
        (f"/staff/users/{user_id}/role", {"role": "admin"}),
        (f"/staff/users/{user_id}/disable", {}),
        (f"/staff/users/{user_id}/enable", {}),
        (f"/staff/users/{user_id}/password-link", {}),
    ]
    return gets, posts


# Only admins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_other_roles_are_refused_every_account_page_and_change(app, role):
    target = make_staff(app, role="analyst", email="target@example.gov.uk")
    client = signed_in_client(app, role=role, email=f"{role}-user@example.gov.uk")
    assert_refused_to(app, client, *account_routes(target))


def test_someone_not_signed_in_is_sent_to_sign_in_and_cannot_post(app):
    target = make_staff(app, role="analyst", email="target@example.gov.uk")
    assert_refused_to(app, None, *account_routes(target))


def test_a_disabled_admin_is_signed_out_and_refused(app, admin):
    other = signed_in_client(app, role="admin", email="second-admin@example.gov.uk")
    other_id = get_staff(app, "second-admin@example.gov.uk").id
    post(admin, f"/staff/users/{other_id}/disable")
    assert_refused_to(app, other, *account_routes(other_id), signed_in=False)


# The list ----------------------------------------------------------------------------------


def test_the_list_shows_each_account_with_role_status_two_step_and_last_sign_in(app, admin, moderator_id):
    with app.app_context():
        accounts.set_disabled(accounts.get_user(moderator_id), True, actor=accounts.get_user(moderator_id))
    soup = check_page(admin.get("/staff/users"))
    assert heading(soup) == "Staff accounts"
    rows = {
        text_of(row.select_one("th")): [text_of(cell) for cell in row.select("td")]
        for row in soup.select("#staff-accounts tbody tr")
    }
    admin_row = rows["admin@example.gov.uk (you)"]
    assert admin_row[:3] == ["Admin", "Enabled", "Off"]
    assert admin_row[3].endswith((" GMT", " BST"))
    assert rows["mo@example.gov.uk"] == ["Moderator", "Disabled", "Off", "Never"]
    assert soup.select_one("#staff-accounts th bdi").get_text() == "admin@example.gov.uk"
    link = soup.select_one(f"a[href='/staff/users/{moderator_id}']")
    assert link is not None


# Adding an account ------------------------------------------------------------------------


def test_adding_a_person_makes_an_account_without_a_password_and_a_link_to_set_one(app, admin):
    check_page(admin.get("/staff/users/new"))
    response = post(admin, "/staff/users/new", email="  New.Person@Example.gov.uk ", role="moderator")
    assert response.status_code == 302
    user = get_staff(app, "new.person@example.gov.uk")
    assert response.headers["Location"] == f"/staff/users/{user.id}/password-link"
    assert user.role == "moderator" and user.password_hash is None and not user.is_disabled

    soup = check_page(admin.get(response.headers["Location"]))
    link = soup.select_one("#password-link").get_text(strip=True)
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/staff/set-password/")
    assert "works once" in text_of(soup.select_one(".govuk-warning-text"))
    assert "24 hours" in text_of(soup.select_one(".govuk-warning-text"))
    assert soup.select_one("main bdi").get_text() == "new.person@example.gov.uk"
    # The page says what really happened: the link was emailed as well as shown.
    assert text_of(soup.select_one("#password-link-emailed")).startswith(
        "We are emailing this link to new.person@example.gov.uk"
    )
    assert "shown only on this page" not in text_of(soup)
    with app.app_context():
        [emailed] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
        assert emailed.subject == "Set your password" and link.rsplit("/", 1)[1] in emailed.text_body
    # Shown once: it is not kept anywhere it could be shown from again.
    again = check_page(admin.get(response.headers["Location"]))
    assert again.select_one("#password-link") is None
    assert link not in again.get_text()

    created = audit_entries(app, "account.create")[-1]
    assert (created.record_type, created.record_id, created.after) == (
        "staff_user",
        user.id,
        {"role": "moderator"},
    )
    [link_entry] = audit_entries(app, "password_link.create")
    assert (
        link_entry.record_id == user.id and link_entry.actor_id == get_staff(app, "admin@example.gov.uk").id
    )

    # The person follows the link, sets a password, and signs in with it.
    person = app.test_client()
    path = urlsplit(link).path
    page = check_page(person.get(path))
    data = {field["name"]: field.get("value", "") for field in page.select("form input[type=hidden]")}
    response = person.post(path, data={**data, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert get_staff(app, "new.person@example.gov.uk").password_hash is not None
    signed_in = sign_in(person, "new.person@example.gov.uk", NEW_PASSWORD)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/staff/"
    check_page(person.get("/staff/"))
    # The link works once.
    check_page(app.test_client().get(path), 404)


def test_a_set_password_link_stops_working_after_24_hours(app, moderator_id):
    with app.app_context():
        user = accounts.get_user(moderator_id)
        now = datetime.now(UTC)
        expired = accounts.create_password_link(
            user, PasswordLinkPurpose.SET_PASSWORD, now=now - timedelta(hours=24, minutes=1)
        )
        fresh = accounts.create_password_link(
            user, PasswordLinkPurpose.SET_PASSWORD, now=now - timedelta(hours=23)
        )
    client = app.test_client()
    check_page(client.get(f"/staff/set-password/{expired}"), 404)
    check_page(client.get(f"/staff/set-password/{fresh}"))


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"email": "", "role": "analyst"}, "email", "Enter their email address"),
        (
            {"email": "not an email", "role": "analyst"},
            "email",
            "Enter one email address, like name@example.com",
        ),
        ({"email": "a@b@example.gov.uk", "role": "analyst"}, "email", None),
        ({"email": "someone@example.gov.uk"}, "role", "Select a role"),
        ({"email": "someone@example.gov.uk", "role": "superuser"}, "role", "Select a role"),
    ],
)
def test_adding_a_person_with_a_mistake_says_what_to_fix_and_keeps_what_was_typed(
    app, admin, fields, field_id, message
):
    before = audit_entries(app)
    response = post(admin, "/staff/users/new", **fields)
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: Add an account")
    [summary] = soup.select(".govuk-error-summary__list a")
    assert summary["href"] == f"#{field_id}"
    if message:
        assert summary.get_text(strip=True) == message
    assert soup.select_one("#email")["value"] == fields["email"]
    if fields.get("role") == "analyst":
        assert soup.select_one("input[name=role][value=analyst]").has_attr("checked")
    assert len(audit_entries(app)) == len(before)
    with app.app_context():
        assert accounts.find_user_by_email("someone@example.gov.uk") is None


def test_an_email_address_already_in_use_is_refused_on_the_form(app, admin, moderator_id):
    count = len(audit_entries(app))
    response = post(admin, "/staff/users/new", email="MO@example.gov.uk", role="admin")
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert error_messages(response) == ["There is already an account with that email address"]
    assert soup.select_one("#email-error") is not None
    assert soup.select_one("#email")["value"] == "MO@example.gov.uk"
    assert soup.select_one("input[name=role][value=admin]").has_attr("checked")
    assert get_staff(app, "mo@example.gov.uk").role == "moderator"
    assert len(audit_entries(app)) == count


def test_text_typed_into_the_form_is_shown_escaped(app, admin):
    response = post(admin, "/staff/users/new", email='"><script>alert(1)</script>', role="admin")
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert parse(response).select_one("#email")["value"] == '"><script>alert(1)</script>'


# One account ------------------------------------------------------------------------------


def test_an_unknown_account_is_not_found(app, admin):
    check_page(admin.get("/staff/users/9999"), 404)
    check_page(post(admin, "/staff/users/9999/role", role="admin"), 404)


def test_an_admin_changes_a_role_and_it_is_audited_once(app, admin, moderator_id):
    soup = check_page(admin.get(f"/staff/users/{moderator_id}"))
    assert soup.select_one("input[name=role][value=moderator]").has_attr("checked")
    response = post(admin, f"/staff/users/{moderator_id}/role", role="analyst")
    assert response.status_code == 302 and response.headers["Location"] == f"/staff/users/{moderator_id}"
    assert get_staff(app, "mo@example.gov.uk").role == "analyst"
    [entry] = audit_entries(app, "account.role_change")
    assert (entry.record_id, entry.before, entry.after) == (
        moderator_id,
        {"role": "moderator"},
        {"role": "analyst"},
    )
    soup = check_page(admin.get(response.headers["Location"]))
    assert "Their role is now analyst." in text_of(soup.select_one(".govuk-notification-banner"))
    assert text_of(soup.select_one("#current-role")) == "Analyst"


def test_choosing_the_same_role_changes_and_records_nothing(app, admin, moderator_id):
    post(admin, f"/staff/users/{moderator_id}/role", role="moderator")
    assert audit_entries(app, "account.role_change") == []


def test_the_last_admin_cannot_be_made_another_role(app, admin):
    me = get_staff(app, "admin@example.gov.uk")
    response = post(admin, f"/staff/users/{me.id}/role", role="analyst")
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    [message] = error_messages(response)
    assert message.startswith("The portal must keep at least one admin")
    assert soup.select_one(".govuk-error-summary__list a")["href"] == "#role"
    assert soup.select_one("#role-error") is not None
    # What was chosen is kept, so the person sees what was refused.
    assert soup.select_one("input[name=role][value=analyst]").has_attr("checked")
    assert get_staff(app, "admin@example.gov.uk").role == "admin"
    assert audit_entries(app, "account.role_change") == []


def test_an_admin_can_step_down_when_another_admin_remains(app, admin):
    make_staff(app, role="admin", email="other-admin@example.gov.uk")
    me = get_staff(app, "admin@example.gov.uk")
    response = post(admin, f"/staff/users/{me.id}/role", role="moderator")
    assert response.headers["Location"] == "/staff/"
    assert get_staff(app, "admin@example.gov.uk").role == "moderator"
    check_page(admin.get("/staff/users"), 403)


def test_disabling_signs_the_person_out_at_once_and_enabling_lets_them_sign_in_again(app, admin):
    person = signed_in_client(app, role="moderator", email="mo@example.gov.uk")
    user_id = get_staff(app, "mo@example.gov.uk").id
    check_page(person.get("/staff/"))

    response = post(admin, f"/staff/users/{user_id}/disable")
    assert response.status_code == 302
    assert get_staff(app, "mo@example.gov.uk").is_disabled
    [entry] = audit_entries(app, "account.disable")
    assert (entry.record_id, entry.before, entry.after) == (user_id, {"disabled": False}, {"disabled": True})
    soup = check_page(admin.get(f"/staff/users/{user_id}"))
    assert text_of(soup.select_one("#current-status")) == "Disabled"

    # Their signed-in browser is signed out on its next request.
    response = person.get("/staff/")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/staff/login"
    assert sign_in(app.test_client(), "mo@example.gov.uk").status_code == 200

    response = post(admin, f"/staff/users/{user_id}/enable")
    assert response.status_code == 302
    assert not get_staff(app, "mo@example.gov.uk").is_disabled
    [entry] = audit_entries(app, "account.enable")
    assert (entry.before, entry.after) == ({"disabled": True}, {"disabled": False})
    # The session that ended stays ended; signing in again works.
    assert person.get("/staff/").status_code == 302
    assert sign_in(person, "mo@example.gov.uk").status_code == 302
    check_page(person.get("/staff/"))


def test_an_admin_cannot_disable_their_own_account(app, admin):
    me = get_staff(app, "admin@example.gov.uk")
    make_staff(app, role="admin", email="other-admin@example.gov.uk")
    soup = check_page(admin.get(f"/staff/users/{me.id}"))
    assert soup.select_one(f"form[action='/staff/users/{me.id}/disable']") is None
    response = post(admin, f"/staff/users/{me.id}/disable")
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert error_messages(response) == ["You cannot disable your own account. Ask another admin"]
    assert not get_staff(app, "admin@example.gov.uk").is_disabled
    assert audit_entries(app, "account.disable") == []


def test_the_last_enabled_admin_cannot_be_disabled(app):
    # Only reachable through a race on the pages (the admin acting is an admin too), so
    # the service's own check is tested here.
    admin_id = make_staff(app, role="admin", email="only-admin@example.gov.uk")
    with app.app_context():
        user = accounts.get_user(admin_id)
        with pytest.raises(accounts.LastAdmin, match="at least one admin"):
            accounts.set_disabled(user, True, actor=user)
        db.session.rollback()
        assert not accounts.get_user(admin_id).is_disabled


def test_another_admin_can_be_disabled_while_one_admin_remains(app, admin):
    other = make_staff(app, role="admin", email="other-admin@example.gov.uk")
    post(admin, f"/staff/users/{other}/disable")
    assert get_staff(app, "other-admin@example.gov.uk").is_disabled
    assert len(audit_entries(app, "account.disable")) == 1


def test_an_admin_can_give_someone_a_new_link_to_set_their_password(app, admin, moderator_id):
    response = post(admin, f"/staff/users/{moderator_id}/password-link")
    assert response.headers["Location"] == f"/staff/users/{moderator_id}/password-link"
    soup = check_page(admin.get(response.headers["Location"]))
    link = soup.select_one("#password-link").get_text(strip=True)
    check_page(app.test_client().get(urlsplit(link).path))
    assert [e.record_id for e in audit_entries(app, "password_link.create")] == [moderator_id]


def test_a_link_is_not_made_for_a_disabled_account(app, admin, moderator_id):
    post(admin, f"/staff/users/{moderator_id}/disable")
    soup = check_page(admin.get(f"/staff/users/{moderator_id}"))
    assert soup.select_one(f"form[action='/staff/users/{moderator_id}/password-link']") is None
    response = post(admin, f"/staff/users/{moderator_id}/password-link")
    assert response.headers["Location"] == f"/staff/users/{moderator_id}"
    assert audit_entries(app, "password_link.create") == []
