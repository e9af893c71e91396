"""Signing in: passwords, the soft lock after repeated failures, two-step codes, sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pyotp
from sqlalchemy import CursorResult, or_, select, update

from feedback_portal.extensions import db
from feedback_portal.models import Setting, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.accounts.passwords import password_matches
from feedback_portal.services.exceptions import DomainError

FAILURES_BEFORE_LOCK = 10
LOCK_DURATION = timedelta(minutes=15)

REQUIRE_TOTP_SETTING = "require_totp"


class TwoStepCompulsory(DomainError):
    """Two-step sign-in cannot be turned off while the portal makes it compulsory."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def load_user_for_session(session_user_id: str) -> StaffUser | None:
    """Flask-Login's loader: the account, if it is enabled and this session is still valid."""
    user_id, _, version = session_user_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or user.is_disabled or user.session_version != int(version):
        return None
    return user


# The soft lock: the only code that counts failures, locks and unlocks. -------------------


def count_failed_sign_in(user: StaffUser, now: datetime) -> None:
    """One more wrong password or code; enough of them lock the account for a while."""
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= FAILURES_BEFORE_LOCK:
        # A soft lock that lifts by itself: an attacker cannot lock someone out for good.
        user.locked_until = now + LOCK_DURATION
        user.failed_sign_ins = 0


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def lift_lock(user: StaffUser) -> None:
    """Forget failures and any lock: after a successful sign-in, or a new password."""
    user.failed_sign_ins = 0
    user.locked_until = None


# Signing in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: StaffUser | None
    needs_code: bool = False


def sign_in(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check a password. Unknown account, wrong password, locked or disabled: the same answer."""
    now = now or datetime.now(UTC)
    user = find_user_by_email(email)
    matches = password_matches(user.password_hash if user else None, password)
    if user is None:
        audit.record("sign_in.failure", None, details={"reason": "unknown-account"}, now=now)
        db.session.commit()
        return SignInResult(user=None)
    if is_locked(user, now):
        audit.record("sign_in.failure", None, "staff_user", user.id, details={"reason": "locked"}, now=now)
        db.session.commit()
        return SignInResult(user=None)
    if not matches or user.is_disabled:
        reason = "disabled" if matches else "wrong-password"
        if not matches:
            count_failed_sign_in(user, now)
        audit.record("sign_in.failure", None, "staff_user", user.id, details={"reason": reason}, now=now)
        db.session.commit()
        return SignInResult(user=None)
    if user.has_totp:
        return SignInResult(user=user, needs_code=True)
    complete_sign_in(user, now)
    return SignInResult(user=user)


def complete_sign_in(user: StaffUser, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    lift_lock(user)
    user.last_signed_in_at = now
    audit.record("sign_in.success", user, "staff_user", user.id, now=now)
    db.session.commit()


class CodeCheck(StrEnum):
    """What became of a two-step code sent at sign-in."""

    ACCEPTED = "accepted"
    WRONG = "wrong-code"
    ALREADY_USED = "used-code"


def _matching_steps(secret: str, code: str, now: datetime) -> list[int]:
    """The time steps (this one or either neighbour) whose code this is."""
    code = "".join(code.split())
    if not code.isdigit():
        return []
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    return [
        step
        for step in (current - 1, current, current + 1)
        if secrets.compare_digest(totp.generate_otp(step), code)
    ]


def _accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to, if it is right and unused."""
    unused = [step for step in _matching_steps(secret, code, now) if last_step is None or step > last_step]
    return unused[0] if unused else None


def check_totp_code(user: StaffUser, code: str, now: datetime | None = None) -> CodeCheck:
    """A two-step code, usable once; a wrong or reused one counts as a failed sign-in."""
    now = now or datetime.now(UTC)
    step = _accepted_step(user.totp_secret, code, now, user.totp_last_step) if user.totp_secret else None
    if step is not None and _claim_step(user, step):
        complete_sign_in(user, now)
        return CodeCheck.ACCEPTED
    # Right but used: by an earlier sign-in, or by a request that won the race for it.
    right = step is not None or bool(user.totp_secret and _matching_steps(user.totp_secret, code, now))
    outcome = CodeCheck.ALREADY_USED if right else CodeCheck.WRONG
    count_failed_sign_in(user, now)
    audit.record("sign_in.failure", None, "staff_user", user.id, details={"reason": str(outcome)}, now=now)
    db.session.commit()
    return outcome


def _claim_step(user: StaffUser, step: int) -> bool:
    """Record the code's step as used, unless another request already has: one write wins.

    The condition is checked by the database as it writes, so of any number of requests
    sending the same code at once exactly one changes the row; the others see it used.
    """
    claimed = db.session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(claimed, CursorResult)
    if claimed.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def turn_on_totp(user: StaffUser, secret: str, code: str, now: datetime | None = None) -> bool:
    """Save the secret only once a code made from it works."""
    step = _accepted_step(secret, code, now or datetime.now(UTC), None)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    audit.record("totp.enable", user, "staff_user", user.id)
    db.session.commit()
    return True


def turn_off_totp(user: StaffUser) -> None:
    """Turn off the account's two-step sign-in, unless it is compulsory for everyone."""
    if totp_is_required():
        raise TwoStepCompulsory("Two-step sign-in is compulsory for everyone")
    user.totp_secret = None
    user.totp_last_step = None
    audit.record("totp.disable", user, "staff_user", user.id)
    db.session.commit()


def totp_is_required() -> bool:
    setting = db.session.get(Setting, REQUIRE_TOTP_SETTING)
    return setting is not None and setting.value == "yes"


def set_totp_required(required: bool, actor: StaffUser) -> None:
    setting = db.session.get(Setting, REQUIRE_TOTP_SETTING) or Setting(key=REQUIRE_TOTP_SETTING, value="no")
    before = setting.value
    setting.value = "yes" if required else "no"
    db.session.add(setting)
    audit.record(
        "setting.change",
        actor,
        "setting",
        None,
        before={REQUIRE_TOTP_SETTING: before},
        after={REQUIRE_TOTP_SETTING: setting.value},
    )
    db.session.commit()


def end_sessions(user: StaffUser, actor: StaffUser | None = None, action: str = "sign_out") -> None:
    """End every session of the account, on every device."""
    user.session_version += 1
    audit.record(action, actor or user, "staff_user", user.id)
    db.session.commit()
