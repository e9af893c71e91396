"""Reading pages as a person (and a screen reader) would: parsed HTML, not strings."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup
from werkzeug.test import TestResponse

TITLE_SUFFIX = " – Have your say on co-production – Birmingham City Council"


def parse(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def check_page(response: TestResponse, status: int = 200) -> BeautifulSoup:
    """Parse a page and check what every page must have.

    A title in the service's format, one h1, unique ids, the English language, a skip link
    that lands on main, and forms that post back to this site.
    """
    assert response.status_code == status, f"expected {status}, got {response.status_code}"
    assert response.mimetype == "text/html"
    soup = parse(response)
    assert soup.html is not None and soup.html.get("lang") == "en-GB"
    title = soup.title.get_text() if soup.title else ""
    assert title.endswith(TITLE_SUFFIX), f"title {title!r} is not in the service's format"
    assert len(title) > len(TITLE_SUFFIX), "the title names no page"
    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"expected one h1, found {len(h1s)}"
    ids = [element["id"] for element in soup.find_all(id=True)]
    duplicated = [value for value, count in Counter(ids).items() if count > 1]
    assert not duplicated, f"ids used more than once: {duplicated}"
    skip_link = soup.select_one("a.govuk-skip-link")
    assert skip_link is not None and soup.select_one(skip_link["href"]) is not None
    for form in soup.find_all("form"):
        action = form.get("action", "")
        assert not action.startswith(("http:", "https:", "//")), f"form posts elsewhere: {action}"
        assert form.get("method", "get").lower() in {"get", "post"}
    return soup


def text_of(soup: BeautifulSoup) -> str:
    """The visible text of a page with white space folded, as one string."""
    return " ".join(soup.get_text(" ").split())


def heading(soup: BeautifulSoup) -> str:
    return " ".join(soup.h1.get_text().split())
