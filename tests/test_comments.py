"""Commenting: what a person sees and what is stored, for good input and every kind of bad input.

Each test runs on SQLite and, with --database-url, on PostgreSQL.
"""

from __future__ import annotations

import time
from urllib.parse import quote_from_bytes, quote_plus

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from feedback_portal.extensions import db
from feedback_portal.models import Comment, CommentState, ConsentRecord
from tests.factories import (
    REFERENCE,
    all_comments,
    close_consultation,
    comment_post,
    make_comment,
    use_post_moderation,
)
from tests.pages import check_page, heading, parse, text_of

SECTION = "/definition/basic"
ITEM = "/definition/transformative/examples/transformative-3"


def count_rows(app, model=Comment) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def error_messages(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".govuk-error-summary__list a")]


# Saving a comment ---------------------------------------------------------------------------


def test_a_comment_on_a_section_is_saved_as_pending_and_thanks_the_person(client, app):
    response = client.post(
        SECTION, data=comment_post(client, SECTION, comment="Clear to me.", reaction="yes")
    )
    match = REFERENCE.match(response.headers["Location"])
    assert response.status_code == 302 and match
    soup = check_page(client.get(response.headers["Location"]))
    assert match.group(1) in text_of(soup.select_one(".govuk-panel"))
    assert "What happens next" in text_of(soup)
    [comment] = all_comments(app)
    assert (comment.state, comment.body, comment.reaction) == ("pending", "Clear to me.", "yes")
    assert comment.reference == match.group(1)
    assert comment.section_id is not None and comment.practice_item_id is None


def test_a_comment_on_a_practice_item_belongs_to_that_item(client, app):
    soup = check_page(client.get(ITEM))
    assert text_of(soup.select_one("#quoted-item")) == "Led jointly by citizens and staff –'we'"
    response = client.post(ITEM, data=comment_post(client, ITEM, comment="Who is 'we'?"))
    assert REFERENCE.match(response.headers["Location"])
    [comment] = all_comments(app)
    with app.app_context():
        comment = db.session.get(Comment, comment.id)
        assert comment.practice_item.key == "transformative-3"
        assert comment.section.slug == "transformative"


def test_a_comment_on_the_whole_document_has_no_section(client, app):
    response = client.post("/definition", data=comment_post(client, "/definition", comment="Good overall."))
    assert REFERENCE.match(response.headers["Location"])
    [comment] = all_comments(app)
    assert comment.section_id is None and comment.practice_item_id is None


def test_the_same_form_sent_twice_makes_one_comment_and_the_same_thank_you_page(client, app):
    data = comment_post(client, SECTION, comment="Double click.")
    first = client.post(SECTION, data=data)
    second = client.post(SECTION, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(app) == 1


def test_each_new_form_makes_a_new_comment(client, app):
    client.post(SECTION, data=comment_post(client, SECTION, comment="One."))
    client.post(SECTION, data=comment_post(client, SECTION, comment="Two."))
    assert [c.body for c in all_comments(app)] == ["One.", "Two."]


def test_the_thank_you_page_is_only_for_the_browser_that_sent_the_comment(client, app):
    location = client.post(SECTION, data=comment_post(client, SECTION, comment="Mine.")).headers["Location"]
    stranger = app.test_client()
    check_page(stranger.get(location), status=404)


@pytest.mark.parametrize(
    "text",
    [
        "یہ تعریف واضح ہے، شکریہ۔",
        "এই সংজ্ঞাটি পরিষ্কার, ধন্যবাদ।",
        "Great 👍🏽👨‍👩‍👧 work",
        "Cafe\u0301 and e\u0301te\u0301 (combining accents)",
        "Line one\nLine two\n\nLast line",
        "{{ 7*7 }} {% raw %} <script>alert(1)</script> & &amp;",
    ],
)
def test_text_in_any_script_is_stored_and_shown_exactly_as_typed(client, app, text):
    client.post(SECTION, data=comment_post(client, SECTION, comment=text, name="Zoë ", email=""))
    [comment] = all_comments(app)
    assert comment.body == text
    assert comment.author_name == "Zoë"
    with app.app_context():
        db.session.execute(
            db.update(Comment).values(state=CommentState.PUBLISHED, published_at=comment.created_at)
        )
        db.session.commit()
    soup = check_page(client.get(SECTION))
    shown = soup.select_one(f"#comment-{comment.reference} .council-user-text")
    assert shown.get_text() == text
    assert shown["dir"] == "auto"
    assert "<script>alert(1)</script>" not in client.get(SECTION).get_data(as_text=True)
    assert "49" not in shown.get_text()


def test_consent_is_recorded_with_the_words_the_person_was_shown(client, app):
    form = parse(client.get(SECTION))
    shown = [
        text_of(form.select_one(f"label[for={field}]")) for field in ("wants_updates", "wants_involvement")
    ]
    client.post(
        SECTION,
        data=comment_post(
            client,
            SECTION,
            comment="Count me in.",
            email="resident@example.com",
            wants_updates="y",
            wants_involvement="y",
        ),
    )
    [comment] = all_comments(app)
    assert comment.wants_updates and comment.wants_involvement
    assert comment.author_email == "resident@example.com"
    with app.app_context():
        consents = db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
        assert [(c.purpose, c.wording) for c in consents] == [
            ("feedback-updates", "Tell me what happens with my feedback"),
            (
                "involvement",
                "I'd like to work with the Citizen Involvement Team on specific pieces of work",
            ),
        ]
        assert all(c.comment_id == comment.id and c.given_at is not None for c in consents)
        assert [c.wording for c in consents] == shown
    soup = parse(client.get(SECTION))
    for label in (
        "Tell me what happens with my feedback",
        "I'd like to work with the Citizen Involvement Team",
    ):
        assert label in text_of(soup.select_one("form[action='/definition/basic']"))


def test_no_consent_is_recorded_when_the_boxes_are_left_unticked(client, app):
    client.post(SECTION, data=comment_post(client, SECTION, comment="Just a comment."))
    assert count_rows(app, ConsentRecord) == 0
    [comment] = all_comments(app)
    assert not comment.wants_updates and not comment.wants_involvement


def test_the_client_address_is_kept_only_as_a_keyed_code_and_forgotten_after_a_day(client, app):
    client.post(
        SECTION,
        data=comment_post(client, SECTION, comment="Hello."),
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    [comment] = all_comments(app)
    assert comment.client_key and "203.0.113.77" not in comment.client_key and len(comment.client_key) == 64
    from datetime import timedelta

    from feedback_portal.services.privacy import forget_client_keys

    with app.app_context():
        assert forget_client_keys(now=comment.created_at + timedelta(hours=23)) == 0
        assert forget_client_keys(now=comment.created_at + timedelta(hours=25)) == 1
    assert all_comments(app)[0].client_key is None


def test_name_and_email_are_offered_again_for_the_next_comment_and_can_be_cleared(client):
    fields = {"comment": "First.", "name": "Amina", "email": "a@example.com", "remember_details": "y"}
    client.post(SECTION, data=comment_post(client, SECTION, **fields))
    soup = parse(client.get("/definition/intermediate"))
    assert soup.select_one("input#name")["value"] == "Amina"
    assert soup.select_one("input#email")["value"] == "a@example.com"
    clear_form = soup.select_one("form[action='/forget-my-details']")
    data = {field["name"]: field.get("value", "") for field in clear_form.select("input[type=hidden]")}
    response = client.post("/forget-my-details", data=data)
    assert response.headers["Location"] == "/definition/intermediate"
    soup = parse(client.get("/definition/intermediate"))
    assert not soup.select_one("input#name").get("value")
    assert soup.select_one("form[action='/forget-my-details']") is None


# Bad input: a clear answer, and nothing stored -----------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"comment": ""}, "Enter your comment"),
        ({"comment": " \n\t  \r\n "}, "Enter your comment"),
        ({"comment": "x" * 5001}, "Your comment must be 5,000 characters or fewer"),
        ({"comment": "nul\x00byte"}, "Your comment must not include control characters"),
        ({"comment": "bell\x07"}, "Your comment must not include control characters"),
        ({"comment": "escape \x1b[31m"}, "Your comment must not include control characters"),
        ({"comment": "ok", "name": "Amina\nBcc: x@example.com"}, "Your name must only include"),
        ({"comment": "ok", "name": "Amina\x00"}, "Your name must only include"),
        ({"comment": "ok", "name": "n" * 101}, "Your name must be 100 characters or fewer"),
        ({"comment": "ok", "email": "a@example.com\nBcc: b@example.com"}, "Enter one email address"),
        ({"comment": "ok", "email": "a@example.com, b@example.com"}, "Enter one email address"),
        ({"comment": "ok", "email": "a@example.com;b@example.com"}, "Enter one email address"),
        ({"comment": "ok", "email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"comment": "ok", "email": "jöhn@example.com"}, "Enter an email address using only English letters"),
        ({"comment": "ok", "wants_updates": "y"}, "Enter your email address so we can tell you"),
        ({"comment": "ok", "wants_involvement": "y"}, "Enter your email address so the team can contact you"),
        ({"comment": "ok", "reaction": "maybe"}, "Not a valid choice"),
        ({"comment": "ok", "submission_key": "short"}, "This form has expired"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, app, fields, message):
    response = client.post(SECTION, data=comment_post(client, SECTION, **fields))
    soup = check_page(response, status=200)
    assert soup.title.get_text().startswith("Error: ")
    assert any(message in text for text in error_messages(soup)), error_messages(soup)
    for link in soup.select(".govuk-error-summary__list a"):
        assert soup.select_one(link["href"]) is not None, f"error link {link['href']} points at nothing"
    assert count_rows(app) == 0
    assert count_rows(app, ConsentRecord) == 0


def test_what_was_typed_is_kept_when_the_form_has_errors(client):
    long_text = "Keep me. " * 556 + "xyz"
    response = client.post(
        SECTION,
        data=comment_post(client, SECTION, comment=long_text, name="Amina", email="bad@", reaction="no"),
    )
    soup = parse(response)
    assert soup.select_one("textarea#comment").get_text() == long_text.strip()
    assert soup.select_one("input#name")["value"] == "Amina"
    assert soup.select_one("input#email")["value"] == "bad@"
    assert soup.select_one("input[name=reaction][value=no]").has_attr("checked")


def test_posted_fields_the_form_does_not_have_are_ignored(client, app):
    client.post(
        SECTION,
        data=comment_post(
            client, SECTION, comment="Sneaky.", status="published", state="published", revision="99", id="1"
        ),
    )
    [comment] = all_comments(app)
    assert comment.state == "pending" and comment.revision == 1
    assert "Sneaky." not in client.get(SECTION).get_data(as_text=True)


def test_a_missing_csrf_token_gets_the_expired_form_page_with_the_text_given_back(client, app):
    data = comment_post(client, SECTION, comment="My long considered comment.")
    del data["csrf_token"]
    response = client.post(SECTION, data=data)
    soup = check_page(response, status=400)
    assert heading(soup) == "This form has expired"
    assert soup.select_one("textarea[readonly]").get_text() == "My long considered comment."
    assert count_rows(app) == 0


def test_a_form_signed_with_an_old_secret_key_gets_the_expired_form_page(client, app):
    data = comment_post(client, SECTION, comment="Written before the key changed.")
    app.config["SECRET_KEY"] = "a-new-key-after-rotation-0123456789-abcdefghijkl"
    response = client.post(SECTION, data=data)
    soup = check_page(response, status=400)
    assert heading(soup) == "This form has expired"
    assert "Written before the key changed." in soup.select_one("textarea[readonly]").get_text()
    assert count_rows(app) == 0


def encoded_form(data: dict[str, str], comment: bytes, encoding: str) -> tuple[bytes, str]:
    """A form body as a program could send it, with the comment's raw bytes as given."""
    if encoding == "urlencoded":
        fields = [f"{key}={quote_plus(value)}".encode() for key, value in data.items()]
        return b"&".join([*fields, b"comment=" + quote_from_bytes(comment).encode()]), (
            "application/x-www-form-urlencoded"
        )
    boundary = "portal-test-boundary"
    parts = [(key, value.encode()) for key, value in data.items()] + [("comment", comment)]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode() + value + b"\r\n"
        for key, value in parts
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_invalid_utf8_gets_the_bad_request_page_however_the_form_is_encoded(client, app, encoding):
    body, content_type = encoded_form(comment_post(client, SECTION), b"\xff\xfe\x80bad", encoding)
    response = client.post(SECTION, data=body, content_type=content_type)
    check_page(response, status=400)
    assert count_rows(app) == 0


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_valid_utf8_is_stored_exactly_however_the_form_is_encoded(client, app, encoding):
    body, content_type = encoded_form(comment_post(client, SECTION), "Zoë’s view 👍".encode(), encoding)
    response = client.post(SECTION, data=body, content_type=content_type)
    assert REFERENCE.match(response.headers["Location"])
    [comment] = all_comments(app)
    assert comment.body == "Zoë’s view 👍"


def test_a_body_over_the_limit_gets_the_too_large_page_and_nothing_is_saved(client, app):
    response = client.post(SECTION, data=comment_post(client, SECTION, comment="x" * (10 * 1024 * 1024)))
    check_page(response, status=413)
    assert count_rows(app) == 0


def test_a_get_to_an_action_that_only_posts_gets_the_method_not_allowed_page(client):
    check_page(client.get("/forget-my-details"), status=405)


@pytest.mark.parametrize(
    "path",
    [
        "/definition/no-such-section",
        "/definition/basic/examples/basic-99",
        "/definition/basic/examples/transformative-3",
    ],
)
def test_comments_on_unknown_sections_or_items_get_the_not_found_page(client, app, path):
    check_page(client.get(path), status=404)
    response = client.post(path, data=comment_post(client, SECTION, comment="Lost."))
    check_page(response, status=404)
    assert count_rows(app) == 0


# Spam ---------------------------------------------------------------------------------------


def test_a_filled_honeypot_gets_the_normal_thank_you_page_and_is_stored_as_spam(client, app):
    response = client.post(
        SECTION, data=comment_post(client, SECTION, comment="Buy now", website="http://spam.example")
    )
    assert REFERENCE.match(response.headers["Location"])
    check_page(client.get(response.headers["Location"]))
    [comment] = all_comments(app)
    assert (comment.state, comment.spam_signal) == ("spam", "honeypot")


@pytest.mark.parametrize("app_overrides", [{"MIN_FORM_FILL_SECONDS": 30}])
def test_a_form_sent_faster_than_a_person_could_is_stored_as_spam(client, app):
    response = client.post(SECTION, data=comment_post(client, SECTION, comment="Instant"))
    assert REFERENCE.match(response.headers["Location"])
    [comment] = all_comments(app)
    assert (comment.state, comment.spam_signal) == ("spam", "too-fast")


@pytest.mark.parametrize("app_overrides", [{"MIN_FORM_FILL_SECONDS": 30}])
def test_a_form_shown_before_the_time_note_changed_shape_is_still_taken_from_a_person(client, app):
    data = comment_post(client, SECTION, comment="Typed while the portal was updated")
    earlier_note = URLSafeSerializer(app.config["SECRET_KEY"], salt="form-shown-at")
    shown_a_minute_ago = [int(time.time()) - 60, "CommentForm", data["submission_key"]]
    data["form_shown_at"] = earlier_note.dumps(shown_a_minute_ago)

    client.post(SECTION, data=data)

    [comment] = all_comments(app)
    assert (comment.state, comment.spam_signal) == ("pending", None)


def test_a_form_with_a_forged_start_time_is_stored_as_spam(client, app):
    client.post(SECTION, data=comment_post(client, SECTION, comment="Forged", form_shown_at="1000"))
    [comment] = all_comments(app)
    assert (comment.state, comment.spam_signal) == ("spam", "no-form-time")


def test_spam_is_never_published_even_under_post_moderation(client, app):
    use_post_moderation(app)
    client.post(SECTION, data=comment_post(client, SECTION, comment="Real person"))
    client.post(SECTION, data=comment_post(client, SECTION, comment="Bot", website="x"))
    assert {c.body: c.state for c in all_comments(app)} == {"Real person": "published", "Bot": "spam"}
    page = client.get(SECTION).get_data(as_text=True)
    assert "Real person" in page and "Bot" not in page


# The thank-you page ------------------------------------------------------------------------


def thank_you_page(client, path: str = SECTION, **fields):
    response = client.post(path, data=comment_post(client, path, comment="My view.", **fields))
    return check_page(client.get(response.headers["Location"]))


def what_happens_next(soup) -> str:
    return text_of(soup.find("h2", string="What happens next").find_next_sibling("p"))


def test_the_thank_you_page_says_a_moderator_reads_first_under_pre_moderation(client):
    next_step = what_happens_next(thank_you_page(client, name="Amina"))
    assert next_step.startswith("A member of the Citizen Involvement Team will read your comment.")
    assert next_step.endswith("we will publish it on this site with your name.")


def test_the_thank_you_page_says_the_comment_is_already_public_under_post_moderation(client, app):
    use_post_moderation(app)
    next_step = what_happens_next(thank_you_page(client))
    assert next_step.startswith("Your comment is on this site now, as ‘Anonymous’.")
    assert "will read your comment. If it follows our rules" not in next_step


def test_quoting_what_a_comment_was_about_adds_no_space_before_the_full_stop(client):
    thanks = text_of(thank_you_page(client, ITEM).select_one("main p.govuk-body"))
    assert thanks == "Thank you for your comment on the example ‘Led jointly by citizens and staff –'we'’."
    thanks = text_of(thank_you_page(client).select_one("main p.govuk-body"))
    assert thanks.endswith("’.") and " ." not in thanks


def test_the_thank_you_page_points_to_the_receipt_links_only_when_a_receipt_is_coming(client):
    with_email = text_of(thank_you_page(client, email="amina@example.org"))
    assert "We are emailing you a receipt. It has a link to withdraw your comment" in with_email
    without_email = text_of(thank_you_page(client))
    assert "receipt" not in without_email
    assert "If you want to change or withdraw your comment, email" in without_email


# What the public sees ------------------------------------------------------------------------


def test_only_published_comments_are_public(client, app):
    for state in ("pending", "rejected", "spam", "hidden"):
        make_comment(app, text=f"A {state} comment", state=state)
    make_comment(app, text="A published comment", name="Amina", reaction="partly")
    soup = check_page(client.get(SECTION))
    comments = soup.select(".council-comment")
    assert len(comments) == 1
    assert "A published comment" in text_of(comments[0])
    assert comments[0].select_one("bdi").get_text() == "Amina"
    assert "Does this make sense? Partly" in text_of(comments[0])
    assert text_of(soup.select_one("#comments-heading")) == "Comments on the section as a whole (1)"
    for path in ("/definition", ITEM, "/"):
        page = client.get(path).get_data(as_text=True)
        assert "pending comment" not in page and "rejected comment" not in page


def test_hidden_references_cannot_be_reached_by_guessing(client, app):
    for state in ("pending", "rejected", "spam"):
        reference = make_comment(app, text="secret", state=state)
        check_page(client.get(f"/feedback/{reference}"), status=404)
        check_page(client.get(f"/feedback/{reference}/report"), status=404)


def test_a_comment_without_a_name_is_shown_as_anonymous(client, app):
    make_comment(app, text="No name given")
    soup = parse(client.get(SECTION))
    assert soup.select_one(".council-comment bdi").get_text() == "Anonymous"


def test_sections_and_items_show_how_many_comments_they_have(client, app):
    make_comment(app, section_slug="transformative")
    make_comment(app, section_slug="transformative", item_key="transformative-3")
    make_comment(app, section_slug="transformative", item_key="transformative-3")
    make_comment(app, section_slug="transformative", item_key="transformative-3", state="pending")
    soup = parse(client.get("/definition/transformative"))
    assert "(2 comments)" in text_of(soup.select_one("#item-transformative-3"))
    assert "(0 comments)" in text_of(soup.select_one("#item-transformative-1"))
    assert text_of(soup.select_one("#comments-heading")) == "Comments on the section as a whole (1)"
    definition = parse(client.get("/definition"))
    assert "(3 comments on the section and its examples)" in text_of(
        definition.select_one("#transformative").find_parent("section")
    )
    item_page = parse(client.get(ITEM))
    assert text_of(item_page.select_one("#comments-heading")) == "Comments on this example (2)"


def test_bidirectional_control_characters_stay_inside_the_comment(client, app):
    make_comment(app, text="\u202eevil reversed", name="\u202eEvil Name")
    soup = parse(client.get(SECTION))
    card = soup.select_one(".council-comment")
    assert card.select_one("h3 bdi").get_text() == "\u202eEvil Name"
    assert card.select_one(".council-user-text")["dir"] == "auto"


# The consultation ----------------------------------------------------------------------------


def test_when_the_consultation_has_closed_the_forms_are_replaced_by_a_message(client, app):
    close_consultation(app)
    soup = check_page(client.get(SECTION))
    assert soup.select_one("textarea#comment") is None
    assert text_of(soup.select_one("#comment-form-heading")) == "Commenting has closed"
    notice = soup.select_one(".council-comment-form .council-consultation-notice")
    assert text_of(notice).startswith("This consultation closed on ")
    assert notice.select_one("a")["href"] == "/you-said-we-did"


def test_a_comment_sent_after_closing_is_refused_and_given_back_in_the_form(client, app):
    data = comment_post(client, SECTION, comment="Too late?\nStill, here it is.")
    close_consultation(app)
    soup = check_page(client.post(SECTION, data=data), status=403)
    assert soup.title.get_text().startswith("Error: ")
    [error] = soup.select(".govuk-error-summary__list a")
    assert text_of(error).startswith("Your comment was not sent. This consultation closed on ")
    assert error["href"] == "#comment"
    assert soup.select_one("textarea#comment").get_text() == "Too late?\nStill, here it is."
    assert soup.select_one("form textarea#comment") is None  # there is nothing to send it with
    assert count_rows(app) == 0


# Faults ---------------------------------------------------------------------------------------


def test_when_the_database_is_down_the_person_gets_their_text_back(database_url):
    from tests.conftest import make_app
    from tests.test_errors_and_health import UNREACHABLE_DATABASES

    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    app = make_app(UNREACHABLE_DATABASES[kind], WTF_CSRF_ENABLED=False)
    response = app.test_client().post(
        SECTION, data={"comment": "Please keep this.", "submission_key": "k" * 32}
    )
    soup = check_page(response, status=503)
    assert "has not been saved" in text_of(soup)
    assert soup.select_one("textarea[readonly]").get_text() == "Please keep this."


@pytest.mark.parametrize(
    "return_to",
    [
        "/\t/evil.example/",
        "/\r\n/evil.example/",
        "\t//evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\x7f/evil.example/",
    ],
)
def test_clearing_details_never_redirects_off_the_site(client, return_to):
    client.post(
        SECTION, data=comment_post(client, SECTION, comment="First.", name="Amina", remember_details="y")
    )
    clear_form = parse(client.get(SECTION)).select_one("form[action='/forget-my-details']")
    data = {field["name"]: field.get("value", "") for field in clear_form.select("input[type=hidden]")}
    response = client.post("/forget-my-details", data={**data, "return_to": return_to})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_character_count_shows_the_limit_the_form_enforces(client, app):
    soup = parse(client.get(SECTION))
    limit = int(soup.select_one(".govuk-character-count")["data-maxlength"])
    too_long = client.post(SECTION, data=comment_post(client, SECTION, comment="a" * (limit + 1)))
    assert too_long.status_code == 200 and parse(too_long).select_one(".govuk-error-summary") is not None
    just_right = client.post(SECTION, data=comment_post(client, SECTION, comment="a" * limit))
    assert just_right.status_code == 302
    assert [comment.body for comment in all_comments(app)] == ["a" * limit]


def test_a_sections_counts_say_what_they_count(client, app):
    make_comment(app, text="On the section", section_slug="transformative")
    make_comment(app, text="On an example", section_slug="transformative", item_key="transformative-3")
    definition = check_page(client.get("/definition"))
    link = definition.find("a", href="/definition/transformative")
    assert text_of(link.find_next("span")) == "(2 comments on the section and its examples)"

    section = check_page(client.get("/definition/transformative"))
    assert text_of(section.select_one("#comments-heading")) == "Comments on the section as a whole (1)"
    assert "Comments on one example are with that example" in text_of(section)
    example = section.find("a", href="/definition/transformative/examples/transformative-3")
    assert text_of(example.find_next("span", class_="council-count")) == "(1 comment)"
