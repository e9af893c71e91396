"""A section with many comments stays a page: its most recent on the section's page, and all of
them, a page at a time, behind a link."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.factories import make_comment
from tests.pages import check_page


@pytest.fixture
def app_overrides() -> dict:
    return {"SECTION_COMMENTS_SHOWN": 3}


def comment_texts(soup: BeautifulSoup) -> list[str]:
    return [each.get_text(strip=True) for each in soup.select("article.council-comment p.council-user-text")]


def link_named(soup: BeautifulSoup, words: str) -> str:
    [link] = [each for each in soup.select("a") if words in each.get_text(" ", strip=True)]
    return link["href"]


@pytest.fixture
def seven_comments(app) -> list[str]:
    texts = [f"Comment number {number}." for number in range(1, 8)]
    for text in texts:
        make_comment(app, text)
    make_comment(app, "On the example, not the section.", item_key="basic-1")
    return texts


def test_the_section_shows_its_most_recent_comments_and_links_to_the_rest(client, seven_comments):
    soup = check_page(client.get("/definition/basic"))

    assert comment_texts(soup) == seven_comments[-3:]
    assert "Comments on the section as a whole (7)" in soup.select_one("#comments-heading").get_text()
    assert "These are the 3 most recent of 7 comments." in soup.get_text(" ", strip=True)
    assert link_named(soup, "Read all 7 comments") == "/definition/basic/comments"


def test_every_comment_is_on_exactly_one_page_oldest_first_and_the_pages_link_both_ways(
    client, seven_comments
):
    first = check_page(client.get("/definition/basic/comments"))
    assert comment_texts(first) == seven_comments[:3]
    assert "7 comments on the section as a whole, oldest first." in first.get_text(" ", strip=True)
    assert not [each for each in first.select("a") if "Earlier comments" in each.get_text()]

    second = check_page(client.get(link_named(first, "Later comments")))
    assert comment_texts(second) == seven_comments[3:6]
    last = check_page(client.get(link_named(second, "Later comments")))
    assert comment_texts(last) == seven_comments[6:]
    assert not [each for each in last.select("a") if "Later comments" in each.get_text()]

    back = check_page(client.get(link_named(last, "Earlier comments")))
    assert comment_texts(back) == seven_comments[3:6]
    assert comment_texts(check_page(client.get(link_named(back, "Earlier comments")))) == seven_comments[:3]


def test_a_comment_published_while_someone_reads_never_shifts_their_pages(app, client, seven_comments):
    first = check_page(client.get("/definition/basic/comments"))
    make_comment(app, "Comment number 8.")

    second = check_page(client.get(link_named(first, "Later comments")))

    assert comment_texts(second) == seven_comments[3:6]


@pytest.mark.parametrize("cursor", ["?after=nonsense", "?before=1.2.3", "?after=99999999999999999999.1"])
def test_a_page_link_that_is_not_ours_shows_the_first_page(client, seven_comments, cursor):
    assert comment_texts(check_page(client.get(f"/definition/basic/comments{cursor}"))) == seven_comments[:3]


def test_a_section_with_few_comments_shows_them_all_with_no_link(app, client):
    make_comment(app, "Only one.")

    soup = check_page(client.get("/definition/basic"))

    assert comment_texts(soup) == ["Only one."]
    assert not [each for each in soup.select("a") if "Read all" in each.get_text()]
    assert check_page(client.get("/definition/no-such-section/comments"), status=404)
