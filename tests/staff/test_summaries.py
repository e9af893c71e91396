""" "You said, we did" summaries: the service's rules and the staff pages.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, StaffUser
from feedback_portal.services import documents, reactions, summaries
from feedback_portal.services.exceptions import Conflict, SummaryChanged
from feedback_portal.services.feedback import CommentTarget, new_submission_key
from feedback_portal.services.summaries import ActionDraft, SummaryDraft, SummaryNotValid
from tests.factories import make_comment, make_staff, signed_in_client
from tests.helpers.audit import audit_entries
from tests.helpers.summaries import (
    author,
    comment_id,
    make_summary,
    stored_summary,
    summary_form,
    tag_comment,
)
from tests.pages import check_page, parse, text_of

SECTION_PAGE = "/definition/basic"


def summary_actions(app) -> list[str]:
    return [entry.action for entry in audit_entries(app) if entry.action.startswith("summary.")]


def public_summary(app, path: str = SECTION_PAGE):
    return check_page(app.test_client().get(path)).select_one(".council-summary")


def draft(you_said: str = "People said it was long.", **kwargs) -> SummaryDraft:
    return SummaryDraft(
        you_said=you_said,
        theme_ids=kwargs.get("themes", []),
        quote_comment_ids=kwargs.get("quotes", []),
        actions=kwargs.get("actions", [ActionDraft("We shortened it.", "changed")]),
    )


# The service ----------------------------------------------------------------------------------


def test_a_draft_is_not_public_and_publishing_is_audited_and_dated(app):
    summary_id = make_summary(app, you_said="Not ready for the public.", publish=False)
    assert public_summary(app) is None
    assert "Not ready for the public." not in app.test_client().get("/you-said-we-did").get_data(as_text=True)

    moment = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    with app.app_context():
        summaries.save_summary(summary_id, 2, draft("Now it is."), True, author(app), now=moment)

    shown = public_summary(app)
    assert shown is not None and "Now it is." in text_of(shown)
    assert stored_summary(app, summary_id).published_at.replace(tzinfo=UTC) == moment
    assert summary_actions(app) == ["summary.create", "summary.save_draft", "summary.publish"]
    publish = audit_entries(app, "summary.publish")[0]
    assert publish.record_type == "summary" and publish.record_id == summary_id
    assert publish.before == {"state": "draft", "revision": 2}
    assert publish.after == {"state": "published", "revision": 3}
    assert "Now it is" not in str([publish.before, publish.after, publish.details])


def test_published_at_is_set_again_when_a_withdrawn_summary_is_published_but_not_by_an_edit(app):
    summary_id = make_summary(app)
    first = stored_summary(app, summary_id).published_at
    with app.app_context():
        actor = author(app)
        later = datetime.now(UTC) + timedelta(hours=1)
        summaries.save_summary(summary_id, 2, draft("An edit."), False, actor, now=later)
        assert summaries.get_summary(summary_id).published_at.replace(tzinfo=UTC) == first.replace(tzinfo=UTC)
        summaries.withdraw_summary(summary_id, 3, actor)
        assert public_summary(app) is None
        again = later + timedelta(hours=1)
        summaries.save_summary(summary_id, 4, draft("Back."), True, actor, now=again)
        assert summaries.get_summary(summary_id).published_at.replace(tzinfo=UTC) == again
    assert summary_actions(app)[-3:] == ["summary.edit", "summary.withdraw", "summary.publish"]


def test_a_save_from_an_old_revision_is_refused_and_changes_nothing(app):
    summary_id = make_summary(app, you_said="The first words.")
    with app.app_context():
        with pytest.raises(SummaryChanged):
            summaries.save_summary(summary_id, 1, draft("Late words."), True, author(app))
        with pytest.raises(SummaryChanged):
            summaries.withdraw_summary(summary_id, 1, author(app))
    assert stored_summary(app, summary_id).you_said == "The first words."
    assert summary_actions(app) == ["summary.create", "summary.publish"]


def test_two_moderators_saving_at_once_one_wins_and_the_other_is_told(app, monkeypatch):
    summary_id = make_summary(app, you_said="The start.")
    both_read = threading.Barrier(2, timeout=10)
    original = summaries.writing._update

    def update_after_both_have_read(*args, **kwargs):
        both_read.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(summaries.writing, "_update", update_after_both_have_read)
    names = ["one@example.gov.uk", "two@example.gov.uk"]
    for name in names:
        make_staff(app, role="moderator", email=name)
    results: dict[str, str] = {}

    def save(name: str) -> None:
        with app.app_context():
            actor = db.session.scalar(select(StaffUser).where(StaffUser.email == name))
            try:
                summaries.save_summary(summary_id, 2, draft(f"Words of {name}"), True, actor)
                results[name] = "won"
            except Conflict:
                results[name] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["conflict", "won"]
    winner = next(name for name, result in results.items() if result == "won")
    stored = stored_summary(app, summary_id)
    assert stored.you_said == f"Words of {winner}" and stored.revision == 3
    assert len(stored.actions) == 1
    assert summary_actions(app) == ["summary.create", "summary.publish", "summary.edit"]


def test_quotes_come_only_from_published_comments_on_the_target(app):
    on_section = make_comment(app, text="Published on basic.")
    pending = make_comment(app, text="Still pending.", state=CommentState.PENDING)
    elsewhere = make_comment(app, text="On another section.", section_slug="transformative")
    summary_id = make_summary(app, quotes=[on_section], publish=False)
    with app.app_context():
        quotable = {
            comment.reference
            for comment in summaries.list_quotable_comments(summaries.get_summary(summary_id))
        }
        assert quotable == {on_section}
        for reference in (pending, elsewhere):
            with pytest.raises(SummaryNotValid):
                summaries.save_summary(
                    summary_id, 2, draft(quotes=[comment_id(reference)]), True, author(app)
                )
    assert [quote.comment_id for quote in stored_summary(app, summary_id).quotes] == [_id(app, on_section)]


def _id(app, reference: str) -> int:
    with app.app_context():
        return comment_id(reference)


def test_a_quote_shows_only_the_redacted_text_and_drops_out_when_the_comment_is_hidden(app):
    reference = make_comment(app, text="My neighbour Jo Bloggs at 4 High Street says it is unclear.")
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        comment.public_body = "My neighbour [name removed] says it is unclear."
        db.session.commit()
    make_summary(app, quotes=[reference])

    shown = text_of(public_summary(app))
    assert "[name removed] says it is unclear." in shown
    assert "Jo Bloggs" not in app.test_client().get("/you-said-we-did").get_data(as_text=True)
    link = public_summary(app).select_one(f"a[href='/definition/basic#comment-{reference}']")
    assert link is not None

    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        comment.state = CommentState.HIDDEN
        db.session.commit()
    assert "says it is unclear" not in text_of(public_summary(app))


def test_not_changing_needs_a_reason(app):
    summary_id = make_summary(app, publish=False)
    with app.app_context():
        with pytest.raises(SummaryNotValid):
            summaries.save_summary(
                summary_id,
                2,
                draft(actions=[ActionDraft("Drop level three.", "not-changing")]),
                True,
                author(app),
            )
        summaries.save_summary(
            summary_id,
            2,
            draft(actions=[ActionDraft("Drop level three.", "not-changing", "It is in the council's plan.")]),
            True,
            author(app),
        )
    shown = text_of(public_summary(app))
    assert "Considered and not changing" in shown and "It is in the council's plan." in shown


def test_the_counts_behind_a_summary_are_its_published_comments_and_their_reactions(app):
    make_comment(app, reaction="yes")
    make_comment(app, reaction="no")
    make_comment(app, reaction="partly", section_slug="basic", item_key="basic-1")
    make_comment(app, reaction="yes", state=CommentState.PENDING)
    make_comment(app, reaction="yes", section_slug="transformative")
    make_comment(app, section_slug=None)
    section = make_summary(app, target="basic")
    item = make_summary(app, target="basic/basic-1")
    document = make_summary(app, target="document")

    with app.app_context():
        listed = [summaries.get_summary(number) for number in (section, item, document)]
        counts = summaries.count_behind(listed)
    assert counts[section].comments == 3
    assert counts[section].reactions == {"yes": 1, "partly": 1, "no": 1}
    assert counts[item].comments == 1 and counts[item].reactions == {"yes": 0, "partly": 1, "no": 0}
    assert counts[document].comments == 5 and counts[document].reactions["yes"] == 2


# The staff pages ------------------------------------------------------------------------------


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def new_summary(client, target: str = "basic") -> int:
    page = check_page(client.get("/staff/you-said-we-did/new"))
    token = page.select_one("input[name=csrf_token]")["value"]
    response = client.post("/staff/you-said-we-did/new", data={"csrf_token": token, "target": target})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_moderator_writes_and_publishes_a_summary_seen_on_the_section_page(app, moderator):
    quoted = make_comment(app, text="Plain words please.")
    theme = tag_comment(app, quoted, "plain english")
    summary_id = new_summary(moderator)
    edit_page = f"/staff/you-said-we-did/{summary_id}"
    page = check_page(moderator.get(edit_page))
    assert page.select_one(f"input[name=quotes][value='{_id(app, quoted)}']") is not None
    assert "Plain words please." in text_of(page)

    saved = moderator.post(
        edit_page,
        data=summary_form(moderator, summary_id, 1, themes=str(theme), quotes=str(_id(app, quoted))),
    )

    assert saved.status_code == 302
    shown = public_summary(app)
    assert "People want plain words." in text_of(shown)
    assert "We rewrote the introduction." in text_of(shown) and "Changed" in text_of(shown)
    theme_link = shown.select_one(f"a[href='/you-said-we-did/{summary_id}/comments?theme={theme}']")
    assert theme_link is not None and "Plain english" in text_of(theme_link)
    behind = check_page(app.test_client().get(theme_link["href"]))
    assert behind.select_one(f"#comment-{quoted}") is not None
    listing = check_page(moderator.get("/staff/you-said-we-did"))
    assert "Published" in text_of(listing) and "Basic" in text_of(listing)


def test_add_another_action_works_without_javascript_and_keeps_what_was_typed(app, moderator):
    summary_id = new_summary(moderator)
    edit_page = f"/staff/you-said-we-did/{summary_id}"

    added = moderator.post(edit_page, data=summary_form(moderator, summary_id, 1, intent="add-action"))

    soup = check_page(added)
    assert soup.select_one("textarea#you_said").get_text() == "People want plain words."
    assert soup.select_one("textarea#actions-0-description").get_text() == "We rewrote the introduction."
    assert soup.select_one("textarea#actions-1-description") is not None
    assert soup.select_one(".govuk-error-summary") is None
    removed = moderator.post(
        edit_page,
        data=summary_form(
            moderator, summary_id, 1, intent="remove-action-0", **{"actions-1-description": "Kept."}
        ),
    )
    soup = check_page(removed)
    assert [text.get_text() for text in soup.select("textarea[id$='-description']")] == ["Kept."]
    assert stored_summary(app, summary_id).actions == []


@pytest.mark.parametrize(
    ("fields", "message", "anchor"),
    [
        ({"you_said": "   "}, "Enter what people said", "#you_said"),
        ({"you_said": "x" * 5001}, "What people said must be 5,000 characters or fewer", "#you_said"),
        ({"you_said": "Hello\x00there"}, "What people said must not include control characters", "#you_said"),
        ({"actions-0-status": "not-changing"}, "Enter the reason for not changing it", "#actions-0-reason"),
        ({"actions-0-status": None}, "Select the status of the action", "#actions-0-status"),
        (
            {"actions-0-description": "Bad\x1bcontrol"},
            "What the team did must not include control characters",
            "#actions-0-description",
        ),
    ],
)
def test_bad_input_gets_the_error_summary_and_keeps_the_text(app, moderator, fields, message, anchor):
    summary_id = new_summary(moderator)
    response = moderator.post(
        f"/staff/you-said-we-did/{summary_id}", data=summary_form(moderator, summary_id, 1, **fields)
    )

    soup = check_page(response, status=200)
    assert soup.title.get_text().startswith("Error: ")
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert summary.select_one(f"a[href='{anchor}']") is not None
    assert soup.select_one(anchor) is not None, "the error summary links to a field on the page"
    typed = fields.get("you_said", "People want plain words.")
    assert soup.select_one("textarea#you_said").get_text() == typed.strip()
    assert public_summary(app) is None
    assert summary_actions(app) == ["summary.create"]


def test_a_second_moderator_on_an_old_page_is_told_with_their_text_and_overwrites_nothing(app, moderator):
    summary_id = new_summary(moderator)
    other = signed_in_client(app, role="admin", email="other.admin@example.gov.uk")
    moderator.post(f"/staff/you-said-we-did/{summary_id}", data=summary_form(moderator, summary_id, 1))

    late = other.post(
        f"/staff/you-said-we-did/{summary_id}",
        data=summary_form(other, summary_id, 1, you_said="The second moderator's words."),
    )

    assert late.status_code == 409
    soup = parse(late)
    assert "has changed since you opened it" in soup.h1.get_text()
    assert "The second moderator's words." in [area.get_text() for area in soup.select("textarea")]
    assert "People want plain words." in text_of(public_summary(app))
    stale_error = other.post(
        f"/staff/you-said-we-did/{summary_id}", data=summary_form(other, summary_id, 1, you_said="")
    )
    assert stale_error.status_code == 409


def test_readers_see_summaries_but_cannot_write_them(app):
    summary_id = make_summary(app, you_said="Visible to every staff role.")
    analyst = signed_in_client(app, role="analyst")

    page = check_page(analyst.get(f"/staff/you-said-we-did/{summary_id}"))
    assert "Visible to every staff role." in text_of(page)
    assert page.select_one("textarea#you_said") is None
    assert analyst.get("/staff/you-said-we-did").status_code == 200
    assert analyst.get("/staff/you-said-we-did/new").status_code == 403
    assert (
        analyst.post(
            f"/staff/you-said-we-did/{summary_id}", data=summary_form(analyst, summary_id, 2)
        ).status_code
        == 403
    )
    assert app.test_client().get("/staff/you-said-we-did").status_code in (302, 401)


def test_withdrawing_takes_it_off_the_public_pages(app, moderator):
    summary_id = make_summary(app, you_said="Soon gone.")
    page = check_page(moderator.get(f"/staff/you-said-we-did/{summary_id}"))
    form = page.select_one(f"form[action='/staff/you-said-we-did/{summary_id}/withdraw']")
    data = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}

    assert moderator.post(f"/staff/you-said-we-did/{summary_id}/withdraw", data=data).status_code == 302

    assert public_summary(app) is None
    assert "Soon gone." not in app.test_client().get("/you-said-we-did").get_data(as_text=True)
    assert app.test_client().get(f"/you-said-we-did/{summary_id}/comments").status_code == 404


def test_a_quote_whose_comment_was_hidden_after_the_page_was_shown_is_dropped_not_refused(app, moderator):
    kept = make_comment(app, text="Still published.")
    hidden = make_comment(app, text="Hidden in the meantime.")
    summary_id = new_summary(moderator)
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == hidden))
        comment.state = CommentState.HIDDEN
        db.session.commit()

    saved = moderator.post(
        f"/staff/you-said-we-did/{summary_id}",
        data=summary_form(moderator, summary_id, 1, quotes=[str(_id(app, kept)), str(_id(app, hidden))]),
    )

    assert saved.status_code == 302
    assert [quote.comment_id for quote in stored_summary(app, summary_id).quotes] == [_id(app, kept)]


def test_answers_given_without_a_comment_count_in_the_split_behind_a_summary(app):
    make_comment(app, reaction="yes")
    with app.app_context():
        page, item = documents.get_practice_item("basic", "basic-1")
        for reaction in ("no", "no"):
            reactions.submit_reaction(
                CommentTarget(page.version, page.section, item),
                reactions.ReactionSubmission(new_submission_key(), reaction),
            )
    summary_id = make_summary(app, target="basic")

    with app.app_context():
        counts = summaries.count_behind([summaries.get_summary(summary_id)])[summary_id]
    assert counts.comments == 1 and counts.alone == 2
    assert counts.reactions == {"yes": 1, "partly": 0, "no": 2}
    card = text_of(public_summary(app))
    assert "3 people answered" in card and "2 without writing a comment" in card
