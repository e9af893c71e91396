"""The queries that run on every digest, queue page and audit log page are served by an index.

Each test fills the tables with enough rows (by SQL, not through the forms) for the planner to
prefer an index where one serves, records every statement a service runs, and asks the
database how it would run each one. A whole-table scan of the comments or the audit log means
a page or a digest that slows down with every comment the consultation gets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from feedback_portal.extensions import db
from feedback_portal.models import CommentState, Tag
from feedback_portal.services import digests
from feedback_portal.services.audit.log import AuditFilters, list_entries
from feedback_portal.services.moderation.queue import QueueFilters, list_queue
from feedback_portal.services.planner_statistics import refresh_planner_statistics
from tests.factories import make_comment
from tests.helpers.tallies import tallies_counted_after_a_bulk_load

ROWS = 20_000
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# As both databases read a time written out: UTC.
START = (NOW - timedelta(days=200)).strftime("%Y-%m-%d %H:%M:%S+00:00")
WATCHED_TABLES = ("comment", "audit_entry")


@contextmanager
def statements_run() -> Iterator[list[tuple[str, object]]]:
    """Every SELECT the code inside runs, with its parameters."""
    seen: list[tuple[str, object]] = []

    def remember(connection, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


def plans(statements: list[tuple[str, object]]) -> list[tuple[str, list[str]]]:
    """Each statement with the lines of the database's plan for it."""
    connection = db.session.connection()
    explain = "EXPLAIN " if connection.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    return [
        (statement, [row[-1] for row in connection.exec_driver_sql(explain + statement, parameters)])
        for statement, parameters in statements
    ]


def whole_table_scans(statements: list[tuple[str, object]]) -> list[str]:
    """The plan lines, across all the statements, that read a watched table from end to end."""
    if db.engine.dialect.name == "postgresql":
        pattern = re.compile(rf"Seq Scan on ({'|'.join(WATCHED_TABLES)})\b")
    else:
        # "SCAN t" reads every row; "SEARCH t USING INDEX" only those it needs, and
        # "SCAN t USING INDEX" reads in the index's order, stopping at the page's end.
        pattern = re.compile(rf"^SCAN ({'|'.join(WATCHED_TABLES)})$")
    return [
        f"{line}  <-  {statement.split()[:12]}"
        for statement, plan in plans(statements)
        for line in plan
        if pattern.search(line.strip())
    ]


def fill(app, rare_actions: tuple[str, ...] = ()) -> None:
    """ROWS published comments over 200 days, a few pending; as many audit entries, a few rare."""
    make_comment(app, "The comment every other is copied from.")
    with app.app_context():
        with tallies_counted_after_a_bulk_load():
            if db.engine.dialect.name == "postgresql":
                # A bulk load, not a page: on a busy machine it may outlast a page's statement timeout.
                db.session.execute(text("SET LOCAL statement_timeout = 0"))
            numbers, seconds = _numbers_and_seconds()
            copied = (
                "document_version_id, consultation_id, section_id, practice_item_id, body, reaction, "
                "wants_updates, wants_involvement, revision, channel"
            )
            db.session.execute(
                text(
                    f"INSERT INTO comment (reference, submission_key, state, created_at, {copied}) "
                    "SELECT 'X' || n, 'key-' || n, "
                    "CASE WHEN n % 1000 = 0 THEN 'pending' ELSE 'published' END, "
                    f"{seconds('n * 864')}, {copied} FROM comment CROSS JOIN {numbers}"
                ),
                {"start": START},
            )
            db.session.execute(
                text(
                    "INSERT INTO audit_entry (occurred_at, action, record_type, record_id) "
                    f"SELECT {seconds('n * 864')}, 'comment.publish', 'comment', n FROM {numbers}"
                ),
                {"start": START},
            )
            for action in rare_actions:
                db.session.execute(
                    text("INSERT INTO audit_entry (occurred_at, action) VALUES (:at, :action)"),
                    {"at": NOW - timedelta(days=150), "action": action},
                )
        if db.engine.dialect.name == "postgresql":
            # The rows just written wait in the trigram index's pending list, which the planner
            # prices as a scan; autovacuum soon files them, as this does now.
            db.session.execute(text("SET LOCAL statement_timeout = 0"))
            db.session.execute(text("SELECT gin_clean_pending_list('ix_comment_text_trgm')"))
        db.session.commit()
        # As the daily `flask analyze` does.
        refresh_planner_statistics()


def _numbers_and_seconds() -> tuple[str, Callable[[str], str]]:
    """A derived table of the numbers 1..ROWS called n, and a time `amount` seconds after :start."""
    if db.engine.dialect.name == "postgresql":
        return (
            f"generate_series(1, {ROWS}) AS n",
            lambda amount: f"CAST(:start AS timestamptz) + ({amount}) * INTERVAL '1 second'",
        )
    numbers = (
        f"(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {ROWS}) SELECT n FROM c)"
    )
    return numbers, lambda amount: f"strftime('%Y-%m-%d %H:%M:%f', :start, '+' || ({amount}) || ' seconds')"


def check(app, run: Callable[[], object]) -> None:
    with app.app_context():
        with statements_run() as statements:
            run()
        assert statements, "the service ran no query: nothing was checked"
        assert whole_table_scans(statements) == []


def test_a_days_digest_counts_its_comments_through_an_index(app):
    fill(app)
    check(app, lambda: digests.build_digest(NOW - timedelta(days=1), NOW))


def test_the_queue_first_page_reads_through_an_index(app):
    fill(app)
    check(app, lambda: list_queue(QueueFilters()))
    check(app, lambda: list_queue(QueueFilters(state=None)))
    # The few pending comments are read through the state's index, searched or not.
    check(app, lambda: list_queue(QueueFilters(text="nobody wrote this")))


@pytest.mark.parametrize(
    "filters", [AuditFilters(), AuditFilters(action="account.disable"), AuditFilters(record_type="comment")]
)
def test_the_audit_log_filtered_to_a_rare_action_reads_through_an_index(app, filters):
    fill(app, rare_actions=("account.disable",))
    check(app, lambda: list_entries(filters))


# What the text search's index is called in each database's plan.
TEXT_SEARCH_INDEX = {
    "postgresql": re.compile(r"Bitmap Index Scan on ix_comment_text_trgm\b"),
    "sqlite": re.compile(r"^SCAN comment_search VIRTUAL TABLE INDEX \d+:M"),
}


@pytest.mark.parametrize(
    "filters",
    [
        QueueFilters(state=None, text="nobody wrote this"),
        QueueFilters(state=None, text="Nobody Wrote", text_in_contact_details=True),
        QueueFilters(state="published", text="nobody wrote this"),
    ],
)
def test_the_queue_text_search_reads_through_its_index(app, filters):
    """Words that match few comments (or none) are looked up in the search index, not in every
    comment: a search that finds nothing is as quick at a million comments as at a thousand."""
    fill(app)
    check(app, lambda: list_queue(filters))
    with app.app_context():
        with statements_run() as statements:
            list_queue(filters)
        searched = [plan for statement, plan in plans(statements) if "LIKE" in statement.upper()]
        assert len(searched) == 1
        index = TEXT_SEARCH_INDEX[db.engine.dialect.name]
        assert any(index.search(line.strip()) for line in searched[0]), searched[0]


# How each database names reaching a comment by its id: what a filter that looks its few comments
# up elsewhere (a theme's, the open reports') does.
BY_COMMENT_ID = {"postgresql": "pk_comment", "sqlite": "USING INTEGER PRIMARY KEY"}


def few_comments_filed_elsewhere(app) -> str:
    """One comment waiting beside the many: on another section and one of its examples, with a
    theme of its own and an open report. Returns the example's key."""
    with app.app_context():
        key = db.session.execute(
            text(
                "SELECT practice_item.key FROM practice_item JOIN section "
                "ON section.id = practice_item.section_id WHERE section.slug = 'intermediate' "
                "ORDER BY practice_item.position LIMIT 1"
            )
        ).scalar_one()
    reference = make_comment(
        app,
        "On another section's example.",
        section_slug="intermediate",
        item_key=key,
        state=CommentState.PENDING,
    )
    with app.app_context():
        comment_id = db.session.execute(
            text("SELECT id FROM comment WHERE reference = :reference"), {"reference": reference}
        ).scalar_one()
        db.session.add(Tag(name="Rare theme"))
        db.session.flush()
        db.session.execute(
            text(
                "INSERT INTO comment_tag (comment_id, tag_id) "
                "SELECT :id, id FROM tag WHERE name = 'Rare theme'"
            ),
            {"id": comment_id},
        )
        db.session.execute(
            text(
                "INSERT INTO report (comment_id, reason, reporter_key, created_at) "
                "VALUES (:id, 'offensive', 'someone', :now)"
            ),
            {"id": comment_id, "now": NOW},
        )
        db.session.commit()
        refresh_planner_statistics()
    return key


def test_a_filter_matching_few_comments_reads_them_through_its_own_index(app):
    """A section, example, theme or report with few comments among many is looked up directly,
    not found by walking the whole queue in its order: at a million comments, such a filter is as
    quick as at a thousand."""
    fill(app)
    key = few_comments_filed_elsewhere(app)
    with app.app_context():
        by_id = BY_COMMENT_ID[db.engine.dialect.name]
    cases = [
        (QueueFilters(section="intermediate"), "ix_comment_section_id_state_created_at_id"),
        (QueueFilters(item=key), "ix_comment_practice_item_id_state_created_at_id"),
        (QueueFilters(state=None, tag="Rare theme"), by_id),
        (QueueFilters(state=None, has_reports=True), by_id),
    ]
    for filters, index in cases:
        check(app, lambda filters=filters: list_queue(filters))
        with app.app_context():
            with statements_run() as statements:
                page = list_queue(filters)
            assert [row.comment.body for row in page.rows] == ["On another section's example."]
            queue_plan = [
                line for statement, plan in plans(statements) if "LIMIT" in statement.upper() for line in plan
            ]
            assert any(index in line for line in queue_plan), (filters, queue_plan)


def test_flask_analyze_gives_the_planner_the_statistics_it_picks_indexes_by(app, runner):
    make_comment(app, "One comment for the statistics to count.")
    result = runner.invoke(args=["analyze"])
    assert result.exit_code == 0, result.output
    assert "statistics are up to date" in result.output
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            counted = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'comment'"))
        else:
            # One line per index of the table: "<rows> <rows per value of each column>".
            stats = db.session.scalars(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'comment'")).all()
            counted = {int(line.split()[0]) for line in stats}.pop() if stats else None
        assert counted == 1
