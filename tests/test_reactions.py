"""A reaction without a comment: "Does this make sense to you?" answered on its own.

What a person sees, what is stored (and that it holds nothing about them), how it is counted
in the figures and in the public totals. Each test runs on SQLite and, with --database-url,
on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from feedback_portal import vocabulary
from feedback_portal.extensions import db
from feedback_portal.models import StandaloneReaction
from feedback_portal.services import documents, feedback, reactions
from feedback_portal.services.exceptions import ConsultationClosed
from feedback_portal.services.feedback import CommentTarget
from tests.factories import close_consultation, make_comment, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.test_figures import figure_csv, table

DOCUMENT = "/definition"
SECTION = "/definition/basic"
ITEM = "/definition/basic/examples/basic-1"
FORM = "form[action$='/does-it-make-sense']"


def answer_post(client: FlaskClient, page: str, **fields: str) -> tuple[str, dict[str, str]]:
    """Where the question's form on `page` posts, and what a browser would send from it."""
    form = parse(client.get(page)).select_one(FORM)
    assert form is not None, f"no question on {page}"
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    data["answer-website"] = ""
    data.update(fields)
    return form["action"], data


def answer(client: FlaskClient, page: str, reaction: str | None, **fields: str):
    action, data = answer_post(client, page, **fields)
    if reaction is not None:
        data["answer-reaction"] = reaction
    return client.post(action, data=data)


def stored(app: Flask) -> list[StandaloneReaction]:
    with app.app_context():
        rows = list(db.session.scalars(select(StandaloneReaction).order_by(StandaloneReaction.id)))
        db.session.expunge_all()
        return rows


def target(app: Flask, slug: str | None = None, key: str | None = None) -> CommentTarget:
    version = documents.get_current_version()
    if slug is None:
        return CommentTarget(version)
    if key is None:
        return CommentTarget(version, documents.get_section_page(slug).section)
    page, item = documents.get_practice_item(slug, key)
    return CommentTarget(version, page.section, item)


def submit(app: Flask, reaction: str, slug: str | None = "basic", key: str | None = None, **kwargs):
    with app.app_context():
        submission = reactions.ReactionSubmission(
            submission_key=kwargs.pop("submission_key", None) or feedback.new_submission_key(),
            reaction=reaction,
            **kwargs,
        )
        counted = reactions.submit_reaction(target(app, slug, key), submission)
        return counted.id if counted is not None else None


def error_messages(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".govuk-error-summary__list a")]


# Answering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "section", "item"),
    [(DOCUMENT, None, None), (SECTION, "basic", None), (ITEM, "basic", "basic-1")],
)
def test_an_answer_on_its_own_is_counted_and_the_person_is_thanked(client, app, page, section, item):
    response = answer(client, page, "partly")
    assert response.status_code == 302
    thanks = check_page(client.get(response.headers["Location"]))
    assert text_of(thanks.select_one(".govuk-panel")) == "Thank you Your answer has been counted."
    assert thanks.select_one(f"main a[href='{page}']") is not None
    [row] = stored(app)
    assert row.reaction == "partly"
    with app.app_context():
        answered = db.session.get(StandaloneReaction, row.id)
        assert (answered.section_id is not None) == (section is not None)
        assert (answered.practice_item_id is not None) == (item is not None)
    # The page where it was given shows the new total, and only the total.
    soup = check_page(client.get(page))
    assert text_of(soup.select_one("#reaction-totals")) == "1 person answered so far: 0 yes, 1 partly, 0 no."


def test_an_answer_holds_nothing_about_the_person(app):
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("standalone_reaction")}
    assert columns == {
        "id",
        "submission_key",
        "document_version_id",
        "section_id",
        "practice_item_id",
        "reaction",
        "created_at",
    }
    submit(app, "yes")
    [row] = stored(app)
    # To the hour, so that it cannot be matched to a line of a web server's log.
    assert (row.created_at.minute, row.created_at.second, row.created_at.microsecond) == (0, 0, 0)
    assert abs((datetime.now(UTC) - row.created_at).total_seconds()) < 3600 + 60


def test_the_same_form_sent_twice_counts_once(client, app):
    action, data = answer_post(client, SECTION, **{"answer-reaction": "yes"})
    first = client.post(action, data=data)
    second = client.post(action, data=data)
    assert first.status_code == second.status_code == 302
    assert len(stored(app)) == 1
    # Through the service too: one submission key, one answer.
    assert submit(app, "no", submission_key="same-key") == submit(app, "no", submission_key="same-key")
    assert len(stored(app)) == 2


def test_a_bot_is_thanked_and_its_answer_is_not_counted(client, app):
    response = answer(client, SECTION, "no", **{"answer-website": "http://spam.example"})
    assert response.status_code == 302
    assert check_page(client.get(response.headers["Location"])).select_one(".govuk-panel") is not None
    assert stored(app) == []


def test_the_confirmation_is_only_for_whoever_answered(client):
    response = client.get(SECTION + "/does-it-make-sense/thank-you")
    assert response.status_code == 302
    assert response.headers["Location"] == SECTION + "/does-it-make-sense"
    soup = check_page(client.get(response.headers["Location"]))
    assert heading(soup) == vocabulary.REACTION_QUESTION


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reaction", [None, "", "maybe"])
def test_no_answer_or_an_unknown_one_gets_the_error_summary_and_keeps_the_form(client, app, reaction):
    action, data = answer_post(client, SECTION)
    if reaction is not None:
        data["answer-reaction"] = reaction
    soup = check_page(client.post(action, data=data))
    assert soup.title.get_text().startswith("Error: ")
    assert error_messages(soup) == ["Select yes, partly or no"]
    link = soup.select_one(".govuk-error-summary__list a")["href"]
    assert soup.select_one(link)["type"] == "radio"
    assert "Error: Select yes, partly or no" in text_of(soup.select_one(".govuk-error-message"))
    assert heading(soup) == vocabulary.REACTION_QUESTION
    assert "the section ‘Basic – one way’" in text_of(soup.select_one(".govuk-caption-l"))
    # The same form, so that answering now still counts once.
    assert soup.select_one("input[name=answer-submission_key]")["value"] == data["answer-submission_key"]
    assert stored(app) == []
    data["answer-reaction"] = "yes"
    assert client.post(action, data=data).status_code == 302
    assert len(stored(app)) == 1


def test_a_closed_consultation_takes_no_answers(client, app):
    action, data = answer_post(client, SECTION, **{"answer-reaction": "yes"})
    close_consultation(app)
    response = client.post(action, data=data)
    soup = check_page(response, status=403)
    assert text_of(soup.select_one("#reaction-refused")).startswith("Your answer was not counted")
    assert text_of(soup.select_one(".council-consultation-notice")).startswith("This consultation closed on")
    assert stored(app) == []
    with pytest.raises(ConsultationClosed), app.app_context():
        submit(app, "yes")
    # The pages still show the totals, without a form.
    page = check_page(client.get(SECTION))
    assert page.select_one(FORM) is None
    assert "You can no longer answer" in text_of(page.select_one(".council-reaction-form"))
    assert text_of(page.select_one("#reaction-totals")) == "No one has answered yet."


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "3 per minute"}])
def test_answers_are_rate_limited_per_address_like_comments(app, app_overrides):
    def send(address: str) -> int:
        client = app.test_client()
        action, data = answer_post(client, SECTION, **{"answer-reaction": "yes"})
        return client.post(action, data=data, environ_base={"REMOTE_ADDR": address}).status_code

    assert [send("198.51.100.7") for _ in range(4)] == [302, 302, 302, 429]
    assert send("198.51.100.8") == 302
    assert len(stored(app)) == 4


# Counting -----------------------------------------------------------------------------------


def test_the_totals_count_answers_on_their_own_and_with_published_comments_only(app, client):
    for reaction in ("yes", "yes", "no"):
        submit(app, reaction)
    submit(app, "partly", key="basic-1")  # on an example, not the section as a whole
    submit(app, "no", slug=None)  # on the whole document
    make_comment(app, reaction="partly")
    make_comment(app, reaction="yes", state="pending")  # not read by a moderator yet
    make_comment(app, reaction="no", state="rejected")
    make_comment(app, reaction=None)
    with app.app_context():
        version_id = documents.get_current_version().id
        section = documents.get_section_page("basic").section
        counts = reactions.reaction_counts(version_id, section.id)
        assert counts.alone == {"yes": 2, "no": 1}
        assert counts.with_comments == {"partly": 1}
        assert (counts.total, counts.total_alone, counts.total_with_comments) == (4, 3, 1)
        assert counts.in_words == "2 yes, 1 partly, 1 no"
        with_items = reactions.reaction_counts(version_id, section.id, with_practice_items=True)
        assert with_items.total == 5
        item = documents.get_practice_item("basic", "basic-1")[1]
        assert reactions.reaction_counts(version_id, practice_item_id=item.id).alone == {"partly": 1}
        assert reactions.reaction_counts(version_id).alone == {"no": 1}
    soup = check_page(client.get(SECTION))
    assert text_of(soup.select_one("#reaction-totals")) == "4 people answered so far: 2 yes, 1 partly, 1 no."


def test_the_totals_use_the_vocabularys_words(app, client, monkeypatch):
    labels = {code: f"{label}-from-vocabulary" for code, label in vocabulary.REACTION_LABELS.items()}
    monkeypatch.setattr(vocabulary, "REACTION_LABELS", labels)
    submit(app, "yes")
    soup = parse(client.get(SECTION))
    totals = text_of(soup.select_one("#reaction-totals"))
    assert "1 yes-from-vocabulary, 0 partly-from-vocabulary, 0 no-from-vocabulary" in totals


def test_the_figures_count_answers_on_their_own_and_say_which_they_are(app):
    for reaction in ("yes", "no", "no"):
        submit(app, reaction)
    submit(app, "partly", key="basic-1")
    submit(app, "yes", slug=None)
    make_comment(app, reaction="yes")
    make_comment(app, reaction=None, state="pending")
    make_comment(app, reaction="no", state="spam")
    analyst = signed_in_client(app, role="analyst")
    soup = check_page(analyst.get("/staff/figures"))

    columns, rows = table(soup, "reactions-by-section")
    assert columns == ["Section", "Yes", "Partly", "No", "Not answered", "Total"]
    # A section counts its examples' answers too, as it counts their comments.
    assert rows["Basic – one way"] == [2, 1, 2, 1, 6]
    assert rows["The whole document"] == [1, 0, 0, 0, 1]
    assert rows["Total"] == [3, 1, 2, 1, 7]
    description = text_of(soup.select_one("#reactions-by-section-summary"))
    assert "1 of 2 comments answered ‘Does this make sense to you?’" in description
    assert "5 answers came on their own, without a comment: 3 yes, 1 partly, 2 no in all" in description
    assert "1 comment did not answer" in description

    _, items = table(soup, "reactions-by-item")
    assert items["Basic – one way: Informing people (or telling people)"] == [0, 1, 0, 0, 1]

    columns, alone = table(soup, "reactions-alone-by-section")
    assert columns == ["Section", "Yes", "Partly", "No", "Total"]
    assert alone["Basic – one way"] == [1, 1, 2, 4]
    assert alone["The whole document"] == [1, 0, 0, 1]
    assert alone["Total"] == [2, 1, 2, 5]
    assert text_of(soup.select_one("#reactions-alone-by-section-summary")).startswith(
        "5 answers to ‘Does this make sense to you?’ came on their own, without a comment: "
        "2 yes, 1 partly, 2 no."
    )
    csv_rows = figure_csv(analyst, "reactions-alone-by-section")
    assert csv_rows[0] == ["Section", "Yes", "Partly", "No", "Total"]
    assert ["Basic – one way", "1", "1", "2", "4"] in csv_rows
    assert csv_rows[-1] == ["Total", "2", "1", "2", "5"]


def test_no_answers_say_so_in_the_figures(app):
    analyst = signed_in_client(app, role="analyst")
    soup = check_page(analyst.get("/staff/figures"))
    assert text_of(soup.select_one("#reactions-alone-by-section-summary")) == (
        "No one has answered on their own, without a comment, yet."
    )
    assert (
        text_of(soup.select_one("#reactions-by-section-summary"))
        == "No sections have comments or answers yet."
    )


def test_the_privacy_notice_says_what_an_answer_keeps(client):
    text = text_of(check_page(client.get("/privacy")))
    assert "When you answer “Does this make sense to you?” without commenting" in text
    assert "we keep nothing about you with your answer" in text


def test_the_table_of_answers_has_no_personal_columns():
    """A guard for later changes: adding a name, email or address column fails here first."""
    names = {column.name for column in StandaloneReaction.__table__.columns}
    assert not names & {"name", "author_name", "email", "author_email", "client_key", "ip", "visitor"}
