"""`flask setup`: what `make run` does before serving, in one process, and nothing slow at start."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, StaffUser
from feedback_portal.services.accounts import passwords
from tests.conftest import make_app
from tests.factories import make_staff, sign_in

ROOT = Path(__file__).resolve().parent.parent
DEV_ADMIN = "admin@example.gov.uk"


@pytest.fixture
def new_database_url(tmp_path: Path) -> str:
    """A SQLite database that does not exist yet, as on a fresh clone."""
    return f"sqlite:///{tmp_path / 'new-portal.sqlite3'}"


@pytest.fixture
def dev_app(new_database_url: str) -> Iterator[Flask]:
    """The app as `make run` starts it in development, on a database nothing has touched."""
    yield make_app(new_database_url, ENV_NAME="development", PUBLIC_BASE_URL="http://127.0.0.1:5101")


def every_row(app: Flask) -> dict[str, list[tuple]]:
    with app.app_context():
        rows = {
            table.name: sorted(tuple(map(repr, row)) for row in db.session.execute(table.select()))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
        return rows


def test_in_development_it_sets_up_an_empty_database_and_says_how_to_sign_in(dev_app):
    result = dev_app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "Loaded co-production-definition" in result.output
    assert "(development only)" in result.output
    assert "A development admin account was created." in result.output
    assert "Sign in at http://127.0.0.1:5101/staff/login" in result.output
    [password] = re.findall(r"Password: (\S+)", result.output)

    with dev_app.app_context():
        [consultation] = db.session.scalars(select(Consultation))
        assert consultation.status == "scheduled"
        assert consultation.opens_at is not None and consultation.opens_at <= datetime.now(UTC)
        db.session.remove()
    page = dev_app.test_client().get("/definition/basic")
    assert page.status_code == 200
    assert 'name="comment"' in page.text
    # The password it printed is the admin's.
    assert sign_in(dev_app.test_client(), DEV_ADMIN, password).status_code == 302


def test_run_again_it_changes_nothing_and_says_so(dev_app):
    runner = dev_app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    before = every_row(dev_app)

    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "already loaded; nothing changed" in result.output
    assert "already scheduled; its dates are unchanged" in result.output
    assert "An admin account exists. Sign in at http://127.0.0.1:5101/staff/login" in result.output
    assert "Password:" not in result.output
    assert every_row(dev_app) == before


def test_outside_development_it_only_upgrades_and_seeds(new_database_url):
    app = make_app(new_database_url)  # the testing configuration: not development
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "Loaded co-production-definition" in result.output
    assert "Sign in at" not in result.output
    assert "development only" not in result.output
    with app.app_context():
        [consultation] = db.session.scalars(select(Consultation))
        assert (consultation.status, consultation.opens_at) == ("draft", None)
        assert db.session.scalars(select(StaffUser)).all() == []
        db.session.remove()


# Nothing slow when a process starts -----------------------------------------------------------

COUNT_HASHES_WHILE_STARTING = """
import argon2
made = []
real_hash = argon2.PasswordHasher.hash
argon2.PasswordHasher.hash = lambda self, *args, **kwargs: made.append(1) or real_hash(self, *args, **kwargs)
import wsgi
wsgi.app.test_client().get("/accessibility")
print(len(made))
"""


def test_starting_the_app_computes_no_password_hash(tmp_path):
    """Every command and every gunicorn worker imports wsgi: none of them should pay for a hash."""
    environment = {
        **os.environ,
        "PORTAL_ENV": "development",  # argon2's standard cost, as in production
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }
    finished = subprocess.run(
        [sys.executable, "-c", COUNT_HASHES_WHILE_STARTING],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split()[-1] == "0"


def test_the_stand_in_hash_for_unknown_accounts_is_made_at_the_first_such_sign_in_and_once(
    app, client, monkeypatch
):
    passwords._dummy_hash.cache_clear()
    made: list[str] = []
    real_hash = PasswordHasher.hash

    def counting_hash(self: PasswordHasher, password: str | bytes, **kwargs: object) -> str:
        made.append("hash")
        return real_hash(self, password, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    make_staff(app, email="known@example.gov.uk")
    made.clear()
    assert sign_in(client, "known@example.gov.uk").status_code == 302
    assert made == []

    refused = sign_in(app.test_client(), "nobody@example.gov.uk")
    assert refused.status_code == 200
    assert made == ["hash"]
    sign_in(app.test_client(), "nobody-else@example.gov.uk")
    assert made == ["hash"]
