"""'Does this make sense to you?' answered on its own, without a comment: a small form on the
document, section and practice item pages, posting here, then a short confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from feedback_portal.public import visitor
from feedback_portal.public.consultation_urls import in_every_consultation
from feedback_portal.public.forms import ReactionForm
from feedback_portal.public.routes import blueprint, comment_rate_limit
from feedback_portal.public.spam import form_tokens, spam_signal
from feedback_portal.security import limiter
from feedback_portal.services import consultations, documents, feedback, reactions
from feedback_portal.services.exceptions import ConsultationClosed
from feedback_portal.services.feedback import CommentTarget

DOCUMENT_PATH = "/definition/does-it-make-sense"
SECTION_PATH = "/definition/<slug>/does-it-make-sense"
ITEM_PATH = "/definition/<slug>/examples/<key>/does-it-make-sense"
WHOLE_DOCUMENT = {"slug": None, "key": None}
SECTION = {"key": None}


@dataclass(frozen=True)
class _Page:
    """What the question is about, and the page it is asked on."""

    target: CommentTarget
    # Names it in the session, so the confirmation is shown only to whoever answered.
    key: str
    # Where the question is asked, to go back to.
    url: str
    # Where the answer is sent.
    action: str


def _page(slug: str | None, key: str | None) -> _Page:
    if slug is None:
        version = documents.get_current_version()
        return _Page(
            CommentTarget(version), "document", url_for(".view_definition"), url_for(".submit_reaction")
        )
    if key is None:
        section_page = documents.get_section_page(slug)
        return _Page(
            CommentTarget(section_page.version, section_page.section),
            slug,
            url_for(".view_section", slug=slug),
            url_for(".submit_reaction", slug=slug),
        )
    section_page, item = documents.get_practice_item(slug, key)
    return _Page(
        CommentTarget(section_page.version, section_page.section, item),
        f"{slug}/{key}",
        url_for(".view_practice_item", slug=slug, key=key),
        url_for(".submit_reaction", slug=slug, key=key),
    )


def new_reaction_form() -> ReactionForm:
    key, shown_at = form_tokens(ReactionForm.__name__)
    return ReactionForm(data={"submission_key": key, "form_shown_at": shown_at})


def reaction_context(target: CommentTarget) -> dict[str, Any]:
    """What the document, section and practice item pages need to ask the question."""
    return {"answer_form": new_reaction_form(), "reaction_counts": reactions.counts_for(target)}


def _render_form(page: _Page, form: ReactionForm, refused: bool = False) -> str:
    return render_template(
        "public/reaction.html",
        form=form,
        page=page,
        about=page.target.label,
        reaction_counts=reactions.counts_for(page.target),
        notice=consultations.notice_for(consultations.viewed_consultation()),
        refused=refused,
    )


@in_every_consultation(blueprint, "GET", DOCUMENT_PATH, defaults=WHOLE_DOCUMENT)
@in_every_consultation(blueprint, "GET", SECTION_PATH, defaults=SECTION)
@in_every_consultation(blueprint, "GET", ITEM_PATH)
def view_reaction_form(slug: str | None, key: str | None) -> str:
    return _render_form(_page(slug, key), new_reaction_form())


@in_every_consultation(blueprint, "POST", DOCUMENT_PATH, defaults=WHOLE_DOCUMENT)
@in_every_consultation(blueprint, "POST", SECTION_PATH, defaults=SECTION)
@in_every_consultation(blueprint, "POST", ITEM_PATH)
@limiter.limit(comment_rate_limit)
def submit_reaction(slug: str | None, key: str | None) -> ResponseReturnValue:
    page = _page(slug, key)
    form = ReactionForm()
    try:
        if not form.validate_on_submit():
            feedback.ensure_consultation_open()
            return _render_form(page, form)
        reactions.submit_reaction(
            page.target,
            reactions.ReactionSubmission(
                submission_key=form.submission_key.data,
                reaction=form.reaction.data,
                spam_signal=spam_signal(form),
            ),
        )
    except ConsultationClosed:
        for field in form:
            field.errors = []
        return _render_form(page, form, refused=True), 403
    visitor.remember_answer(page.key)
    return redirect(url_for(".view_reaction_counted", slug=slug, key=key))


@in_every_consultation(blueprint, "GET", DOCUMENT_PATH + "/thank-you", defaults=WHOLE_DOCUMENT)
@in_every_consultation(blueprint, "GET", SECTION_PATH + "/thank-you", defaults=SECTION)
@in_every_consultation(blueprint, "GET", ITEM_PATH + "/thank-you")
def view_reaction_counted(slug: str | None, key: str | None) -> ResponseReturnValue:
    page = _page(slug, key)
    if not visitor.has_answered(page.key):
        return redirect(url_for(".view_reaction_form", slug=slug, key=key))
    return render_template("public/reaction_counted.html", page=page, about=page.target.label)
