"""The definition is loaded as structured content, once, from its source file."""

from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import ContentCorrection, DocumentVersion, PracticeItem, Section
from feedback_portal.services.documents import get_current_version

EXPECTED_SECTIONS = [
    "introduction",
    "what-is-co-production",
    "three-levels",
    "basic",
    "intermediate",
    "transformative",
    "co-design-co-produce-co-deliver-co-commission",
]


def counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (DocumentVersion, Section, PracticeItem, ContentCorrection)
    )


def test_the_document_has_its_sections_in_order(app):
    with app.app_context():
        version = get_current_version()
        assert version.number == 1
        assert [section.slug for section in version.sections] == EXPECTED_SECTIONS


def test_practice_items_have_stable_keys_in_order(app):
    with app.app_context():
        sections = {section.slug: section for section in get_current_version().sections}
        assert [item.key for item in sections["transformative"].items] == [
            f"transformative-{n}" for n in range(1, 11)
        ]
        assert len(sections["basic"].items) == 8
        assert len(sections["intermediate"].items) == 9
        assert sections["transformative"].items[2].text == "Led jointly by citizens and staff –'we'"
        assert sections["introduction"].items == []


def test_seeding_again_changes_nothing(app, runner):
    with app.app_context():
        before = counts()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert "already loaded; nothing changed" in result.output
    with app.app_context():
        assert counts() == before == (1, 7, 27, 2)


def test_seed_command_loads_an_empty_database(app, runner):
    with app.app_context():
        for model in (ContentCorrection, PracticeItem, Section):
            db.session.execute(model.__table__.delete())
        from tests.conftest import empty_all_tables

        empty_all_tables(db.session.connection())
        db.session.commit()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "7 sections, 27 practice items" in result.output
    with app.app_context():
        assert counts() == (1, 7, 27, 2)


def test_corrections_to_the_teams_wording_are_recorded(app):
    with app.app_context():
        corrections = get_current_version().corrections
        assert next((c.original, c.corrected) for c in corrections) == (
            "specif pieces if work",
            "specific pieces of work",
        )


def test_retention_run_forgets_address_codes_older_than_a_day(app, runner):
    from datetime import UTC, datetime, timedelta

    from feedback_portal.models import Comment
    from tests.factories import all_comments, make_comment

    make_comment(app, text="old")
    make_comment(app, text="new")
    with app.app_context():
        old = db.session.scalar(select(Comment).where(Comment.body == "old"))
        old.created_at = datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "1 comments" in result.output
    assert {c.body: c.client_key is None for c in all_comments(app)} == {"old": True, "new": False}
