"""The public pages: the document, whole and by section, and the service's own pages."""

import re

import pytest

from tests.conftest import SEED_TEXT
from tests.pages import check_page, heading, parse, text_of
from tests.test_document import EXPECTED_SECTIONS

PUBLIC_PAGES = [
    "/",
    "/definition",
    "/privacy",
    "/accessibility",
    "/cookies",
    "/definition/basic/comments",
] + [f"/definition/{slug}" for slug in EXPECTED_SECTIONS]

# The source ends with a diagram that text extraction garbled; the site lists its four
# activities instead (and says so). These are the garbled lines.
GARBLED_DIAGRAM_LINES = {
    "Co-design, Co-produce, Co-deliver and Co-commission\t\tCo-design,",
    "\tCo-commission\tCo-design, Co-produce, Co-deliver and",
}
CORRECTIONS = {"specif pieces if work": "specific pieces of work"}


def seed_sentences() -> list[str]:
    """Every line of text in the team's document, as the site should show it."""
    sentences = []
    for line in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line in GARBLED_DIAGRAM_LINES:
            continue
        text = re.sub(r"^(- |\d+\. )", "", line.strip())
        for original, corrected in CORRECTIONS.items():
            text = text.replace(original, corrected)
        sentences.append(" ".join(text.split()))
    return sentences


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_is_well_formed(client, path):
    check_page(client.get(path))


def test_every_sentence_of_the_teams_document_is_on_the_definition_page(client):
    page_text = text_of(check_page(client.get("/definition")))
    missing = [sentence for sentence in seed_sentences() if sentence not in page_text]
    assert not missing, f"not on /definition: {missing}"
    assert "getinvolved@birmingham.gov.uk" in page_text
    assert "@brumgetinvolved" in page_text


def test_the_garbled_diagram_is_shown_as_its_four_activities(client):
    soup = check_page(client.get("/definition/co-design-co-produce-co-deliver-co-commission"))
    activities = [li.get_text(strip=True) for li in soup.select("main ul.govuk-list--bullet li")]
    assert activities == ["Co-design", "Co-produce", "Co-deliver", "Co-commission"]


def test_the_corrected_typo_is_shown_openly(client):
    soup = check_page(client.get("/definition"))
    corrections = text_of(soup.select_one("#corrections").find_next("dl"))
    assert "specif pieces if work" in corrections
    assert "specific pieces of work" in corrections


def test_the_definition_page_has_a_contents_list_linking_every_section(client):
    soup = check_page(client.get("/definition"))
    links = [a["href"] for a in soup.select("nav[aria-labelledby=contents-heading] a")]
    assert links == [f"#{slug}" for slug in EXPECTED_SECTIONS]
    for slug in EXPECTED_SECTIONS:
        assert soup.find(id=slug) is not None


def test_a_section_page_lists_its_practice_items_with_anchors(client):
    soup = check_page(client.get("/definition/intermediate"))
    assert heading(soup) == "Intermediate – two way"
    items = soup.select("li[id^=item-]")
    assert [li["id"] for li in items] == [f"item-intermediate-{n}" for n in range(1, 10)]
    assert items[2].select_one(".council-practice-item__text").get_text(strip=True) == (
        "A consultation engagement activity: comment/survey/meeting"
    )


def test_section_pages_link_to_the_previous_and_next_sections(client):
    soup = check_page(client.get("/definition/basic"))
    previous_link = soup.select_one(".govuk-pagination__prev a")
    next_link = soup.select_one(".govuk-pagination__next a")
    assert previous_link["href"] == "/definition/three-levels"
    assert next_link["href"] == "/definition/intermediate"
    first = check_page(client.get("/definition/introduction"))
    assert first.select_one(".govuk-pagination__prev") is None
    last = check_page(client.get(f"/definition/{EXPECTED_SECTIONS[-1]}"))
    assert last.select_one(".govuk-pagination__next") is None


def test_an_unknown_section_gets_the_not_found_page_with_a_link_to_the_contents(client):
    soup = check_page(client.get("/definition/no-such-section"), status=404)
    assert heading(soup) == "Page not found"
    assert soup.select_one("main a[href='/definition']") is not None


def test_the_home_page_says_what_who_why_how_and_until_when(client):
    soup = check_page(client.get("/"))
    headings = [h2.get_text(strip=True) for h2 in soup.select("main h2")]
    assert headings == [
        "What this is",
        "Who is asking",
        "Why we are asking",
        "How to take part",
        "Until when",
    ]
    assert re.search(r"You can comment until \d\d:\d\d on \d{1,2} \w+ \d{4}\.", text_of(soup))


def test_pages_carry_the_councils_brand_and_no_govuk_identity(client):
    soup = check_page(client.get("/"))
    assert soup.select_one(".govuk-generic-header").get_text(strip=True) == "Birmingham City Council"
    assert soup.title.get_text() == "Home – Have your say on co-production – Birmingham City Council"
    html = str(soup)
    for govuk_only in ("GDS Transport", "govuk-crest", "govuk-crown", "crown", "GOV.UK"):
        assert govuk_only not in html
    assert soup.select_one(".govuk-phase-banner .govuk-tag").get_text(strip=True) == "Beta"
    assert soup.select_one(".govuk-phase-banner a[href='mailto:getinvolved@birmingham.gov.uk']")


def test_the_footer_offers_the_same_help_on_every_page(client):
    for path in ["/", "/definition/basic", "/cookies", "/definition/missing"]:
        response = client.get(path)
        footer = check_page(response, status=response.status_code).select_one("footer")
        assert "getinvolved@birmingham.gov.uk" in text_of(footer)
        hrefs = {a["href"] for a in footer.select("a")}
        assert {"/privacy", "/accessibility", "/cookies"} <= hrefs


def test_markdown_in_the_document_cannot_inject_html(app):
    from feedback_portal.markdown import render_markdown

    with app.app_context():
        html = str(render_markdown("<script>alert(1)</script> [x](javascript:alert(1)) **bold**"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert "<strong>bold</strong>" in html


@pytest.mark.parametrize(
    "app_overrides",
    [
        {
            "ORGANISATION_NAME": "Example Borough Council",
            "TEAM_EMAIL": "involve@example.gov.uk",
            "BRAND_COLOUR": "#5b2c6f",
        }
    ],
)
def test_another_council_can_run_the_portal_under_its_own_name(client):
    soup = parse(client.get("/privacy"))
    assert (
        soup.title.get_text() == "Privacy notice – Have your say on co-production – Example Borough Council"
    )
    assert soup.select_one(".govuk-generic-header").get_text(strip=True) == "Example Borough Council"
    assert "involve@example.gov.uk" in text_of(soup.select_one("footer"))
    assert "Birmingham" not in text_of(soup.select_one("footer"))
    assert "--govuk-brand-colour: #5b2c6f" in client.get("/brand.css").get_data(as_text=True)
