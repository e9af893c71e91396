"""Every kind of page is valid HTML, as the W3C Nu Html Checker reads it.

The checker is vnu.jar from npm's vnu-jar (installed with the front end by `make`), run once
on Java over all the pages a run collects. Java is part of the machines this runs on; its
absence is a failure, not a skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import Comment
from feedback_portal.services import outcomes, privacy, unsubscribe
from feedback_portal.services.summaries import ActionDraft
from tests.factories import comment_post, form_fields, make_comment, signed_in_client
from tests.helpers.second_consultation import open_second_consultation
from tests.helpers.summaries import make_summary, summary_form, tag_comment
from tests.helpers.updates import publish_summary
from tests.pages import parse, text_of
from tests.staff.moderation_helpers import csrf_token, id_of

VNU_JAR = (
    Path(__file__).parent.parent / "frontend" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

PUBLIC_PAGES = [
    "/",
    "/definition",
    "/definition/basic",
    "/definition/basic/comments",
    "/definition/transformative",
    "/definition/transformative/examples/transformative-3",
    "/get-involved",
    "/you-said-we-did",
    "/privacy",
    "/accessibility",
    "/cookies",
    "/open-data",
    "/no-such-page",
]
STAFF_PAGES = [
    "/staff/",
    "/staff/comments",
    "/staff/comments?state=published",
    "/staff/comments?state=any&text=cp-",
    "/staff/comments/reported",
    "/staff/comments/new",
    "/staff/figures",
    "/staff/export",
    "/staff/users",
    "/staff/users/new",
    "/staff/settings",
    "/staff/audit",
    "/staff/outbox",
    "/staff/account",
    "/staff/account/email",
    "/staff/account/password",
    "/staff/account/two-step",
    "/staff/involvement",
    "/staff/admin/involvement-options",
    "/staff/admin/involvement-options/1",
    "/staff/privacy",
    "/staff/consultations",
    "/staff/consultations/new",
    "/staff/consultations/1",
]


def nu_html_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Run the checker over the pages; return each page's errors (empty when all are valid)."""
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker: apt-get install default-jre-headless"
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run make install-dev"
    files = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, folder.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr or result.stdout)["messages"]:
        url = message.get("url", "")
        page = files.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(page, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return errors


def withdraw_link(app, reference: str) -> str:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        return f"/feedback/{reference}/withdraw/{privacy.comment_link_token(comment, 'withdraw')}"


def stop_emails_link(app, reference: str) -> str:
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
        return f"/feedback/{reference}/stop-emails/{unsubscribe.stop_emails_token(comment)}"


@pytest.fixture
def pages(app, client) -> dict[str, str]:
    """The HTML of every kind of page, with comments, errors and staff views in it."""
    answered = make_comment(
        app, text="Published with a <b>tag</b> and عربى text.", reaction="partly", name="Sam"
    )
    make_comment(app, text="On an example.", section_slug="transformative", item_key="transformative-3")
    pending = make_comment(app, text="Waiting.", state="pending", email="me@example.com")
    admin = signed_in_client(app, role="admin")
    answered_page = f"/staff/comments/{id_of(app, answered)}"
    response_form = {"csrf_token": csrf_token(admin), "response_revision": "0", "intent": "publish"}
    admin.post(f"{answered_page}/response", data={**response_form, "response_text": "A <i>reply</i>."})
    admin.post(
        f"{answered_page}/response",
        data={**response_form, "response_text": "Again.", "response_revision": "1"},
    )
    collected = {path: client.get(path).get_data(as_text=True) for path in PUBLIC_PAGES}
    assert "Response from the" in collected["/definition/basic"]
    collected["staff comment with a response"] = admin.get(answered_page).get_data(as_text=True)
    collected["response form with errors"] = admin.post(
        f"{answered_page}/response", data={**response_form, "response_text": "", "response_revision": "2"}
    ).get_data(as_text=True)
    collected["response changed page"] = admin.post(
        f"{answered_page}/response", data={**response_form, "response_text": "Late."}
    ).get_data(as_text=True)
    section = "/definition/basic"
    sent = client.post(section, data=comment_post(client, section, comment="Thanks.", email="a@example.com"))
    collected["thank-you page"] = client.get(sent.headers["Location"]).get_data(as_text=True)
    collected.update(about_you_pages(client, admin))
    collected["comment form with errors"] = client.post(
        section, data=comment_post(client, section, comment="")
    ).get_data(as_text=True)
    withdraw = withdraw_link(app, pending)
    collected["withdraw page"] = client.get(withdraw).get_data(as_text=True)
    confirm = {"csrf_token": parse(client.get(withdraw)).select_one("input[name=csrf_token]")["value"]}
    assert client.post(withdraw, data=confirm).status_code == 200
    collected["already withdrawn page"] = client.get(withdraw).get_data(as_text=True)
    stop_emails = stop_emails_link(app, sent.headers["Location"].rsplit("/", 1)[1])
    collected["stop emails page"] = client.get(stop_emails).get_data(as_text=True)
    confirm = {"csrf_token": parse(client.get(stop_emails)).select_one("input[name=csrf_token]")["value"]}
    collected["emails stopped page"] = client.post(stop_emails, data=confirm).get_data(as_text=True)
    collected["already stopped page"] = client.get(stop_emails).get_data(as_text=True)
    collected["broken link page"] = client.get(stop_emails[:-4] + "abcd").get_data(as_text=True)
    collected["/staff/login"] = client.get("/staff/login").get_data(as_text=True)
    for path in [*STAFF_PAGES, f"/staff/comments/{id_of(app, pending)}"]:
        response = admin.get(path)
        assert response.status_code == 200, path
        collected[path] = response.get_data(as_text=True)
    paper = {**form_fields(admin, "/staff/comments/new"), "channel": "paper", "section": "", "item": ""}
    paper.update(comment="From a letter.", received=["28", "2", "2026"])
    collected["paper comment form with errors"] = admin.post(
        "/staff/comments/new", data={**paper, "received": ["31", "2", "2026"], "comment": ""}
    ).get_data(as_text=True)
    entered = admin.post("/staff/comments/new", data=paper)
    collected["paper comment page"] = admin.get(entered.headers["Location"]).get_data(as_text=True)
    offer = client.post(
        "/get-involved",
        data={
            **comment_post(client, "/get-involved"),
            "name": "Ana",
            "email": "ana@example.com",
            "interests": ["training", "other"],
            "ways": "online",
            "consent": "y",
            "access_needs": "Large print",
        },
    )
    assert offer.status_code == 302
    collected["involvement offer page"] = admin.get("/staff/involvement/1").get_data(as_text=True)
    collected["involvement offer with errors"] = admin.post(
        "/staff/involvement/1", data={"csrf_token": csrf_token(admin), "status": "withdrawn"}
    ).get_data(as_text=True)
    moderator = signed_in_client(app, role="moderator", email="mod@example.com")
    collected["involvement list for a moderator"] = moderator.get("/staff/involvement").get_data(as_text=True)
    collected["involvement offer for a moderator"] = moderator.get("/staff/involvement/1").get_data(
        as_text=True
    )
    question = "/definition/basic/does-it-make-sense"
    collected["question page"] = client.get(question).get_data(as_text=True)
    answer = {key: value for key, value in form_fields(client, question).items()}
    collected["question with errors"] = client.post(question, data=answer).get_data(as_text=True)
    answered_question = client.post(question, data={**answer, "answer-reaction": "no"})
    collected["answer counted page"] = client.get(answered_question.headers["Location"]).get_data(
        as_text=True
    )
    person = {"csrf_token": csrf_token(admin), "email": "me@example.com"}
    for name, path, fields in [
        ("person found", "/staff/privacy", person),
        ("person search with errors", "/staff/privacy", {**person, "email": "me@"}),
        ("erase confirmation page", "/staff/privacy/erase", person),
    ]:
        collected[name] = admin.post(path, data=fields).get_data(as_text=True)
    collected.update(summary_pages(app, admin, client, answered))
    publish_summary(app, "basic", actions=("We rewrote it.", "We kept the list."))
    collected["a published comment's page"] = client.get(f"/comments/{answered}").get_data(as_text=True)
    waiting = make_comment(app, text="Still <b>waiting</b>.", state="pending")
    for name, reference in (("a pending comment's page", waiting), ("a withdrawn comment's page", pending)):
        with app.app_context():
            comment = db.session.scalar(select(Comment).where(Comment.reference == reference))
            link = f"/comments/{reference}?token={outcomes.view_token(comment)}"
        collected[name] = client.get(link).get_data(as_text=True)
    collected.update(theme_pages(admin, answered_page))
    # The document's pages first: the consultation's close the consultation.
    collected.update(document_pages(app, admin, client))
    collected.update(consultation_pages(admin, client))
    return collected


def about_you_pages(client, admin) -> dict[str, str]:
    """The "About you" questions after a comment: with errors, sent, skipped, gone; then the totals."""
    collected = {"about you form": client.get("/about-you").get_data(as_text=True)}
    answers = {**form_fields(client, "/about-you"), "age_band": "25-34", "area": "LS6 3AB"}
    collected["about you form with errors"] = client.post("/about-you", data=answers).get_data(as_text=True)
    collected["about you skipped page"] = client.get("/about-you/skipped").get_data(as_text=True)
    sent = client.post("/about-you", data={**answers, "area": "LS6", "consent": "y"})
    collected["about you sent page"] = client.get(sent.headers["Location"]).get_data(as_text=True)
    collected["no questions page"] = client.get("/about-you").get_data(as_text=True)
    collected["figures with about you totals"] = admin.get("/staff/figures").get_data(as_text=True)
    return collected


def consultation_pages(admin, client) -> dict[str, str]:
    """A new consultation with errors, then the seeded one closed: its page, and a comment refused."""
    section = "/definition/basic"
    late = comment_post(client, section, comment="Sent <b>late</b>.")
    pages = {
        "new consultation with errors": admin.post(
            "/staff/consultations/new",
            data={"csrf_token": csrf_token(admin), "title": "", "closes_on": ["31", "2", "2099"]},
        ).get_data(as_text=True)
    }
    admin.post("/staff/consultations/1/close", data={"csrf_token": csrf_token(admin)})
    pages["closed consultation"] = admin.get("/staff/consultations/1").get_data(as_text=True)
    pages["section when closed"] = client.get(section).get_data(as_text=True)
    refused = client.post(section, data=late)
    assert refused.status_code == 403
    pages["comment refused when closed"] = refused.get_data(as_text=True)
    return pages


def document_pages(app, admin, client) -> dict[str, str]:
    """The document's staff pages (a draft, its forms, previews, errors), then versions and changes."""
    from feedback_portal.services import document_versions

    pages = {"document page without a draft": admin.get("/staff/document").get_data(as_text=True)}
    admin.post("/staff/document/draft", data={"csrf_token": csrf_token(admin)})
    with app.app_context():
        draft = document_versions.get_draft()
        revision, basic, levels = draft.revision, draft.sections[3], draft.sections[2]
        basic_id, levels_id, item_id = basic.id, levels.id, basic.items[0].id
    edit = f"/staff/document/sections/{basic_id}"
    fields = {"csrf_token": csrf_token(admin), "heading": "Basic", "items_intro": "", "action": "save"}
    for path in [
        "/staff/document",
        edit,
        "/staff/document/sections/new",
        f"/staff/document/examples/{item_id}",
    ]:
        pages[path] = admin.get(path).get_data(as_text=True)
    preview = {**fields, "draft_revision": revision, "action": "preview"}
    pages["section preview"] = admin.post(
        edit, data={**preview, "body": "**Basic** <b>x</b>\n\n## Why"}
    ).get_data(as_text=True)
    pages["section with errors"] = admin.post(edit, data={**preview, "heading": ""}).get_data(as_text=True)
    pages["contact details preview"] = admin.post(
        "/staff/document/contact-details", data={**preview, "contact_details": "Email: a@example.com"}
    ).get_data(as_text=True)
    admin.post(edit, data={**fields, "draft_revision": revision, "body": "Told."})
    admin.post(
        f"/staff/document/sections/{levels_id}", data={**fields, "draft_revision": revision + 1, "body": ""}
    )
    pages["draft changed page"] = admin.post(
        edit, data={**fields, "draft_revision": revision, "body": "Late."}
    ).get_data(as_text=True)
    publish = {"csrf_token": csrf_token(admin), "draft_revision": revision + 2, "summary": "Tidied."}
    pages["publishing refused"] = admin.post("/staff/document/publish", data=publish).get_data(as_text=True)
    assert "is empty" in pages["publishing refused"]
    admin.post(
        f"/staff/document/sections/{levels_id}",
        data={**fields, "draft_revision": revision + 2, "body": "Three."},
    )
    assert (
        admin.post("/staff/document/publish", data={**publish, "draft_revision": revision + 3}).status_code
        == 302
    )
    for path in ["/definition/versions/1", "/definition/changes", "/definition/basic"]:
        pages[f"{path} after version 2"] = client.get(path).get_data(as_text=True)
    assert "This part has changed since" in pages["/definition/basic after version 2"]
    assert "<ins" in pages["/definition/changes after version 2"]
    return pages


def summary_pages(app, admin, client, quoted: str) -> dict[str, str]:
    """ "You said, we did": the staff list, new and edit pages, their error states, and the public pages."""
    theme = tag_comment(app, quoted, "power")
    summary_id = make_summary(
        app, quotes=[quoted], themes=[theme], actions=[ActionDraft("Said no.", "not-changing", "Why.")]
    )
    make_summary(app, target="document")
    edit = f"/staff/you-said-we-did/{summary_id}"
    pages = {
        path: admin.get(path).get_data(as_text=True)
        for path in ["/staff/you-said-we-did", "/staff/you-said-we-did/new", edit]
    }
    new_form = {"csrf_token": csrf_token(admin)}
    pages["new summary with errors"] = admin.post("/staff/you-said-we-did/new", data=new_form).get_data(
        as_text=True
    )
    bad = summary_form(admin, summary_id, 2, you_said="", **{"actions-0-status": "not-changing"})
    pages["summary with errors"] = admin.post(edit, data=bad).get_data(as_text=True)
    pages["summary with another action"] = admin.post(
        edit, data=summary_form(admin, summary_id, 2, intent="add-action")
    ).get_data(as_text=True)
    pages["summary changed page"] = admin.post(edit, data=summary_form(admin, summary_id, 1)).get_data(
        as_text=True
    )
    for path in ["/you-said-we-did", f"/you-said-we-did/{summary_id}/comments?theme={theme}", "/definition"]:
        pages[f"{path} with summaries"] = client.get(path).get_data(as_text=True)
    return pages


def theme_pages(admin, comment_page: str) -> dict[str, str]:
    """The themes pages, with two themes on a comment, their errors and a change from an old page."""
    for name in ["travel", "transport"]:
        admin.post(f"{comment_page}/tags", data={"csrf_token": csrf_token(admin), "tag_name": name})
    links = {text_of(link): link["href"] for link in parse(admin.get("/staff/themes")).select("#themes th a")}
    transport, travel = (int(links[name].rsplit("/", 1)[1]) for name in ("transport", "travel"))
    edit = {"csrf_token": csrf_token(admin), "theme_revision": "1", "description": "Buses <b>and</b> trains."}
    pages = {
        path: admin.get(path).get_data(as_text=True)
        for path in [
            "/staff/themes",
            f"/staff/themes/{travel}",
            f"/staff/themes/{travel}/merge?into={transport}",
        ]
    }
    pages["theme merge without a choice"] = admin.get(f"/staff/themes/{travel}/merge").get_data(as_text=True)
    pages["theme rename into a taken name"] = admin.post(
        f"/staff/themes/{travel}", data={**edit, "name": "transport"}
    ).get_data(as_text=True)
    admin.post(f"/staff/themes/{travel}", data={**edit, "name": "trips"})
    pages["theme changed page"] = admin.post(
        f"/staff/themes/{travel}", data={**edit, "name": "journeys"}
    ).get_data(as_text=True)
    pages["figures with themes"] = admin.get("/staff/figures").get_data(as_text=True)
    assert "There is already a theme called" in pages["theme rename into a taken name"]
    assert "This theme has changed since you opened it" in pages["theme changed page"]
    assert "Merge themes</button>" in pages[f"/staff/themes/{travel}/merge?into={transport}"]
    return pages


def test_every_kind_of_page_is_valid_html(pages, tmp_path):
    assert nu_html_errors(pages, tmp_path) == {}


def test_a_second_consultation_s_pages_are_valid_html(app, client, tmp_path):
    """The home page listing another consultation, that consultation's own pages, and the staff
    page for its document."""
    second = open_second_consultation(app, tmp_path)
    charter = f"/consultations/{second}/definition"
    paths = ["/", charter, f"{charter}/promises", f"{charter}/promises/examples/promises-1"]
    pages = {path: client.get(path).get_data(as_text=True) for path in paths}
    assert "Other consultations" in pages["/"]
    assert "Our promises" in pages[f"{charter}/promises"]
    admin = signed_in_client(app, role="admin")
    pages["staff document page of another document"] = admin.get(
        "/staff/document?document=carers-charter"
    ).get_data(as_text=True)
    pages["figures with a choice of consultation"] = admin.get(
        f"/staff/figures?consultation={second}"
    ).get_data(as_text=True)
    pages["consultation page with its document's link"] = admin.get(
        f"/staff/consultations/{second}"
    ).get_data(as_text=True)
    assert 'name="consultation"' in pages["figures with a choice of consultation"]
    assert nu_html_errors(pages, tmp_path) == {}
