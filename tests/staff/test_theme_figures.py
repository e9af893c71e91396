"""Figures per theme, and per theme within each section: the tables, the charts and the CSV files."""

from __future__ import annotations

import pytest

from tests.factories import make_comment, make_staff, signed_in_client
from tests.helpers.themes import give_theme, take_theme_off
from tests.pages import check_page, parse
from tests.staff.test_figures import figure_csv, table

STATES = ["Pending", "Published", "Rejected", "Spam", "Hidden", "Total"]


@pytest.fixture
def themed_comments(app) -> dict[str, int]:
    make_staff(app, role="moderator", email="moderator@example.gov.uk")
    both = make_comment(app, text="Both themes.")
    pending_on_an_example = make_comment(app, item_key="basic-1", state="pending")
    on_the_document = make_comment(app, section_slug=None)
    spam = make_comment(app, state="spam")
    withdrawn = make_comment(app, state="withdrawn")
    ids = {
        "transport": give_theme(app, both, "transport"),
        "power": give_theme(app, both, "power"),
        "unused": give_theme(app, spam, "unused"),
    }
    take_theme_off(app, spam, ids["unused"])
    give_theme(app, pending_on_an_example, "transport")
    give_theme(app, on_the_document, "power")
    give_theme(app, spam, "transport")
    give_theme(app, withdrawn, "transport")
    return ids


def test_comments_per_theme_count_each_theme_of_a_comment(app, themed_comments):
    analyst = signed_in_client(app, role="analyst")
    soup = check_page(analyst.get("/staff/figures"))
    columns, rows = table(soup, "comments-by-theme")
    assert columns == ["Theme", *STATES]
    assert rows == {
        "power": [0, 2, 0, 0, 0, 2],
        "transport": [1, 1, 0, 1, 0, 3],
        "unused": [0, 0, 0, 0, 0, 0],
        "Total": [1, 3, 0, 1, 0, 5],
    }
    description = soup.select_one("#comments-by-theme-summary").get_text(" ", strip=True)
    assert description.startswith("Comments were given a theme 5 times")
    assert "‘transport’ has the most, 3." in description


def test_comments_per_theme_in_each_section_list_only_what_was_counted(app, themed_comments):
    analyst = signed_in_client(app, role="analyst")
    soup = check_page(analyst.get("/staff/figures"))
    columns, rows = table(soup, "themes-by-section")
    assert columns == ["Section and theme", *STATES]
    assert list(rows) == [
        "The whole document: power",
        "Basic – one way: power",
        "Basic – one way: transport",
        "Total",
    ]
    assert rows["Basic – one way: transport"] == [1, 1, 0, 1, 0, 3]
    assert rows["The whole document: power"] == [0, 1, 0, 0, 0, 1]
    svg = soup.select_one("#themes-by-section svg")
    assert svg["role"] == "img"
    assert "Basic – one way: transport: 1 pending" in [
        rect.title.get_text() for rect in svg.select("rect") if rect.title
    ]


def test_a_renamed_theme_keeps_its_row(app, themed_comments):
    from feedback_portal.services import themes
    from tests.helpers.themes import staff_user

    with app.app_context():
        themes.update_theme(
            themed_comments["power"], 1, "influence", None, staff_user(app, "moderator@example.gov.uk")
        )
    analyst = signed_in_client(app, role="analyst")
    _, rows = table(parse(analyst.get("/staff/figures")), "comments-by-theme")
    assert rows["influence"] == [0, 2, 0, 0, 0, 2] and "power" not in rows


@pytest.mark.parametrize("name", ["comments-by-theme", "themes-by-section"])
def test_each_theme_table_downloads_as_csv_with_the_same_numbers(app, themed_comments, name):
    analyst = signed_in_client(app, role="analyst")
    columns, rows = table(parse(analyst.get("/staff/figures")), name)
    parsed = figure_csv(analyst, name)
    assert parsed[0] == columns
    assert {row[0]: [int(cell) for cell in row[1:]] for row in parsed[1:]} == rows


def test_with_no_themes_the_figures_say_so(app):
    analyst = signed_in_client(app, role="analyst")
    soup = check_page(analyst.get("/staff/figures"))
    for name in ["comments-by-theme", "themes-by-section"]:
        assert soup.select_one(f"#{name}-summary").get_text(strip=True) == "No comment has a theme yet."
        _, rows = table(soup, name)
        assert rows == {"Total": [0, 0, 0, 0, 0, 0]}
