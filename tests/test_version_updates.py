"""A new version, told once to each person who asked, listing only the parts they commented on that changed.

The email arrives at a real SMTP server, with the one-click unsubscribe.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import UpdateDelivery
from feedback_portal.services import document_versions as versions
from feedback_portal.services import outbox, updates
from tests.helpers.document_versions import editor
from tests.helpers.updates import comment_asking_for_updates

BASE = "https://feedback.example.gov.uk"
RUTH = "ruth@example.com"
SAM = "sam@example.org"
SUBJECT = "What has happened with your feedback"


@pytest.fixture
def app_overrides(mail_server) -> dict:
    return {"MAIL_PORT": mail_server.port, "PUBLIC_BASE_URL": BASE}


def publish_changes(app) -> None:
    """Version 2: the basic section and one intermediate example reworded; nothing else."""
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        basic = next(s for s in draft.sections if s.slug == "basic")
        versions.edit_section(
            draft.revision,
            basic.id,
            basic.heading,
            basic.body.replace("essential", "vital"),
            basic.items_intro,
            actor,
        )
        item = next(s for s in draft.sections if s.slug == "intermediate").items[1]
        versions.edit_item(
            versions.get_draft().revision, item.id, "An invitation to meet and share views", actor
        )
        versions.publish_draft(versions.get_draft().revision, "We made the levels clearer.", actor)


def run_and_send(app) -> updates.UpdateRun:
    with app.app_context():
        run = updates.enqueue_due_updates(datetime.now(UTC) + timedelta(seconds=1))
        outbox.send_due_messages(datetime.now(UTC) + timedelta(seconds=1))
        return run


def test_each_person_hears_once_of_the_parts_they_commented_on_that_changed(app, mail_server):
    on_basic = comment_asking_for_updates(app, RUTH, "basic", text="Essential is a strong word.")
    on_item = comment_asking_for_updates(app, RUTH, "intermediate", "intermediate-2", text="Typo here.")
    comment_asking_for_updates(app, RUTH, "transformative", text="Fine as it is.")
    comment_asking_for_updates(app, SAM, "introduction", text="Nothing to change.")
    publish_changes(app)

    run = run_and_send(app)
    assert (run.queued, run.events) == (1, 1)
    [mail] = [m for m in mail_server.to(RUTH) if m.subject == SUBJECT]
    assert "We have published version 2 of the document" in mail.text
    assert f"({on_basic}, {on_item})" in mail.text
    assert "What we changed and why: We made the levels clearer." in mail.text
    lines = mail.text.splitlines()
    assert f"{BASE}/definition/changes#basic" in lines
    assert f"{BASE}/definition/changes#intermediate" in lines
    assert '"An invitations to meet and share views"' in mail.text  # the words they commented on
    assert "Transformative" not in mail.text and "#transformative" not in mail.text
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [m for m in mail_server.to(SAM) if m.subject == SUBJECT] == []  # the introduction is unchanged

    # Run again: nobody hears twice.
    again = run_and_send(app)
    assert again.queued == 0
    assert len([m for m in mail_server.to(RUTH) if m.subject == SUBJECT]) == 1
    with app.app_context():
        events = db.session.scalars(select(UpdateDelivery.event_key)).all()
    assert len(events) == 1 and events[0].startswith("version:")


def test_a_comment_made_on_the_new_version_is_not_news_of_it(app, mail_server):
    publish_changes(app)
    comment_asking_for_updates(app, RUTH, "basic", text="Vital is better.")
    assert run_and_send(app).queued == 0
    assert [m for m in mail_server.to(RUTH) if m.subject == SUBJECT] == []
