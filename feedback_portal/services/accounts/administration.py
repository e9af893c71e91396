"""Administering staff accounts: creating them, roles, disabling, password links, the dev admin."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import PasswordLink, PasswordLinkPurpose, Role, StaffUser
from feedback_portal.permissions import Capability, may
from feedback_portal.services import audit
from feedback_portal.services.accounts.passwords import (
    WeakPassword,
    check_password,
    hash_password,
    password_matches,
)
from feedback_portal.services.accounts.sign_in import find_user_by_email, lift_lock, normalise_email
from feedback_portal.services.exceptions import Conflict, DomainError, NotFound

SET_PASSWORD_LINK_LIFETIME = timedelta(hours=24)
RESET_PASSWORD_LINK_LIFETIME = timedelta(hours=1)
# Reset emails one account can be sent in an hour: a mailbox cannot be flooded from the form.
RESET_EMAILS_PER_HOUR = 3
RESET_EMAILS_WINDOW = timedelta(hours=1)


class LastAdmin(Conflict):
    """The change would leave the portal without an admin."""


class OwnAccount(DomainError):
    """Someone tried to disable their own account: another admin must do it."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_user(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(f"staff user {user_id}")
    return user


def list_users() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def default_digest_frequency(role: str) -> str:
    """The digest a new account starts with, however it is made; each person can change it.

    Whoever can moderate works from the daily digest; analysts choose it if they want it.
    """
    return "daily" if may(role, Capability.MODERATE) else "none"


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
        digest_frequency=default_digest_frequency(role),
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
    from feedback_portal.services import notifications

    now = now or datetime.now(UTC)
    setting = purpose == PasswordLinkPurpose.SET_PASSWORD
    lifetime = SET_PASSWORD_LINK_LIFETIME if setting else RESET_PASSWORD_LINK_LIFETIME
    token = secrets.token_urlsafe(32)
    link = PasswordLink(
        user=user, purpose=purpose, token_hash=_token_hash(token), expires_at=now + lifetime, created_at=now
    )
    db.session.add(link)
    db.session.flush()
    notifications.enqueue_password_link(user, link, token, setting=setting, lifetime=lifetime)
    audit.record("password_link.create", actor, "staff_user", user.id, details={"purpose": purpose})
    db.session.commit()
    return token


def request_password_reset(email_address: str, now: datetime | None = None) -> None:
    """Email a reset link if there is such an enabled account that has not had too many lately.

    The page that calls this says the same thing either way, and every answer does the same
    work (find the account, count its recent links, build the email, audit, commit), so that
    neither the page nor the time it takes reveals whether an account exists.
    """
    from feedback_portal.services import notifications

    now = now or datetime.now(UTC)
    user = find_user_by_email(email_address)
    refusal = _reset_refusal(user, now)
    if user is not None and refusal is None:
        create_password_link(user, PasswordLinkPurpose.RESET_PASSWORD, actor=None, now=now)
        return
    notifications.render_unsent_password_link(secrets.token_urlsafe(32), RESET_PASSWORD_LINK_LIFETIME)
    user_id = user.id if user is not None else None
    audit.record("password_link.refuse", None, "staff_user", user_id, details={"reason": refusal}, now=now)
    db.session.commit()


def _reset_refusal(user: StaffUser | None, now: datetime) -> str | None:
    """Why no reset link is sent, if none is; asked the same question for every address."""
    recent_links = (
        db.session.scalar(
            select(func.count())
            .select_from(PasswordLink)
            .where(
                PasswordLink.user_id == (user.id if user is not None else None),
                PasswordLink.purpose == PasswordLinkPurpose.RESET_PASSWORD,
                PasswordLink.created_at > now - RESET_EMAILS_WINDOW,
            )
        )
        or 0
    )
    if user is None:
        return "unknown-account"
    if user.is_disabled:
        return "disabled"
    if recent_links >= RESET_EMAILS_PER_HOUR:
        return "too-many"
    return None


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
    lift_lock(user)
    link.used_at = now
    audit.record("password.set", user, "staff_user", user.id, details={"via": link.purpose})
    db.session.commit()
    return user


def set_password_for(email: str, password: str, via: str) -> StaffUser:
    """Someone on the server sets an account's password: a lost one, for example.

    The same rules as the web forms; every session of the account ends and its soft lock lifts.
    """
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(f"No account with the email address {normalise_email(email)}")
    check_password(password, user.email)
    user.password_hash = hash_password(password)
    user.session_version += 1
    lift_lock(user)
    audit.record("password.set", None, "staff_user", user.id, details={"via": via})
    db.session.commit()
    return user


def change_password(user: StaffUser, current: str, new: str) -> None:
    if not password_matches(user.password_hash, current):
        raise WeakPassword("Your current password is not right")
    check_password(new, user.email)
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("password.change", user, "staff_user", user.id)
    db.session.commit()


def _admin_count() -> int:
    return db.session.execute(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == Role.ADMIN, StaffUser.is_disabled.is_(False))
    ).scalar_one()


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
