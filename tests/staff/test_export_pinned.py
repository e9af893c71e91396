"""The export files byte for byte: a representative set of comments, exported as every profile
and format, gives exactly the files kept in tests/data/export.

The files were made by the export as it was before it was made faster, so that any change to
a header, a cell, a date or the escaping of formula-looking text shows here. The data has
names, formulas like =1+1 in comments, names, themes and labels, moments on both sides of
the clocks changing (BST and GMT) and at midnight, every reaction, themes, reports, a
rejection reason we no longer know, redactions and published responses.

To make the files again after a change meant to alter them: PIN_EXPORTS=write pytest this file.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from feedback_portal.extensions import db
from feedback_portal.models import (
    Comment,
    CommentResponse,
    PracticeItem,
    Report,
    Section,
    Tag,
    comment_tag,
)
from feedback_portal.services import consultations, documents
from feedback_portal.services import export as exports
from feedback_portal.services.export import stream as export_stream
from tests.factories import make_staff

PINNED = Path(__file__).parent.parent / "data" / "export"
MOMENTS = [
    datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC),  # the last moment of GMT
    datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),  # the first of BST
    datetime(2026, 10, 24, 23, 30, 0, 500_000, tzinfo=UTC),  # BST, the next day in the UK
    datetime(2026, 10, 25, 1, 30, 0, tzinfo=UTC),  # GMT again
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 6, 1, 12, 0, 0, 123_456, tzinfo=UTC),
]
TEXTS = [
    "=1+1",
    "+44 7700 900123",
    "-2+3",
    "@home",
    "\tTabbed",
    "\rReturned",
    "\nNew line first",
    'He said "fine", then "no"',
    "Commas, semicolons; and\ttabs inside",
    "Line one\nline two\r\nline three",
    "یہ تعریف واضح ہے — এই সংজ্ঞাটি পরিষ্কার — 👍🏽",
    "007",
    "1/2",
    "Plain and simple.",
]
NAMES = ["=cmd|' /C calc'!A0", 'Ann "Nan" O\'Neil, Jr.', "-Minus", None, "عائشہ خان 👍🏽", "@Handle"]
EMAILS = ["=a@example.com", "b@example.com", None, "+c@example.com"]
STATES = ["published", "pending", "rejected", "hidden", "spam", "published", "withdrawn"]
CHANNELS = ["online", "paper", "email", "phone", "event"]
REACTIONS = ["yes", "partly", "no", None]
REJECTIONS = ["off-topic", "=a reason we no longer know", "abusive"]


def make_dataset(app: Flask) -> None:
    """The comments, straight into the tables so that every value is fixed."""
    with app.app_context():
        version = documents.get_current_version()
        consultation_id = consultations.get_current_consultation().id
        sections = list(db.session.scalars(select(Section.id).order_by(Section.id)))
        items = list(db.session.scalars(select(PracticeItem.id).order_by(PracticeItem.id)))
        # Labels staff write can look like formulas too.
        db.session.execute(update(Section).where(Section.id == sections[1]).values(heading="=Section two"))
        db.session.execute(update(PracticeItem).where(PracticeItem.id == items[0]).values(text="-An example"))
        rows = []
        for number in range(42):
            state = STATES[number % len(STATES)]
            created = MOMENTS[number % len(MOMENTS)]
            redacted = number % 5 == 0
            rows.append(
                {
                    "reference": f"CP-{number:06d}",
                    "submission_key": f"pinned-{number}",
                    "document_version_id": version.id,
                    "consultation_id": consultation_id,
                    "section_id": None if number % 4 == 0 else sections[number % len(sections)],
                    "practice_item_id": items[number % len(items)] if number % 3 == 0 else None,
                    "reaction": REACTIONS[number % len(REACTIONS)],
                    "body": TEXTS[number % len(TEXTS)],
                    "public_body": "-[name removed] said =SUM(A1)" if redacted else None,
                    "author_name": NAMES[number % len(NAMES)],
                    "author_email": EMAILS[number % len(EMAILS)],
                    "state": state,
                    "rejection_reason": REJECTIONS[number % len(REJECTIONS)] if state == "rejected" else None,
                    "created_at": created,
                    "published_at": MOMENTS[(number + 2) % len(MOMENTS)] if state == "published" else None,
                    "channel": CHANNELS[number % len(CHANNELS)],
                    "received_at": date(2026, 3, 28) if number % 5 == 1 else None,
                    "wants_updates": number % 2 == 0,
                    "wants_involvement": number % 3 == 0,
                }
            )
        db.session.execute(Comment.__table__.insert(), rows)
        ids = list(db.session.scalars(select(Comment.id).order_by(Comment.id)))
        tags = []
        for name in ["transport", "=SUM(A1)", "accessible meetings", "-minus"]:
            tag = Tag(name=name)
            db.session.add(tag)
            db.session.flush()
            tags.append(tag.id)
        db.session.execute(
            comment_tag.insert(),
            [
                {"comment_id": comment_id, "tag_id": tag_id}
                for index, comment_id in enumerate(ids)
                for tag_id in tags[: index % 4]
                if index % 3 != 2
            ],
        )
        db.session.execute(
            Report.__table__.insert(),
            [
                {"comment_id": comment_id, "reason": "abusive", "reporter_key": f"r{index}-{n}"}
                for index, comment_id in enumerate(ids)
                for n in range(index % 3)
            ],
        )
        db.session.commit()
    author_id = make_staff(app, role="admin")
    with app.app_context():
        for index, comment_id in enumerate(ids):
            if index % 4 == 0:
                db.session.add(
                    CommentResponse(
                        comment_id=comment_id,
                        body=["=We heard you", "Thank you, we changed it", "-Noted"][index % 3],
                        state="published" if index % 8 == 0 else "draft",
                        author_id=author_id,
                        published_at=MOMENTS[index % len(MOMENTS)] if index % 8 == 0 else None,
                    )
                )
        db.session.commit()


def export(app: Flask, profile: str, contact: bool, file_format: str) -> bytes:
    with app.app_context():
        request = exports.ExportRequest(profile, contact_details=contact, file_format=file_format)
        return b"".join(exports.stream_export(request, actor_id=None, via="command line", system_user="test"))


def worksheets(data: bytes) -> bytes:
    """What a workbook holds, without the moment it was made."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(name for name in archive.namelist() if name != "docProps/core.xml")
        return b"\n".join(name.encode() + b"\n" + archive.read(name) for name in names)


CASES = [
    ("internal", True, "csv"),
    ("internal", False, "csv"),
    ("open", False, "csv"),
    ("internal", True, "xlsx"),
    ("open", False, "xlsx"),
]


@pytest.mark.parametrize("batch_size", [1000, 4])
@pytest.mark.parametrize(("profile", "contact", "file_format"), CASES)
def test_every_file_is_exactly_as_before(app, monkeypatch, profile, contact, file_format, batch_size):
    # Small batches too: rows and their themes, reports and responses must not slip across them.
    monkeypatch.setattr(export_stream, "BATCH_SIZE", batch_size)
    make_dataset(app)
    data = export(app, profile, contact, file_format)
    if file_format == "xlsx":
        data = worksheets(data)
    path = PINNED / f"{profile}{'-contact' if contact else ''}.{file_format}.pinned"
    if os.environ.get("PIN_EXPORTS") == "write" and batch_size == 1000:
        path.write_bytes(data)
    assert data == path.read_bytes()
