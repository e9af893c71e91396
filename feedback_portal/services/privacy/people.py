"""Finding and erasing everything held about a person, by the email address they used.

The holdings (registry.py) say where contact details live. Beyond them, an address can be
typed anywhere people or staff write freely (a comment's text, a note): finding counts those
mentions, and erasure replaces each one, so that after an erasure the address is in no column
of any table. Every action is audited by a keyed code of the address and counts, never the
address itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Table, Text, and_, exists, func, select

from feedback_portal.addresses import UnsendableAddress, sendable_address
from feedback_portal.extensions import db
from feedback_portal.hashing import keyed_hash
from feedback_portal.models import StaffUser
from feedback_portal.services import audit
from feedback_portal.services.comment_filters import like_pattern
from feedback_portal.services.exceptions import NothingHeld
from feedback_portal.services.privacy.registry import (
    HOLDINGS,
    NOT_SWEPT,
    SHOWN_IN_ORDER,
    UNLINKED_HOLDINGS,
    Field,
    Holding,
    same_address,
)
from feedback_portal.services.privacy.retention import get_retention_periods

SUBJECT_PURPOSE = "privacy-subject"
MENTION_REPLACEMENT = "[email address removed]"
# Rows of each holding the find page lists; the subject-access file has them all.
SHOWN_PER_HOLDING = 50


def normalise(address: str) -> str:
    """The address as the forms store it, so that a typed one matches what was saved."""
    address = address.strip()
    try:
        return sendable_address(address)
    except UnsendableAddress:
        return address


def subject_code(address: str) -> str:
    """What the audit log keeps of the address: a keyed code that says the same person twice."""
    return keyed_hash(SUBJECT_PURPOSE, address.lower())


@dataclass
class HeldGroup:
    holding: Holding
    count: int
    rows: list[list[tuple[Field, Any]]]


@dataclass
class PersonRecord:
    groups: list[HeldGroup]
    # Other places the address is written, as "table.column": how many rows.
    mentions: dict[str, int] = field(default_factory=dict)
    is_staff_account: bool = False
    # What cannot be found by an address, in a sentence each: said wherever a search is shown.
    not_findable: list[str] = field(default_factory=list)

    @property
    def nothing_held(self) -> bool:
        return not any(group.count for group in self.groups) and not self.mentions

    def counts(self) -> dict[str, int]:
        return {group.holding.key: group.count for group in self.groups} | {
            "mentions": sum(self.mentions.values())
        }


def _text_columns(table: Table) -> list[Any]:
    return [column for column in table.columns if isinstance(column.type, String | Text)]


def _holding_for(table: Table) -> Holding | None:
    return next((h for h in HOLDINGS if h.model.__table__ is table), None)


def _mention_queries(address: str) -> list[tuple[Table, Any, Any]]:
    """(table, column, where) for every text column in which the address is written outside a holding."""
    pattern = like_pattern(address.lower())
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in NOT_SWEPT:
            continue
        holding = _holding_for(table)
        for column in _text_columns(table):
            where: ColumnElement[bool] = func.lower(column).like(pattern, escape="\\")
            if holding is not None:
                # By id, not NOT(match): a match on a NULL address is unknown, not false.
                theirs = select(holding.model.id).where(holding.match(address))
                where = and_(where, holding.model.id.not_in(theirs))
            found.append((table, column, where))
    return found


def _count_mentions(address: str) -> dict[str, int]:
    mentions = {}
    for table, column, where in _mention_queries(address):
        count = db.session.scalar(select(func.count()).select_from(table).where(where)) or 0
        if count:
            mentions[f"{table.name}.{column.name}"] = count
    return mentions


def _scrub_mentions(address: str) -> int:
    """Replace the address wherever else it is written, however its letters were typed."""
    written = re.compile(re.escape(address), re.IGNORECASE)
    changed = 0
    for table, column, where in _mention_queries(address):
        keys = list(table.primary_key.columns)
        for row in db.session.execute(select(*keys, column).where(where)).all():
            text = written.sub(MENTION_REPLACEMENT, row[-1])
            length = getattr(column.type, "length", None)
            key = and_(*(k == value for k, value in zip(keys, row[:-1], strict=True)))
            value = text[:length] if length else text
            db.session.execute(table.update().where(key).values({column.name: value}))
            changed += 1
    return changed


def find_person(address: str, shown: int = SHOWN_PER_HOLDING) -> PersonRecord:
    """What is held about the person at `address`: each holding's rows, and other mentions."""
    address = normalise(address)
    groups = []
    for holding in SHOWN_IN_ORDER:
        where = holding.match(address)
        count = db.session.scalar(select(func.count()).select_from(holding.model).where(where)) or 0
        rows = db.session.scalars(select(holding.model).where(where).order_by(holding.model.id).limit(shown))
        summary = [holding.field_values(row, holding.summary) for row in rows]
        groups.append(HeldGroup(holding, count, summary))
    is_staff = bool(db.session.scalar(select(exists().where(same_address(StaffUser.email, address)))))
    return PersonRecord(groups, _count_mentions(address), is_staff, unlinked_notes())


def record_search(
    address: str, record: PersonRecord, actor: StaffUser | None, via: str, system_user: str | None = None
) -> None:
    """Put a search for a person on the audit log: who looked, a code for whom, what was found."""
    audit.record("privacy.found", actor, details=audit_details(address, record.counts(), via, system_user))
    db.session.commit()


def audit_details(address: str, counts: dict[str, int], via: str, system_user: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {"subject": subject_code(address), "via": via, **counts}
    if system_user:
        details["system_user"] = system_user
    return details


@dataclass
class ErasureReport:
    counts: dict[str, int]
    not_findable: list[str] = field(default_factory=list)


def erase_person(
    address: str,
    actor: StaffUser | None,
    via: str,
    system_user: str | None = None,
    now: datetime | None = None,
) -> ErasureReport:
    """Erase the person's contact details everywhere, in one transaction, and audit it.

    NothingHeld, with nothing changed (not even the log), when nobody used the address.
    A failure part way rolls everything back: nothing is left half-erased.
    """
    address = normalise(address)
    now = now or datetime.now(UTC)
    counts = find_person(address, shown=0).counts()
    if not any(counts.values()):
        db.session.rollback()
        raise NothingHeld("No information is held for that email address. Nothing was changed.")
    try:
        for holding in HOLDINGS:
            ids = list(db.session.scalars(select(holding.model.id).where(holding.match(address))))
            if ids:
                holding.erase(ids, now)
        counts["mentions"] = _scrub_mentions(address)
        details = audit_details(address, counts, via, system_user)
        audit.record("privacy.erased", actor, details=details, now=now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ErasureReport(counts, unlinked_notes())


def unlinked_notes() -> list[str]:
    """What finding, exporting and erasing a person cannot reach, and when it goes instead."""
    periods = get_retention_periods()
    return [
        holding.why_not_found.format(period=getattr(periods, holding.period)) for holding in UNLINKED_HOLDINGS
    ]
