"""What became of my comment: the page for a comment's reference, for the public and for its author."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, OutboxMessage, StaffUser
from feedback_portal.services import outcomes, privacy, responses
from tests.factories import comment_post, make_comment
from tests.helpers.updates import comment_asking_for_updates, publish_response, publish_summary, staff_member
from tests.pages import check_page, heading, parse, text_of

SECTION = "/definition/basic"
NOT_FOUND_HEADING = "Page not found"


def change(app, reference: str, **values) -> None:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        for name, value in values.items():
            setattr(comment, name, value)
        db.session.commit()


def view_link(app, reference: str) -> str:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        return f"/comments/{reference}?token={outcomes.view_token(comment)}"


def rows(soup) -> dict[str, str]:
    return {
        text_of(row.select_one(".govuk-summary-list__key")): text_of(
            row.select_one(".govuk-summary-list__value")
        )
        for row in soup.select("#about-the-comment .govuk-summary-list__row")
    }


# A published comment: anyone may see it -----------------------------------------------------


def test_a_published_comment_shows_its_published_words_the_response_and_the_summaries(app, client):
    reference = comment_asking_for_updates(app, "ruth@example.com", "basic", "basic-1", text="My own words.")
    change(app, reference, public_body="My [removed] words.")
    publish_response(app, reference, "We have changed the example.")
    publish_summary(
        app, "basic", you_said="You said the basic level needed plainer words.", actions=("We rewrote it.",)
    )
    publish_summary(app, "intermediate", you_said="Not about this one.")
    publish_summary(app, "basic", state="draft", you_said="A draft nobody sees.")
    response = client.get(f"/comments/{reference}")
    soup = check_page(response)
    assert heading(soup) == f"Comment {reference}"
    about = rows(soup)
    assert about["Reference"] == reference
    assert about["About"] == "The example ‘Informing people (or telling people)’"
    assert about["From"] == "Ruth"
    assert text_of(soup.select_one("#comment-text")) == "My [removed] words."
    page = text_of(soup)
    assert "My own words." not in page and "ruth@example.com" not in page
    assert text_of(soup.select_one("#response")) == "Response from the Citizen Involvement Team"
    assert text_of(soup.select_one("#response-text")) == "We have changed the example."
    assert "You said the basic level needed plainer words." in page and "We rewrote it." in page
    assert "Not about this one." not in page and "A draft nobody sees." not in page
    # The summary reads as it does everywhere else: what the team did, and where that stands.
    assert [text_of(tag) for tag in soup.select(".council-summary__status")] == ["Changed"]
    assert soup.select_one('a[href^="/you-said-we-did/"][href$="/comments"]')
    assert soup.select_one(f'a[href="/definition/basic/examples/basic-1#comment-{reference}"]')
    # Anyone's page: nothing asks search engines to leave it alone.
    assert "X-Robots-Tag" not in response.headers and soup.select_one('meta[name="robots"]') is None


def test_a_draft_or_withdrawn_response_is_not_shown(app, client):
    reference = make_comment(app, text="Published.")
    actor_id = staff_member(app)
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        responses.save_response(
            comment.id, 0, "Not yet ready.", publish=False, actor=db.session.get(StaffUser, actor_id)
        )
    soup = check_page(client.get(f"/comments/{reference}"))
    assert "Not yet ready." not in text_of(soup)
    assert "We have not responded to this comment on its own." in text_of(soup)
    assert "We have not yet published what we did" in text_of(soup)


def test_its_author_sees_the_same_page_through_their_link_and_no_one_else_is_told_the_link(app, client):
    reference = comment_asking_for_updates(app, "ruth@example.com", "basic")
    response = client.get(view_link(app, reference))
    soup = check_page(response)
    assert heading(soup) == f"Your comment {reference}"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "no-store"
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex, nofollow"


# Not published: only through the author's link, and only what they may see -------------------


@pytest.mark.parametrize("state", ["pending", "rejected", "spam", "hidden", "withdrawn"])
def test_an_unpublished_comment_is_not_found_without_its_link(app, client, state):
    reference = make_comment(app, text="Not for the public.", state=state)
    missing = check_page(client.get("/comments/CP-NOPE00"), 404)
    soup = check_page(client.get(f"/comments/{reference}"), 404)
    assert heading(soup) == NOT_FOUND_HEADING
    # Exactly the page of a reference that never existed: nothing says this one does.
    assert text_of(soup.select_one("main")) == text_of(missing.select_one("main")).replace(
        "CP-NOPE00", reference
    )
    assert "Not for the public." not in text_of(soup)


@pytest.mark.parametrize(
    "token_of",
    [
        lambda link: link[:-3] + ("abc" if not link.endswith("abc") else "xyz"),  # changed
        lambda link: "not-a-token",
        lambda link: "",
    ],
    ids=["changed", "made-up", "empty"],
)
def test_a_tampered_link_to_an_unpublished_comment_is_not_found(app, client, token_of):
    reference = make_comment(app, text="Waiting.", state="pending")
    link = view_link(app, reference)
    token = token_of(link.partition("token=")[2])
    soup = check_page(client.get(f"/comments/{reference}?token={token}"), 404)
    assert heading(soup) == NOT_FOUND_HEADING and "Waiting." not in text_of(soup)


def test_a_link_for_another_comment_or_another_purpose_is_not_found(app, client):
    mine = make_comment(app, text="Mine.", state="pending")
    theirs = make_comment(app, text="Theirs.", state="pending")
    their_token = view_link(app, theirs).partition("token=")[2]
    assert client.get(f"/comments/{mine}?token={their_token}").status_code == 404
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == mine))
        withdraw_token = privacy.comment_link_token(comment, "withdraw")
    assert client.get(f"/comments/{mine}?token={withdraw_token}").status_code == 404


def test_a_tampered_link_to_a_published_comment_shows_what_anyone_sees(app, client):
    reference = make_comment(app, text="Out in public.")
    soup = check_page(client.get(f"/comments/{reference}?token=changed"))
    assert heading(soup) == f"Comment {reference}"
    assert text_of(soup.select_one("#comment-text")) == "Out in public."


def test_a_pending_comment_shows_its_author_their_words_and_what_happens_next(app, client):
    reference = comment_asking_for_updates(
        app, "ruth@example.com", "basic", text="Waiting words.", state="pending"
    )
    response = client.get(view_link(app, reference))
    soup = check_page(response)
    assert heading(soup) == f"Your comment {reference}"
    assert rows(soup)["Where it stands"] == "Waiting to be read"
    assert rows(soup)["About"] == "Basic – one way"
    assert text_of(soup.select_one("#comment-text")) == "Waiting words."
    assert "will read your comment" in text_of(soup.select_one("#where-it-stands"))
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_rejected_comment_gives_the_reason_in_plain_words_and_nothing_staff_wrote(app, client):
    reference = make_comment(app, text="My words.", state="rejected")
    moderator = staff_member(app)
    change(
        app,
        reference,
        rejection_reason="off-topic",
        rejection_note="Internal: the third one from this person today.",
        state_changed_by_id=moderator,
    )
    soup = check_page(client.get(view_link(app, reference)))
    page = text_of(soup)
    assert rows(soup)["Where it stands"] == "Not published"
    assert "because it was not about the definition" in page
    assert "Internal" not in page and "responder@example.gov.uk" not in page and "Rejected" not in page
    assert text_of(soup.select_one("#comment-text")) == "My words."


def test_spam_reads_as_not_published_and_never_says_why_the_filter_caught_it(app, client):
    reference = make_comment(app, text="Sent too quickly.", state="spam")
    change(app, reference, spam_signal="too-fast")
    soup = check_page(client.get(view_link(app, reference)))
    page = text_of(soup)
    assert rows(soup)["Where it stands"] == "Not published"
    assert "We have not published your comment." in page
    assert "spam" not in page.lower() and "too-fast" not in page and "fast" not in page


def test_a_hidden_comment_says_it_was_taken_down(app, client):
    reference = make_comment(app, text="Was up.", state="hidden")
    soup = check_page(client.get(view_link(app, reference)))
    assert rows(soup)["Where it stands"] == "Taken down"
    assert "we have taken it down" in text_of(soup)


def test_a_withdrawn_comment_says_so_and_shows_no_text(app, client):
    reference = make_comment(app, text="Soon gone.", state="pending")
    link = view_link(app, reference)
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        privacy.withdraw_comment(reference, privacy.comment_link_token(comment, "withdraw"))
    soup = check_page(client.get(link))
    assert rows(soup)["Where it stands"] == "Withdrawn"
    assert "You withdrew your comment, and we deleted its text." in text_of(soup)
    assert soup.select_one("#comment-text") is None and "Soon gone." not in text_of(soup)


# The links to the page -----------------------------------------------------------------------


def test_the_thank_you_page_and_the_receipt_link_to_the_authors_page(app, client):
    data = comment_post(client, SECTION, comment="Where will this go?", email="ruth@example.com")
    thank_you = client.post(SECTION, data=data).headers["Location"]
    soup = check_page(client.get(thank_you))
    link = soup.find("a", string=re.compile("See your comment and what becomes of it"))["href"]
    reference = thank_you.rsplit("/", 1)[1]
    assert link.startswith(f"/comments/{reference}?token=")
    stranger = parse(app.test_client().get(link))
    assert heading(stranger) == f"Your comment {reference}"
    assert "Where will this go?" in text_of(stranger)
    with app.app_context():
        receipt = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).one()
    [in_text] = re.findall(r"http://\S+/comments/\S+", receipt.text_body)
    # Each link is signed when it is made (the time is in it), so the two may differ: both work.
    assert f"/comments/{reference}?token=" in in_text and in_text.replace("&", "&amp;") in receipt.html_body
    path = urlsplit(in_text)
    from_receipt = parse(app.test_client().get(f"{path.path}?{path.query}"))
    assert heading(from_receipt) == f"Your comment {reference}"
    assert rows(from_receipt)["Where it stands"] == "Waiting to be read"
