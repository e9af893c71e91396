"""Retention: how long personal data is kept, and `flask retention run`, which lets it go.

The periods are settings an admin can change, and the privacy notice reads them from here,
so the page and the job cannot disagree. Each step is one conditional UPDATE that only
touches rows still holding something: running it twice, or on two machines at once, does
the work once.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, case, delete, exists, or_, select, update
from sqlalchemy.engine import CursorResult

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    Consultation,
    DocumentVersion,
    EqualityAnswer,
    InvolvementNote,
    InvolvementOffer,
    OutboxMessage,
    OutboxStatus,
    Setting,
    StaffUser,
)
from feedback_portal.services import audit
from feedback_portal.services.exceptions import DomainError
from feedback_portal.services.privacy.registry import ERASED
from feedback_portal.uk_time import in_uk

CLIENT_KEY_LIFETIME = timedelta(hours=24)
SETTING_PREFIX = "retention."
# The smallest and largest period each setting accepts.
LIMITS = {"contact_months": (1, 120), "offer_months": (1, 120), "sent_email_days": (1, 365)}
PURGED_EMAIL_NOTE = "Its address and text were deleted after the retention period"


@dataclass(frozen=True)
class RetentionPeriods:
    # Names and email addresses given with a comment: this long after its consultation closes.
    contact_months: int = 12
    # A get-involved offer's details: this long after the offer was made.
    offer_months: int = 24
    # The address and text of an email: this long after it was sent (or given up on).
    sent_email_days: int = 30

    @property
    def contact_period(self) -> str:
        return _plural(self.contact_months, "month")

    @property
    def offer_period(self) -> str:
        return _plural(self.offer_months, "month")

    @property
    def sent_email_period(self) -> str:
        return _plural(self.sent_email_days, "day")


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def get_retention_periods() -> RetentionPeriods:
    """The periods in force: each setting, or its default when unset or unreadable."""
    stored = {
        setting.key.removeprefix(SETTING_PREFIX): setting.value
        for setting in db.session.scalars(db.select(Setting).where(Setting.key.startswith(SETTING_PREFIX)))
    }
    defaults = RetentionPeriods()
    values: dict[str, int] = {}
    for each in fields(RetentionPeriods):
        low, high = LIMITS[each.name]
        text = stored.get(each.name, "")
        valid = text.isdigit() and low <= int(text) <= high
        values[each.name] = int(text) if valid else getattr(defaults, each.name)
    return RetentionPeriods(**values)


def set_retention_periods(periods: RetentionPeriods, actor: StaffUser) -> bool:
    """Save new periods, audited. False, and nothing recorded, when nothing changed."""
    for name, value in asdict(periods).items():
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise DomainError(f"{name} must be between {low} and {high}")
    before = get_retention_periods()
    if before == periods:
        return False
    for name, value in asdict(periods).items():
        db.session.merge(Setting(key=SETTING_PREFIX + name, value=str(value)))
    audit.record("settings.retention", actor, "setting", None, before=asdict(before), after=asdict(periods))
    db.session.commit()
    return True


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    years, month_index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@dataclass
class RetentionReport:
    client_keys_forgotten: int = 0
    comments_anonymised: int = 0
    offers_anonymised: int = 0
    emails_purged: int = 0
    equality_answers_deleted: int = 0


def run_retention(now: datetime | None = None) -> RetentionReport:
    """Everything `flask retention run` lets go, once a day from cron, in one transaction."""
    now = now or datetime.now(UTC)
    periods = get_retention_periods()
    contact_cutoff = months_before(now, periods.contact_months)
    report = RetentionReport(
        client_keys_forgotten=_forget_client_keys(now),
        comments_anonymised=_anonymise_comments(contact_cutoff),
        offers_anonymised=_anonymise_offers(months_before(now, periods.offer_months)),
        emails_purged=_purge_emails(now - timedelta(days=periods.sent_email_days)),
        equality_answers_deleted=_delete_equality_answers(contact_cutoff),
    )
    if any(
        (
            report.comments_anonymised,
            report.offers_anonymised,
            report.emails_purged,
            report.equality_answers_deleted,
        )
    ):
        audit.record("retention.run", None, details=asdict(report) | {"periods": asdict(periods)}, now=now)
    db.session.commit()
    return report


def forget_client_keys(now: datetime | None = None) -> int:
    """Erase the address codes older than a day: abuse control needs no more."""
    forgotten = _forget_client_keys(now or datetime.now(UTC))
    db.session.commit()
    return forgotten


def _changed(statement: Any) -> int:
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def _forget_client_keys(now: datetime) -> int:
    return _changed(
        update(Comment)
        .where(Comment.client_key.is_not(None), Comment.created_at < now - CLIENT_KEY_LIFETIME)
        .values(client_key=None)
    )


def _anonymise_comments(closed_before: datetime) -> int:
    """Contact details of comments whose consultation closed before `closed_before`.

    A comment's consultation is the first of its document to close after it was made; one
    made after every consultation closed (paper, entered late) counts from when it was made.
    """
    closing = (
        exists()
        .where(
            DocumentVersion.id == Comment.document_version_id,
            Consultation.document_id == DocumentVersion.document_id,
            Consultation.closes_at >= Comment.created_at,
        )
        .correlate(Comment)
    )
    closed = closing.where(Consultation.closes_at < closed_before)
    return _changed(
        update(Comment)
        .where(
            or_(Comment.author_name.is_not(None), Comment.author_email.is_not(None)),
            or_(closed, and_(~closing, Comment.created_at < closed_before)),
        )
        .values(author_name=None, author_email=None, wants_updates=False, wants_involvement=False)
        .execution_options(synchronize_session=False)
    )


def _anonymise_offers(made_before: datetime) -> int:
    details = (
        InvolvementOffer.name,
        InvolvementOffer.email,
        InvolvementOffer.phone,
        InvolvementOffer.other_interest,
        InvolvementOffer.how_to_be_involved,
        InvolvementOffer.access_needs,
    )
    # The team's notes on those offers may say anything about the person: they go too.
    db.session.execute(
        delete(InvolvementNote).where(
            InvolvementNote.offer_id.in_(
                select(InvolvementOffer.id).where(InvolvementOffer.created_at < made_before)
            )
        )
    )
    return _changed(
        update(InvolvementOffer)
        .where(InvolvementOffer.created_at < made_before, or_(*(column.is_not(None) for column in details)))
        .values({column.key: None for column in details})
        .execution_options(synchronize_session=False)
    )


def _delete_equality_answers(cutoff: datetime) -> int:
    """ "About you" answers go with their consultation's contact details.

    They are kept as long as the contact details given with the consultation's comments: the
    contact-details period after the consultation closes, or after the end of the month they
    were given in, whichever is later (an offer can be made after a consultation has closed).
    Only the month is kept, so a month counts from its end.
    """
    closed = select(Consultation.id).where(Consultation.closes_at < cutoff)
    known = select(Consultation.id)
    month_ended = EqualityAnswer.given_in <= in_uk(months_before(cutoff, 1)).date()
    return _changed(
        delete(EqualityAnswer)
        .where(
            month_ended,
            or_(EqualityAnswer.consultation_id.in_(closed), EqualityAnswer.consultation_id.not_in(known)),
        )
        .execution_options(synchronize_session=False)
    )


def _purge_emails(before: datetime) -> int:
    """The address and text of emails sent, or given up on, before `before`: the fact of them stays."""
    given_up = [OutboxStatus.CANCELLED, OutboxStatus.FAILED]
    failed = OutboxMessage.status == OutboxStatus.FAILED
    return _changed(
        update(OutboxMessage)
        .where(
            or_(
                and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < before),
                and_(OutboxMessage.status.in_(given_up), OutboxMessage.created_at < before),
            ),
            or_(OutboxMessage.recipient != ERASED, OutboxMessage.text_body != ERASED),
        )
        .values(
            recipient=ERASED,
            text_body=ERASED,
            html_body=ERASED,
            unsubscribe_url=None,
            # A failed email without its address cannot be sent again: it is cancelled.
            status=case((failed, OutboxStatus.CANCELLED), else_=OutboxMessage.status),
            last_error=case((failed, PURGED_EMAIL_NOTE), else_=OutboxMessage.last_error),
        )
        .execution_options(synchronize_session=False)
    )
