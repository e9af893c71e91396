"""Pages show the words of feedback_portal/vocabulary.py, not copies of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback_portal import vocabulary
from feedback_portal.extensions import db
from feedback_portal.models import Comment
from feedback_portal.services import outcomes
from tests.factories import make_comment
from tests.pages import parse, text_of

SECTION = "/definition/basic"


@pytest.fixture
def monkeypatched_labels(monkeypatch):
    """Reaction labels no template could have written itself."""
    labels = {code: f"{label} (from the vocabulary)" for code, label in vocabulary.REACTION_LABELS.items()}
    monkeypatch.setattr(vocabulary, "REACTION_LABELS", labels)
    return labels


def test_a_published_comment_shows_its_reaction_in_the_vocabularys_words(app, client, monkeypatched_labels):
    references = {
        code: make_comment(app, text=f"Reaction {code}.", reaction=code) for code in monkeypatched_labels
    }
    soup = parse(client.get(SECTION))
    for code, reference in references.items():
        card = soup.select_one(f"#comment-{reference}")
        assert monkeypatched_labels[code] in text_of(card)


def test_the_comment_form_offers_the_vocabularys_reactions(client):
    soup = parse(client.get(SECTION))
    offered = [
        text_of(soup.select_one(f"label[for={radio['id']}]")) for radio in soup.select("input[name=reaction]")
    ]
    assert offered == list(vocabulary.REACTION_LABELS.values())


def test_the_report_form_offers_the_vocabularys_reasons(app, client):
    reference = make_comment(app, text="Report me.")
    soup = parse(client.get(f"/feedback/{reference}/report"))
    offered = [
        text_of(soup.select_one(f"label[for={radio['id']}]")) for radio in soup.select("input[name=reason]")
    ]
    assert offered == list(vocabulary.REPORT_REASONS.values())


@pytest.mark.parametrize("state", ["pending", "rejected", "spam", "hidden", "withdrawn"])
def test_the_authors_page_says_where_their_comment_stands_in_the_vocabularys_words(
    app, client, monkeypatch, state
):
    labels = {code: f"{label} (from the vocabulary)" for code, label in vocabulary.STATES_FOR_AUTHOR.items()}
    monkeypatch.setattr(vocabulary, "STATES_FOR_AUTHOR", labels)
    reference = make_comment(app, text="Where is it?", state=state)
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        link = f"/comments/{reference}?token={outcomes.view_token(comment)}"
    assert labels[state] in text_of(parse(client.get(link)))
