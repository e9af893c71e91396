""" "You said, we did" for the public: the outcome page, the summaries beside the document, and
the comments behind each point. Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback_portal import vocabulary
from feedback_portal.services.summaries import ActionDraft
from tests.factories import make_comment
from tests.helpers.summaries import make_summary, tag_comment
from tests.pages import check_page, text_of

OUTCOME = "/you-said-we-did"
STYLESHEET = Path(__file__).parent.parent / "feedback_portal" / "static" / "css" / "council.css"


def outcome(client):
    return check_page(client.get(OUTCOME))


def test_the_outcome_page_holds_the_figures_every_summary_by_part_and_what_changed(app, client):
    make_comment(app, reaction="yes")
    make_comment(app, reaction="no", section_slug="basic", item_key="basic-1")
    make_comment(app, reaction="yes", state="pending")
    make_comment(app, section_slug="transformative")
    make_summary(app, target="transformative", you_said="About transformative.")
    make_summary(
        app,
        target="document",
        you_said="About everything.",
        actions=[
            ActionDraft("We added a glossary.", "changed"),
            ActionDraft("We will add easy read.", "will-change"),
            ActionDraft("Drop level three.", "not-changing", "The levels are the council's."),
            ActionDraft("Shorter sections.", "considering"),
        ],
    )
    make_summary(app, target="basic/basic-1", you_said="About an example.")
    make_summary(app, target="basic", you_said="A draft nobody sees.", publish=False)

    soup = outcome(client)

    parts = [text_of(heading) for heading in soup.select("section[id^=part-] > h2")]
    assert parts == ["The whole document", "Basic – one way", "Transformative – equal"]
    assert "A draft nobody sees." not in text_of(soup)
    changed = [text_of(item) for item in soup.select("#what-changed li")]
    assert len(changed) == 2 + 2  # two from the document, one each from the others' default action
    assert any("We added a glossary." in item for item in changed)
    assert any("We will add easy read." in item for item in changed)
    assert not any("Drop level three." in item or "Shorter sections." in item for item in changed)
    table = soup.select_one("#figures table")
    headers = [text_of(cell) for cell in table.select("thead th")]
    assert headers == ["Section", "Yes", "Partly", "No", "Not answered", "Total"]
    basic = next(row for row in table.select("tbody tr") if text_of(row.th).startswith("Basic"))
    # Published only: the pending comment is not counted; a section counts its examples' comments.
    assert [text_of(cell) for cell in basic.select("td")] == ["1", "0", "1", "0", "2"]
    assert soup.body["class"] and "council-printable" in soup.body["class"]


def test_with_nothing_published_the_page_says_so(client):
    soup = outcome(client)
    assert "The team has not published any summaries yet." in text_of(soup)
    assert "Nothing has changed yet." in text_of(soup)


def test_each_summary_appears_on_its_own_page_above_the_comments(app, client):
    make_comment(app, text="A comment on basic.")
    make_summary(app, target="basic", you_said="Section words.")
    make_summary(app, target="basic/basic-1", you_said="Example words.")
    make_summary(app, target="document", you_said="Document words.")

    section = check_page(client.get("/definition/basic"))
    summaries = section.select(".council-summary")
    assert [("Section words." in text_of(card)) for card in summaries] == [True]
    order = [element.get("id") for element in section.select(".council-summary, #comments-heading")]
    assert order[0].startswith("summary-") and order[-1] == "comments-heading"
    item = check_page(client.get("/definition/basic/examples/basic-1"))
    item_summaries = item.select(".council-summary")
    assert len(item_summaries) == 1 and "Example words." in text_of(item_summaries[0])
    definition = check_page(client.get("/definition"))
    assert "Document words." in text_of(definition.select_one(".council-summary"))
    assert definition.select_one(f"a[href='{OUTCOME}']") is not None


def test_the_count_and_each_theme_link_to_the_comments_behind_them(app, client):
    tagged = make_comment(app, text="About power.", section_slug="basic", item_key="basic-1")
    untagged = make_comment(app, text="About words.")
    make_comment(app, text="Elsewhere.", section_slug="transformative")
    theme = tag_comment(app, tagged, "power")
    summary_id = make_summary(app, target="basic", themes=[theme])

    card = check_page(client.get("/definition/basic")).select_one(".council-summary")
    assert "2 published comments" in text_of(card)
    everything = check_page(client.get(f"/you-said-we-did/{summary_id}/comments"))
    assert {card["id"] for card in everything.select(".council-comment")} == {
        f"comment-{tagged}",
        f"comment-{untagged}",
    }
    themed = check_page(client.get(card.select_one("a[href*='theme=']")["href"]))
    assert [card["id"] for card in themed.select(".council-comment")] == [f"comment-{tagged}"]
    assert "Power" in text_of(themed.h1)


@pytest.mark.parametrize("query", ["?theme=999", "?theme=abc", "?theme="])
def test_a_theme_the_summary_does_not_cover_is_not_found(app, client, query):
    summary_id = make_summary(app)
    assert client.get(f"/you-said-we-did/{summary_id}/comments{query}").status_code == 404


def test_the_comments_of_a_draft_summary_are_not_found(app, client):
    summary_id = make_summary(app, publish=False)
    assert client.get(f"/you-said-we-did/{summary_id}/comments").status_code == 404


def test_the_home_page_and_the_footer_link_to_the_outcome(client):
    home = check_page(client.get("/"))
    assert home.select_one(f"main a[href='{OUTCOME}']") is not None
    assert home.select_one(f"footer a[href='{OUTCOME}']") is not None


def test_statuses_are_shown_in_the_vocabularys_words(app, client, monkeypatch):
    labels = {
        code: f"{label} (from the vocabulary)" for code, label in vocabulary.ACTION_STATUS_LABELS.items()
    }
    monkeypatch.setattr(vocabulary, "ACTION_STATUS_LABELS", labels)
    make_summary(app, actions=[ActionDraft("We will.", "will-change")])
    assert labels["will-change"] in text_of(check_page(client.get("/definition/basic")))


def test_the_stylesheet_prints_the_outcome_without_navigation_or_buttons():
    css = STYLESHEET.read_text()
    assert "@media print" in css
    printed = css[css.index("@media print") :]
    for selector in (".council-printable .govuk-service-navigation", ".council-printable .govuk-button"):
        assert selector in printed
