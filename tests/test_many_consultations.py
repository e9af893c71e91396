"""More than one consultation: a second document imported, its own consultation, its own comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, ConsultationStatus, Document
from feedback_portal.services import documents
from tests.factories import signed_in_client
from tests.pages import parse, text_of
from tests.staff.admin_helpers import post

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


def test_importing_a_document_makes_version_1_and_a_draft_consultation(app, runner, tmp_path):
    result = runner.invoke(args=["document", "import", str(write_source(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Imported ‘carers-charter’: version 1 with 2 sections and 2 examples" in result.output
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "carers-charter"))
        assert document.title == "Our carers charter"
        [version] = document.versions
        assert version.number == 1 and version.published_at is not None
        assert [section.heading for section in version.sections] == ["Our promises", "Support for carers"]
        [consultation] = db.session.scalars(
            select(Consultation).where(Consultation.document_id == document.id)
        )
        assert consultation.status == ConsultationStatus.DRAFT
        assert consultation.opens_at is None
        # The seeded consultation stays the current one: a draft does not take its place.
        assert documents.get_current_version().document.slug == "co-production-definition"


def test_a_slug_already_taken_is_refused_and_nothing_is_added(app, runner, tmp_path):
    source = write_source(tmp_path, SECOND_SOURCE.replace("carers-charter", "co-production-definition"))
    result = runner.invoke(args=["document", "import", str(source)])
    assert result.exit_code != 0
    assert "A document with the slug 'co-production-definition' already exists" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Document)) == 1
        assert db.session.scalar(select(db.func.count()).select_from(Consultation)) == 1


def test_a_file_that_is_not_a_document_is_refused(runner, tmp_path):
    result = runner.invoke(args=["document", "import", str(write_source(tmp_path, 'title = "No sections"'))])
    assert result.exit_code != 0
    assert "is not a document source: it has no document_slug, sections" in result.output


@pytest.fixture
def imported(app, tmp_path) -> str:
    with app.app_context():
        return documents.import_document(write_source(tmp_path)).document_slug


def test_admins_edit_the_imported_document_by_its_slug(app, imported):
    staff = signed_in_client(app, "admin")
    current = staff.get("/staff/document")
    assert "Our definition of co-production" in text_of(parse(current))
    assert "Our carers charter" in text_of(parse(current))  # the link to edit it
    page = staff.get("/staff/document?document=carers-charter")
    assert page.status_code == 200
    assert text_of(parse(page)).count("Our carers charter") >= 1
    # Starting a draft there starts one of that document, and comes back to it.
    started = post(staff, "/staff/document/draft?document=carers-charter")
    assert started.status_code == 302
    assert started.headers["Location"].endswith("/staff/document?document=carers-charter")
    with app.app_context():
        charter = documents.get_document("carers-charter")
        assert [version.number for version in charter.versions] == [1, 2]
        definition = documents.get_document("co-production-definition")
        assert [version.number for version in definition.versions] == [1]
    assert staff.get("/staff/document?document=no-such-document").status_code == 404
