"""The tallies the figures read agree with the comments, whatever happens to the comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from feedback_portal.extensions import db
from feedback_portal.models import Channel, Comment, CommentHourTally, CommentState, CommentTally, Reaction
from feedback_portal.services import consultations, documents
from tests.factories import make_comment
from tests.helpers.second_consultation import open_second_consultation
from tests.helpers.tallies import kept_tallies, recounted_tallies

STATES = st.sampled_from(list(CommentState))
REACTIONS = st.sampled_from([None, *Reaction])
CHANNELS = st.sampled_from(list(Channel))
# Hours either side of the clocks going forward (29 March 2026) and of midnight.
MOMENTS = st.integers(min_value=0, max_value=72).map(
    lambda hours: datetime(2026, 3, 28, 0, 30, tzinfo=UTC) + timedelta(hours=hours)
)
ADD = st.tuples(st.just("add"), st.integers(0, 20), st.tuples(STATES, REACTIONS))
CHANGE = st.one_of(
    st.tuples(st.just("state"), st.integers(0, 50), STATES),
    st.tuples(st.just("reaction"), st.integers(0, 50), REACTIONS),
    st.tuples(st.just("channel"), st.integers(0, 50), CHANNELS),
    st.tuples(st.just("created_at"), st.integers(0, 50), MOMENTS),
    st.tuples(st.just("place"), st.integers(0, 50), st.integers(0, 20)),
    st.tuples(st.just("consultation_id"), st.integers(0, 50), st.booleans()),
)
REMOVE = st.tuples(st.just("remove"), st.integers(0, 50), st.none())


@dataclass(frozen=True)
class Places:
    """Where a comment can be: the whole document, each section, each practice example (as slug
    and key, and as ids), and in which consultation (the seeded one, or a second)."""

    by_name: list[tuple[str | None, str | None]]
    by_id: list[tuple[int | None, int | None]]
    consultations: tuple[int, int]


@pytest.fixture
def places(app, tmp_path) -> Places:
    second = open_second_consultation(app, tmp_path)
    with app.app_context():
        version = documents.get_current_version()
        sections = [(None, None), *((section, None) for section in version.sections)]
        sections += [(section, item) for section in version.sections for item in section.items]
        return Places(
            by_name=[(section and section.slug, item and item.key) for section, item in sections],
            by_id=[(section and section.id, item and item.id) for section, item in sections],
            consultations=(consultations.get_current_consultation().id, second),
        )


def apply(app, operation: tuple, places: Places) -> None:
    action, which, value = operation
    if action == "add":
        section, item = places.by_name[which % len(places.by_name)]
        state, reaction = value
        make_comment(app, section_slug=section, item_key=item, state=state, reaction=reaction)
        return
    with app.app_context():
        ids = db.session.scalars(select(Comment.id).order_by(Comment.id)).all()
        if not ids:
            return
        chosen = Comment.id == ids[which % len(ids)]
        if action == "remove":
            db.session.execute(delete(Comment).where(chosen))
        elif action == "place":
            section_id, item_id = places.by_id[value % len(places.by_id)]
            db.session.execute(
                update(Comment).where(chosen).values(section_id=section_id, practice_item_id=item_id)
            )
        elif action == "consultation_id":
            db.session.execute(
                update(Comment).where(chosen).values(consultation_id=places.consultations[value])
            )
        else:
            db.session.execute(update(Comment).where(chosen).values({action: value}))
        db.session.commit()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.one_of(ADD, ADD, CHANGE, CHANGE, REMOVE), min_size=1, max_size=12))
def test_the_tallies_match_a_recount_after_any_adds_changes_and_removals(app, places, operations):
    for operation in operations:
        apply(app, operation, places)
    with app.app_context(), db.engine.connect() as connection:
        assert kept_tallies(connection) == recounted_tallies(connection)


def test_flask_tallies_recount_puts_wrong_tallies_right(app):
    for state in (CommentState.PENDING, CommentState.PUBLISHED, CommentState.PUBLISHED):
        make_comment(app, state=state, reaction=Reaction.YES)
    with app.app_context():
        with db.engine.begin() as connection:
            right = kept_tallies(connection)
            connection.execute(update(CommentTally).values(comments=CommentTally.comments + 5))
            connection.execute(delete(CommentHourTally))
            assert kept_tallies(connection) != right
        result = app.test_cli_runner().invoke(args=["tallies", "recount"])
        assert result.exit_code == 0, result.output
        assert "The tallies count 3 comments." in result.output
        with db.engine.connect() as connection:
            assert kept_tallies(connection) == right == recounted_tallies(connection)
