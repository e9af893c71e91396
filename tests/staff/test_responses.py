"""The team's public response to one comment: publishing, editing, withdrawing, and who sees what.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select

from feedback_portal.extensions import db
from feedback_portal.models import StaffUser
from feedback_portal.services import responses
from feedback_portal.services.exceptions import Conflict
from tests.factories import make_comment, make_staff, signed_in_client
from tests.pages import check_page, parse, text_of
from tests.staff.moderation_helpers import comment_audit_entries, csrf_token, id_of

SECTION_PAGE = "/definition/basic"
RESPONSE_HEADING = "Response from the Citizen Involvement Team"


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def response_path(comment_id: int) -> str:
    return f"/staff/comments/{comment_id}/response"


def post_response(client, comment_id: int, text: str, revision: int, intent: str = "publish"):
    data = {
        "csrf_token": csrf_token(client),
        "response_revision": str(revision),
        "response_text": text,
        "intent": intent,
    }
    return client.post(response_path(comment_id), data=data)


def withdraw(client, comment_id: int, revision: int):
    data = {"csrf_token": csrf_token(client), "response_revision": str(revision)}
    return client.post(f"{response_path(comment_id)}/withdraw", data=data)


def public_response(app, reference: str):
    """The response under the comment on its public section page, or None."""
    soup = check_page(app.test_client().get(SECTION_PAGE))
    card = soup.select_one(f"#comment-{reference}")
    assert card is not None, "the comment is not on its public page"
    return card.select_one(f"#response-{reference}")


def staff_page(client, comment_id: int):
    return check_page(client.get(f"/staff/comments/{comment_id}"))


def response_actions(app) -> list[str]:
    return [entry.action for entry in comment_audit_entries(app) if entry.action.startswith("response.")]


def test_a_published_response_appears_under_the_comment_from_the_team_with_its_date(app, moderator):
    reference = make_comment(app, text="Who decides what counts?")
    comment_id = id_of(app, reference)

    response = post_response(moderator, comment_id, "We will publish the panel's\nterms of reference.", 0)

    assert response.status_code == 302
    shown = public_response(app, reference)
    assert shown is not None
    assert shown.select_one("h4").get_text(strip=True) == RESPONSE_HEADING
    assert "We will publish the panel's\nterms of reference." in shown.get_text()
    assert shown.select_one("time").get_text(strip=True)  # the uk_date of publication
    assert response_actions(app) == ["response.publish"]


def test_the_team_name_comes_from_the_configuration(app, moderator):
    app.config["TEAM_NAME"] = "Community Voice Team"
    reference = make_comment(app)
    post_response(moderator, id_of(app, reference), "Thank you.", 0)

    assert public_response(app, reference).select_one("h4").get_text(strip=True) == (
        "Response from the Community Voice Team"
    )


def test_a_draft_is_never_shown_to_the_public(app, moderator):
    reference = make_comment(app)
    comment_id = id_of(app, reference)

    post_response(moderator, comment_id, "Not ready yet.", 0, intent="draft")

    assert public_response(app, reference) is None
    assert "Not ready yet." not in text_of(parse(app.test_client().get(SECTION_PAGE)))
    assert "Draft" in text_of(staff_page(moderator, comment_id))
    assert response_actions(app) == ["response.save_draft"]


def test_editing_a_published_response_shows_the_new_text_and_keeps_every_version_for_staff(app, moderator):
    reference = make_comment(app)
    comment_id = id_of(app, reference)
    post_response(moderator, comment_id, "First answer.", 0)

    post_response(moderator, comment_id, "Better answer.", 1)

    shown = public_response(app, reference).get_text()
    assert "Better answer." in shown and "First answer." not in shown
    versions = [
        item.get_text(" ", strip=True)
        for item in staff_page(moderator, comment_id).select(".council-response-version")
    ]
    assert len(versions) == 2
    assert "Better answer." in versions[0] and "First answer." in versions[1]
    assert response_actions(app) == ["response.publish", "response.edit"]


def test_a_withdrawn_response_leaves_the_public_page_and_stays_for_staff(app, moderator):
    reference = make_comment(app)
    comment_id = id_of(app, reference)
    post_response(moderator, comment_id, "An answer we regret.", 0)

    assert withdraw(moderator, comment_id, 1).status_code == 302

    assert public_response(app, reference) is None
    page = text_of(staff_page(moderator, comment_id))
    assert "Withdrawn" in page and "An answer we regret." in page
    assert response_actions(app) == ["response.publish", "response.withdraw"]


def test_the_audit_log_holds_states_and_revisions_but_no_response_text(app, moderator):
    comment_id = id_of(app, make_comment(app))
    post_response(moderator, comment_id, "Secret-ish wording.", 0)

    entry = next(entry for entry in comment_audit_entries(app) if entry.action == "response.publish")
    assert entry.record_id == comment_id
    assert entry.before == {"response_state": None, "response_revision": 0}
    assert entry.after == {"response_state": "published", "response_revision": 1}
    assert "Secret-ish" not in str([entry.before, entry.after, entry.details])


def test_a_second_moderator_on_an_old_page_is_told_and_overwrites_nothing(app, moderator):
    reference = make_comment(app)
    comment_id = id_of(app, reference)
    other = signed_in_client(app, role="admin", email="other.admin@example.gov.uk")
    post_response(moderator, comment_id, "The first moderator's words.", 0)

    late = post_response(other, comment_id, "The second moderator's words.", 0)

    assert late.status_code == 409
    soup = parse(late)
    assert "has changed since you opened it" in soup.h1.get_text()
    assert soup.select_one("#typed-text").get_text() == "The second moderator's words."
    assert "The first moderator's words." in public_response(app, reference).get_text()
    stale_edit = post_response(other, comment_id, "Another late edit.", 0)
    assert stale_edit.status_code == 409
    assert response_actions(app) == ["response.publish"]


def test_withdrawing_from_an_old_page_is_refused(app, moderator):
    reference = make_comment(app)
    comment_id = id_of(app, reference)
    post_response(moderator, comment_id, "First.", 0)
    post_response(moderator, comment_id, "Second.", 1)

    assert withdraw(moderator, comment_id, 1).status_code == 409
    assert "Second." in public_response(app, reference).get_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Enter the response"),
        ("x" * 5001, "The response must be 5,000 characters or fewer"),
        ("Hello\x00there", "The response must not include control characters"),
        ("Hello\x1bthere", "The response must not include control characters"),
    ],
)
def test_bad_input_gets_the_error_summary_and_keeps_the_text(app, moderator, text, message):
    reference = make_comment(app)
    comment_id = id_of(app, reference)

    response = post_response(moderator, comment_id, text, 0)

    soup = check_page(response, status=200)
    assert soup.title.get_text().startswith("Error: ")
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert summary.select_one("a")["href"] == "#response_text"
    assert message in soup.select_one("#response_text-error").get_text()
    assert soup.select_one("textarea#response_text").get_text() == text.strip()
    assert public_response(app, reference) is None
    assert response_actions(app) == []


def test_only_a_published_comment_gets_a_response(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))

    page = staff_page(moderator, comment_id)
    assert page.select_one(f"form[action='{response_path(comment_id)}']") is None
    assert post_response(moderator, comment_id, "Too early.", 0).status_code == 400
    assert response_actions(app) == []


def test_an_analyst_sees_the_response_but_cannot_write_one(app, moderator):
    comment_id = id_of(app, make_comment(app))
    post_response(moderator, comment_id, "Visible to every staff role.", 0)
    analyst = signed_in_client(app, role="analyst")

    page = staff_page(analyst, comment_id)
    assert "Visible to every staff role." in text_of(page)
    assert page.select_one(f"form[action='{response_path(comment_id)}']") is None
    assert post_response(analyst, comment_id, "Analyst words.", 1).status_code == 403
    assert response_actions(app) == ["response.publish"]


def statements_to_show_the_section_page(app) -> int:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        check_page(app.test_client().get(SECTION_PAGE))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_public_page_loads_responses_without_a_query_per_comment(app, moderator):
    first = make_comment(app, text="The first comment.")
    post_response(moderator, id_of(app, first), f"Answer to {first}.", 0)
    with_one = statements_to_show_the_section_page(app)
    references = [make_comment(app, text=f"Comment {number}.") for number in range(4)]
    for reference in references:
        post_response(moderator, id_of(app, reference), f"Answer to {reference}.", 0)

    assert statements_to_show_the_section_page(app) == with_one
    for reference in [first, *references]:
        assert f"Answer to {reference}." in public_response(app, reference).get_text()


def race(app, monkeypatch, write_step: str, save) -> dict[str, str]:
    """Two moderators save at once: both read the response before either writes."""
    both_read = threading.Barrier(2, timeout=10)
    original = getattr(responses, write_step)

    def write_after_both_have_read(*args, **kwargs):
        both_read.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(responses, write_step, write_after_both_have_read)
    results: dict[str, str] = {}

    def act(name: str) -> None:
        with app.app_context():
            actor = db.session.get(StaffUser, make_staff_id(app, name))
            try:
                save(actor, name)
                results[name] = "won"
            except Conflict:
                results[name] = "conflict"
            finally:
                db.session.remove()

    names = ["one@example.gov.uk", "two@example.gov.uk"]
    for name in names:
        make_staff(app, role="moderator", email=name)
    threads = [threading.Thread(target=act, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def make_staff_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))


@pytest.mark.parametrize(("write_step", "seen_revision"), [("_insert", 0), ("_update", 1)])
def test_two_moderators_saving_at_once_one_wins_and_the_other_is_told(
    app, moderator, monkeypatch, write_step, seen_revision
):
    reference = make_comment(app)
    comment_id = id_of(app, reference)
    if seen_revision:
        post_response(moderator, comment_id, "The first version.", 0)

    results = race(
        app,
        monkeypatch,
        write_step,
        lambda actor, name: responses.save_response(
            comment_id, seen_revision, f"Words of {name}", True, actor
        ),
    )

    assert sorted(results.values()) == ["conflict", "won"]
    winner = next(name for name, result in results.items() if result == "won")
    assert f"Words of {winner}" in public_response(app, reference).get_text()
    assert len(response_actions(app)) == seen_revision + 1
