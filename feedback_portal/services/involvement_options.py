"""The interests and ways of taking part that the get-involved form offers, as admins manage them.

An option is never deleted, only hidden: offers keep its key, and still read its label.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import InvolvementOption, OptionKind, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.exceptions import NotFound
from feedback_portal.services.involvement import OTHER_INTEREST

KEY_LENGTH = 50
# What a new portal offers, until admins change it (the first migration adds the same).
DEFAULT_OPTIONS = {
    OptionKind.INTEREST: [
        ("designing-services", "Designing or changing services"),
        ("reviewing-documents", "Reviewing documents, letters and leaflets"),
        ("training", "Training staff"),
        ("recruitment", "Interviewing and recruiting staff"),
        ("checking-services", "Checking how well services work"),
        ("policies", "Policies and plans"),
    ],
    OptionKind.WAY: [
        ("in-person", "Meetings in person"),
        ("online", "Meetings online"),
        ("phone", "By phone"),
        ("email-or-post", "By email or post"),
        ("surveys", "Surveys and questionnaires"),
    ],
}


def seed_default_options() -> int:
    """Add the default options of each kind that has none; return how many were added. Safe to repeat."""
    added = 0
    for kind, defaults in DEFAULT_OPTIONS.items():
        if db.session.scalar(select(func.count(InvolvementOption.id)).where(InvolvementOption.kind == kind)):
            continue
        for position, (key, label) in enumerate(defaults, start=1):
            db.session.add(InvolvementOption(kind=kind, key=key, label=label, position=position, active=True))
            added += 1
    db.session.commit()
    return added


def list_options(kind: OptionKind) -> list[InvolvementOption]:
    """Every option of a kind, shown and hidden, in the form's order."""
    return list(
        db.session.scalars(
            select(InvolvementOption)
            .where(InvolvementOption.kind == kind)
            .order_by(InvolvementOption.position, InvolvementOption.id)
        )
    )


def _new_key(kind: OptionKind, label: str) -> str:
    """A key from the label, like "training-staff": only [a-z0-9-], so the list filters can match it."""
    base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:KEY_LENGTH] or "option"
    taken = set(db.session.scalars(select(InvolvementOption.key).where(InvolvementOption.kind == kind)))
    taken.add(OTHER_INTEREST)
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


def add_option(
    kind: OptionKind, label: str, actor: StaffUser, now: datetime | None = None
) -> InvolvementOption:
    """Add an option at the end of the form's list."""
    last = db.session.scalar(
        select(func.max(InvolvementOption.position)).where(InvolvementOption.kind == kind)
    )
    option = InvolvementOption(kind=kind, key=_new_key(kind, label), label=label, position=(last or 0) + 1)
    db.session.add(option)
    db.session.flush()
    audit.record(
        "involvement.option_added",
        actor,
        "involvement_option",
        option.id,
        after={"kind": kind, "key": option.key},
        now=now,
    )
    db.session.commit()
    return option


def get_option(option_id: int) -> InvolvementOption:
    option = db.session.get(InvolvementOption, option_id)
    if option is None:
        raise NotFound("option")
    return option


def rename_option(option_id: int, label: str, actor: StaffUser, now: datetime | None = None) -> None:
    option = get_option(option_id)
    if option.label != label:
        option.label = label
        audit.record(
            "involvement.option_renamed", actor, "involvement_option", option.id, now=now or datetime.now(UTC)
        )
    db.session.commit()


def set_shown(
    option_id: int, shown: bool, actor: StaffUser, now: datetime | None = None
) -> InvolvementOption:
    """Show an option on the form, or hide it: offers that chose it keep it either way."""
    option = get_option(option_id)
    if option.active != shown:
        audit.record(
            "involvement.option_shown" if shown else "involvement.option_hidden",
            actor,
            "involvement_option",
            option.id,
            before={"active": option.active},
            after={"active": shown},
            now=now or datetime.now(UTC),
        )
        option.active = shown
    db.session.commit()
    return option


def move_option(option_id: int, up: bool, actor: StaffUser, now: datetime | None = None) -> None:
    """Swap an option with the one before it (up) or after it in the form's list."""
    option = get_option(option_id)
    options = list_options(OptionKind(option.kind))
    index = options.index(option)
    other_index = index - 1 if up else index + 1
    if 0 <= other_index < len(options):
        # Renumbered first, so two options with the same position swap too.
        for position, each in enumerate(options, start=1):
            each.position = position
        other = options[other_index]
        option.position, other.position = other.position, option.position
        audit.record("involvement.option_moved", actor, "involvement_option", option.id, now=now)
    db.session.commit()
