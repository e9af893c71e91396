"""The same comment form sent several times at once, over real HTTP to a threaded server.

Each test runs on SQLite and, with --database-url, on PostgreSQL: the databases resolve the
race differently (SQLite waits on its write lock, PostgreSQL on the unique key), and a person
must not be able to tell.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from tests.factories import REFERENCE, all_comments
from tests.pages import TITLE_SUFFIX

SECTION = "/definition/basic"


def page_form(session: requests.Session, url: str) -> dict[str, str]:
    """The hidden fields of the comment form, as a browser gets them from one page view."""
    soup = BeautifulSoup(session.get(url, timeout=30).text, "html.parser")
    form = next(f for f in soup.select("form") if f.select_one("textarea[name=comment]"))
    return {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}


def send_at_once(live_server: str, forms: list[dict[str, str]], cookies) -> list[requests.Response]:
    """Post each form from its own connection, all released together, following the redirect."""
    start = threading.Barrier(len(forms), timeout=30)

    def send(form: dict[str, str]) -> requests.Response:
        with requests.Session() as browser:
            browser.cookies.update(cookies)
            start.wait()
            return browser.post(live_server + SECTION, data=form, timeout=60)

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(send, forms))


def thank_you_reference(response: requests.Response) -> str:
    """The reference on the thank-you page a response ended on, failing on any other page."""
    soup = BeautifulSoup(response.text, "html.parser")
    title = soup.title.get_text() if soup.title else ""
    assert response.status_code == 200, f"got {response.status_code}: {title}"
    assert title == "Comment sent" + TITLE_SUFFIX, title
    match = REFERENCE.match(urlsplit(response.url).path)
    assert match, response.url
    return match.group(1)


@pytest.mark.parametrize("email", ["sam@example.org", ""])
def test_the_same_form_sent_five_times_at_once_makes_one_comment_and_five_thank_you_pages(
    app, live_server, email
):
    with requests.Session() as browser:
        form = page_form(browser, live_server + SECTION)
        form.update(comment="Sent in a hurry.", email=email, website="")
        responses = send_at_once(live_server, [form] * 5, browser.cookies)

    references = {thank_you_reference(response) for response in responses}
    [comment] = all_comments(app)
    assert references == {comment.reference}
    assert (comment.body, comment.state) == ("Sent in a hurry.", "pending")
