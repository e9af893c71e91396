"""Staff accounts from the command line: the development admin, lost passwords, digest defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry
from tests.conftest import make_app
from tests.factories import STAFF_PASSWORD, make_staff, sign_in, signed_in_client
from tests.staff.admin_helpers import get_staff, post

DEV_ADMIN = "admin@example.gov.uk"
NEW_PASSWORD = "pebble lantern orchard quietly"


@pytest.fixture
def dev_app(test_database_url: str) -> Iterator[Flask]:
    """The app as `make run` starts it in development, on the test's database."""
    app = make_app(test_database_url, ENV_NAME="development", PUBLIC_BASE_URL="http://127.0.0.1:5101")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# The development admin ----------------------------------------------------------------------


def test_the_development_admin_is_told_the_full_sign_in_address(dev_app):
    result = dev_app.test_cli_runner().invoke(args=["users", "dev-admin"])
    assert result.exit_code == 0, result.output
    assert "Sign in at http://127.0.0.1:5101/staff/login" in result.output
    # It is shown once, so it says how to recover it rather than how to throw everything away.
    assert f"users set-password {DEV_ADMIN}" in result.output
    assert "make clean" not in result.output


def test_when_the_admin_exists_it_says_where_to_sign_in_and_how_to_recover_a_lost_password(dev_app):
    runner = dev_app.test_cli_runner()
    runner.invoke(args=["users", "dev-admin"])
    result = runner.invoke(args=["users", "dev-admin"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5101/staff/login" in result.output
    assert f"users set-password {DEV_ADMIN}" in result.output


# A lost password ----------------------------------------------------------------------------


def test_set_password_asks_twice_and_the_new_password_signs_in(app, runner):
    make_staff(app, role="admin", email=DEV_ADMIN)
    old_session = signed_in_client_for(app, DEV_ADMIN, STAFF_PASSWORD)
    result = runner.invoke(
        args=["users", "set-password", "Admin@Example.gov.uk"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert sign_in(app.test_client(), DEV_ADMIN, NEW_PASSWORD).status_code == 302
    assert sign_in(app.test_client(), DEV_ADMIN, STAFF_PASSWORD).status_code == 200
    # Whoever was signed in with the lost password is signed out.
    assert old_session.get("/staff/").status_code == 302
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "password.set")).all()
        assert [entry.details for entry in entries] == [{"via": "command line"}]


def signed_in_client_for(app: Flask, email: str, password: str):
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    return client


def test_set_password_refuses_a_weak_password_with_the_web_forms_rules(app, runner):
    make_staff(app, role="admin", email=DEV_ADMIN)
    result = runner.invoke(args=["users", "set-password", DEV_ADMIN], input="short password\n")
    assert result.exit_code != 0
    assert "at least 15 characters" in result.output
    assert sign_in(app.test_client(), DEV_ADMIN, STAFF_PASSWORD).status_code == 302


def test_set_password_for_an_unknown_email_says_so(app, runner):
    result = runner.invoke(args=["users", "set-password", "nobody@example.gov.uk"], input=NEW_PASSWORD + "\n")
    assert result.exit_code != 0
    assert "No account with the email address nobody@example.gov.uk" in result.output


# One digest default ---------------------------------------------------------------------------


def test_an_admin_gets_the_same_digest_however_the_account_was_made(dev_app):
    runner = dev_app.test_cli_runner()
    assert runner.invoke(args=["users", "dev-admin"]).exit_code == 0
    made = runner.invoke(
        args=["users", "create", "cli@example.gov.uk", "--role", "admin"], input=STAFF_PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    admin_pages = signed_in_client(dev_app, role="admin", email="lead@example.gov.uk")
    assert post(admin_pages, "/staff/users/new", email="page@example.gov.uk", role="admin").status_code == 302

    emails = (DEV_ADMIN, "cli@example.gov.uk", "page@example.gov.uk")
    assert {email: get_staff(dev_app, email).digest_frequency for email in emails} == dict.fromkeys(
        emails, "daily"
    )


@pytest.mark.parametrize(("role", "digest"), [("moderator", "daily"), ("analyst", "none")])
def test_each_role_starts_with_the_same_digest_from_the_command_line_and_the_admin_pages(
    app, runner, role, digest
):
    made = runner.invoke(
        args=["users", "create", "cli@example.gov.uk", "--role", role], input=STAFF_PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    admin_pages = signed_in_client(app, role="admin")
    assert post(admin_pages, "/staff/users/new", email="page@example.gov.uk", role=role).status_code == 302
    assert get_staff(app, "cli@example.gov.uk").digest_frequency == digest
    assert get_staff(app, "page@example.gov.uk").digest_frequency == digest
