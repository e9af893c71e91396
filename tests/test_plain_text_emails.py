"""Every plain-text email keeps each link apart from the words around it, so that a mail
program can make it clickable and a screen reader reads it as a link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, OutboxMessage, PasswordLinkPurpose
from feedback_portal.services import accounts, digests, feedback, moderation, responses, updates
from tests.factories import comment_post

SECTION = "/definition/basic"
# A link with a letter, a digit or punctuation stuck to its front ("link:http://...").
GLUED_TO_A_LINK = re.compile(r"[^\s<(]https?://")


def every_kind_of_email(client, app) -> dict[str, str]:
    """Cause every email the portal sends, through the services that send them."""
    client.post(
        SECTION,
        data=comment_post(client, SECTION, comment="Clear.", email="amina@example.org", wants_updates="y"),
    )
    with app.app_context():
        admin = accounts.create_user(
            "admin@example.gov.uk", "admin", password="correct horse battery staple lamp"
        )
        admin.wants_urgent_alerts = True
        db.session.commit()
        comment = db.session.scalar(select(Comment))
        moderation.publish_comment(comment.id, comment.revision, admin)
        feedback.report_comment(comment.reference, "personal-information", None, visitor_id="someone")
        newcomer = accounts.create_user("newcomer@example.gov.uk", "moderator", actor=admin)
        accounts.create_password_link(newcomer, PasswordLinkPurpose.SET_PASSWORD, actor=admin)
        accounts.request_password_reset("admin@example.gov.uk")
        digests.enqueue_due_digests(datetime.now(UTC) + timedelta(days=8))
        responses.save_response(
            comment.id, responses.NO_RESPONSE_YET, "Thank you.", publish=True, actor=admin
        )
        updates.enqueue_due_updates()
        return {
            message.kind + ":" + message.subject: message.text_body
            for message in db.session.scalars(select(OutboxMessage))
        }


def test_no_plain_text_email_glues_a_word_to_a_link(client, app):
    emails = every_kind_of_email(client, app)
    kinds = {key.split(":")[0] for key in emails}
    assert kinds >= {"receipt", "decision", "alert", "account", "digest", "update"}, kinds
    assert any("Set your password" in key for key in emails) and any(
        "Reset your password" in key for key in emails
    )
    for key, text in emails.items():
        assert "http" in text, key
        glued = [text[max(0, m.start() - 20) : m.end()] for m in GLUED_TO_A_LINK.finditer(text)]
        assert not glued, f"{key}: {glued}"
