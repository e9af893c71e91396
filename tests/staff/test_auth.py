"""Signing in and out: hashes, throttling, sessions that end on the server, two-step codes."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry, StaffUser
from tests.factories import STAFF_PASSWORD, form_fields, make_staff, sign_in, signed_in_client
from tests.pages import check_page, parse, text_of

EMAIL = "moderator@example.gov.uk"


def audit_actions(app) -> list[tuple[str, dict | None]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def user(app, email: str = EMAIL) -> StaffUser:
    with app.app_context():
        found = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        db.session.expunge(found)
        return found


def is_signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


# Accounts from the command line -----------------------------------------------------------


def test_users_create_reads_the_password_from_standard_input(app, runner):
    result = runner.invoke(
        args=["users", "create", "Lead@Example.gov.uk", "--role", "admin"], input=STAFF_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    created = user(app, "lead@example.gov.uk")
    assert created.role == "admin"
    assert created.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in result.output


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short password", "at least 15 characters"),
        ("passwordpassword", "too easy to guess"),
        ("birminghamcouncil2026", "too easy to guess"),
        ("coproductionconsultation", "too easy to guess"),
        ("x" * 129, "128 characters or fewer"),
    ],
)
def test_users_create_refuses_a_weak_password_and_says_why(app, runner, password, reason):
    result = runner.invoke(
        args=["users", "create", "weak@example.gov.uk", "--role", "moderator"], input=password + "\n"
    )
    assert result.exit_code != 0
    assert reason in result.output
    with app.app_context():
        assert db.session.scalar(select(StaffUser)) is None


def test_a_long_passphrase_with_any_characters_is_accepted(app, runner):
    passphrase = "Ünïcode ✓ passphrase with spaces and no rules at all " * 2
    result = runner.invoke(
        args=["users", "create", "long@example.gov.uk", "--role", "analyst"], input=passphrase + "\n"
    )
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "long@example.gov.uk", passphrase).status_code == 302


def test_there_is_no_default_account(app):
    with app.app_context():
        assert db.session.scalar(select(StaffUser)) is None
    assert sign_in(app.test_client(), "admin@example.gov.uk", "admin").status_code == 200


def test_the_development_admin_is_made_only_in_development(app, runner):
    result = runner.invoke(args=["users", "dev-admin"])
    assert result.exit_code != 0 and "only runs in development" in result.output


# Signing in -------------------------------------------------------------------------------


def test_signing_in_goes_to_the_dashboard_and_is_audited(app):
    make_staff(app, email=EMAIL)
    client = app.test_client()
    response = sign_in(client, EMAIL)
    assert response.headers["Location"] == "/staff/"
    soup = check_page(client.get("/staff/"))
    assert "Signed in as" in text_of(soup)
    assert ("sign_in.success", None) in audit_actions(app)


def test_an_unknown_account_and_a_wrong_password_get_the_same_answer(app):
    make_staff(app, email=EMAIL)
    wrong_password = sign_in(app.test_client(), EMAIL, "not the right password at all")
    unknown = sign_in(app.test_client(), "nobody@example.gov.uk", "not the right password at all")
    assert wrong_password.status_code == unknown.status_code == 200

    def answer(response) -> str:
        soup = parse(response)
        return text_of(soup.select_one("main"))

    assert answer(wrong_password) == answer(unknown)
    assert "Enter a correct email address and password" in answer(unknown)
    reasons = [details["reason"] for action, details in audit_actions(app) if action == "sign_in.failure"]
    assert reasons == ["wrong-password", "unknown-account"]


def test_the_audit_log_never_holds_an_email_address_or_password(app):
    make_staff(app, email=EMAIL)
    sign_in(app.test_client(), EMAIL, "a wrong password typed here")
    sign_in(app.test_client(), "stranger@example.gov.uk", "another wrong password")
    sign_in(app.test_client(), EMAIL)
    with app.app_context():
        dumped = json.dumps(
            [
                [e.action, e.record_type, e.before, e.after, e.details]
                for e in db.session.scalars(select(AuditEntry))
            ]
        )
    for secret in (EMAIL, "stranger@example.gov.uk", STAFF_PASSWORD, "a wrong password typed here"):
        assert secret not in dumped


def test_ten_failures_lock_the_account_softly(app):
    make_staff(app, email=EMAIL)
    for _ in range(10):
        sign_in(app.test_client(), EMAIL, "wrong password attempt number")
    locked = sign_in(app.test_client(), EMAIL)
    assert locked.status_code == 200 and "Enter a correct email address and password" in text_of(
        parse(locked)
    )
    with app.app_context():
        account = db.session.scalar(select(StaffUser).where(StaffUser.email == EMAIL))
        assert account.locked_until is not None
        account.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert sign_in(app.test_client(), EMAIL).status_code == 302


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_sign_in_is_throttled_per_address(app):
    client = app.test_client()
    statuses = [
        sign_in(client, f"person{n}@example.gov.uk", "wrong password attempt").status_code for n in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_sign_in_is_throttled_per_account_whatever_the_address(app):
    make_staff(app, email=EMAIL)
    statuses = []
    for n in range(6):
        client = app.test_client()
        data = form_fields(client, "/staff/login")
        data.update(email=EMAIL, password="wrong password attempt")
        statuses.append(
            client.post(
                "/staff/login", data=data, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}
            ).status_code
        )
    assert statuses == [200] * 5 + [429]


def test_signing_in_starts_a_new_session(app):
    make_staff(app, email=EMAIL)
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, EMAIL)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\t/evil.example/",
        "/\r\n/evil.example/",
        "/\x7f/evil.example/",
    ],
)
def test_next_after_sign_in_never_leaves_the_site(app, target):
    make_staff(app, email=EMAIL)
    response = sign_in(app.test_client(), EMAIL, next_page=target)
    assert response.headers["Location"] == "/staff/"


def test_next_after_sign_in_returns_to_the_page_asked_for(app):
    make_staff(app, email=EMAIL)
    client = app.test_client()
    redirect = client.get("/staff/account")
    assert redirect.status_code == 302 and "/staff/login?next=/staff/account" in redirect.headers["Location"]
    assert sign_in(client, EMAIL, next_page="/staff/account").headers["Location"] == "/staff/account"


# Sessions ---------------------------------------------------------------------------------


def test_signing_out_ends_the_accounts_sessions_everywhere(app):
    make_staff(app, email=EMAIL)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, EMAIL)
    sign_in(phone, EMAIL)
    assert is_signed_in(laptop) and is_signed_in(phone)
    laptop.post("/staff/logout", data=form_fields(laptop, "/staff/account"))
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert ("sign_out", None) in audit_actions(app)


def test_a_session_idle_for_30_minutes_ends_with_a_message(app):
    client = signed_in_client(app)
    with client.session_transaction() as session:
        session["last_seen_at"] = time.time() - 31 * 60
    response = client.get("/staff/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    soup = parse(client.get(response.headers["Location"]))
    assert "inactive for 30 minutes" in text_of(soup.select_one(".govuk-notification-banner"))
    assert not is_signed_in(client)


def test_activity_keeps_a_session_going_but_not_past_12_hours(app):
    client = signed_in_client(app)
    with client.session_transaction() as session:
        session["last_seen_at"] = time.time() - 29 * 60
    assert is_signed_in(client)
    with client.session_transaction() as session:
        session["signed_in_at"] = time.time() - 12 * 3600 - 1
    assert not is_signed_in(client)


def test_the_keep_alive_button_counts_as_activity(app):
    client = signed_in_client(app)
    with client.session_transaction() as session:
        session["last_seen_at"] = time.time() - 28 * 60
    token = form_fields(client, "/staff/account")["csrf_token"]
    assert client.post("/staff/keep-alive", data={"csrf_token": token}).status_code == 204
    with client.session_transaction() as session:
        assert time.time() - session["last_seen_at"] < 5


def test_staff_pages_warn_before_the_session_times_out(app):
    soup = parse(signed_in_client(app).get("/staff/account"))
    notice = soup.select_one("[data-module=council-session-timeout]")
    assert "30 minutes" in text_of(notice)
    assert soup.select_one("#council-timeout-warning")["role"] == "alertdialog"


def test_changing_the_password_ends_other_sessions(app):
    make_staff(app, email=EMAIL)
    this_device, other_device = app.test_client(), app.test_client()
    sign_in(this_device, EMAIL)
    sign_in(other_device, EMAIL)
    new_password = "a completely different long passphrase"
    data = form_fields(this_device, "/staff/account/password")
    data.update(current=STAFF_PASSWORD, password=new_password, confirm=new_password)
    response = this_device.post("/staff/account/password", data=data)
    assert response.headers["Location"] == "/staff/account"
    assert is_signed_in(this_device)
    assert not is_signed_in(other_device)
    assert sign_in(app.test_client(), EMAIL, new_password).status_code == 302


def test_a_wrong_current_password_does_not_change_it(app):
    client = signed_in_client(app, email=EMAIL)
    data = form_fields(client, "/staff/account/password")
    data.update(
        current="not my password at all",
        password="another long passphrase ok",
        confirm="another long passphrase ok",
    )
    soup = check_page(client.post("/staff/account/password", data=data))
    assert "Your current password is not right" in text_of(soup.select_one(".govuk-error-summary"))
    assert sign_in(app.test_client(), EMAIL).status_code == 302


# Two-step codes ---------------------------------------------------------------------------


def turn_on_two_step(client) -> str:
    soup = parse(client.get("/staff/account/two-step"))
    secret = soup.select_one("#totp-secret").get_text()
    assert soup.select_one("img.council-qr-code")["src"].startswith("data:image/svg+xml")
    data = {field["name"]: field.get("value", "") for field in soup.select("form input[type=hidden]")}
    data["code"] = pyotp.TOTP(secret).now()
    response = client.post("/staff/account/two-step", data=data)
    assert response.headers["Location"] == "/staff/account"
    return secret


def test_a_wrong_code_does_not_turn_two_step_sign_in_on(app):
    client = signed_in_client(app, email=EMAIL)
    soup = parse(client.get("/staff/account/two-step"))
    data = {field["name"]: field.get("value", "") for field in soup.select("form input[type=hidden]")}
    data["code"] = "000000"
    soup = check_page(client.post("/staff/account/two-step", data=data))
    assert "The code is not right" in text_of(soup.select_one(".govuk-error-summary"))
    assert user(app).totp_secret is None


def test_with_two_step_on_signing_in_needs_a_code(app):
    client = signed_in_client(app, email=EMAIL)
    secret = turn_on_two_step(client)
    assert user(app).totp_secret == secret

    fresh = app.test_client()
    response = sign_in(fresh, EMAIL)
    assert response.headers["Location"] == "/staff/login/code"
    assert not is_signed_in(fresh)
    data = form_fields(fresh, "/staff/login/code")
    soup = check_page(fresh.post("/staff/login/code", data={**data, "code": "123456"}))
    assert "The code is not right" in text_of(soup)
    assert not is_signed_in(fresh)
    # The code used to turn it on has been used: the next one (still accepted) is needed now.
    last_step = user(app).totp_last_step
    used_code = pyotp.TOTP(secret).generate_otp(last_step)
    soup = check_page(fresh.post("/staff/login/code", data={**data, "code": used_code}))
    assert "That code has already been used. Wait for your app to show a new code" in text_of(
        soup.select_one(".govuk-error-summary")
    )
    next_code = pyotp.TOTP(secret).generate_otp(last_step + 1)
    response = fresh.post("/staff/login/code", data={**data, "code": next_code})
    assert response.headers["Location"] == "/staff/"
    assert is_signed_in(fresh)
    # And a code works only once: signing in again with it is refused.
    again = app.test_client()
    sign_in(again, EMAIL)
    retry = form_fields(again, "/staff/login/code")
    assert again.post("/staff/login/code", data={**retry, "code": next_code}).status_code == 200
    assert not is_signed_in(again)
    failures = [details["reason"] for action, details in audit_actions(app) if action == "sign_in.failure"]
    assert failures == ["wrong-code", "used-code", "used-code"]


def test_reloading_the_set_up_page_keeps_the_key_an_app_may_have_scanned(app):
    client = signed_in_client(app, email=EMAIL)
    first = parse(client.get("/staff/account/two-step")).select_one("#totp-secret").get_text()
    again = parse(client.get("/staff/account/two-step")).select_one("#totp-secret").get_text()
    assert again == first
    # Cancelling forgets it: the next set-up starts with a new key.
    response = client.post(
        "/staff/account/two-step/cancel", data=form_fields(client, "/staff/account/two-step")
    )
    assert response.headers["Location"] == "/staff/account"
    assert "Two-step sign-in was not turned on" in text_of(parse(client.get("/staff/account")))
    fresh = parse(client.get("/staff/account/two-step")).select_one("#totp-secret").get_text()
    assert fresh != first
    assert user(app).totp_secret is None


def test_the_code_page_is_no_way_around_the_password(app):
    make_staff(app, email=EMAIL)
    client = app.test_client()
    response = client.get("/staff/login/code")
    assert response.headers["Location"] == "/staff/login"


# Deny by default --------------------------------------------------------------------------


def test_every_staff_route_names_the_roles_it_allows(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("staff."):
            assert getattr(view, "allowed_roles", None), f"{endpoint} names no roles"


def test_a_staff_route_that_names_no_roles_is_refused_to_everyone(app):
    from feedback_portal.staff import blueprint

    app.view_functions["staff.forgotten"] = lambda: "secret"
    app.add_url_rule("/staff/forgotten", "staff.forgotten", app.view_functions["staff.forgotten"])
    assert blueprint.name == "staff"
    client = signed_in_client(app, role="admin")
    assert client.get("/staff/forgotten").status_code == 403


def staff_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if (
            not rule.endpoint.startswith("staff.")
            or getattr(app.view_functions[rule.endpoint], "allowed_roles", None) == "anyone"
        ):
            continue
        # Every id in a staff address is 1 here, a choice of parts is its first choice, and
        # every other part of an address is "x".
        path = re.sub(r"<(?:int|id):\w+>", "1", rule.rule)
        path = re.sub(r"<any\(\s*(\w+)[^>]*>", r"\1", path)
        path = re.sub(r"<\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


def test_anonymous_visitors_are_sent_to_sign_in_for_pages_and_refused_for_actions(app):
    client = app.test_client()
    routes = staff_routes(app)
    assert routes
    for method, path in routes:
        response = client.open(path, method=method)
        if method == "GET":
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/staff/login?next="), path
        else:
            assert response.status_code in (400, 403), (method, path)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry)) is None


def test_a_disabled_account_is_signed_out_and_cannot_sign_in(app):
    client = signed_in_client(app, email=EMAIL)
    with app.app_context():
        from feedback_portal.services import accounts

        admin = accounts.create_user("admin@example.gov.uk", "admin", password=STAFF_PASSWORD)
        accounts.set_disabled(accounts.find_user_by_email(EMAIL), True, admin)
    assert not is_signed_in(client)
    assert sign_in(app.test_client(), EMAIL).status_code == 200
