"""A second document and consultation, imported the way `flask document import` does."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, Document, StaffUser
from feedback_portal.services import consultations, documents
from feedback_portal.services.consultations import Period
from tests.factories import make_staff

SECOND_SOURCE = """
document_slug = "carers-charter"
title = "Our carers charter"
summary = "The charter as the team drafted it."
contact_details = "Email: carers@example.gov.uk"

[[sections]]
slug = "promises"
heading = "Our promises"
body = "We will listen to carers."
items_intro = "In practice this means:"
items = ["We answer within a week.", "We meet in the evening too."]

[[sections]]
slug = "support"
heading = "Support for carers"
body = "Carers can ask for a break."
"""


def write_source(folder: Path, text: str = SECOND_SOURCE) -> Path:
    path = folder / "charter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def open_second_consultation(app: Flask, folder: Path, moderation_mode: str = "pre") -> int:
    """The charter imported and scheduled: open now and closing after the seeded consultation,
    which stays the current one. Returns the charter's consultation id."""
    admin_id = make_staff(app, role="admin", email="scheduler@example.gov.uk")
    with app.app_context():
        documents.import_document(write_source(folder))
        charter = db.session.scalar(
            select(Consultation).join(Document).where(Document.slug == "carers-charter")
        )
        admin = db.session.get(StaffUser, admin_id)
        consultations.schedule(charter.id, Period(date(2020, 1, 1), time(9), date(2099, 12, 31)), admin)
        consultations.set_moderation_mode(moderation_mode, admin, charter.id)
        return charter.id
