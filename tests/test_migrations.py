"""The migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text, update
from sqlalchemy.exc import IntegrityError

from feedback_portal.extensions import db, include_name
from feedback_portal.models import Consultation, Document
from feedback_portal.services import public_content
from feedback_portal.services.moderation.queue import QueueFilters, list_queue
from tests.conftest import make_app, scratch_postgres_database
from tests.helpers.migration_data import insert_document_and_consultation, insert_section_and_example
from tests.helpers.tallies import kept_tallies, recounted_tallies

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A new, empty database of the same kind as the suite's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_postgres_database(database_url, prefix="migration_test") as url:
        yield url


def test_migrations_upgrade_an_empty_database_to_what_the_models_describe(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True, "include_name": include_name}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"the models need a new migration: {differences}"
        # What no model describes: a migration that rebuilds the comment table on SQLite must
        # make the search's triggers again.
        assert search_structures() == SEARCH_AT_HEAD[db.engine.dialect.name]
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_upgrade_again(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "section" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_comments_made_before_channels_existed_came_online(empty_database_url):
    """Upgrading a database holding comments keeps them, and says they were sent on this site."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="c94da6caeaf1")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO document_version (id, document_id, number, summary, created_at) "
                    "VALUES (1, 1, 1, '', :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, body, "
                    "wants_updates, wants_involvement, state, revision, created_at) "
                    "VALUES (1, 'CP-222222', 'key-one-0123456789', 1, 'Old comment', false, false, "
                    "'pending', 1, :now)"
                ),
                {"now": NOW},
            )
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT body, channel, received_at, entered_by_id FROM comment WHERE id = 1")
            ).one()
        assert tuple(row) == ("Old comment", "online", None, None)
        db.engine.dispose()


def test_answers_on_their_own_come_and_go_with_their_migration(empty_database_url):
    """The answers' table is made by its revision and removed by its downgrade, leaving comments be."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="5a1d0e7c3b21")
        assert "standalone_reaction" not in inspect(db.engine).get_table_names()
        upgrade(revision="7c3f2a9e5d43")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO document_version (id, document_id, number, summary, created_at) "
                    "VALUES (1, 1, 1, '', :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO standalone_reaction "
                    "(submission_key, document_version_id, reaction, created_at) "
                    "VALUES ('key-one', 1, 'partly', :now)"
                ),
                {"now": NOW},
            )
        with db.engine.connect() as connection:
            assert (
                connection.execute(text("SELECT reaction FROM standalone_reaction")).scalar_one() == "partly"
            )
        # Only the three answers there are.
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO standalone_reaction "
                    "(submission_key, document_version_id, reaction, created_at) "
                    "VALUES ('key-two', 1, 'maybe', :now)"
                ),
                {"now": NOW},
            )
        downgrade(revision="5a1d0e7c3b21")
        assert "standalone_reaction" not in inspect(db.engine).get_table_names()
        assert "comment" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_offers_made_before_the_pipeline_survive_as_new_and_ticked_comments_join_the_list(empty_database_url):
    """An offer at the previous revision keeps its details and section interests, and starts as new;
    a withdrawn one is withdrawn; a comment that ticked "work with the team" becomes an offer."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="8d4a3b0f6e54")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO document_version (id, document_id, number, summary, created_at) "
                    "VALUES (1, 1, 1, '', :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, body, "
                    "author_name, author_email, wants_updates, wants_involvement, state, revision, "
                    "created_at, channel) VALUES (1, 'CP-222222', 'key-one-0123456789', 1, 'Count me in', "
                    "'Sam', 'sam@example.com', false, true, 'pending', 1, :now, 'online')"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO consent_record (id, purpose, wording, wording_version, given_at, "
                    "comment_id) VALUES (1, 'involvement', 'I would like to', 'v1', :now, 1)"
                ),
                {"now": NOW},
            )
            for offer_id, withdrawn in ((1, None), (2, NOW)):
                connection.execute(
                    text(
                        "INSERT INTO involvement_offer (name, email, interests, submission_key, "
                        "withdraw_token_hash, created_at, withdrawn_at) "
                        "VALUES (:name, :email, 'basic other', :key, :hash, :now, :withdrawn)"
                    ),
                    {
                        "name": None if withdrawn else "Priya",
                        "email": None if withdrawn else "priya@example.com",
                        "key": f"offer-key-{offer_id}",
                        "hash": f"{offer_id:064d}",
                        "now": NOW,
                        "withdrawn": withdrawn,
                    },
                )
        upgrade()
        with db.engine.connect() as connection:
            offers = connection.execute(
                text(
                    "SELECT id, name, email, interests, ways, status, source, comment_id "
                    "FROM involvement_offer ORDER BY id"
                )
            ).all()
            consent_offer = connection.execute(
                text("SELECT involvement_offer_id FROM consent_record WHERE id = 1")
            ).scalar_one()
            options = connection.execute(
                text("SELECT kind, count(*) FROM involvement_option GROUP BY kind ORDER BY kind")
            ).all()
        assert [tuple(row) for row in offers[:2]] == [
            (1, "Priya", "priya@example.com", "basic other", "", "new", "form", None),
            (2, None, None, "basic other", "", "withdrawn", "form", None),
        ]
        [from_comment] = offers[2:]
        assert tuple(from_comment)[1:] == ("Sam", "sam@example.com", "", "", "new", "comment", 1)
        assert consent_offer == from_comment.id
        assert [tuple(row) for row in options] == [("interest", 6), ("way", 5)]
        downgrade(revision="8d4a3b0f6e54")
        with db.engine.connect() as connection:
            remaining = (
                connection.execute(text("SELECT id FROM involvement_offer ORDER BY id")).scalars().all()
            )
        assert remaining == [1, 2]
        db.engine.dispose()


def test_themes_made_before_descriptions_existed_keep_their_comments_and_start_at_revision_one(
    empty_database_url,
):
    """Upgrading a database holding themes keeps them, with no description yet."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="5a1d0e7c3b21")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tag (id, name, created_at) VALUES (1, 'transport', :now), (2, 'power', :now)"
                ),
                {"now": NOW},
            )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT name, description, revision FROM tag ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [("transport", None, 1), ("power", None, 1)]
        db.engine.dispose()


def test_equality_answers_come_and_go_with_their_migration_leaving_comments_be(empty_database_url):
    """The answers' table is made empty beside existing comments, holds answers, and its downgrade
    removes it and nothing else."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="b9e4d2c7a1f5")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
        upgrade(revision="d4f8b5c0e3b9")
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM equality_answer")).scalar() == 0
            connection.execute(
                text(
                    "INSERT INTO equality_answer (id, consultation_id, given_in, age_band, consent_wording, "
                    "consent_wording_version) VALUES ('a1', 1, :month, '25-34', 'I agree', 'about-you-v1')"
                ),
                {"month": NOW.date().replace(day=1)},
            )
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT age_band, area FROM equality_answer")).one()
        assert tuple(row) == ("25-34", None)
        downgrade(revision="b9e4d2c7a1f5")
        tables = set(inspect(db.engine).get_table_names())
        assert "equality_answer" not in tables
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT slug FROM document")).scalar() == "d"
        db.engine.dispose()


def test_a_consultation_made_before_its_lifecycle_is_scheduled_and_keeps_its_dates_and_comments(
    empty_database_url,
):
    """The consultation `flask seed` opened stays open between the same moments, with its comment."""
    opens, closes = datetime(2026, 10, 1, 9, tzinfo=UTC), datetime(2026, 12, 24, 9, tzinfo=UTC)
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="d4f8b5c0e3b9")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO document_version (id, document_id, number, summary, created_at) "
                    "VALUES (1, 1, 1, '', :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO consultation (id, document_id, title, opens_at, closes_at, "
                    "moderation_mode, created_at) "
                    "VALUES (1, 1, 'Have your say', :opens, :closes, 'post', :opens)"
                ),
                {"opens": opens, "closes": closes},
            )
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, body, "
                    "wants_updates, wants_involvement, state, revision, created_at, channel) "
                    "VALUES (1, 'CP-222222', 'key-one-0123456789', 1, 'Made while open', false, false, "
                    "'pending', 1, :now, 'online')"
                ),
                {"now": NOW},
            )
        upgrade(revision="f7d3b9e5a2c8")
        consultation = db.session.get(Consultation, 1)
        dates = (consultation.opens_at, consultation.closes_at)
        assert (consultation.status, dates) == ("scheduled", (opens, closes))
        assert consultation.moderation_mode == "post"
        assert consultation.is_open(NOW)
        assert not consultation.is_open(closes)
        db.session.remove()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT body FROM comment")).scalars().all() == ["Made while open"]
        downgrade(revision="d4f8b5c0e3b9")
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT title, opens_at, closes_at FROM consultation")).one()
        assert row.title == "Have your say"
        db.engine.dispose()


def test_the_closing_contact_details_move_out_of_the_last_section_and_item_keys_continue(empty_database_url):
    """A database at the previous revision keeps every section, item and comment; the last
    section's "Contact us" part becomes the version's contact details, and back on downgrade."""
    app = make_app(empty_database_url)
    last_body = "Co-production covers four activities.\n\n## Contact us\n\nEmail: getinvolved@example.gov.uk"
    with app.app_context():
        upgrade(revision="f7d3b9e5a2c8")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO document_version (id, document_id, number, summary, published_at, "
                    "created_at) VALUES (1, 1, 1, '', :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO section (id, version_id, position, slug, heading, body, items_intro) VALUES "
                    "(1, 1, 1, 'basic', 'Basic', 'Basic text.', 'In practice:'), "
                    "(2, 1, 2, 'four', 'Four', :last, '')"
                ),
                {"last": last_body},
            )
            connection.execute(
                text(
                    "INSERT INTO practice_item (id, section_id, position, key, text) VALUES "
                    "(1, 1, 1, 'basic-1', 'Informing'), (2, 1, 2, 'basic-12', 'Listening')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, section_id, "
                    "practice_item_id, body, wants_updates, wants_involvement, state, revision, created_at, "
                    "channel) VALUES (1, 'CP-222222', 'key-one-0123456789', 1, 1, 2, 'On listening', "
                    "false, false, 'published', 1, :now, 'online')"
                ),
                {"now": NOW},
            )
        upgrade(revision="e6c2a8d4f1b7")
        with db.engine.connect() as connection:
            bodies = connection.execute(text("SELECT slug, body FROM section ORDER BY position")).all()
            version = connection.execute(
                text("SELECT contact_details, revision FROM document_version WHERE id = 1")
            ).one()
            sequence = connection.execute(
                text("SELECT item_key_sequence FROM document WHERE id = 1")
            ).scalar()
            comment = connection.execute(text("SELECT section_id, practice_item_id, body FROM comment")).one()
            items = connection.execute(text("SELECT key, text FROM practice_item ORDER BY id")).all()
        assert [tuple(row) for row in bodies] == [
            ("basic", "Basic text."),
            ("four", "Co-production covers four activities."),
        ]
        assert tuple(version) == ("Email: getinvolved@example.gov.uk", 1)
        assert sequence == 12
        assert tuple(comment) == (1, 2, "On listening")
        assert [tuple(row) for row in items] == [("basic-1", "Informing"), ("basic-12", "Listening")]
        downgrade(revision="f7d3b9e5a2c8")
        with db.engine.connect() as connection:
            body = connection.execute(text("SELECT body FROM section WHERE id = 2")).scalar()
        assert (
            body
            == "Co-production covers four activities.\n\n## Contact us\n\nEmail: getinvolved@example.gov.uk\n"
        )
        db.engine.dispose()


def test_every_comment_moves_to_its_document_s_consultation_and_back(empty_database_url):
    """A database at the previous revision (one document, its consultation, its comments) keeps
    every comment, each now belonging to that consultation; a document with comments and no
    consultation gets one, so that no comment is left belonging to none."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="e6c2a8d4f1b7")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO document (id, slug, title, created_at) VALUES "
                    "(1, 'd', 'The definition', :now), (2, 'e', 'Another', :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO document_version (id, document_id, number, summary, published_at, "
                    "created_at) VALUES (1, 1, 1, '', :now, :now), (2, 1, 2, '', :now, :now), "
                    "(3, 2, 1, '', :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO consultation (id, document_id, title, status, opens_at, closes_at, "
                    "moderation_mode, created_at) VALUES (7, 1, 'The definition', 'scheduled', :opens, "
                    ":closes, 'pre', :opens)"
                ),
                {"opens": datetime(2026, 10, 1, tzinfo=UTC), "closes": datetime(2026, 12, 1, tzinfo=UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, body, "
                    "wants_updates, wants_involvement, state, revision, created_at, channel) VALUES "
                    "(1, 'CP-111111', 'k1', 1, 'On version 1', false, false, 'published', 1, :now, 'online'),"
                    "(2, 'CP-222222', 'k2', 2, 'On version 2', false, false, 'pending', 1, :now, 'paper'),"
                    "(3, 'CP-333333', 'k3', 3, 'Elsewhere', false, false, 'published', 1, :now, 'online')"
                ),
                {"now": NOW},
            )
        upgrade(revision="a7b3c9d1e5f2")
        with db.engine.connect() as connection:
            comments = connection.execute(
                text("SELECT id, body, consultation_id FROM comment ORDER BY id")
            ).all()
            made = connection.execute(
                text("SELECT document_id, title, status FROM consultation WHERE id <> 7")
            ).all()
        assert [tuple(row) for row in comments[:2]] == [(1, "On version 1", 7), (2, "On version 2", 7)]
        assert [tuple(row) for row in made] == [(2, "Another", "draft")]
        assert comments[2].consultation_id not in (None, 7)
        with db.engine.connect() as connection, pytest.raises(IntegrityError):
            connection.execute(text("UPDATE comment SET consultation_id = NULL WHERE id = 1"))
        downgrade(revision="e6c2a8d4f1b7")
        with db.engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM comment ORDER BY id")).scalars().all()
        assert bodies == ["On version 1", "On version 2", "Elsewhere"]
        db.engine.dispose()


def test_the_public_content_stamp_comes_with_one_row_beside_existing_data_and_goes(empty_database_url):
    """Upgraded with a document in it, the stamp is there for pages to be kept under; a change
    renews it; the downgrade removes it and nothing else."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="a7b3c9d1e5f2")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO document (id, slug, title, created_at) VALUES (1, 'd', 'D', :now)"),
                {"now": NOW},
            )
        upgrade(revision="c3e8a1f6b2d4")
        first = public_content.current_stamp()
        assert first is not None and len(first) == 32
        db.session.execute(update(Document).values(title="Renamed"))
        db.session.commit()
        assert public_content.current_stamp() not in (None, first)
        db.session.remove()
        downgrade(revision="a7b3c9d1e5f2")
        assert "public_content_stamp" not in set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT title FROM document")).scalar() == "Renamed"
        db.engine.dispose()


SEARCH_AT_HEAD = {
    "postgresql": {"indexes": {"ix_comment_text_trgm"}},
    "sqlite": {
        "tables": {"comment_search"},
        "triggers": {"comment_search_insert", "comment_search_update", "comment_search_delete"},
    },
}


def search_structures() -> dict[str, set[str]]:
    """The comment text search's index (PostgreSQL), or its FTS5 table and triggers (SQLite)."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            indexes = connection.execute(
                text(
                    "SELECT indexname FROM pg_indexes "
                    "WHERE tablename = 'comment' AND indexdef LIKE '%gin_trgm_ops%'"
                )
            ).scalars()
            return {"indexes": set(indexes)}
        names = connection.execute(
            text(
                "SELECT type, name FROM sqlite_master "
                "WHERE name LIKE 'comment_search%' AND type IN ('table', 'trigger')"
            )
        ).all()
        return {
            "tables": {name for kind, name in names if kind == "table" and name == "comment_search"},
            "triggers": {name for kind, name in names if kind == "trigger"},
        }


def found_by_the_queue(words: str, in_contact_details: bool = False) -> list[str]:
    page = list_queue(QueueFilters(state=None, text=words, text_in_contact_details=in_contact_details))
    return [row.comment.reference for row in page.rows]


def test_comments_made_before_the_search_index_are_found_through_it_and_it_goes_with_its_migration(
    empty_database_url,
):
    """Upgrading a database that holds comments indexes them all, the redacted text and contact
    details included; changes after the upgrade reach the index; downgrading removes the index
    and leaves the comments, which can still be searched and changed."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="a7b3c9d1e5f2")
        with db.engine.begin() as connection:
            insert_document_and_consultation(connection, NOW)
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, "
                    "consultation_id, body, public_body, author_name, author_email, wants_updates, "
                    "wants_involvement, state, "
                    "revision, created_at, channel) VALUES "
                    "(1, 'CP-111111', 'k1', 1, 1, 'The Council listens', NULL, 'Parveen Akhtar', "
                    "'parveen@example.org', false, false, 'published', 1, :now, 'online'),"
                    "(2, 'CP-222222', 'k2', 1, 1, 'Call Sam on 0121 496 0000', 'Call [name removed]', NULL, "
                    "NULL, false, false, 'published', 1, :later, 'online')"
                ),
                {"now": NOW, "later": NOW + timedelta(minutes=1)},
            )
        upgrade(revision="c5d8e2a7f3b1")
        assert search_structures() == SEARCH_AT_HEAD[db.engine.dialect.name]
        assert found_by_the_queue("COUNCIL") == ["CP-111111"]
        assert found_by_the_queue("name removed") == ["CP-222222"]
        assert found_by_the_queue("0121 496") == ["CP-222222"]
        assert found_by_the_queue("akhtar") == []
        assert found_by_the_queue("akhtar", in_contact_details=True) == ["CP-111111"]
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE comment SET body = 'The board decides' WHERE id = 1"))
            connection.execute(text("UPDATE comment SET author_name = NULL, author_email = NULL"))
            connection.execute(text("DELETE FROM comment WHERE id = 2"))
        db.session.remove()
        assert found_by_the_queue("council") == []
        assert found_by_the_queue("board") == ["CP-111111"]
        assert found_by_the_queue("akhtar", in_contact_details=True) == []
        assert found_by_the_queue("name removed") == []
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as connection:
                # Raises if the index and the comments disagree.
                connection.execute(
                    text("INSERT INTO comment_search (comment_search, rank) VALUES ('integrity-check', 1)")
                )
        db.session.remove()

        downgrade(revision="c3e8a1f6b2d4")
        assert search_structures() in ({"indexes": set()}, {"tables": set(), "triggers": set()})
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE comment SET body = 'The board listens' WHERE id = 1"))
            bodies = connection.execute(text("SELECT body FROM comment ORDER BY id")).scalars().all()
        assert bodies == ["The board listens"]
        assert found_by_the_queue("LISTENS") == ["CP-111111"]
        db.session.remove()
        db.engine.dispose()


QUEUE_FILTER_INDEXES = {
    "ix_comment_consultation_id_state_created_at_id",
    "ix_comment_consultation_id_created_at_id",
    "ix_comment_section_id_state_created_at_id",
    "ix_comment_practice_item_id_state_created_at_id",
}
INDEXES_THEY_REPLACE = {
    "ix_comment_consultation_id",
    "ix_comment_section_id_state",
    "ix_comment_practice_item_id_state",
}


def comment_indexes() -> set[str]:
    return {index["name"] for index in inspect(db.engine).get_indexes("comment")}


def test_the_queue_filters_indexes_come_beside_existing_comments_and_go(empty_database_url):
    """Upgrading a database with comments on a section and a practice example keeps every one,
    and the queue still finds each by its filter; the text search's triggers survive on SQLite;
    downgrading puts back the indexes the new ones replaced."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="c5d8e2a7f3b1")
        with db.engine.begin() as connection:
            insert_document_and_consultation(connection, NOW)
            insert_section_and_example(connection)
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, "
                    "consultation_id, section_id, practice_item_id, body, wants_updates, "
                    "wants_involvement, state, revision, created_at, channel) VALUES "
                    "(1, 'CP-111111', 'k1', 1, 1, NULL, NULL, 'On the whole', false, false, 'pending', 1, "
                    ":now, 'online'),"
                    "(2, 'CP-222222', 'k2', 1, 1, 1, NULL, 'On a section', false, false, 'published', 1, "
                    ":later, 'online'),"
                    "(3, 'CP-333333', 'k3', 1, 1, 1, 1, 'On an example', false, false, 'pending', 1, "
                    ":latest, 'online')"
                ),
                {"now": NOW, "later": NOW + timedelta(minutes=1), "latest": NOW + timedelta(minutes=2)},
            )
        upgrade()
        assert comment_indexes() >= QUEUE_FILTER_INDEXES
        assert not INDEXES_THEY_REPLACE & comment_indexes()
        assert search_structures() == SEARCH_AT_HEAD[db.engine.dialect.name]

        def queue(**filters) -> list[str]:
            return [row.comment.reference for row in list_queue(QueueFilters(consultation=1, **filters)).rows]

        assert queue() == ["CP-111111", "CP-333333"]
        assert queue(state=None) == ["CP-333333", "CP-222222", "CP-111111"]
        assert queue(state=None, section="basic") == ["CP-333333", "CP-222222"]
        assert queue(item="b1") == ["CP-333333"]
        assert found_by_the_queue("example") == ["CP-333333"]
        db.session.remove()

        downgrade(revision="c5d8e2a7f3b1")
        assert comment_indexes() >= INDEXES_THEY_REPLACE
        assert not QUEUE_FILTER_INDEXES & comment_indexes()
        assert queue(state=None, section="basic") == ["CP-333333", "CP-222222"]
        db.session.remove()
        db.engine.dispose()


TALLY_TRIGGERS_AT_HEAD = {
    "postgresql": {"comment_tally"},
    "sqlite": {"comment_tally_insert", "comment_tally_update", "comment_tally_delete"},
}


def tally_triggers() -> set[str]:
    """The triggers that keep the comment tallies: a batch rebuild of the comment table on SQLite
    would drop them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'comment_tally%' AND NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'comment_tally%'"
        return set(connection.execute(text(query)).scalars())


def test_the_comment_tallies_count_existing_comments_keep_count_and_go(empty_database_url):
    """Upgrading counts the comments already there, in their kinds and hours; the triggers keep
    the counts through later changes; downgrading drops the tallies and leaves the comments."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="d2a6f9c4e8b3")
        with db.engine.begin() as connection:
            insert_document_and_consultation(connection, NOW)
            insert_section_and_example(connection)
            connection.execute(
                text(
                    "INSERT INTO comment (id, reference, submission_key, document_version_id, "
                    "consultation_id, section_id, body, reaction, wants_updates, wants_involvement, state, "
                    "revision, created_at, channel) VALUES "
                    "(1, 'CP-111111', 'k1', 1, 1, NULL, 'One', NULL, false, false, 'pending', 1, :now, "
                    "'online'),"
                    "(2, 'CP-222222', 'k2', 1, 1, 1, 'Two', 'yes', false, false, 'published', 1, :now, "
                    "'paper'),"
                    "(3, 'CP-333333', 'k3', 1, 1, 1, 'Three', 'yes', false, false, 'published', 1, :later, "
                    "'paper')"
                ),
                {"now": NOW, "later": NOW + timedelta(hours=1)},
            )
        upgrade()
        assert tally_triggers() == TALLY_TRIGGERS_AT_HEAD[db.engine.dialect.name]
        with db.engine.begin() as connection:
            assert kept_tallies(connection)["kinds"] == {
                (1, 0, 0, "pending", "", "online"): 1,
                (1, 1, 0, "published", "yes", "paper"): 2,
            }
            assert kept_tallies(connection)["hours"] == {
                (1, "2026-11-01 12", "pending"): 1,
                (1, "2026-11-01 12", "published"): 1,
                (1, "2026-11-01 13", "published"): 1,
            }
            connection.execute(text("UPDATE comment SET state = 'hidden' WHERE id = 2"))
            connection.execute(text("DELETE FROM comment WHERE id = 1"))
            assert kept_tallies(connection) == recounted_tallies(connection)
        downgrade(revision="d2a6f9c4e8b3")
        assert not {"comment_tally", "comment_hour_tally"} & set(inspect(db.engine).get_table_names())
        assert tally_triggers() == set()
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE comment SET state = 'published' WHERE id = 2"))
            states = connection.execute(text("SELECT state FROM comment ORDER BY id")).scalars().all()
        assert states == ["published", "published"]
        db.session.remove()
        db.engine.dispose()
