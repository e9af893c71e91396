"""Drafts and new versions of the document, made through the services as an admin would."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import StaffUser
from feedback_portal.services import document_versions as versions
from tests.factories import make_staff

EDITOR_EMAIL = "editor@example.gov.uk"


def editor(app: Flask) -> StaffUser:
    """An admin account, in the current app context."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == EDITOR_EMAIL))
    if user is None:
        make_staff(app, role="admin", email=EDITOR_EMAIL)
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == EDITOR_EMAIL))
    assert user is not None
    return user


def draft_section_id(slug: str) -> int:
    return next(section.id for section in versions.get_draft().sections if section.slug == slug)


def publish_version_2(app: Flask, section_slug: str = "basic", body: str | None = None) -> None:
    """Version 2: the section's text reworded, published with a change summary."""
    with app.app_context():
        actor = editor(app)
        draft = versions.start_draft(actor)
        section = next(s for s in draft.sections if s.slug == section_slug)
        revision = versions.edit_section(
            draft.revision,
            section.id,
            section.heading,
            body or section.body.replace("essential", "vital"),
            section.items_intro,
            actor,
        )
        versions.publish_draft(revision, "We made the basic level clearer, as people asked.", actor)
