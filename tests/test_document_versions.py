"""A draft of the document: editing it, two admins at once, publishing it, and keys that last."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, DocumentVersion
from feedback_portal.services import document_versions as versions
from feedback_portal.services import documents, feedback
from feedback_portal.services.exceptions import Conflict
from tests.factories import make_comment
from tests.helpers.audit import audit_entries
from tests.helpers.document_versions import draft_section_id, editor, publish_version_2


def revision() -> int:
    return versions.get_draft().revision


def test_a_draft_copies_the_current_version_and_the_public_still_sees_version_1(app):
    with app.app_context():
        current = documents.get_current_version()
        draft = versions.start_draft(editor(app))
        assert (draft.number, draft.published_at) == (2, None)
        assert [s.slug for s in draft.sections] == [s.slug for s in current.sections]
        assert [i.key for s in draft.sections for i in s.items] == [
            i.key for s in current.sections for i in s.items
        ]
        assert draft.contact_details == current.contact_details
        assert "@brumgetinvolved" in draft.contact_details
        assert len(draft.corrections) == 2
        # Starting again finds the same draft: there is one at a time.
        assert versions.start_draft(editor(app)).id == draft.id
        assert db.session.scalar(select(db.func.count()).select_from(DocumentVersion)) == 2
        assert documents.get_current_version().number == 1


def test_an_edit_made_on_an_older_revision_is_refused_and_overwrites_nothing(app):
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        basic = draft_section_id("basic")
        seen = draft.revision
        versions.edit_section(seen, basic, "Basic", "The first admin's words.", "", actor)
        with pytest.raises(Conflict, match="Someone else changed this draft"):
            versions.edit_section(seen, basic, "Basic", "The second admin's words.", "", actor)
        with pytest.raises(versions.DraftChanged):
            versions.publish_draft(seen, "Too late", actor)
        db.session.expire_all()
        section = next(s for s in versions.get_draft().sections if s.id == basic)
        assert section.body == "The first admin's words."
        assert documents.get_current_version().number == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "is empty"),
        ("#\n\n---", "shows nothing on the page"),
    ],
)
def test_publishing_refuses_an_empty_section_or_text_that_shows_nothing(app, body, reason):
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        versions.edit_section(
            draft.revision, draft_section_id("introduction"), "Introduction", body, "", actor
        )
        with pytest.raises(versions.PublishRefused) as refused:
            versions.publish_draft(revision(), "We tidied the introduction.", actor)
        assert any(reason in r and "Introduction" in r for r in refused.value.reasons)
        assert documents.get_current_version().number == 1


def test_publishing_refuses_a_duplicate_slug_and_a_missing_summary(app):
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        # Only a bad import could do this; the check still stands between it and the public.
        draft.sections[1].slug = "introduction-copy"
        draft.sections[0].slug = "introduction-copy"
        problems = versions.publishing_problems(draft)
        db.session.rollback()
        assert any("More than one section has the address ‘introduction-copy’" in p for p in problems)
        with pytest.raises(versions.PublishRefused, match="Enter what you changed and why"):
            versions.publish_draft(versions.get_draft().revision, "  ", actor)


def test_publishing_makes_the_new_version_current_and_is_audited(app):
    publish_version_2(app)
    with app.app_context():
        current = documents.get_current_version()
        assert current.number == 2
        assert current.summary == "We made the basic level clearer, as people asked."
        basic = next(s for s in current.sections if s.slug == "basic")
        assert "vital to the desired outcome" in basic.body
        assert versions.get_published_version(1).sections[3].body.count("essential") == 1
        assert versions.find_draft() is None
    [entry] = audit_entries(app, "document.publish")
    assert entry.actor_id is not None and entry.after["number"] == 2 and entry.occurred_at is not None


def test_item_keys_stay_when_edited_or_moved_and_a_new_item_never_reuses_one(app):
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        basic = next(s for s in draft.sections if s.slug == "basic")
        first, last = basic.items[0], basic.items[-1]
        versions.edit_item(revision(), first.id, "Telling people", actor)
        versions.move_item(revision(), first.id, 1, actor)
        removed = versions.remove_item(revision(), last.id, actor)
        new = versions.add_item(revision(), basic.id, "Writing to people", actor)
        assert removed.key == "basic-8"
        assert new.key not in {f"{s.slug}-{n}" for s in draft.sections for n in range(1, 11)}
        again = versions.add_item(revision(), basic.id, "Phoning people", actor)
        assert again.key != new.key
        versions.publish_draft(revision(), "We reworded the basic examples.", actor)
        keys = [
            i.key
            for i in next(s for s in documents.get_current_version().sections if s.slug == "basic").items
        ]
        assert keys[:2] == ["basic-2", "basic-1"]
        assert "basic-8" not in keys and keys[-2:] == [new.key, again.key]


def test_a_removed_items_comments_keep_the_wording_they_were_made_on(app):
    reference = make_comment(app, text="Telling is not enough.", item_key="basic-1")
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        item = next(s for s in draft.sections if s.slug == "basic").items[0]
        versions.remove_item(draft.revision, item.id, actor)
        versions.publish_draft(versions.get_draft().revision, "We removed an example.", actor)
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        assert comment.practice_item.text == "Informing people (or telling people)"
        assert comment.document_version.number == 1


def test_sections_are_added_moved_and_removed_with_slugs_never_reused(app):
    with app.app_context():
        actor = editor(app)
        versions.start_draft(actor)
        added = versions.add_section(revision(), "Basic", "A section whose heading is taken.", actor)
        assert added.slug == "basic-2"
        versions.move_section(revision(), added.id, -1, actor)
        versions.remove_section(revision(), draft_section_id("three-levels"), actor)
        again = versions.add_section(revision(), "Three Levels of co-production", "Back again.", actor)
        assert again.slug == "three-levels-of-co-production"
        slugs = [s.slug for s in versions.get_draft().sections]
        assert "three-levels" not in slugs
        assert slugs[-3:] == ["basic-2", "co-design-co-produce-co-deliver-co-commission", again.slug]
        assert [s.position for s in versions.get_draft().sections] == list(range(1, len(slugs) + 1))


def test_a_correction_is_undone_in_the_draft_and_audited(app):
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        typo = next(c for c in draft.corrections if c.section_slug == "introduction")
        versions.undo_correction(draft.revision, typo.id, actor)
        draft = versions.get_draft()
        assert "specif pieces if work" in draft.sections[0].body
        assert [c.section_slug for c in draft.corrections] == [
            "co-design-co-produce-co-deliver-co-commission"
        ]
        # The public version keeps its corrected wording until the draft is published.
        assert "specific pieces of work" in documents.get_current_version().sections[0].body
    assert len(audit_entries(app, "document.correction_undo")) == 1


def test_comments_made_on_version_1_stay_on_their_section_and_say_it_changed(app):
    on_basic = make_comment(app, text="Essential is a strong word.", section_slug="basic")
    make_comment(app, text="Clear enough.", section_slug="introduction")
    publish_version_2(app)
    with app.app_context():
        current = documents.get_current_version()
        basic = next(s for s in current.sections if s.slug == "basic")
        intro = current.sections[0]
        basic_comments = feedback.list_published_comments(current, section=basic)
        assert [c.reference for c in basic_comments] == [on_basic]
        assert versions.changed_since(basic_comments, section=basic) == {on_basic}
        intro_comments = feedback.list_published_comments(current, section=intro)
        assert versions.changed_since(intro_comments, section=intro) == set()
        assert feedback.count_published_comments(current).by_section[basic.id] == 1


def test_the_dashboard_and_digest_count_comments_from_version_1_under_their_section(app):
    from datetime import UTC, datetime, timedelta

    from feedback_portal.services.digests import build_digest
    from feedback_portal.services.moderation.dashboard import summarise_comments

    make_comment(app, text="On basic.", section_slug="basic")
    make_comment(app, text="On an example.", section_slug="basic", item_key="basic-2")
    publish_version_2(app)
    make_comment(app, text="On basic, version 2.", section_slug="basic")
    with app.app_context():
        rows = {row.label: row for row in summarise_comments().rows}
        assert rows["Basic – one way"].by_state["published"] == 3
        assert rows["The whole document"].by_state["published"] == 0
        now = datetime.now(UTC)
        digest = build_digest(now - timedelta(hours=1), now + timedelta(minutes=1))
        assert [(label, count) for label, count, _ in digest.new_by_target] == [
            ("Basic – one way", 2),
            ("Basic – one way: ‘Sharing details of something’", 1),
        ]
