"""The migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from feedback_portal.extensions import db
from tests.conftest import make_app, scratch_postgres_database

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
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"the models need a new migration: {differences}"
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
