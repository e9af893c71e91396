"""One page view's form sent more than once: by a double click, or by a script reusing it.

A person who double-clicks gets one comment and one thank-you page; a program that posts
many comments from one page view gets them stored as spam. Concurrent sends go over real
HTTP to a threaded server. Each test runs on SQLite and, with --database-url, on
PostgreSQL: they resolve the race differently (SQLite waits on its write lock, PostgreSQL
on the unique key), and a person must not be able to tell.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from feedback_portal.services.feedback import new_submission_key
from tests.factories import REFERENCE, all_comments, comment_post
from tests.pages import TITLE_SUFFIX
from tests.test_get_involved import offer_post, offers

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
    assert (comment.body, comment.state, comment.spam_signal) == ("Sent in a hurry.", "pending", None)


def test_one_page_view_is_good_for_one_comment_and_more_from_it_are_stored_as_spam(client, app):
    form = comment_post(client, SECTION)
    sent = [
        client.post(SECTION, data={**form, "comment": "A person's comment."}),
        client.post(SECTION, data={**form, "comment": "Bot 1", "submission_key": new_submission_key()}),
        client.post(SECTION, data={**form, "comment": "Bot 2", "submission_key": new_submission_key()}),
    ]

    assert all(REFERENCE.match(response.headers["Location"]) for response in sent)
    assert [(c.body, c.state, c.spam_signal) for c in all_comments(app)] == [
        ("A person's comment.", "pending", None),
        ("Bot 1", "spam", "reused-form"),
        ("Bot 2", "spam", "reused-form"),
    ]
    page = client.get(SECTION).get_data(as_text=True)
    assert "Bot 1" not in page and "Bot 2" not in page


def test_a_page_views_form_resent_whole_with_other_text_changes_nothing(client, app):
    form = comment_post(client, SECTION, comment="First.")
    first = client.post(SECTION, data=form)
    again = client.post(SECTION, data={**form, "comment": "Second."})
    assert first.headers["Location"] == again.headers["Location"]
    assert [c.body for c in all_comments(app)] == ["First."]


def test_a_get_involved_form_is_good_for_one_offer(client, app):
    form = offer_post(client)
    client.post("/get-involved", data=form)
    client.post("/get-involved", data={**form, "name": "Bot", "submission_key": new_submission_key()})
    assert [offer.name for offer in offers(app)] == ["Priya Shah"]


def test_a_comment_forms_token_does_not_pass_for_a_get_involved_form(client, app):
    comment_form = comment_post(client, SECTION)
    form = offer_post(client)
    form.update(submission_key=comment_form["submission_key"], form_shown_at=comment_form["form_shown_at"])
    response = client.post("/get-involved", data=form)
    assert response.headers["Location"] == "/get-involved/done"
    assert offers(app) == []
