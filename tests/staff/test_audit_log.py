"""The audit log: who did what, filtered, paged without OFFSET, downloaded as safe CSV, append-only.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from feedback_portal.extensions import db
from feedback_portal.models import AuditEntry
from feedback_portal.services import accounts, audit
from feedback_portal.services.audit import CSV_HEADER
from feedback_portal.services.csv_files import safe_cell, stream_csv
from tests.factories import comment_post, make_staff, sign_in, signed_in_client
from tests.helpers.uk_time import in_uk_words
from tests.pages import check_page, heading, parse, text_of
from tests.staff.admin_helpers import assert_refused_to, audit_entries, error_messages, get_staff, post

GETS = ["/staff/audit", "/staff/audit.csv", "/staff/audit?action=sign_in.success"]


@pytest.fixture
def admin(app):
    return signed_in_client(app, role="admin")


def add_entry(app, action: str = "test.action", actor_email: str | None = None, **fields) -> int:
    """An entry written the way the app writes one, committed. Returns its id."""
    with app.app_context():
        actor = accounts.find_user_by_email(actor_email) if actor_email else None
        entry = audit.record(action, actor, **fields)
        db.session.commit()
        return entry.id


def entry_ids_on(soup) -> list[int]:
    return [int(row["data-entry-id"]) for row in soup.select("#audit-entries tbody tr")]


def all_ids_newest_first(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry.id).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
            )
        )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


# Only admins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_other_roles_are_refused_the_audit_log_and_its_download(app, role):
    assert_refused_to(app, signed_in_client(app, role=role), GETS, [])
    assert audit_entries(app, "audit_log.export") == []


def test_someone_not_signed_in_is_sent_to_sign_in(app):
    assert_refused_to(app, None, GETS, [])


# The page ---------------------------------------------------------------------------------


def test_entries_are_listed_newest_first_with_who_what_which_record_and_when(app, admin):
    # Relative to now: the admin's own sign-in happens now, between these two entries.
    at = datetime.now(UTC).replace(second=15, microsecond=0) - timedelta(days=1)
    add_entry(
        app,
        "comment.publish",
        "admin@example.gov.uk",
        record_type="comment",
        record_id=42,
        before={"state": "pending"},
        after={"state": "published"},
        details={"reason": "<script>alert(1)</script>", "count": 3},
        now=at + timedelta(days=1, hours=1),
    )
    add_entry(app, "sign_in.failure", None, details={"reason": "unknown-account"}, now=at)
    response = admin.get("/staff/audit")
    soup = check_page(response)
    assert heading(soup) == "Audit log"
    rows = soup.select("#audit-entries tbody tr")
    cells = [[text_of(cell) for cell in row.select("td")] for row in rows]
    assert cells[0] == [
        in_uk_words(at + timedelta(days=1, hours=1)),
        "admin@example.gov.uk",
        "Published a comment (comment.publish)",
        "Comment 42",
        "state: pending → changed to state: published",
        "reason: <script>alert(1)</script>; count: 3",
    ]
    assert rows[0].select_one("a[href='/staff/comments/42']") is not None
    assert rows[0].select_one("td bdi").get_text() == "admin@example.gov.uk"
    assert rows[0].select_one("time")["datetime"] == (at + timedelta(days=1, hours=1)).isoformat()
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    failure = cells[-1]
    assert failure == [
        in_uk_words(at),
        "—",
        "Failed to sign in (sign_in.failure)",
        "—",
        "",
        "reason: unknown-account",
    ]
    # The admin's own account and sign-in are in between, linking to the account.
    me = get_staff(app, "admin@example.gov.uk")
    assert [c[2] for c in cells[1:-1]] == [
        "Signed in (sign_in.success)",
        "Added a staff account (account.create)",
    ]
    assert rows[1].select_one(f"a[href='/staff/users/{me.id}']") is not None


def test_the_log_can_be_filtered_by_action_person_record_type_and_dates(app, admin):
    make_staff(app, role="moderator", email="mo@example.gov.uk")
    mo = get_staff(app, "mo@example.gov.uk")
    day = datetime(2026, 1, 10, 12, tzinfo=UTC)
    first = add_entry(
        app, "comment.publish", "mo@example.gov.uk", record_type="comment", record_id=1, now=day
    )
    second = add_entry(
        app,
        "comment.reject",
        "mo@example.gov.uk",
        record_type="comment",
        record_id=2,
        now=day + timedelta(days=5),
    )
    third = add_entry(
        app,
        "comment.publish",
        "admin@example.gov.uk",
        record_type="comment",
        record_id=3,
        now=day + timedelta(days=10, hours=11, minutes=59),
    )
    nobody = add_entry(app, "sign_in.failure", None, details={"reason": "unknown-account"}, now=day)

    def ids(**args) -> list[int]:
        soup = check_page(admin.get("/staff/audit", query_string=args))
        assert not soup.select(".govuk-error-summary")
        return entry_ids_on(soup)

    assert ids(action="comment.publish") == [third, first]
    assert ids(actor=str(mo.id)) == [second, first]
    assert ids(actor="none", action="sign_in.failure") == [nobody]
    assert ids(record_type="comment") == [third, second, first]
    assert ids(action="comment.publish", actor=str(mo.id)) == [first]
    assert ids(date_from="2026-01-15", date_to="2026-01-20", record_type="comment") == [third, second]
    assert ids(date_from="2026-01-10", date_to="2026-01-10") == [nobody, first]
    assert ids(date_to="2026-01-14") == [nobody, first]

    soup = check_page(
        admin.get("/staff/audit", query_string={"action": "comment.publish", "date_from": "2026-01-15"})
    )
    # The form keeps the filters, and the download and page links keep them too.
    assert soup.select_one("#action option[selected]")["value"] == "comment.publish"
    assert soup.select_one("#date_from")["value"] == "2026-01-15"
    download = soup.select_one("a[href^='/staff/audit.csv']")["href"]
    assert parse_qs(urlsplit(download).query) == {"action": ["comment.publish"], "date_from": ["2026-01-15"]}


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (
            {"date_from": "2026-01-20", "date_to": "2026-01-10"},
            "date_to",
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
        ({"date_from": "2026-02-30"}, "date_from", "The from date must be a real date, like 2026-11-26"),
        ({"date_to": "10/01/2026"}, "date_to", "Enter the to date as year-month-day, like 2026-11-26"),
        ({"action": "no.such.action"}, "action", "Select an action from the list"),
        ({"actor": "99999"}, "actor", "Select a person from the list"),
        ({"record_type": "<b>"}, "record_type", "Select a record type from the list"),
    ],
)
def test_filters_that_cannot_be_used_say_what_to_fix(app, admin, args, field, message):
    response = admin.get("/staff/audit", query_string=args)
    soup = check_page(response)
    assert soup.title.get_text().startswith("Error: Audit log")
    assert error_messages(response) == [message]
    assert soup.select_one(".govuk-error-summary__list a")["href"] == f"#{field}"
    assert soup.select_one("#audit-entries") is None
    for name, value in args.items():
        if name.startswith("date"):
            assert soup.select_one(f"#{name}")["value"] == value
    # The download refuses them too, and sends the person to the page that explains.
    download = admin.get("/staff/audit.csv", query_string=args)
    assert download.status_code == 302 and urlsplit(download.headers["Location"]).path == "/staff/audit"
    assert audit_entries(app, "audit_log.export") == []


def test_pages_of_50_walk_the_whole_log_without_offset_or_duplicates(app, admin):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with app.app_context():
        for number in range(130):
            # Groups of three share a moment, so the id must break the ties.
            audit.record("test.action", None, "comment", number, now=start + timedelta(seconds=number // 3))
        db.session.commit()
    expected = all_ids_newest_first(app)
    assert len(expected) == 132

    statements: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        seen: list[int] = []
        pages = []
        path = "/staff/audit"
        while path:
            soup = check_page(admin.get(path))
            ids = entry_ids_on(soup)
            pages.append(ids)
            seen += ids
            next_link = soup.select_one(".govuk-pagination__next a")
            path = next_link["href"] if next_link else None
        assert [len(page) for page in pages] == [50, 50, 32]
        assert seen == expected
        # And back again from the last page, newest first on every page.
        back = [pages[-1]]
        while (previous := soup.select_one(".govuk-pagination__prev a")) is not None:
            soup = check_page(admin.get(previous["href"]))
            back.append(entry_ids_on(soup))
        assert back[::-1] == pages
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    audit_queries = [s for s, _ in statements if "FROM audit_entry" in s and "LIMIT" in s.upper()]
    assert audit_queries, "the pages did not query the audit log"
    assert any("(audit_entry.occurred_at, audit_entry.id) <" in s for s in audit_queries)
    assert any("(audit_entry.occurred_at, audit_entry.id) >" in s for s in audit_queries)
    for statement, parameters in statements:
        if "OFFSET" in statement.upper():
            # SQLAlchemy's SQLite dialect writes every LIMIT as "LIMIT ? OFFSET ?" with an
            # offset of 0, which skips nothing; any other OFFSET is a page read by skipping.
            assert engine.dialect.name == "sqlite", statement
            assert statement.rstrip().endswith("LIMIT ? OFFSET ?"), statement
            assert parameters[-1] == 0, statement


def test_a_cursor_that_is_not_one_of_ours_shows_the_first_page(app, admin):
    first = entry_ids_on(check_page(admin.get("/staff/audit")))
    for junk in ["x", "1.2.3", "-", "99999999999999999999.1", "'; DROP TABLE audit_entry; --"]:
        assert entry_ids_on(check_page(admin.get("/staff/audit", query_string={"older": junk}))) == first


# The download -------------------------------------------------------------------------------


def test_the_download_is_csv_that_parses_back_to_the_log_with_formulas_made_harmless(app, admin):
    make_staff(app, role="analyst", email="-dash@example.gov.uk")
    at = datetime(2026, 11, 20, 8, 5, 9, tzinfo=UTC)
    formula = add_entry(app, "=cmd()", None, record_type="+type", details={"reason": "=cmd()"}, now=at)
    unicode_entry = add_entry(
        app,
        "test.action",
        "-dash@example.gov.uk",
        record_type="staff_user",
        record_id=7,
        before={"role": "moderator"},
        after={"role": "admin", "list": [1, "two"]},
        details={"note": 'Zoë said "hi", 👍🏽 یہ\nnext line', "at": "@home"},
        now=at + timedelta(minutes=1),
    )
    expected_ids = all_ids_newest_first(app)

    response = admin.get("/staff/audit.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert response.headers["Content-Disposition"] == f'attachment; filename="audit-log-{today}.csv"'
    assert response.headers["Cache-Control"] == "no-store"

    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    body = raw.decode("utf-8")[1:]
    # Every record ends with CRLF; the only bare LF is the one inside a quoted cell.
    assert body.endswith("\r\n")
    assert body.replace("\r\n", "").count("\n") == 1
    rows = read_csv(response)
    assert rows[0] == CSV_HEADER
    # Every cell is quoted, and the file is exactly what writing the parsed rows gives back.
    rewritten = io.StringIO()
    csv.writer(rewritten, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    assert rewritten.getvalue() == body
    assert [int(row[1]) for row in rows[1:]] == expected_ids
    by_id = {int(row[1]): row for row in rows[1:]}
    assert by_id[formula] == [
        "2026-11-20 08:05:09",
        str(formula),
        "",
        "'=cmd()",
        "'+type",
        "",
        "",
        "",
        "reason: =cmd()",
    ]
    assert by_id[unicode_entry] == [
        "2026-11-20 08:06:09",
        str(unicode_entry),
        "'-dash@example.gov.uk",
        "test.action",
        "staff_user",
        "7",
        "role: moderator",
        'role: admin; list: [1, "two"]',
        'note: Zoë said "hi", 👍🏽 یہ\nnext line; at: @home',
    ]
    assert all(len(row) == len(CSV_HEADER) for row in rows)

    [export] = audit_entries(app, "audit_log.export")
    assert export.actor_id == get_staff(app, "admin@example.gov.uk").id
    assert export.details == {"format": "csv", "filters": {}, "row_count": len(rows) - 1}
    # The export's own entry is not in the file it describes.
    assert export.id not in by_id


def test_the_download_has_the_same_filters_as_the_page_and_records_them(app, admin):
    at = datetime(2026, 5, 1, tzinfo=UTC)
    wanted = add_entry(app, "comment.publish", None, record_type="comment", record_id=5, now=at)
    add_entry(app, "comment.publish", None, record_type="comment", record_id=6, now=at - timedelta(days=2))
    add_entry(app, "comment.reject", None, record_type="comment", record_id=7, now=at)
    args = {"action": "comment.publish", "date_from": "2026-04-30", "actor": "none"}
    response = admin.get("/staff/audit.csv", query_string=args)
    rows = read_csv(response)
    assert [int(row[1]) for row in rows[1:]] == [wanted]
    [export] = audit_entries(app, "audit_log.export")
    assert export.details == {"format": "csv", "filters": args, "row_count": 1}
    # The filters are recorded as ids and codes: an actor filter names an id, not an email.
    me = get_staff(app, "admin@example.gov.uk")
    admin.get("/staff/audit.csv", query_string={"actor": str(me.id)}).get_data()
    assert audit_entries(app, "audit_log.export")[-1].details["filters"] == {"actor": str(me.id)}


def test_each_download_is_recorded_once(app, admin):
    admin.get("/staff/audit.csv").get_data()
    admin.get("/staff/audit.csv").get_data()
    exports = audit_entries(app, "audit_log.export")
    assert len(exports) == 2
    # The second download includes the first one's entry, and counts it.
    assert exports[1].details["row_count"] == exports[0].details["row_count"] + 1


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1632 960001", "'+44 1632 960001"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("\0x", "'\0x"),
        ("plain = text", "plain = text"),
        ("", ""),
        (None, ""),
        (12, "12"),
        (True, "yes"),
        ("'already quoted", "'already quoted"),
    ],
)
def test_safe_cell_neutralises_anything_a_spreadsheet_would_run(value, cell):
    assert safe_cell(value) == cell


def test_stream_csv_reads_the_first_row_before_sending_anything():
    """A query that fails, fails before the header goes: an error page, not a cut-off file."""
    read: list[int] = []

    def rows():
        for number in range(3):
            read.append(number)
            yield [number, "=x"]

    chunks = stream_csv(["a", "b"], rows())
    assert next(chunks) == '\ufeff"a","b"\r\n"0","\'=x"\r\n'
    assert read == [0]
    assert "".join(chunks) == '"1","\'=x"\r\n"2","\'=x"\r\n'


def test_stream_csv_sends_nothing_when_the_first_row_fails():
    def rows():
        raise RuntimeError("the query failed")
        yield []

    with pytest.raises(RuntimeError):
        next(stream_csv(["a", "b"], rows()))


# Append-only, and nothing personal ----------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'x'",
        "DELETE FROM audit_entry",
        "UPDATE audit_entry SET details = NULL",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(app, statement):
    entry_id = add_entry(app, "test.action", None, details={"reason": "kept"})
    with app.app_context():
        with pytest.raises((DBAPIError, IntegrityError, OperationalError)) as refused:
            db.session.execute(text(statement))
            db.session.flush()
        assert "audit entries cannot be changed or deleted" in str(refused.value)
        db.session.rollback()
        entry = db.session.get(AuditEntry, entry_id)
        assert (entry.action, entry.details) == ("test.action", {"reason": "kept"})
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == 1


def test_no_code_in_the_portal_updates_or_deletes_an_audit_entry():
    from pathlib import Path

    import feedback_portal

    package = Path(feedback_portal.__file__).parent
    for source in package.rglob("*.py"):
        code = source.read_text()
        for pattern in (
            "update(AuditEntry",
            "delete(AuditEntry",
            "UPDATE audit_entry",
            "DELETE FROM audit_entry",
        ):
            assert pattern not in code, f"{source} has {pattern}"


def test_no_email_address_comment_text_password_or_token_reaches_the_audit_log(app, admin):
    # A sign-in that fails for an unknown account and a wrong password, a new account and
    # its link used to set a password, a role change, a disable, a setting, an export, and a
    # comment with contact details: none of it may put personal data in the log.
    sign_in(app.test_client(), "nobody-here@example.gov.uk", "a wrong password entirely")
    sign_in(app.test_client(), "admin@example.gov.uk", "a wrong password entirely")
    response = post(admin, "/staff/users/new", email="private.person@example.gov.uk", role="analyst")
    link = parse(admin.get(response.headers["Location"])).select_one("#password-link").get_text(strip=True)
    token = link.rsplit("/", 1)[1]
    person = app.test_client()
    path = urlsplit(link).path
    hidden = {
        f["name"]: f.get("value", "") for f in parse(person.get(path)).select("form input[type=hidden]")
    }
    password = "pebble lantern orchard quietly"
    person.post(path, data={**hidden, "password": password, "confirm": password})
    sign_in(person, "private.person@example.gov.uk", password)
    user_id = get_staff(app, "private.person@example.gov.uk").id
    post(admin, f"/staff/users/{user_id}/role", role="moderator")
    post(admin, f"/staff/users/{user_id}/disable")
    post(admin, "/staff/settings/moderation-mode", moderation_mode="post")
    public = app.test_client()
    comment_text = "My neighbour at 12 Example Road said this"
    public.post(
        "/definition/basic",
        data=comment_post(
            public, "/definition/basic", comment=comment_text, name="Amina Khan", email="amina@example.com"
        ),
    )
    admin.get("/staff/audit.csv").get_data()

    entries = audit_entries(app)
    actions = {entry.action for entry in entries}
    assert {
        "sign_in.failure",
        "sign_in.success",
        "account.create",
        "password_link.create",
        "password.set",
        "account.role_change",
        "account.disable",
        "consultation.moderation_mode",
        "audit_log.export",
    } <= actions
    stored = json.dumps(
        [[e.action, e.record_type, e.before, e.after, e.details] for e in entries], ensure_ascii=False
    )
    for secret in [
        "@",
        "private.person",
        "nobody-here",
        "amina",
        "Amina Khan",
        comment_text,
        "Example Road",
        password,
        "a wrong password entirely",
        token,
    ]:
        assert secret not in stored, secret
