"""Measure the staff export against the csv module (and XlsxWriter) writing the same rows
from memory: not a test, run by hand.

    python scripts/measure_export.py [COMMENTS] [--database-url URL] [--memory]

Makes a scratch database (SQLite in a temporary folder, or a new PostgreSQL database beside
URL), bulk inserts COMMENTS comments (default 100,000) with themes, reports, redactions and
formula-looking text, then times `stream_export` for the internal file (with contact
details) as CSV and as a workbook. The baseline is the same rows, read back from the CSV
file into a list of lists of strings, written by csv.writer (QUOTE_ALL, CRLF) to a buffer
emptied every 16 KB, and by XlsxWriter in constant-memory mode. With --memory, nothing is
timed: each export runs once watching the process's resident memory at every chunk (its
peak above what it was before the export), then once under tracemalloc (the peak of what
Python allocated).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from xlsxwriter import Workbook

from feedback_portal import create_app
from feedback_portal.extensions import db
from feedback_portal.models import Comment, PracticeItem, Report, Section, Tag, comment_tag
from feedback_portal.services import consultations, documents
from feedback_portal.services import export as exports
from feedback_portal.services.documents import seed_document

TEXTS = [
    "A comment long enough to count, " * 6,
    "=1+1 is what I think",
    "-2+3 and more",
    'He said "fine", then "no", commas, and\nnew lines',
    "یہ تعریف واضح ہے — এই সংজ্ঞাটি পরিষ্কার 👍🏽",
]


def fill(count: int) -> None:
    rng = random.Random(15)  # noqa: S311 (made-up data, not a secret)
    version_id = documents.get_current_version().id
    consultation_id = consultations.get_current_consultation().id
    sections = list(db.session.scalars(Section.__table__.select().with_only_columns(Section.id)))
    items = list(db.session.scalars(PracticeItem.__table__.select().with_only_columns(PracticeItem.id)))
    tags = []
    for name in ["transport", "housing", "=SUM(A1)", "accessible meetings"]:
        tag = Tag(name=name)
        db.session.add(tag)
        db.session.flush()
        tags.append(tag.id)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch = 20_000
    for first in range(0, count, batch):
        rows = []
        for number in range(first, min(count, first + batch)):
            created = start + timedelta(seconds=number * 317, microseconds=rng.randrange(1_000_000))
            redacted = number % 10 == 0
            state = ["published", "pending", "rejected", "published", "hidden"][number % 5]
            rows.append(
                {
                    "reference": f"T-{number:09d}",
                    "submission_key": f"bulk-{number}",
                    "document_version_id": version_id,
                    "consultation_id": consultation_id,
                    "section_id": rng.choice(sections) if number % 7 else None,
                    "practice_item_id": rng.choice(items) if number % 3 == 0 else None,
                    "reaction": ["yes", "partly", "no", None][number % 4],
                    "body": f"{TEXTS[number % len(TEXTS)]}{number}",
                    "public_body": "-[name removed] said so" if redacted else None,
                    "author_name": f"Person {number}" if number % 2 else "=cmd|' /C calc'!A0",
                    "author_email": f"person{number}@example.com",
                    "state": state,
                    "rejection_reason": "off-topic" if state == "rejected" else None,
                    "created_at": created,
                    "published_at": created + timedelta(hours=3) if state == "published" else None,
                    "wants_updates": number % 2 == 0,
                    "wants_involvement": number % 3 == 0,
                }
            )
        db.session.execute(Comment.__table__.insert(), rows)
    db.session.flush()
    ids = [
        first_id
        for (first_id,) in db.session.execute(Comment.__table__.select().with_only_columns(Comment.id))
    ]
    db.session.execute(
        comment_tag.insert(),
        [
            {"comment_id": comment_id, "tag_id": tags[comment_id % 4]}
            for comment_id in ids
            if comment_id % 10 < 2
        ],
    )
    db.session.execute(
        Report.__table__.insert(),
        [
            {
                "comment_id": comment_id,
                "reason": "abusive",
                "reporter_key": f"r{comment_id}",
                "created_at": start,
            }
            for comment_id in ids
            if comment_id % 20 == 0
        ],
    )
    db.session.commit()


class Sink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)


def resident() -> int:
    """The process's resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def rss_growth(file_format: str) -> int:
    request = exports.ExportRequest(exports.INTERNAL, contact_details=True, file_format=file_format)
    before = peak = resident()
    for _ in exports.stream_export(request, actor_id=None, via="command line", system_user="measure"):
        peak = max(peak, resident())
    return peak - before


def run_export(file_format: str, keep: bool = False) -> tuple[float, bytes | int]:
    request = exports.ExportRequest(exports.INTERNAL, contact_details=True, file_format=file_format)
    started = time.perf_counter()
    chunks = exports.stream_export(request, actor_id=None, via="command line", system_user="measure")
    if keep:
        data = b"".join(chunks)
        return time.perf_counter() - started, data
    size = 0
    for chunk in chunks:
        size += len(chunk)
    return time.perf_counter() - started, size


def processor_time_of(baseline):
    def measured(rows: list[list[str]]) -> float:
        started = time.process_time()
        baseline(rows)
        return time.process_time() - started

    return measured


def csv_baseline(rows: list[list[str]]) -> float:
    started = time.perf_counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    size = 0
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= 16 * 1024:
            size += len(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    size += len(buffer.getvalue().encode())
    return time.perf_counter() - started


def xlsx_baseline(rows: Iterable[list[str]]) -> float:
    started = time.perf_counter()
    options = {"constant_memory": True, "in_memory": False}
    with (
        tempfile.TemporaryDirectory() as scratch,
        Workbook(str(Path(scratch) / "b.xlsx"), {**options, "tmpdir": scratch}) as workbook,
    ):
        sheet = workbook.add_worksheet("Comments")
        cell = workbook.add_format({"num_format": 49})
        for number, row in enumerate(rows):
            for column, value in enumerate(row):
                if value:
                    sheet.write_string(number, column, value, cell)
    return time.perf_counter() - started


def best(function, argument, repeats: int = 3) -> float:
    return min(function(argument) for _ in range(repeats))


def export_time(file_format: str) -> float:
    return run_export(file_format)[0]


def export_cpu_time(file_format: str) -> float:
    """This process's processor time for an export: less moved by other work on the machine
    than the time on the clock, and without the database server's share."""
    started = time.process_time()
    run_export(file_format)
    return time.process_time() - started


def compare(repeats: int) -> None:
    _, data = run_export(exports.CSV, keep=True)
    assert isinstance(data, bytes)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    del data
    for file_format, baseline in ((exports.CSV, csv_baseline), (exports.XLSX, xlsx_baseline)):
        exported = best(export_time, file_format, repeats)
        processor = best(export_cpu_time, file_format, repeats)
        base = best(baseline, rows, repeats)
        base_processor = best(processor_time_of(baseline), rows, repeats)
        print(
            f"{file_format}: export {exported:.2f} s ({processor:.2f} s of this process's processor "
            f"time), baseline {base:.2f} s, ratio (baseline / export) {base / exported:.2f}, "
            f"by processor time {base_processor:.2f} / {processor:.2f} = {base_processor / processor:.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("comments", type=int, nargs="?", default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx", help="with --memory: which files to make")
    parser.add_argument("--no-tracemalloc", action="store_true", help="with --memory: resident memory only")
    arguments = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="measure-export-")
    admin = None
    name = f"measure_export_{uuid.uuid4().hex[:8]}"
    if arguments.database_url:
        admin = create_engine(arguments.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(arguments.database_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{scratch}/measure.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            seed_document()
            started = time.perf_counter()
            fill(arguments.comments)
            print(
                f"{db.engine.dialect.name}: {arguments.comments:,} comments inserted in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            db.session.remove()
            if arguments.memory:
                for file_format in arguments.formats.split(","):
                    growth = rss_growth(file_format)
                    print(f"{file_format}: resident memory grew {growth / 1e6:.1f} MB at most", flush=True)
                    if not arguments.no_tracemalloc:
                        tracemalloc.start()
                        run_export(file_format)
                        _, peak = tracemalloc.get_traced_memory()
                        tracemalloc.stop()
                        print(f"{file_format}: tracemalloc peak {peak / 1e6:.1f} MB", flush=True)
            else:
                compare(arguments.repeats)
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    os.environ.setdefault("FLASK_DEBUG", "0")
    main()
