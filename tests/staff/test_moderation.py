"""Moderating one comment: every state and action, stale pages, redaction, roles, notes and tags.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import CommentNote, StaffUser, Tag
from feedback_portal.services import moderation
from feedback_portal.services.exceptions import Conflict
from feedback_portal.services.moderation import transitions
from tests.factories import make_comment, make_staff, signed_in_client
from tests.pages import check_page, heading, parse, text_of
from tests.staff.moderation_helpers import (
    audit_json,
    comment_audit_entries,
    comment_by_id,
    csrf_token,
    form_with_action,
    hidden_values,
    id_of,
    post_action,
)

STATES = ["pending", "published", "rejected", "spam", "hidden"]
ACTIONS = ["publish", "publish-redacted", "reject", "spam", "hide", "restore"]
ALLOWED = {
    ("pending", "publish"): "published",
    ("pending", "publish-redacted"): "published",
    ("published", "publish-redacted"): "published",
    ("pending", "reject"): "rejected",
    ("pending", "spam"): "spam",
    ("published", "spam"): "spam",
    ("published", "hide"): "hidden",
    ("hidden", "restore"): "published",
    ("rejected", "restore"): "pending",
    ("spam", "restore"): "pending",
}
AUDIT_ACTIONS = {
    "publish": "comment.publish",
    "publish-redacted": "comment.publish_redacted",
    "reject": "comment.reject",
    "spam": "comment.spam",
    "hide": "comment.hide",
    "restore": "comment.restore",
}
AUTHOR_EMAIL = "resident.author@example.com"
AUTHOR_NAME = "Parveen Akhtar"


@pytest.fixture
def moderator(app):
    return signed_in_client(app, role="moderator")


def staff_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))


# Every state and every action -------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_changes_only_the_states_it_applies_to(app, moderator, state, action):
    comment_id = id_of(app, make_comment(app, text="Original words.", state=state))
    before = comment_by_id(app, comment_id)

    response = post_action(moderator, comment_id, action, revision=1)

    after = comment_by_id(app, comment_id)
    entries = comment_audit_entries(app)
    if (state, action) in ALLOWED:
        assert response.status_code == 302
        assert after.state == ALLOWED[state, action]
        assert after.revision == 2
        assert after.state_changed_by_id == staff_id(app, "moderator@example.gov.uk")
        assert after.state_changed_at is not None
        assert after.body == "Original words."
        [entry] = entries
        assert entry.action == AUDIT_ACTIONS[action]
        assert (entry.record_type, entry.record_id) == ("comment", comment_id)
        assert entry.before == {"state": state, "revision": 1}
        assert entry.after == {"state": ALLOWED[state, action], "revision": 2}
        assert entry.actor_id == after.state_changed_by_id
    else:
        soup = check_page(response, status=409)
        assert heading(soup) == "You cannot do that to this comment"
        assert f"A {state} comment cannot be" in text_of(soup)
        assert "Nothing has changed" in text_of(soup)
        for column in (
            "state",
            "revision",
            "public_body",
            "published_at",
            "rejection_reason",
            "state_changed_at",
        ):
            assert getattr(after, column) == getattr(before, column), column
        assert entries == []


def test_hiding_asks_why_and_the_audit_log_and_history_keep_the_reason(app, moderator):
    comment_id = id_of(app, make_comment(app, text="Names a neighbour."))
    page = check_page(moderator.get(f"/staff/comments/{comment_id}"))
    form = form_with_action(page, f"/staff/comments/{comment_id}/hide")
    assert text_of(form.select_one("legend")) == "Why are you hiding it?"

    refused = post_action(moderator, comment_id, "hide", hide_reason="")
    soup = check_page(refused, status=200)
    assert "Select why you are hiding this comment" in text_of(soup.select_one(".govuk-error-summary"))
    assert comment_by_id(app, comment_id).state == "published"

    post_action(moderator, comment_id, "hide", hide_reason="personal-information")
    assert comment_by_id(app, comment_id).state == "hidden"
    [entry] = comment_audit_entries(app)
    assert (entry.action, entry.details) == ("comment.hide", {"reason": "personal-information"})
    history = check_page(moderator.get(f"/staff/comments/{comment_id}"))
    assert "Hidden: it contains personal information" in text_of(history.select_one("#history ~ *"))


def test_publishing_sets_when_it_was_published_and_shows_it_to_the_public(app, client, moderator):
    comment_id = id_of(app, make_comment(app, text="Please publish me.", state="pending"))
    assert "Please publish me." not in client.get("/definition/basic").get_data(as_text=True)
    post_action(moderator, comment_id, "publish")
    assert comment_by_id(app, comment_id).published_at is not None
    soup = parse(client.get("/definition/basic"))
    assert "Please publish me." in text_of(soup.select_one(".council-comments"))


def test_rejecting_records_the_reason_and_note_but_audits_only_the_reason(app, client, moderator):
    comment_id = id_of(app, make_comment(app, text="Off topic text.", state="pending"))
    response = post_action(
        moderator, comment_id, "reject", rejection_reason="off-topic", rejection_note="About bins, not us."
    )
    assert response.status_code == 302
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.rejection_reason, comment.rejection_note) == (
        "rejected",
        "off-topic",
        "About bins, not us.",
    )
    [entry] = comment_audit_entries(app)
    assert entry.details == {"reason": "off-topic"}
    assert "About bins" not in audit_json(app)
    assert "Off topic text." not in client.get("/definition/basic").get_data(as_text=True)
    page = text_of(check_page(moderator.get(f"/staff/comments/{comment_id}")))
    assert "It is not about the document" in page and "About bins, not us." in page


def test_restoring_a_rejected_comment_puts_it_back_in_the_queue_without_its_reason(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    post_action(moderator, comment_id, "reject", rejection_reason="spam")
    post_action(moderator, comment_id, "restore", revision=2)
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision, comment.rejection_reason) == ("pending", 3, None)
    assert [entry.action for entry in comment_audit_entries(app)] == ["comment.reject", "comment.restore"]


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("reject", {"rejection_reason": ""}, "Select why you are rejecting this comment"),
        ("reject", {"rejection_reason": "because"}, "Select why you are rejecting this comment"),
        (
            "reject",
            {"rejection_reason": "other", "rejection_note": "n" * 2001},
            "The note must be 2,000 characters or fewer",
        ),
        ("publish-redacted", {"public_text": "  "}, "Enter the text the public will see"),
        ("publish-redacted", {"public_text": "x" * 5001}, "must be 5,000 characters or fewer"),
        ("publish-redacted", {"public_text": "bell\x07"}, "must not include control characters"),
    ],
)
def test_an_action_with_bad_input_is_explained_keeps_what_was_typed_and_changes_nothing(
    app, moderator, action, fields, message
):
    comment_id = id_of(app, make_comment(app, state="pending"))
    soup = check_page(post_action(moderator, comment_id, action, **fields))
    assert soup.title.get_text().startswith("Error: ")
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    if action == "publish-redacted" and fields["public_text"].strip():
        assert soup.select_one("textarea#public_text").get_text() == fields["public_text"].lstrip("\n")
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision, comment.public_body) == ("pending", 1, None)
    assert comment_audit_entries(app) == []


def test_a_bad_form_on_a_comment_that_changed_meanwhile_says_it_changed(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    post_action(signed_in_client(app, role="admin"), comment_id, "publish", revision=1)
    soup = check_page(
        post_action(moderator, comment_id, "reject", revision=1, rejection_reason=""), status=409
    )
    assert heading(soup) == "This comment has changed since you opened it"
    assert comment_by_id(app, comment_id).state == "published"


@pytest.mark.parametrize("revision", ["", "abc", "0"])
def test_an_action_without_a_valid_revision_is_refused(app, moderator, revision):
    comment_id = id_of(app, make_comment(app, state="pending"))
    response = moderator.post(
        f"/staff/comments/{comment_id}/publish",
        data={"csrf_token": csrf_token(moderator), "revision": revision},
    )
    check_page(response, status=400)
    assert comment_by_id(app, comment_id).state == "pending"


def test_an_action_without_a_csrf_token_is_refused(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    response = moderator.post(f"/staff/comments/{comment_id}/publish", data={"revision": "1"})
    check_page(response, status=400)
    assert comment_by_id(app, comment_id).state == "pending"
    assert comment_audit_entries(app) == []


def test_an_action_on_a_comment_that_does_not_exist_is_not_found(app, moderator):
    check_page(post_action(moderator, 999999, "publish"), status=404)
    check_page(moderator.get("/staff/comments/999999"), status=404)


def test_a_posted_state_is_ignored(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    post_action(moderator, comment_id, "publish", state="hidden", revision=1, published_at="1999-01-01")
    assert comment_by_id(app, comment_id).state == "published"


# Two moderators at once -------------------------------------------------------------------------


def test_an_action_on_an_old_revision_shows_who_changed_it_and_overwrites_nothing(app, moderator):
    comment_id = id_of(app, make_comment(app, text="Contested.", state="pending"))
    admin = signed_in_client(app, role="admin", email="first.admin@example.gov.uk")
    page = parse(moderator.get(f"/staff/comments/{comment_id}"))
    seen_revision = hidden_values(form_with_action(page, f"/staff/comments/{comment_id}/reject"))["revision"]
    assert seen_revision == "1"

    assert post_action(admin, comment_id, "publish", revision=1).status_code == 302
    response = post_action(moderator, comment_id, "reject", revision=int(seen_revision))

    soup = check_page(response, status=409)
    assert heading(soup) == "This comment has changed since you opened it"
    assert "first.admin@example.gov.uk" in text_of(soup)
    assert "It is now published" in text_of(soup)
    assert soup.select_one("time[datetime]") is not None
    link = soup.select_one(f"a[href^='/staff/comments/{comment_id}']")
    assert link is not None
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision, comment.rejection_reason) == ("published", 2, None)
    assert [entry.action for entry in comment_audit_entries(app)] == ["comment.publish"]


def test_a_late_publish_never_undoes_a_redaction(app, client, moderator):
    comment_id = id_of(app, make_comment(app, text="Call Dave on 07700 900123.", state="pending"))
    other = signed_in_client(app, role="moderator", email="second.moderator@example.gov.uk")
    redacted = post_action(
        other, comment_id, "publish-redacted", revision=1, public_text="Call [name removed]."
    )
    assert redacted.status_code == 302

    response = post_action(moderator, comment_id, "publish", revision=1)

    soup = check_page(response, status=409)
    assert "second.moderator@example.gov.uk" in text_of(soup)
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision, comment.public_body) == ("published", 2, "Call [name removed].")
    public = client.get("/definition/basic").get_data(as_text=True)
    assert "Call [name removed]." in public
    assert "07700 900123" not in public
    assert len(comment_audit_entries(app)) == 1


def test_a_stale_redaction_gives_back_what_the_moderator_typed(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    post_action(signed_in_client(app, role="admin"), comment_id, "spam", revision=1)
    soup = check_page(
        post_action(moderator, comment_id, "publish-redacted", revision=1, public_text="My careful edit."),
        status=409,
    )
    assert soup.select_one("textarea#typed-text").get_text() == "My careful edit."
    assert comment_by_id(app, comment_id).public_body is None


def test_two_simultaneous_actions_on_the_same_revision_cannot_both_win(app, monkeypatch):
    """Both pass the revision check before either writes: the conditional UPDATE decides."""
    comment_id = id_of(app, make_comment(app, state="pending"))
    first = make_staff(app, role="moderator", email="one@example.gov.uk")
    second = make_staff(app, role="moderator", email="two@example.gov.uk")
    both_read = threading.Barrier(2, timeout=10)
    original = transitions._conditional_update

    def update_after_both_have_read(*args, **kwargs):
        both_read.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(transitions, "_conditional_update", update_after_both_have_read)
    results: dict[str, str] = {}

    def act(name: str, user_id: int, action) -> None:
        with app.app_context():
            actor = db.session.get(StaffUser, user_id)
            try:
                action(comment_id, 1, actor)
                results[name] = "won"
            except Conflict:
                results[name] = "conflict"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=("publish", first, moderation.publish_comment)),
        threading.Thread(target=act, args=("spam", second, moderation.mark_comment_as_spam)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["conflict", "won"]
    winner = next(name for name, result in results.items() if result == "won")
    comment = comment_by_id(app, comment_id)
    assert comment.revision == 2
    assert comment.state == {"publish": "published", "spam": "spam"}[winner]
    assert len(comment_audit_entries(app)) == 1


# Redaction --------------------------------------------------------------------------------------


def test_the_public_sees_only_the_redacted_text_and_staff_see_both(app, client, moderator):
    original = "My neighbour Jo Bloggs at 12 High Street agrees."
    comment_id = id_of(app, make_comment(app, text=original, state="pending"))
    page = parse(moderator.get(f"/staff/comments/{comment_id}"))
    prefilled = page.select_one("textarea#public_text").get_text()
    assert prefilled.strip() == original

    post_action(moderator, comment_id, "publish-redacted", public_text="My neighbour [name removed] agrees.")

    public = parse(client.get("/definition/basic"))
    assert "My neighbour [name removed] agrees." in text_of(public)
    assert "Jo Bloggs" not in client.get("/definition/basic").get_data(as_text=True)
    staff = check_page(moderator.get(f"/staff/comments/{comment_id}"))
    assert staff.select_one("#comment-text").get_text() == original
    assert staff.select_one("#public-text").get_text() == "My neighbour [name removed] agrees."
    assert "Redacted" in text_of(staff)
    comment = comment_by_id(app, comment_id)
    assert comment.body == original
    assert "Jo Bloggs" not in audit_json(app) and "name removed" not in audit_json(app)


def test_a_published_comment_can_be_redacted_again_and_publishing_never_clears_it(app, client, moderator):
    comment_id = id_of(app, make_comment(app, text="Email me at a@b.example", state="published"))
    post_action(moderator, comment_id, "publish-redacted", revision=1, public_text="Email me at [removed]")
    post_action(moderator, comment_id, "hide", revision=2)
    post_action(moderator, comment_id, "restore", revision=3)
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.public_body) == ("published", "Email me at [removed]")
    assert "a@b.example" not in client.get("/definition/basic").get_data(as_text=True)


# The comment page -------------------------------------------------------------------------------


def test_the_comment_page_shows_what_it_is_about_as_the_person_saw_it(app, moderator):
    reference = make_comment(
        app,
        text="<b>{{ 7*7 }}</b>\nSecond line",
        section_slug="transformative",
        item_key="transformative-3",
        state="pending",
        reaction="partly",
        name="Zoë",
    )
    soup = check_page(moderator.get(f"/staff/comments/{id_of(app, reference)}"))
    assert heading(soup) == f"Comment {reference}"
    shown = soup.select_one("#comment-text")
    assert shown.get_text() == "<b>{{ 7*7 }}</b>\nSecond line"
    assert shown["dir"] == "auto" and "council-user-text" in shown["class"]
    page = text_of(soup)
    assert "Led jointly by citizens and staff" in page
    assert "Partly" in page
    assert "Zoë" not in page  # a name is a contact detail, which moderators do not see
    assert soup.select_one(".govuk-warning-text") is None
    assert "<b>" not in str(shown).replace("&lt;b&gt;", "")


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_a_comment_with_bidirectional_controls_carries_a_warning(app, moderator, control):
    comment_id = id_of(app, make_comment(app, text=f"Looks fine {control}txet neddih", state="pending"))
    soup = check_page(moderator.get(f"/staff/comments/{comment_id}"))
    warning = soup.select_one(".govuk-warning-text")
    assert warning is not None and "change the direction of text" in text_of(warning)
    assert soup.select_one("#comment-text")["dir"] == "auto"


def test_moderators_never_see_the_authors_name_or_email_but_admins_and_analysts_do(app):
    comment_id = id_of(
        app, make_comment(app, text="Contact me.", name=AUTHOR_NAME, email=AUTHOR_EMAIL, state="pending")
    )
    moderator_page = check_page(signed_in_client(app, role="moderator").get(f"/staff/comments/{comment_id}"))
    for secret in (AUTHOR_NAME, AUTHOR_EMAIL):
        assert secret not in str(moderator_page)
    # They still know the comment is not anonymous: the name will be published with it.
    assert text_of(moderator_page.select_one("#comment-name")).startswith("Given")
    for role in ("admin", "analyst"):
        page = check_page(signed_in_client(app, role=role).get(f"/staff/comments/{comment_id}"))
        assert text_of(page.select_one("#comment-name")) == AUTHOR_NAME, role
        assert AUTHOR_EMAIL in text_of(page), role


def test_an_anonymous_comment_says_so_to_every_role(app):
    comment_id = id_of(app, make_comment(app, text="No name.", state="pending"))
    for role in ("moderator", "admin"):
        page = check_page(signed_in_client(app, role=role).get(f"/staff/comments/{comment_id}"))
        assert text_of(page.select_one("#comment-name")) == "Not given (shown as ‘Anonymous’)"


def test_the_history_lists_who_did_what_and_when(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    post_action(moderator, comment_id, "reject", rejection_reason="duplicate")
    post_action(moderator, comment_id, "restore", revision=2)
    soup = check_page(moderator.get(f"/staff/comments/{comment_id}"))
    rows = [text_of(row) for row in soup.select("#history + .council-table-scroll table tbody tr")]
    assert "Sent" in rows[0]
    assert (
        "moderator@example.gov.uk" in rows[1] and "Rejected" in rows[1] and "Pending to rejected" in rows[1]
    )
    assert "repeats another comment" in rows[1]
    assert "Restored" in rows[2] and "Rejected to pending" in rows[2]
    assert " GMT" in rows[2] or " BST" in rows[2]


def test_each_action_form_carries_the_revision_and_the_queue(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    soup = check_page(
        moderator.get(f"/staff/comments/{comment_id}?return_to=/staff/comments%3Fsection%3Dbasic")
    )
    for action in ("publish", "publish-redacted", "reject", "spam"):
        form = form_with_action(soup, f"/staff/comments/{comment_id}/{action}")
        assert form is not None and form["method"] == "post", action
        values = hidden_values(form)
        assert values["revision"] == "1" and values["csrf_token"]
        assert values["return_to"] == "/staff/comments?section=basic"
    assert form_with_action(soup, f"/staff/comments/{comment_id}/hide") is None
    assert soup.select_one("a.govuk-back-link")["href"] == "/staff/comments?section=basic"


# Roles ------------------------------------------------------------------------------------------

ALL_POSTS = [
    "publish",
    "publish-redacted",
    "reject",
    "spam",
    "hide",
    "restore",
    "notes",
    "tags",
    "tags/1/remove",
    "reports/dismiss",
]


def test_an_analyst_reads_but_cannot_moderate(app):
    comment_id = id_of(app, make_comment(app, state="pending", email=AUTHOR_EMAIL))
    analyst = signed_in_client(app, role="analyst")
    check_page(analyst.get("/staff/comments"))
    soup = check_page(analyst.get(f"/staff/comments/{comment_id}"))
    assert [form["action"] for form in soup.select("form")] == ["/staff/logout"]
    assert soup.select("textarea") == []
    queue = check_page(analyst.get("/staff/comments"))
    assert queue.select("input[name=comments]") == []
    assert queue.select_one("form[action='/staff/comments/bulk']") is None
    token = csrf_token(analyst)
    for path in ALL_POSTS:
        response = analyst.post(
            f"/staff/comments/{comment_id}/{path}",
            data={
                "csrf_token": token,
                "revision": "1",
                "public_text": "x",
                "rejection_reason": "other",
                "note": "n",
            },
        )
        assert response.status_code == 403, path
    response = analyst.post(
        "/staff/comments/bulk",
        data={"csrf_token": token, "comments": f"{comment_id}:1", "bulk_action": "publish"},
    )
    assert response.status_code == 403
    check_page(analyst.get("/staff/comments/reported"), status=403)
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision) == ("pending", 1)
    assert comment_audit_entries(app) == []


@pytest.mark.parametrize("path", ["/staff/comments", "/staff/comments/1", "/staff/comments/reported"])
def test_anonymous_visitors_are_sent_to_sign_in(app, client, path):
    make_comment(app, state="pending")
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    assert path.replace("/", "%2F") in response.headers["Location"] or path in response.headers["Location"]


@pytest.mark.parametrize("path", [*ALL_POSTS, "../bulk"])
def test_anonymous_posts_are_refused_and_change_nothing(app, client, path):
    comment_id = id_of(app, make_comment(app, state="pending"))
    token = csrf_token(client, "/staff/login")
    response = client.post(
        f"/staff/comments/{comment_id}/{path}".replace(f"{comment_id}/../", ""),
        data={
            "csrf_token": token,
            "revision": "1",
            "rejection_reason": "other",
            "comments": f"{comment_id}:1",
        },
    )
    assert response.status_code == 403
    comment = comment_by_id(app, comment_id)
    assert (comment.state, comment.revision) == ("pending", 1)
    assert comment_audit_entries(app) == []


# Notes and tags ---------------------------------------------------------------------------------


def test_a_moderator_adds_a_note_that_only_staff_see_and_the_audit_log_does_not_quote(app, client, moderator):
    comment_id = id_of(app, make_comment(app, text="Interesting point.", state="published"))
    response = moderator.post(
        f"/staff/comments/{comment_id}/notes",
        data={
            "csrf_token": csrf_token(moderator),
            "note": "Follow up with the housing team.",
            "return_to": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/comments/{comment_id}#notes"
    soup = check_page(moderator.get(f"/staff/comments/{comment_id}"))
    assert "Follow up with the housing team." in text_of(soup.select_one("#notes").find_next("div"))
    with app.app_context():
        note = db.session.scalar(select(CommentNote))
        assert note.comment_id == comment_id and note.text == "Follow up with the housing team."
        note_id = note.id
    [entry] = comment_audit_entries(app)
    assert (entry.action, entry.record_id, entry.details) == (
        "comment.note",
        comment_id,
        {"note_id": note_id},
    )
    assert "housing team" not in audit_json(app)
    assert "housing team" not in client.get("/definition/basic").get_data(as_text=True)
    assert comment_by_id(app, comment_id).revision == 1


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Enter your note"),
        ("n" * 2001, "Your note must be 2,000 characters or fewer"),
        ("a\x00b", "control"),
    ],
)
def test_a_bad_note_is_explained_and_kept(app, moderator, note, message):
    comment_id = id_of(app, make_comment(app, state="pending"))
    soup = check_page(
        moderator.post(
            f"/staff/comments/{comment_id}/notes", data={"csrf_token": csrf_token(moderator), "note": note}
        )
    )
    assert soup.title.get_text().startswith("Error: ")
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    assert soup.select_one(".govuk-error-summary a")["href"] == "#note"
    if len(note) > 100:
        assert soup.select_one("textarea#note").get_text().strip() == note
    with app.app_context():
        assert db.session.scalar(select(CommentNote)) is None


def test_themes_are_created_on_the_fly_in_lower_case_and_can_be_removed(app, moderator):
    first = id_of(app, make_comment(app, state="pending"))
    second = id_of(app, make_comment(app, state="pending"))
    token = csrf_token(moderator)
    for comment_id in (first, second):
        response = moderator.post(
            f"/staff/comments/{comment_id}/tags",
            data={"csrf_token": token, "tag_name": "  Public   Transport "},
        )
        assert response.status_code == 302
    # A double click tags once.
    moderator.post(
        f"/staff/comments/{first}/tags", data={"csrf_token": token, "tag_name": "public transport"}
    )
    with app.app_context():
        [tag] = db.session.scalars(select(Tag)).all()
        assert tag.name == "public transport"
        tag_id = tag.id
    soup = check_page(moderator.get(f"/staff/comments/{first}"))
    assert "public transport" in text_of(soup.select_one("#themes").find_next("ul"))
    assert [entry.action for entry in comment_audit_entries(app)] == ["comment.tag", "comment.tag"]
    assert all(entry.details == {"tag_id": tag_id} for entry in comment_audit_entries(app))

    response = moderator.post(f"/staff/comments/{first}/tags/{tag_id}/remove", data={"csrf_token": token})
    assert response.status_code == 302
    soup = check_page(moderator.get(f"/staff/comments/{first}"))
    assert "No themes yet." in text_of(soup)
    assert comment_audit_entries(app)[-1].action == "comment.untag"
    assert "transport" not in audit_json(app)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a theme"),
        ("t" * 61, "60 characters or fewer"),
        ("bins!", "letters, numbers, spaces and hyphens"),
        ("<script>", "letters, numbers, spaces and hyphens"),
    ],
)
def test_a_bad_theme_is_explained(app, moderator, name, message):
    comment_id = id_of(app, make_comment(app, state="pending"))
    soup = check_page(
        moderator.post(
            f"/staff/comments/{comment_id}/tags", data={"csrf_token": csrf_token(moderator), "tag_name": name}
        )
    )
    assert message in text_of(soup.select_one(".govuk-error-summary"))
    assert soup.select_one("input#tag_name").get("value", "") == name
    with app.app_context():
        assert db.session.scalar(select(Tag)) is None


def test_themes_in_other_scripts_are_allowed(app, moderator):
    comment_id = id_of(app, make_comment(app, state="pending"))
    moderator.post(
        f"/staff/comments/{comment_id}/tags", data={"csrf_token": csrf_token(moderator), "tag_name": "نقل"}
    )
    with app.app_context():
        assert db.session.scalars(select(Tag.name)).all() == ["نقل"]


# The audit log never holds what people wrote ----------------------------------------------------


def test_no_comment_text_email_or_name_reaches_the_audit_log(app):
    text = "Secret words only the author wrote"
    comment_id = id_of(
        app, make_comment(app, text=text, name=AUTHOR_NAME, email=AUTHOR_EMAIL, state="pending")
    )
    admin = signed_in_client(app, role="admin")
    token = csrf_token(admin)
    post_action(admin, comment_id, "publish-redacted", revision=1, public_text="Redacted secret", token=token)
    admin.post(f"/staff/comments/{comment_id}/notes", data={"csrf_token": token, "note": "Note secret"})
    admin.post(f"/staff/comments/{comment_id}/tags", data={"csrf_token": token, "tag_name": "tagsecret"})
    post_action(admin, comment_id, "spam", revision=2, token=token)
    post_action(admin, comment_id, "restore", revision=3, token=token)
    post_action(admin, comment_id, "reject", revision=4, rejection_note="Reject note secret", token=token)
    assert len(comment_audit_entries(app)) == 6
    stored = audit_json(app)
    for secret in (
        text,
        "Secret words",
        AUTHOR_NAME,
        AUTHOR_EMAIL,
        "Redacted secret",
        "Note secret",
        "tagsecret",
    ):
        assert secret not in stored
    assert "Reject note secret" not in stored
