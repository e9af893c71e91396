"""Finding, exporting and erasing a person by email address, from the command line and the service."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import String, Text, func, select

from feedback_portal.extensions import db
from feedback_portal.models import (
    AuditEntry,
    Comment,
    CommentNote,
    ConsentRecord,
    InvolvementOffer,
    OutboxMessage,
    OutboxStatus,
)
from feedback_portal.services import privacy
from feedback_portal.services.privacy import people
from feedback_portal.services.privacy.registry import Holding
from tests.helpers.people import ADDRESS, OTHER_ADDRESS, columns_holding, make_person, submit

CONTACT_COLUMN = re.compile(r"email|name|phone|recipient")


def test_every_column_named_like_contact_details_is_listed(app: Flask) -> None:
    """A new table or column holding an email, name or phone must join the list of where they live."""
    covered = {f"{h.model.__tablename__}.{column}" for h in privacy.HOLDINGS for column in h.columns}
    reasons = set(privacy.NOT_PUBLIC_CONTACT_DETAILS)
    named_like = {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | Text) and CONTACT_COLUMN.search(column.name)
    }
    assert named_like - covered - reasons == set(), "add these to services/privacy/registry.py"
    assert (covered | reasons) - named_like == set(), "these listed columns no longer exist"


def _audit(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return entries


def test_find_lists_comments_offers_consents_and_emails(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = make_person(app, tmp_path)
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(args=["privacy", "find", ADDRESS.upper()])
    assert result.exit_code == 0, result.output
    assert "Comments: 2" in result.output
    # The offer, and one from each comment's "work with the team" tick (sharing its consent).
    assert "Offers to get involved: 3" in result.output
    assert "Consents: 5" in result.output  # updates and involvement with each comment, and the offer's
    assert "Emails queued or sent: 5" in result.output  # a receipt for each comment and each offer
    assert all(reference in result.output for reference in data.references)
    assert data.other_reference not in result.output
    assert "Also written in comment.body: 1" in result.output
    assert "Also written in comment_note.text: 1" in result.output
    [entry] = [e for e in _audit(app) if e.action == "privacy.found"]
    with app.app_context():
        assert entry.details["subject"] == privacy.subject_code(ADDRESS)
    assert entry.details["comments"] == 2
    assert ADDRESS.lower() not in json.dumps(entry.details).lower()
    assert ADDRESS.lower() not in caplog.text.lower()


def test_find_for_an_unused_address_says_so(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["privacy", "find", "nobody@example.org"])
    assert result.exit_code == 0
    assert "No information is held for that email address." in result.output


def test_erase_leaves_the_address_in_no_column_of_any_table(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = make_person(app, tmp_path)
    with app.app_context():
        assert "outbox_message.recipient" in columns_holding(ADDRESS)
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(args=["privacy", "erase", ADDRESS, "--yes"])
    assert result.exit_code == 0, result.output
    assert "2 comments anonymised, 3 offers deleted, 5 consents withdrawn" in result.output
    with app.app_context():
        assert columns_holding(ADDRESS) == []
        comments = {c.reference: c for c in db.session.scalars(select(Comment))}
        mine = [comments[reference] for reference in data.references]
        assert [c.body for c in mine] == [
            "It reads well to me.",
            "Write to me at [email address removed] please.",
        ]
        assert all(c.author_name is None and c.author_email is None and not c.wants_updates for c in mine)
        other = comments[data.other_reference]
        assert other.body == "Ask [email address removed] about this."
        assert (other.author_name, other.author_email) == ("Alex", OTHER_ADDRESS)
        assert db.session.scalar(select(func.count()).select_from(InvolvementOffer)) == 0
        consents = list(db.session.scalars(select(ConsentRecord)))
        assert len(consents) == 5
        assert all(
            c.withdrawn_at and c.comment_id is None and c.involvement_offer_id is None for c in consents
        )
        emails = {
            m.status: m
            for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient != OTHER_ADDRESS))
        }
        assert set(emails) == {OutboxStatus.SENT, OutboxStatus.CANCELLED}  # the queued one never goes
        assert all(m.recipient == "" and m.text_body == "" and m.html_body == "" for m in emails.values())
        assert db.session.scalar(select(CommentNote.text)) == "Asked [email address removed] by phone."
    [entry] = [e for e in _audit(app) if e.action == "privacy.erased"]
    with app.app_context():
        assert entry.details["subject"] == privacy.subject_code(ADDRESS)
    assert entry.details["mentions"] == 3
    assert ADDRESS.lower() not in caplog.text.lower()


def test_erasing_an_address_nobody_used_says_so_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    submit(app, "A comment.", "Alex", OTHER_ADDRESS)
    before = _audit(app)
    result = runner.invoke(args=["privacy", "erase", "nobody@example.org", "--yes"])
    assert result.exit_code == 1
    assert "No information is held for that email address. Nothing was changed." in result.output
    assert len(_audit(app)) == len(before)
    with app.app_context():
        assert db.session.scalar(select(Comment.author_email)) == OTHER_ADDRESS


def test_erase_asks_before_it_erases(app: Flask, runner: FlaskCliRunner) -> None:
    submit(app, "A comment.", "Sam", ADDRESS)
    result = runner.invoke(args=["privacy", "erase", ADDRESS], input="n\n")
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(Comment.author_email)) == ADDRESS


def test_an_erasure_that_fails_half_way_leaves_nothing_half_erased(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_person(app, tmp_path)

    def fail(ids: object, now: object) -> None:
        raise RuntimeError("the database went away")

    broken = Holding(
        key="broken",
        label="Broken",
        model=InvolvementOffer,
        columns=(),
        match=privacy.HOLDINGS[2].match,
        fields=(),
        summary=(),
        erase=fail,
        erasure="",
    )
    # After consents and comments are erased, before offers and emails.
    monkeypatch.setattr(people, "HOLDINGS", (*privacy.HOLDINGS[:2], broken, *privacy.HOLDINGS[2:]))
    with app.app_context():
        held_before = columns_holding(ADDRESS)
        with pytest.raises(RuntimeError):
            privacy.erase_person(ADDRESS, None, via="test")
        assert columns_holding(ADDRESS) == held_before
        assert db.session.scalar(select(func.count()).select_from(InvolvementOffer)) == 3
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "privacy.erased")) == 0
    monkeypatch.undo()
    with app.app_context():
        privacy.erase_person(ADDRESS, None, via="test")  # safe to run again: it finishes the job
        assert columns_holding(ADDRESS) == []


def _read_zip(data: bytes) -> tuple[str, dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["your-information.txt", "your-information.json"]
        text = archive.read("your-information.txt").decode()
        return text, json.loads(archive.read("your-information.json"))


def test_export_writes_a_readable_file_and_its_json(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    data = make_person(app, tmp_path / "mail")
    output = tmp_path / "sam.zip"
    result = runner.invoke(args=["privacy", "export", ADDRESS, "--output", str(output)])
    assert result.exit_code == 0, result.output
    text, machine = _read_zip(output.read_bytes())
    assert "Comments (2)" in text
    assert "Comment: Write to me at sam.person@example.org please." in text
    assert "Access needs: Step-free access" in text
    assert [c["reference"] for c in machine["comments"]] == data.references
    assert "0121 496 0000" in [offer["phone"] for offer in machine["offers"]]
    assert {c["purpose"] for c in machine["consents"]} == {
        "To hear what happens with their feedback",
        "To be contacted about working with the team",
    }
    assert len(machine["emails"]) == 5  # a receipt for each comment and each offer
    assert machine["other_mentions"] == {"comment.body": 1, "comment_note.text": 1}
    [entry] = [e for e in _audit(app) if e.action == "privacy.exported"]
    with app.app_context():
        assert entry.details["subject"] == privacy.subject_code(ADDRESS)
    assert entry.details["via"] == "command line"


def test_export_for_an_address_nobody_used_writes_no_file(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    output = tmp_path / "nobody.zip"
    result = runner.invoke(args=["privacy", "export", "nobody@example.org", "--output", str(output)])
    assert result.exit_code == 1
    assert "No information is held" in result.output
    assert not output.exists()


def test_an_export_of_thousands_of_comments_streams_with_no_temporary_file(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit(app, "The first of many.", "Sam", ADDRESS)
    with app.app_context():
        first = db.session.scalar(select(Comment))
        db.session.add_all(
            Comment(
                reference=f"CP-T{number:05d}",
                submission_key=f"key-{number}",
                document_version_id=first.document_version_id,
                consultation_id=first.consultation_id,
                section_id=first.section_id,
                # Text that does not compress, as a real person's would not to nothing.
                body=f"Comment number {number}: {uuid.uuid4().hex} {uuid.uuid4().hex}",
                author_email=ADDRESS,
            )
            for number in range(3000)
        )
        db.session.commit()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr("tempfile.tempdir", str(temporary))
    with app.app_context():
        chunks = privacy.stream_subject_access(ADDRESS, None, via="test")
        first_chunk = next(chunks)
        assert first_chunk.startswith(b"PK")  # bytes leave before the rows are all read
        received = [first_chunk, *chunks]
    assert len(received) > 10
    assert list(temporary.iterdir()) == []
    text, machine = _read_zip(b"".join(received))
    assert len(machine["comments"]) == 3001
    assert "Comment: Comment number 2999: " in text
