"""The Citizen Involvement Team's accounts, their roles, and one-time links for passwords."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_portal.extensions import Model
from feedback_portal.models.document import utc_now


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    ANALYST = "analyst"


class StaffUser(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # None until the person sets a password from their one-time link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_disabled: Mapped[bool] = mapped_column(default=False)
    # Part of every session; raising it ends all of the account's sessions at once.
    session_version: Mapped[int] = mapped_column(default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The time step of the last code accepted: a code works once, even within its 30 seconds.
    totp_last_step: Mapped[int | None]
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]
    # How often this person gets a digest of new feedback: "daily", "weekly" or "none".
    digest_frequency: Mapped[str] = mapped_column(String(10), default="none")
    # The end of the period of the last digest made for this person.
    digest_covered_until: Mapped[datetime | None]
    # Email this person at once when a comment is reported for personal information.
    wants_urgent_alerts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return not self.is_disabled

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        # Flask-Login stores this in the session; the version makes old sessions invalid.
        return f"{self.id}:{self.session_version}"


class PasswordLinkPurpose(StrEnum):
    SET_PASSWORD = "set-password"  # noqa: S105 - a purpose, not a password
    RESET_PASSWORD = "reset-password"  # noqa: S105 - a purpose, not a password


class PasswordLink(Model):
    """A single-use link to set or reset a password. Only a hash of its token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    user: Mapped[StaffUser] = relationship()


class Setting(Model):
    """A switch an admin can change while the portal runs, such as compulsory two-step sign-in."""

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
