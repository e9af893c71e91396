"""Figures: the numbers on the page and in each CSV file match a known set of comments, the
charts are accessible SVG with no inline style, and counting never loads the comments."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event, update

from feedback_portal.charts import nice_ticks
from feedback_portal.extensions import db
from feedback_portal.models import Comment, Consultation
from feedback_portal.services import consultations, documents
from feedback_portal.uk_time import start_of_uk_day
from tests.factories import make_comment, signed_in_client
from tests.pages import check_page, heading, parse
from tests.staff.moderation_helpers import set_created_at

FIGURES = [
    "comments-by-section",
    "comments-by-item",
    "reactions-by-section",
    "reactions-by-item",
    "reactions-alone-by-section",
    "comments-by-channel",
    "comments-per-day",
]
SECTIONS = [
    "The whole document",
    "Introduction",
    "What do we mean by co-production?",
    "Three Levels of co-production",
    "Basic – one way",
    "Intermediate – two way",
    "Transformative – equal",
    "Co-design, Co-produce, Co-deliver and Co-commission",
]
BASIC_1 = "Basic – one way: Informing people (or telling people)"
BASIC_2 = "Basic – one way: Sharing details of something"
INTERMEDIATE_1 = (
    "Intermediate – two way: Expecting a two way relationship for example; "
    "sharing information and expecting to receive a response"
)

COMMENT_TABLE = re.compile(r"\b(FROM|JOIN) comment\b(?![_.])")


def day(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}T10:00:00+00:00")


@pytest.fixture
def known_comments(app: Flask) -> None:
    """A consultation of 7 days, 5 to 11 January 2026, and comments whose counts we know.

    (section, item, state, reaction, day)
    """
    made = [
        ("basic", "basic-1", "published", "yes", "2026-01-06"),
        ("basic", "basic-1", "published", "no", "2026-01-06"),
        ("basic", "basic-2", "pending", "partly", "2026-01-08"),
        ("basic", None, "rejected", None, "2026-01-08"),
        ("basic", None, "spam", "no", "2026-01-08"),
        ("intermediate", "intermediate-1", "hidden", "no", "2026-01-10"),
        ("intermediate", None, "published", "yes", "2026-01-10"),
        (None, None, "published", "partly", "2026-01-11"),
        (None, None, "pending", None, "2026-01-11"),
        ("basic", "basic-1", "withdrawn", "yes", "2026-01-06"),
    ]
    for section, item, state, reaction, when in made:
        reference = make_comment(app, section_slug=section, item_key=item, state=state, reaction=reaction)
        set_created_at(app, reference, day(when))
    with app.app_context():
        db.session.execute(
            update(Consultation).values(
                opens_at=day("2026-01-05"), closes_at=datetime(2026, 1, 12, tzinfo=UTC)
            )
        )
        db.session.commit()


def insert_comments(app: Flask, count: int, when: datetime) -> None:
    """More comments, straight into the table: the consultation of `known_comments` has closed."""
    with app.app_context():
        version_id = documents.get_current_version().id
        consultation_id = consultations.get_current_consultation().id
        db.session.execute(
            Comment.__table__.insert(),
            [
                {
                    "reference": f"T-{number:06d}",
                    "submission_key": f"more-{number}",
                    "document_version_id": version_id,
                    "consultation_id": consultation_id,
                    "body": f"More {number}",
                    "state": "pending",
                    "created_at": when,
                }
                for number in range(count)
            ],
        )
        db.session.commit()


def table(soup, name: str) -> tuple[list[str], dict[str, list[int]]]:
    """A figure's table: its column headings, and each row's numbers by its heading."""
    found = soup.select_one(f"#{name}-caption").find_parent("table")
    columns = [th.get_text(" ", strip=True) for th in found.select("thead th")]
    rows = {
        " ".join(row.th.get_text(" ").split()): [
            int(td.get_text(strip=True).replace(",", "")) for td in row.select("td")
        ]
        for row in found.select("tbody tr")
    }
    return columns, rows


def figure_csv(client, name: str) -> list[list[str]]:
    response = client.get(f"/staff/figures/{name}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture
def analyst(app: Flask):
    return signed_in_client(app, role="analyst")


def test_the_numbers_per_section_and_state_are_the_comments(app, analyst, known_comments):
    soup = check_page(analyst.get("/staff/figures"))
    assert heading(soup) == "Figures"
    columns, rows = table(soup, "comments-by-section")
    assert columns == ["Section", "Pending", "Published", "Rejected", "Spam", "Hidden", "Total"]
    assert list(rows) == [*SECTIONS, "Total"]
    assert rows["The whole document"] == [1, 1, 0, 0, 0, 2]
    assert rows["Basic – one way"] == [1, 2, 1, 1, 0, 5]
    assert rows["Intermediate – two way"] == [0, 1, 0, 0, 1, 2]
    assert rows["Introduction"] == [0, 0, 0, 0, 0, 0]
    # Withdrawn comments are counted nowhere.
    assert rows["Total"] == [2, 4, 1, 1, 1, 9]


def test_the_numbers_per_practice_example_and_state_are_the_comments(app, analyst, known_comments):
    columns, rows = table(parse(analyst.get("/staff/figures")), "comments-by-item")
    assert columns == ["Practice example", "Pending", "Published", "Rejected", "Spam", "Hidden", "Total"]
    assert len(rows) == 8 + 9 + 10 + 1
    assert rows[BASIC_1] == [0, 2, 0, 0, 0, 2]
    assert rows[BASIC_2] == [1, 0, 0, 0, 0, 1]
    assert rows[INTERMEDIATE_1] == [0, 0, 0, 0, 1, 1]
    assert rows["Total"] == [1, 2, 0, 0, 1, 4]


def test_the_answers_per_section_and_example_leave_out_spam(app, analyst, known_comments):
    soup = parse(analyst.get("/staff/figures"))
    columns, rows = table(soup, "reactions-by-section")
    assert columns == ["Section", "Yes", "Partly", "No", "Not answered", "Total"]
    assert rows["Basic – one way"] == [1, 1, 1, 1, 4]
    assert rows["Intermediate – two way"] == [1, 0, 1, 0, 2]
    assert rows["The whole document"] == [0, 1, 0, 1, 2]
    assert rows["Total"] == [2, 2, 2, 2, 8]
    _, items = table(soup, "reactions-by-item")
    assert items[BASIC_1] == [1, 0, 1, 0, 2]
    assert items[BASIC_2] == [0, 1, 0, 0, 1]
    assert items["Total"] == [1, 1, 2, 0, 4]
    description = soup.select_one("#reactions-by-section-summary").get_text(" ", strip=True)
    assert "6 of 8 comments answered" in description and "Spam is not counted" in description


def test_the_comments_per_day_cover_the_consultation(app, analyst, known_comments):
    soup = parse(analyst.get("/staff/figures"))
    columns, rows = table(soup, "comments-per-day")
    assert columns == ["Day", "Comments"]
    assert rows == {
        "2026-01-05": [0],
        "2026-01-06": [2],
        "2026-01-07": [0],
        "2026-01-08": [2],
        "2026-01-09": [0],
        "2026-01-10": [2],
        "2026-01-11": [2],
        "Total": [8],
    }
    description = soup.select_one("#comments-per-day-summary").get_text(" ", strip=True)
    assert description.startswith("8 comments over 7 days, from 5 January 2026 to 11 January 2026.")
    # On the chart: a column for each day that had comments, as tall as its count.
    svg = soup.select_one("#comments-per-day svg")
    titles = [rect.title.get_text() for rect in svg.select("rect") if rect.title]
    assert titles == [
        "2026-01-06: 2 comments",
        "2026-01-08: 2 comments",
        "2026-01-10: 2 comments",
        "2026-01-11: 2 comments",
    ]


def test_a_comment_outside_the_consultation_widens_the_days(app, analyst, known_comments):
    insert_comments(app, 1, day("2026-01-14"))
    _, rows = table(parse(analyst.get("/staff/figures")), "comments-per-day")
    assert list(rows)[-4:] == ["2026-01-12", "2026-01-13", "2026-01-14", "Total"]
    assert rows["2026-01-14"] == [1] and rows["Total"] == [9]


@pytest.mark.parametrize("name", FIGURES)
def test_each_table_downloads_as_csv_with_the_same_numbers(app, analyst, known_comments, name):
    columns, rows = table(parse(analyst.get("/staff/figures")), name)
    parsed = figure_csv(analyst, name)
    assert parsed[0] == columns
    assert {row[0]: [int(cell) for cell in row[1:]] for row in parsed[1:]} == rows
    assert len(parsed) - 1 == len(rows)


def test_each_chart_is_an_image_with_a_title_a_description_a_key_and_no_inline_style(
    app, analyst, known_comments
):
    response = analyst.get("/staff/figures")
    soup = check_page(response)
    assert "Content-Security-Policy" in response.headers
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert soup.select("[style]") == []
    assert soup.select("style") == []
    assert soup.select("script:not([src])") == [] or all(
        "js-enabled" in script.get_text() for script in soup.select("script:not([src])")
    )
    for name in FIGURES:
        section = soup.select_one(f"section#{name}")
        svg = section.select_one("figure svg")
        assert svg["role"] == "img"
        title, desc = svg.select_one("title"), svg.select_one("desc")
        assert svg["aria-labelledby"] == title["id"] and svg["aria-describedby"] == desc["id"]
        assert title.get_text() == section.h2.get_text()
        summary = section.select_one("figcaption").get_text(" ", strip=True)
        assert desc.get_text(" ", strip=True) == summary and summary
        link = section.select_one(f"a[href='/staff/figures/{name}.csv']")
        assert link is not None and "CSV" in link.get_text()
    # Series with more than one value have a key, and a pattern as well as a colour.
    svg = soup.select_one("#comments-by-section svg")
    key = [text.get_text() for text in svg.select("g.council-chart__legend-entry text")]
    assert key == ["Pending", "Published", "Rejected", "Spam", "Hidden"]
    patterns = {pattern["id"] for pattern in svg.select("defs pattern")}
    assert patterns == {
        f"comments-by-section-pattern-{state}" for state in ["pending", "rejected", "spam", "hidden"]
    }
    fills = {rect["fill"] for rect in svg.select("g.council-chart__legend-entry rect")}
    assert len(fills) == 5
    # Every segment has an outline, so it stands out from white and from its neighbours.
    segments = [rect for rect in svg.select("rect") if rect.title]
    assert len(segments) == 8
    assert all(rect.find_parent("g")["stroke"] == "#0b0c0c" for rect in segments)


def test_the_page_works_with_no_comments(app, analyst):
    soup = check_page(analyst.get("/staff/figures"))
    assert (
        soup.select_one("#comments-by-section-summary").get_text(strip=True) == "There are no comments yet."
    )
    _, rows = table(soup, "comments-by-section")
    assert rows["Total"] == [0, 0, 0, 0, 0, 0]
    assert figure_csv(analyst, "comments-per-day")[-1] == ["Total", "0"]


def test_the_counts_are_aggregate_queries_that_never_load_a_comment(app, analyst, known_comments):
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        analyst.get("/staff/figures")
        few = len(statements)
        insert_comments(app, 30, day("2026-01-09"))
        statements.clear()
        analyst.get("/staff/figures")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(statements) == few
    on_comments = [statement for statement in statements if "FROM comment" in statement]
    assert on_comments and all("GROUP BY" in statement or "count(" in statement for statement in on_comments)
    assert not any("comment.body" in statement for statement in statements)
    # The counts by section, example and day come from the tallies; only the themes', which
    # start from the themed comments, read the comment table.
    assert any("FROM comment_tally" in statement for statement in statements)
    assert any("FROM comment_hour_tally" in statement for statement in statements)
    reading_comments = [statement for statement in statements if COMMENT_TABLE.search(statement)]
    assert reading_comments and all("FROM comment_tag" in statement for statement in reading_comments)


@pytest.mark.parametrize("role", ["admin", "moderator", "analyst"])
def test_every_staff_role_can_read_the_figures(app, role):
    client = signed_in_client(app, role=role)
    check_page(client.get("/staff/figures"))
    assert figure_csv(client, "comments-by-section")[0][0] == "Section"


def test_someone_not_signed_in_is_sent_to_sign_in(app, client):
    for path in ["/staff/figures", "/staff/figures/comments-by-section.csv"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")


def test_a_figure_that_does_not_exist_is_not_found(app, analyst):
    check_page(analyst.get("/staff/figures/everything.csv"), 404)


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (4, [0, 1, 2, 3, 4]),
        (7, [0, 2, 4, 6, 8]),
        (18, [0, 5, 10, 15, 20]),
        (101, [0, 50, 100, 150]),
        (1_000_000, [0, 200_000, 400_000, 600_000, 800_000, 1_000_000]),
    ],
)
def test_axis_values_are_round_numbers(largest, ticks):
    assert nice_ticks(largest) == ticks


def test_the_days_are_uk_days_in_summer_time_too(app, analyst):
    # In British Summer Time a UK day runs from 23:00 UTC the day before to 22:59 UTC.
    last_minute_of_the_6th = make_comment(app)
    set_created_at(app, last_minute_of_the_6th, datetime(2026, 7, 6, 22, 59, tzinfo=UTC))
    first_minutes_of_the_7th = make_comment(app)
    set_created_at(app, first_minutes_of_the_7th, datetime(2026, 7, 6, 23, 30, tzinfo=UTC))
    late_in_winter = make_comment(app)
    set_created_at(app, late_in_winter, datetime(2026, 1, 6, 23, 59, tzinfo=UTC))
    with app.app_context():
        db.session.execute(
            update(Consultation).values(opens_at=day("2026-01-05"), closes_at=day("2026-07-09"))
        )
        db.session.commit()
    _, rows = table(parse(analyst.get("/staff/figures")), "comments-per-day")
    assert rows["2026-07-06"] == [1] and rows["2026-07-07"] == [1] and rows["2026-07-08"] == [0]
    assert rows["2026-01-06"] == [1] and rows["2026-01-07"] == [0]


def test_a_summer_consultation_runs_from_its_first_uk_day_to_its_last(app, analyst):
    # Open from midnight BST on 6 July (23:00 UTC on the 5th) until midnight BST on 9 July.
    with app.app_context():
        db.session.execute(
            update(Consultation).values(
                opens_at=start_of_uk_day(date(2026, 7, 6)), closes_at=start_of_uk_day(date(2026, 7, 9))
            )
        )
        db.session.commit()
    _, rows = table(parse(analyst.get("/staff/figures")), "comments-per-day")
    assert list(rows) == ["2026-07-06", "2026-07-07", "2026-07-08", "Total"]
