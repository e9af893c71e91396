"""The subject-access file: everything held about a person, for them to read and to take away.

A zip holding two files made from the same rows: a plain-text file anyone can read, and a
JSON file for a machine (data portability). A zip because people can open it anywhere, and
it keeps the readable and the machine-readable parts apart, each in its usual form.

It streams: rows are read in keyset batches and compressed as they come, into chunks that
leave at once. Nothing is written to disk, so a stopped download leaves no file behind, and
a person with thousands of comments takes the same memory as one with one. The export is on
the audit log (a keyed code of the address, and counts) before its first byte is sent.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import StaffUser
from feedback_portal.services import audit
from feedback_portal.services.exceptions import NothingHeld
from feedback_portal.services.privacy.people import (
    PersonRecord,
    audit_details,
    find_person,
    normalise,
)
from feedback_portal.services.privacy.registry import Holding
from feedback_portal.uk_time import uk_datetime

BATCH_SIZE = 500
TEXT_NAME = "your-information.txt"
JSON_NAME = "your-information.json"
FILENAME = "subject-access.zip"


class _Chunks(io.RawIOBase):
    """A write-only stream that zipfile writes into and the download takes from.

    It cannot seek, so zipfile writes each entry's sizes after its data, as streaming needs.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


def _rows(holding: Holding, address: str) -> Iterator[Any]:
    last_id = 0
    while True:
        batch = list(
            db.session.scalars(
                select(holding.model)
                .options(*holding.load)
                .where(holding.match(address), holding.model.id > last_id)
                .order_by(holding.model.id)
                .limit(BATCH_SIZE)
            )
        )
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        last_id = batch[-1].id
        # Each batch's rows are not needed again: memory stays that of one batch.
        for row in batch:
            db.session.expunge(row)


def _readable(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, datetime):
        return uk_datetime(value)
    return str(value)


def _machine(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _text_parts(address: str, record: PersonRecord, made_at: datetime) -> Iterator[str]:
    yield (
        "Information held about the person who used the email address\n"
        f"{address}\n\nMade {uk_datetime(made_at)}.\n"
        f"The same information is in {JSON_NAME}, for a computer to read.\n"
    )
    for group in record.groups:
        yield f"\n\n{group.holding.label} ({group.count})\n{'=' * len(group.holding.label)}\n"
        if not group.count:
            yield "None.\n"
        for number, row in enumerate(_rows(group.holding, address), start=1):
            yield f"\n{number}.\n"
            for field, value in group.holding.field_values(row):
                yield f"{field.label}: {_readable(value)}\n"
    if record.mentions:
        yield "\n\nOther places the address is written\n===================================\n"
        for where, count in record.mentions.items():
            yield f"{where}: {count}\n"
    if record.not_findable:
        yield "\n\nWhat cannot be found by an email address\n=======================================\n"
        for note in record.not_findable:
            yield f"{note}\n"


def _json_parts(address: str, record: PersonRecord, made_at: datetime) -> Iterator[str]:
    yield "{" + f'"email_address": {json.dumps(address)}, "made_at": {json.dumps(made_at.isoformat())}'
    for group in record.groups:
        yield f", {json.dumps(group.holding.key)}: ["
        for number, row in enumerate(_rows(group.holding, address)):
            values = {field.key: _machine(value) for field, value in group.holding.field_values(row)}
            yield ("" if number == 0 else ", ") + json.dumps(values, ensure_ascii=False)
        yield "]"
    yield f', "other_mentions": {json.dumps(record.mentions)}'
    yield f', "not_findable_by_email": {json.dumps(record.not_findable, ensure_ascii=False)}' + "}\n"


def stream_subject_access(
    address: str,
    actor: StaffUser | None,
    via: str,
    system_user: str | None = None,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """The zip, in chunks. NothingHeld, before any byte, when nobody used the address.

    Run it inside the request (stream_with_context) or app context: its queries run as it streams.
    """
    address = normalise(address)
    made_at = now or datetime.now(UTC)
    record = find_person(address, shown=0)
    if record.nothing_held:
        db.session.rollback()
        raise NothingHeld("No information is held for that email address.")
    audit.record("privacy.exported", actor, details=audit_details(address, record.counts(), via, system_user))
    db.session.commit()
    return _zip(address, record, made_at)


def _zip(address: str, record: PersonRecord, made_at: datetime) -> Iterator[bytes]:
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, parts in ((TEXT_NAME, _text_parts), (JSON_NAME, _json_parts)):
            info = zipfile.ZipInfo(name, date_time=made_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as entry:
                for part in parts(address, record, made_at):
                    entry.write(part.encode())
                    if chunk := sink.take():
                        yield chunk
    yield sink.take()
