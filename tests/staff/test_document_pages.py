"""The document's staff pages (admins) and the public pages of its versions and changes."""

from __future__ import annotations

import pytest

from feedback_portal.services import documents
from tests.factories import make_comment, signed_in_client
from tests.helpers.audit import audit_entries
from tests.helpers.document_versions import publish_version_2
from tests.pages import check_page, heading, parse, text_of
from tests.staff.admin_helpers import error_messages, post


def draft_ids(app) -> dict:
    from feedback_portal.services import document_versions

    with app.app_context():
        draft = document_versions.get_draft()
        return {
            "revision": draft.revision,
            **{section.slug: section.id for section in draft.sections},
            "corrections": [c.id for c in draft.corrections],
        }


def test_only_admins_see_and_use_the_document_pages(app):
    moderator = signed_in_client(app, "moderator")
    assert moderator.get("/staff/document").status_code == 403
    assert post(moderator, "/staff/document/draft").status_code == 403
    assert "Document" not in [a.get_text(strip=True) for a in parse(moderator.get("/staff")).select("nav a")]
    admin = signed_in_client(app, "admin")
    soup = check_page(admin.get("/staff/document"))
    assert "Document" in [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation a")]
    assert (
        soup.select_one("form[action='/staff/document/draft'] button").get_text(strip=True) == "Start a draft"
    )


def test_an_admin_edits_previews_and_publishes_a_section(app):
    admin = signed_in_client(app, "admin")
    assert post(admin, "/staff/document/draft").status_code == 302
    ids = draft_ids(app)
    path = f"/staff/document/sections/{ids['basic']}"
    form = check_page(admin.get(path))
    assert form.select_one("#heading")["value"] == "Basic – one way"
    typed = {"draft_revision": ids["revision"], "heading": "Basic – one way", "items_intro": "In practice:"}
    preview = post(admin, path, action="preview", body="**Basic:** people are *told*.\n\n## Why", **typed)
    soup = check_page(preview)
    page = soup.select_one("#preview .council-preview__page")
    assert page.select_one("p.govuk-body strong").get_text() == "Basic:"
    assert page.select_one("h2.govuk-heading-m").get_text() == "Why"
    first_example = page.select_one("li .council-practice-item__text")
    assert first_example.get_text() == "Informing people (or telling people)"
    assert soup.select_one("#body").get_text() == "**Basic:** people are *told*.\n\n## Why"
    with app.app_context():
        assert "told" not in documents.get_current_version().sections[3].body
    saved = post(admin, path, action="save", body="**Basic:** people are *told*.", **typed)
    assert saved.status_code == 302
    refused = post(admin, "/staff/document/publish", draft_revision=ids["revision"] + 1, summary="")
    assert refused.status_code == 400
    assert error_messages(refused) == ["Enter what you changed and why"]
    assert parse(refused).title.get_text().startswith("Error: ")
    published = post(admin, "/staff/document/publish", draft_revision=ids["revision"] + 1, summary="Shorter.")
    assert published.status_code == 302
    assert "Version 2 is published" in text_of(parse(admin.get("/staff/document")))
    public = check_page(app.test_client().get("/definition/basic"))
    assert public.select_one("main strong").get_text() == "Basic:"
    assert len(audit_entries(app, "document.publish")) == 1
    log = text_of(check_page(admin.get("/staff/audit")))
    assert "Published a new version of the document" in log
    assert "Changed the draft of the document" in log and "Started a draft of the document" in log


def test_a_stale_edit_is_refused_and_shows_what_was_typed(app):
    admin = signed_in_client(app, "admin")
    post(admin, "/staff/document/draft")
    ids = draft_ids(app)
    path = f"/staff/document/sections/{ids['introduction']}"
    fields = {"heading": "Introduction", "items_intro": "", "action": "save"}
    assert post(admin, path, draft_revision=ids["revision"], body="First words.", **fields).status_code == 302
    stale = post(admin, path, draft_revision=ids["revision"], body="Second words.", **fields)
    soup = check_page(stale, status=409)
    assert heading(soup) == "Someone else changed this draft"
    assert "Second words." in [t.get_text() for t in soup.select("textarea")]
    with app.app_context():
        from feedback_portal.services import document_versions

        assert document_versions.get_draft().sections[0].body == "First words."


def test_publishing_an_empty_section_is_refused_with_the_reason(app):
    admin = signed_in_client(app, "admin")
    post(admin, "/staff/document/draft")
    ids = draft_ids(app)
    post(
        admin,
        f"/staff/document/sections/{ids['three-levels']}",
        draft_revision=ids["revision"],
        heading="Three levels",
        body="",
        items_intro="",
        action="save",
    )
    refused = post(admin, "/staff/document/publish", draft_revision=ids["revision"] + 1, summary="Tidied.")
    assert refused.status_code == 400
    assert error_messages(refused) == ["The section ‘Three levels’ is empty: write its text or remove it"]
    assert parse(refused).select_one("#summary").get_text() == "Tidied."


def test_a_correction_is_undone_from_the_draft_page(app):
    admin = signed_in_client(app, "admin")
    post(admin, "/staff/document/draft")
    ids = draft_ids(app)
    soup = check_page(admin.get("/staff/document"))
    assert len(soup.select("#corrections ~ dl .govuk-summary-list__row")) == 2
    response = post(
        admin, f"/staff/document/corrections/{ids['corrections'][0]}/undo", draft_revision=ids["revision"]
    )
    assert response.status_code == 302
    soup = parse(admin.get("/staff/document"))
    assert len(soup.select("#corrections ~ dl .govuk-summary-list__row")) == 1
    assert "specif pieces if work" in text_of(soup)


def test_earlier_versions_and_the_changes_are_public(client, app):
    publish_version_2(app)
    soup = check_page(client.get("/definition/versions/1"))
    banner = soup.select_one("#not-current")
    assert "This is not the current version" in banner.get_text()
    assert banner.select_one("a[href='/definition']") is not None
    assert "essential to the desired outcome" in text_of(soup)
    assert client.get("/definition/versions/9").status_code == 404
    changes = check_page(client.get("/definition/changes"))
    assert changes.select_one("#summary-2").get_text() == "We made the basic level clearer, as people asked."
    basic = changes.select_one("#basic")
    assert [d.get_text() for d in basic.select("del")] == ["removed: essential"]
    assert [i.get_text() for i in basic.select("ins")] == ["added: vital"]
    assert basic.select_one("ins .govuk-visually-hidden").get_text() == "added: "


def test_a_comment_made_on_version_1_says_so_and_that_its_part_changed(client, app):
    changed = make_comment(app, text="Essential is a strong word.", section_slug="basic")
    unchanged = make_comment(app, text="Clear.", section_slug="introduction")
    publish_version_2(app)
    soup = check_page(client.get("/definition/basic"))
    card = soup.select_one(f"#comment-{changed}")
    assert "Made on version 1" in " ".join(card.get_text().split())
    assert "This part has changed since this comment was made" in card.get_text()
    intro = check_page(client.get("/definition/introduction")).select_one(f"#comment-{unchanged}")
    assert "This part has changed since" not in intro.get_text()
    assert "Made on version 1" in " ".join(intro.get_text().split())


def statements_for(app, client, path: str) -> int:
    from sqlalchemy import event

    from feedback_portal.extensions import db

    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*_args) -> None:
        seen.append("statement")

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


# Rendering is what is counted: a page kept for every visitor asks only for the stamp.
@pytest.mark.parametrize("app_overrides", [{"PAGE_CACHE_ENABLED": False}], indirect=True)
def test_a_section_page_asks_the_database_as_often_however_many_versions_its_comments_were_made_on(
    client, app
):
    make_comment(app, text="On version 1.", section_slug="basic")
    publish_version_2(app)
    client.get("/definition/basic")  # warm: the first request loads settings once
    one_version = statements_for(app, client, "/definition/basic")
    for text in ("Another on version 2.", "And one more."):
        make_comment(app, text=text, section_slug="basic")
    make_comment(app, text="On an example.", section_slug="basic", item_key="basic-1")
    assert statements_for(app, client, "/definition/basic") == one_version
    assert statements_for(app, client, "/definition/basic/examples/basic-1") <= one_version


def test_a_removed_examples_comments_stay_on_its_section_with_the_words_they_were_made_on(client, app):
    from feedback_portal.services import document_versions
    from tests.helpers.document_versions import editor

    reference = make_comment(app, text="Telling is not enough.", section_slug="basic", item_key="basic-1")
    kept = make_comment(app, text="Sharing is good.", section_slug="basic", item_key="basic-2")
    with app.app_context():
        actor = editor(app)
        draft = document_versions.start_draft(actor)
        item = next(s for s in draft.sections if s.slug == "basic").items[0]
        document_versions.remove_item(draft.revision, item.id, actor)
        document_versions.publish_draft(document_versions.get_draft().revision, "One example fewer.", actor)
    soup = check_page(client.get("/definition/basic"))
    removed = soup.select_one("[aria-labelledby=removed-examples-heading]")
    assert removed.select_one("blockquote").get_text() == "Informing people (or telling people)"
    assert removed.select_one(f"#comment-{reference}") is not None
    assert soup.select_one(f"#comment-{kept}") is None  # on its example's own page
    assert client.get("/definition/basic/examples/basic-1").status_code == 404
    assert check_page(client.get("/definition/basic/examples/basic-2")).select_one(f"#comment-{kept}")


def test_a_summary_written_on_version_1_still_shows_with_its_part_after_version_2(client, app):
    from tests.helpers.updates import publish_summary

    make_comment(app, text="The basic level is unclear.", section_slug="basic")
    publish_summary(app, "basic", you_said="You said the basic level needed plainer words.")
    publish_version_2(app)
    assert "You said the basic level needed plainer words." in text_of(
        check_page(client.get("/definition/basic"))
    )
    assert "You said the basic level needed plainer words." in text_of(
        check_page(client.get("/you-said-we-did"))
    )
