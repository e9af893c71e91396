"""Staff accounts: creating them, passwords, signing in, two-step codes, roles and sessions."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select
from zxcvbn import zxcvbn

from feedback_portal.extensions import db
from feedback_portal.models import PasswordLink, PasswordLinkPurpose, Role, Setting, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.errors import Conflict, DomainError, NotFound

PASSWORD_MIN_LENGTH = 15
PASSWORD_MAX_LENGTH = 128
# Words an attacker would try first against this portal's accounts.
CONTEXT_WORDS = [
    "council",
    "birmingham",
    "brum",
    "consultation",
    "coproduction",
    "co-production",
    "citizen",
    "involvement",
    "getinvolved",
    "feedback",
    "portal",
    "password",
    "adults",
    "social",
    "care",
    "health",
]
MIN_LETTERS_BEYOND_CONTEXT = 8
# zxcvbn refuses longer input; the first 72 characters of a longer password say enough.
ZXCVBN_MAX_LENGTH = 72
FAILURES_BEFORE_LOCK = 10
LOCK_DURATION = timedelta(minutes=15)
SET_PASSWORD_LINK_LIFETIME = timedelta(hours=24)
RESET_PASSWORD_LINK_LIFETIME = timedelta(hours=1)
REQUIRE_TOTP_SETTING = "require_totp"

_HASHERS = {
    # argon2id with argon2-cffi's defaults, above ASVS's minimum.
    "standard": PasswordHasher(),
    # For the test suite only, where hundreds of sign-ins would otherwise cost minutes.
    "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST),
}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config["ARGON2_PROFILE"]]


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the account does not exist, so both answers take as long.

    Made on first use, not at import, so that no process pays for it before it signs anyone in.
    """
    return hasher.hash(secrets.token_urlsafe(24))


class WeakPassword(DomainError):
    """The password would be too easy to guess; the message says why."""


class LastAdmin(Conflict):
    """The change would leave the portal without an admin."""


class OwnAccount(DomainError):
    """Someone tried to disable their own account: another admin must do it."""


class TwoStepCompulsory(DomainError):
    """Two-step sign-in cannot be turned off while the portal makes it compulsory."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str, email: str | None = None) -> None:
    """Raise WeakPassword with a reason a person can act on. No composition rules."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(f"Your password must be at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise WeakPassword(f"Your password must be {PASSWORD_MAX_LENGTH} characters or fewer")
    user_inputs = [*CONTEXT_WORDS]
    if email:
        user_inputs += [email, *email.replace("@", ".").split(".")]
    if (
        _made_of_context_words(password, user_inputs)
        or zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs)["score"] < 3
    ):
        raise WeakPassword(
            "Your password is too easy to guess: it is too common or made of words about this "
            "service. Try three or four random words"
        )


def _made_of_context_words(password: str, words: list[str]) -> bool:
    """True when little is left once this service's words, digits and punctuation are taken out."""
    remainder = password.lower()
    for word in sorted({w.lower() for w in words if len(w) >= 3}, key=len, reverse=True):
        remainder = remainder.replace(word, "")
    return len([c for c in remainder if c.isalpha()]) < MIN_LETTERS_BEYOND_CONTEXT


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _password_matches(password_hash: str | None, password: str) -> bool:
    try:
        hasher = _hasher()
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_user(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(f"staff user {user_id}")
    return user


def find_user_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def list_users() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def load_user_for_session(session_user_id: str) -> StaffUser | None:
    """Flask-Login's loader: the account, if it is enabled and this session is still valid."""
    user_id, _, version = session_user_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or user.is_disabled or user.session_version != int(version):
        return None
    return user


def create_user(
    email: str, role: str, password: str | None = None, actor: StaffUser | None = None
) -> StaffUser:
    """Create an account. Without a password, the person sets one from a one-time link."""
    if role not in set(Role):
        raise DomainError(f"Role must be one of {', '.join(Role)}")
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise Conflict("There is already an account with that email address")
    if password is not None:
        check_password(password, email)
    user = StaffUser(
        email=email,
        role=role,
        password_hash=hash_password(password) if password else None,
        # Moderators work from the digest; others choose it on their account page.
        digest_frequency="daily" if role == Role.MODERATOR else "none",
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.create", actor, "staff_user", user.id, after={"role": role})
    db.session.commit()
    return user


def create_password_link(
    user: StaffUser, purpose: str, actor: StaffUser | None = None, now: datetime | None = None
) -> str:
    """Make a single-use link and email it to the person; only its token's hash is stored.

    Returns the token too, so an admin can pass the link on if the email goes astray.
    """
    from feedback_portal import email

    now = now or datetime.now(UTC)
    setting = purpose == PasswordLinkPurpose.SET_PASSWORD
    lifetime = SET_PASSWORD_LINK_LIFETIME if setting else RESET_PASSWORD_LINK_LIFETIME
    token = secrets.token_urlsafe(32)
    link = PasswordLink(
        user=user, purpose=purpose, token_hash=_token_hash(token), expires_at=now + lifetime, created_at=now
    )
    db.session.add(link)
    db.session.flush()
    email.enqueue(
        "account",
        f"password-link:{link.id}",
        user.email,
        "Set your password" if setting else "Reset your password",
        "password_link",
        setting=setting,
        link_url=email.absolute_url("staff.set_password", token=token),
        hours=int(lifetime.total_seconds() // 3600),
    )
    audit.record("password_link.create", actor, "staff_user", user.id, details={"purpose": purpose})
    db.session.commit()
    return token


def request_password_reset(email_address: str, now: datetime | None = None) -> None:
    """Email a reset link if there is such an enabled account; otherwise do nothing, silently.

    The page that calls this says the same thing either way, so it reveals no accounts.
    """
    user = find_user_by_email(email_address)
    if user is None or user.is_disabled:
        _password_matches(None, email_address)  # about as slow as the real thing
        return
    create_password_link(user, PasswordLinkPurpose.RESET_PASSWORD, actor=None, now=now)


def get_password_link(token: str, now: datetime | None = None) -> PasswordLink:
    now = now or datetime.now(UTC)
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == _token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= now or link.user.is_disabled:
        raise NotFound("password link")
    return link


def set_password_from_link(token: str, password: str, now: datetime | None = None) -> StaffUser:
    """Use a link once to set a password; every other session of the account ends."""
    now = now or datetime.now(UTC)
    link = get_password_link(token, now)
    user = link.user
    check_password(password, user.email)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_sign_ins = 0
    user.locked_until = None
    link.used_at = now
    audit.record("password.set", user, "staff_user", user.id, details={"via": link.purpose})
    db.session.commit()
    return user


def change_password(user: StaffUser, current: str, new: str) -> None:
    if not _password_matches(user.password_hash, current):
        raise WeakPassword("Your current password is not right")
    check_password(new, user.email)
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("password.change", user, "staff_user", user.id)
    db.session.commit()


@dataclass(frozen=True)
class SignInResult:
    user: StaffUser | None
    needs_code: bool = False


def sign_in(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check a password. Unknown account, wrong password, locked or disabled: the same answer."""
    now = now or datetime.now(UTC)
    user = find_user_by_email(email)
    matches = _password_matches(user.password_hash if user else None, password)
    if user is None:
        audit.record("sign_in.failure", None, details={"reason": "unknown-account"}, now=now)
        db.session.commit()
        return SignInResult(user=None)
    if user.locked_until is not None and user.locked_until > now:
        audit.record("sign_in.failure", None, "staff_user", user.id, details={"reason": "locked"}, now=now)
        db.session.commit()
        return SignInResult(user=None)
    if not matches or user.is_disabled:
        reason = "disabled" if matches else "wrong-password"
        if not matches:
            user.failed_sign_ins += 1
            if user.failed_sign_ins >= FAILURES_BEFORE_LOCK:
                # A soft lock that lifts by itself: an attacker cannot lock someone out for good.
                user.locked_until = now + LOCK_DURATION
                user.failed_sign_ins = 0
        audit.record("sign_in.failure", None, "staff_user", user.id, details={"reason": reason}, now=now)
        db.session.commit()
        return SignInResult(user=None)
    if user.has_totp:
        return SignInResult(user=user, needs_code=True)
    complete_sign_in(user, now)
    return SignInResult(user=user)


def complete_sign_in(user: StaffUser, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_signed_in_at = now
    audit.record("sign_in.success", user, "staff_user", user.id, now=now)
    db.session.commit()


def _accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to (this one or either neighbour), if it is right and unused."""
    code = "".join(code.split())
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp_code(user: StaffUser, code: str, now: datetime | None = None) -> bool:
    """A two-step code, usable once; a wrong or reused one counts as a failed sign-in."""
    now = now or datetime.now(UTC)
    step = _accepted_step(user.totp_secret, code, now, user.totp_last_step) if user.totp_secret else None
    if step is not None:
        user.totp_last_step = step
        complete_sign_in(user, now)
        return True
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= FAILURES_BEFORE_LOCK:
        user.locked_until = now + LOCK_DURATION
        user.failed_sign_ins = 0
    audit.record("sign_in.failure", None, "staff_user", user.id, details={"reason": "wrong-code"}, now=now)
    db.session.commit()
    return False


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


def end_sessions(user: StaffUser, actor: StaffUser | None = None, action: str = "sign_out") -> None:
    """End every session of the account, on every device."""
    user.session_version += 1
    audit.record(action, actor or user, "staff_user", user.id)
    db.session.commit()


def _admin_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == Role.ADMIN, StaffUser.is_disabled.is_(False))
    )


def change_role(user: StaffUser, role: str, actor: StaffUser) -> None:
    if role not in set(Role):
        raise DomainError(f"Role must be one of {', '.join(Role)}")
    if user.role == Role.ADMIN and role != Role.ADMIN and not user.is_disabled and _admin_count() <= 1:
        raise LastAdmin("The portal must keep at least one admin")
    before = user.role
    user.role = role
    audit.record(
        "account.role_change", actor, "staff_user", user.id, before={"role": before}, after={"role": role}
    )
    db.session.commit()


def set_disabled(user: StaffUser, disabled: bool, actor: StaffUser) -> None:
    """Disable (ending its sessions at once) or enable an account."""
    if disabled and user.role == Role.ADMIN and not user.is_disabled and _admin_count() <= 1:
        raise LastAdmin("The portal must keep at least one admin")
    before = user.is_disabled
    user.is_disabled = disabled
    if disabled:
        user.session_version += 1
    audit.record(
        "account.disable" if disabled else "account.enable",
        actor,
        "staff_user",
        user.id,
        before={"disabled": before},
        after={"disabled": disabled},
    )
    db.session.commit()


def disable_account(user: StaffUser, actor: StaffUser) -> None:
    """An admin disables someone else's account. Nobody disables their own."""
    if user.id == actor.id:
        raise OwnAccount("You cannot disable your own account")
    set_disabled(user, True, actor)


def set_email_preferences(user: StaffUser, digest_frequency: str, wants_urgent_alerts: bool) -> None:
    if digest_frequency not in {"daily", "weekly", "none"}:
        raise DomainError("Digest frequency must be daily, weekly or none")
    before = {"digest": user.digest_frequency, "urgent_alerts": user.wants_urgent_alerts}
    user.digest_frequency = digest_frequency
    user.wants_urgent_alerts = wants_urgent_alerts
    after = {"digest": digest_frequency, "urgent_alerts": wants_urgent_alerts}
    audit.record("account.email_preferences", user, "staff_user", user.id, before=before, after=after)
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


def ensure_development_admin(email: str = "admin@example.gov.uk") -> str | None:
    """In development only: make an admin with a generated password if there is no admin.

    Returns the password to show, or None when an admin already exists.
    """
    if _admin_count() > 0:
        return None
    password = "-".join(secrets.token_urlsafe(6) for _ in range(4))
    existing = find_user_by_email(email)
    if existing is not None:
        existing.role = Role.ADMIN
        existing.is_disabled = False
        existing.password_hash = hash_password(password)
        db.session.commit()
        return password
    create_user(email, Role.ADMIN, password=password)
    return password
