"""More than one consultation: a second document imported, its own consultation, its own comments."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Consultation, ConsultationStatus, Document
from feedback_portal.services import documents
from tests.factories import make_staff, signed_in_client
from tests.helpers.second_consultation import SECOND_SOURCE, open_second_consultation, write_source
from tests.pages import parse, text_of
from tests.staff.admin_helpers import post


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
    # Its consultation's page leads there too.
    with app.app_context():
        consultation_id = db.session.scalar(
            select(Consultation.id).join(Document).where(Document.slug == "carers-charter")
        )
    consultation_page = parse(staff.get(f"/staff/consultations/{consultation_id}"))
    assert consultation_page.select_one("#edit-document")["href"] == "/staff/document?document=carers-charter"


def test_a_comment_belongs_to_the_consultation_it_was_sent_to_whatever_dates_change(app):
    from datetime import date, time

    from feedback_portal.models import Comment, StaffUser
    from feedback_portal.services import consultations
    from feedback_portal.services.consultations import Period
    from tests.factories import make_comment

    reference = make_comment(app, "Sent while the first was open")
    admin_id = make_staff(app, role="admin", email="admin@example.gov.uk")
    with app.app_context():
        first = consultations.get_current_consultation()
        admin = db.session.get(StaffUser, admin_id)
        consultations.close_now(first.id, admin)
        later = consultations.create_consultation(
            "The next round",
            first.document_id,
            Period(date(2099, 1, 1), time(9), date(2099, 2, 1)),
            "pre",
            admin,
        )
        consultations.schedule(later.id, Period(date(2099, 1, 1), time(9), date(2099, 2, 1)), admin)
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        # The next round is current now; the comment stays with the one it was sent to.
        assert consultations.get_current_consultation().id == later.id
        assert comment.consultation_id == first.id


# A second consultation, open beside the first, with its own pages and comments --------------


@pytest.fixture
def second(app, tmp_path) -> int:
    return open_second_consultation(app, tmp_path, moderation_mode="post")


def test_the_home_page_shows_the_current_consultation_and_lists_the_others(client, second):
    soup = parse(client.get("/"))
    assert "Now: Our definition of co-production" in text_of(soup.select_one("#current-consultation"))
    [other] = soup.select("#other-consultations + ul li")
    assert text_of(other) == "Our carers charter You can comment until 23:59 on 31 December 2099."
    assert other.select_one("a")["href"] == f"/consultations/{second}/definition"


def test_each_consultation_has_its_own_pages_and_comments(app, client, second):
    from tests.factories import REFERENCE, comment_post, use_post_moderation

    use_post_moderation(app)
    charter = f"/consultations/{second}/definition"
    assert "Our carers charter" in text_of(parse(client.get(charter)))
    page = f"{charter}/promises"
    sent = client.post(page, data=comment_post(client, page, comment="Evenings would help me."))
    assert sent.status_code == 302 and REFERENCE.match(sent.headers["Location"])
    first = "/definition/basic"
    client.post(first, data=comment_post(client, first, comment="The basic level is clear."))

    on_charter = text_of(parse(client.get(page)))
    assert "Evenings would help me." in on_charter
    assert "The basic level is clear." not in on_charter
    on_definition = text_of(parse(client.get(first)))
    assert "The basic level is clear." in on_definition
    assert "Evenings would help me." not in on_definition
    # Links on the charter's pages stay in the charter's consultation.
    soup = parse(client.get(charter))
    assert soup.select_one(f"a[href='{charter}/support']") is not None
    # Its whole-document page counts its own comments only.
    with app.app_context():
        from feedback_portal.models import Comment

        consultation_ids = dict(db.session.execute(select(Comment.body, Comment.consultation_id)).all())
    assert consultation_ids["Evenings would help me."] == second
    assert consultation_ids["The basic level is clear."] != second
    # A section of the other document is not part of the current one.
    assert client.get("/definition/promises").status_code == 404


def test_a_draft_consultation_has_no_public_pages(app, client, imported):
    with app.app_context():
        draft = db.session.scalar(select(Consultation).join(Document).where(Document.slug == imported))
    assert client.get(f"/consultations/{draft.id}/definition").status_code == 404
    assert client.get("/consultations/999/definition").status_code == 404
    assert "Other consultations" not in text_of(parse(client.get("/")))


# Staff see one consultation at a time, the current one first --------------------------------


@pytest.fixture
def one_comment_each(app, client, tmp_path) -> int:
    """A pending comment on the seeded consultation and one on the charter's. The charter's id."""
    from tests.factories import comment_post, make_comment

    second = open_second_consultation(app, tmp_path)
    make_comment(app, "Pending on the definition.", state="pending")
    page = f"/consultations/{second}/definition/promises"
    assert (
        client.post(page, data=comment_post(client, page, comment="Pending on the charter.")).status_code
        == 302
    )
    return second


def test_the_queue_shows_the_current_consultation_unless_another_is_chosen(app, one_comment_each):
    staff = signed_in_client(app, "moderator")
    shown = {
        query: text_of(parse(staff.get(f"/staff/comments{query}")))
        for query in ("", f"?consultation={one_comment_each}", "?consultation=")
    }
    assert "Pending on the definition." in shown[""] and "Pending on the charter." not in shown[""]
    charter = shown[f"?consultation={one_comment_each}"]
    assert "Pending on the charter." in charter and "Pending on the definition." not in charter
    assert "Pending on the charter." in shown["?consultation="]
    assert "Pending on the definition." in shown["?consultation="]


def test_flask_export_csv_exports_the_current_consultation_unless_told(runner, one_comment_each):
    exported = {
        name: runner.invoke(args=["export", "csv", "--profile", "internal", *extra]).output
        for name, extra in (
            ("current", []),
            ("charter", ["--consultation", str(one_comment_each)]),
            ("every", ["--consultation", "0"]),
        )
    }
    assert "Pending on the definition." in exported["current"]
    assert "Pending on the charter." not in exported["current"]
    assert "Pending on the charter." in exported["charter"]
    assert "Pending on the definition." not in exported["charter"]
    assert (
        "Pending on the definition." in exported["every"] and "Pending on the charter." in exported["every"]
    )


def test_the_export_page_starts_at_the_current_consultation(app, one_comment_each):
    admin = signed_in_client(app, "admin")
    chosen = parse(admin.get("/staff/export")).select_one("#consultation option[selected]")
    assert text_of(chosen) == "Our definition of co-production"


def test_the_figures_count_the_current_consultation_unless_another_is_chosen(app, client, one_comment_each):
    from tests.factories import comment_post

    page = f"/consultations/{one_comment_each}/definition"
    client.post(page, data=comment_post(client, page, comment="On the whole charter."))
    staff = signed_in_client(app, "moderator")

    def total(query: str) -> str:
        csv = staff.get(f"/staff/figures/comments-per-day.csv{query}").get_data(as_text=True)
        return csv.strip().splitlines()[-1]

    assert total("") == '"Total","1"'
    assert total(f"?consultation={one_comment_each}") == '"Total","2"'
    figures = parse(staff.get(f"/staff/figures?consultation={one_comment_each}"))
    assert text_of(figures.select_one("#consultation option[selected]")) == "Our carers charter"
    # The download links keep the consultation chosen.
    link = figures.select_one("a[href^='/staff/figures/comments-per-day.csv']")
    assert link["href"] == f"/staff/figures/comments-per-day.csv?consultation={one_comment_each}"


def test_the_digest_counts_the_current_consultation_unless_another_is_named(app, one_comment_each):
    from datetime import UTC, datetime, timedelta

    from feedback_portal.services.digests import build_digest

    with app.app_context():
        now = datetime.now(UTC)
        current = build_digest(now - timedelta(hours=1), now + timedelta(minutes=1))
        charter = build_digest(now - timedelta(hours=1), now + timedelta(minutes=1), one_comment_each)
    assert (current.new_total, current.pending) == (1, 1)
    assert [label for label, _count, _link in current.new_by_target] == ["Basic – one way"]
    assert (charter.new_total, charter.pending) == (1, 1)
    # The queue link shows what the digest counted: that consultation's comments.
    assert f"consultation={one_comment_each}" in charter.new_by_target[0][2]


def test_open_data_holds_the_current_consultation_unless_another_is_named(app, client, tmp_path):
    from tests.factories import make_comment

    second = open_second_consultation(app, tmp_path, moderation_mode="post")
    make_comment(app, "Published on the definition.")
    page = f"/consultations/{second}/definition/promises"
    from tests.factories import comment_post

    client.post(page, data=comment_post(client, page, comment="Published on the charter."))
    current_csv = client.get("/open-data/comments.csv").get_data(as_text=True)
    charter_csv = client.get(f"/open-data/comments.csv?consultation={second}").get_data(as_text=True)
    assert "Published on the definition." in current_csv and "Published on the charter." not in current_csv
    assert "Published on the charter." in charter_csv and "Published on the definition." not in charter_csv
    first_page = client.get(f"/open-data/comments.json?consultation={second}&limit=1").get_json()
    assert [row["comment"] for row in first_page["data"]] == ["Published on the charter."]
    assert first_page["links"]["next"] is None
    assert client.get("/open-data/comments.json?consultation=999").status_code == 404
