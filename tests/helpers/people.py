"""A person with data in every place the portal keeps it, and a scan of every column for an address."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import JSON, String, Text, cast, func, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, StaffUser
from feedback_portal.services import documents, feedback, involvement, moderation
from feedback_portal.services import outbox as outbox_service
from feedback_portal.services.feedback import CommentSubmission, CommentTarget

ADDRESS = "Sam.Person@example.org"
OTHER_ADDRESS = "someone.else@example.org"


@dataclass
class PersonData:
    references: list[str]
    other_reference: str


def submit(
    app: Flask,
    text: str,
    name: str | None,
    email: str | None,
    updates: bool = True,
    involvement: bool | None = None,
) -> str:
    """A comment; with `updates`, its author also ticks "work with the team" (which makes an offer),
    unless `involvement` says otherwise."""
    with app.app_context():
        version = documents.get_current_version()
        section = documents.get_section_page("basic").section
        comment = feedback.submit_comment(
            CommentTarget(version=version, section=section),
            CommentSubmission(
                submission_key=feedback.new_submission_key(),
                text=text,
                reaction="partly",
                name=name,
                email=email,
                wants_updates=updates,
                wants_involvement=updates if involvement is None else involvement,
                client_address="192.0.2.10",
            ),
        )
        return comment.reference


def offer(app: Flask, email: str, name: str = "Sam Person") -> None:
    with app.app_context():
        involvement.submit_offer(
            involvement.OfferSubmission(
                submission_key=feedback.new_submission_key(),
                name=name,
                email=email,
                phone="0121 496 0000",
                interests=["basic"],
                other_interest=None,
                how_to_be_involved="At meetings near Selly Oak",
                access_needs="Step-free access",
            )
        )


def make_person(app: Flask, folder: Path, address: str = ADDRESS) -> PersonData:
    """Two comments (one sent in other capitals), an offer, receipts sent and queued, and mentions.

    Someone else's comment and a moderator's note mention the address too.
    """
    first = submit(app, "It reads well to me.", "Sam Person", address)
    with app.app_context():
        outbox_service.send_due_messages(folder=folder)  # the first receipt is sent
    second = submit(app, f"Write to me at {address.lower()} please.", "Sam", address.upper())
    other = submit(app, f"Ask {address} about this.", "Alex", OTHER_ADDRESS, updates=False)
    offer(app, address.lower())
    with app.app_context():
        moderator = StaffUser(email="mod@example.gov.uk", role="moderator")
        db.session.add(moderator)
        db.session.commit()
        comment_id = db.session.scalar(select(Comment.id).where(Comment.reference == other))
        moderation.add_note(comment_id, f"Asked {address.upper()} by phone.", moderator)
    return PersonData([first, second], other)


def columns_holding(address: str) -> list[str]:
    """Every "table.column" holding the address, in any capitals: each text and JSON column of each table."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                text = cast(column, Text)
            elif isinstance(column.type, String | Text):
                text = column
            else:
                continue
            where = func.lower(text).contains(address.lower(), autoescape=True)
            if db.session.scalar(select(func.count()).select_from(table).where(where)):
                found.append(f"{table.name}.{column.name}")
    return found
