"""Routes for the public. Thin: load through a service, validate a form, call one service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from feedback_portal.public import visitor
from feedback_portal.public.consultation_urls import in_every_consultation, init_blueprint
from feedback_portal.public.forms import CommentForm, ConfirmForm, ReportForm
from feedback_portal.public.page_cache import shared_page
from feedback_portal.public.spam import new_form, spam_signal
from feedback_portal.security import is_safe_next, limiter
from feedback_portal.services import (
    comment_pages,
    consultations,
    document_versions,
    documents,
    feedback,
    health,
    outcomes,
    privacy,
    summaries,
)
from feedback_portal.services.exceptions import ConsultationClosed
from feedback_portal.services.feedback import CommentSubmission, CommentTarget

if TYPE_CHECKING:
    from feedback_portal.models import Consultation

blueprint = Blueprint("public", __name__)
init_blueprint(blueprint)


def comment_rate_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


def report_rate_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


@blueprint.get("/")
def view_home() -> str:
    return shared_page(_render_home)


def _render_home() -> str:
    version = documents.get_current_version()
    current = consultations.find_current_consultation()
    others = [
        (each, consultations.notice_for(each))
        for each in consultations.list_public_consultations()
        if each != current
    ]
    return render_template(
        "public/home.html",
        version=version,
        current=current,
        notice=consultations.notice_for(current),
        others=others,
    )


# The document, and comments on it -----------------------------------------------------------


@in_every_consultation(blueprint, "GET", "/definition")
def view_definition() -> str:
    return shared_page(lambda: _render_definition(documents.get_current_version(), _new_comment_form()))


@in_every_consultation(blueprint, "POST", "/definition")
@limiter.limit(comment_rate_limit)
def submit_document_comment() -> ResponseReturnValue:
    return _submit_comment(
        feedback.comment_target(), lambda form: _render_definition(documents.get_current_version(), form)
    )


@in_every_consultation(blueprint, "GET", "/definition/<slug>")
def view_section(slug: str) -> str:
    return shared_page(lambda: _render_section(documents.get_section_page(slug), _new_comment_form()))


@in_every_consultation(blueprint, "POST", "/definition/<slug>")
@limiter.limit(comment_rate_limit)
def submit_section_comment(slug: str) -> ResponseReturnValue:
    return _submit_comment(
        feedback.comment_target(slug), lambda form: _render_section(documents.get_section_page(slug), form)
    )


@in_every_consultation(blueprint, "GET", "/definition/<slug>/comments")
def view_section_comments(slug: str) -> str:
    page = documents.get_section_page(slug)
    comments = comment_pages.page_of_comments(
        page.version,
        page.section,
        _consultation(),
        current_app.config["SECTION_COMMENTS_SHOWN"],
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template(
        "public/section_comments.html",
        page=page,
        section=page.section,
        comments=comments,
        changed=document_versions.changed_since(comments.comments, section=page.section),
    )


@in_every_consultation(blueprint, "GET", "/definition/<slug>/examples/<key>")
def view_practice_item(slug: str, key: str) -> str:
    def render() -> str:
        page, item = documents.get_practice_item(slug, key)
        return _render_practice_item(page, item, _new_comment_form())

    return shared_page(render)


@in_every_consultation(blueprint, "POST", "/definition/<slug>/examples/<key>")
@limiter.limit(comment_rate_limit)
def submit_practice_item_comment(slug: str, key: str) -> ResponseReturnValue:
    def render_with_errors(form: CommentForm) -> str:
        return _render_practice_item(*documents.get_practice_item(slug, key), form)

    return _submit_comment(feedback.comment_target(slug, key), render_with_errors)


@blueprint.get("/feedback/<reference>")
def view_thank_you(reference: str) -> str:
    comment = feedback.get_comment_for_thank_you(reference, visitor.my_references())
    my_comment_url = url_for(".view_my_comment", reference=reference, token=outcomes.view_token(comment))
    return render_template(
        "public/thank_you.html",
        comment=comment,
        my_comment_url=my_comment_url,
        about_you=visitor.about_you_token() is not None,
    )


@blueprint.get("/feedback/<reference>/report")
def view_report_form(reference: str) -> str:
    comment = feedback.get_published_comment(reference)
    return render_template("public/report.html", comment=comment, form=ReportForm())


@blueprint.post("/feedback/<reference>/report")
@limiter.limit(report_rate_limit)
def report_comment(reference: str) -> ResponseReturnValue:
    comment = feedback.get_published_comment(reference)
    form = ReportForm()
    if not form.validate_on_submit():
        return render_template("public/report.html", comment=comment, form=form)
    try:
        feedback.report_comment(reference, form.reason.data, form.details.data, visitor.visitor_id())
        flash("Thank you. We have received your report and a moderator will look at the comment.")
    except feedback.AlreadyReported:
        flash("You have already reported this comment. A moderator will look at it.")
    return redirect(_page_of(comment) + f"#comment-{comment.reference}")


WITHDRAW_PAGE = {
    "heading": "Withdraw your comment",
    "explanation": [
        "If you continue, we will delete the text of your comment. It will not be published, "
        "or it will be removed from this site if it was.",
        "You cannot undo this.",
    ],
    "button": "Withdraw my comment",
}
ERASE_PAGE = {
    "heading": "Delete your name and email address",
    "explanation": [
        "If you continue, we will delete the name and email address you gave with this comment, "
        "and we will not contact you about it. We keep the comment itself, without them.",
        "You cannot undo this.",
    ],
    "button": "Delete my name and email address",
}


@blueprint.get("/feedback/<reference>/withdraw/<token>")
def view_withdraw_comment(reference: str, token: str) -> str:
    comment = privacy.get_comment_from_link(reference, token, "withdraw")
    return render_template("public/comment_link.html", comment=comment, form=ConfirmForm(), **WITHDRAW_PAGE)


@blueprint.post("/feedback/<reference>/withdraw/<token>")
def withdraw_comment(reference: str, token: str) -> str:
    if not ConfirmForm().validate_on_submit():
        return view_withdraw_comment(reference, token)
    privacy.withdraw_comment(reference, token)
    return render_template(
        "public/comment_link_done.html",
        heading="Your comment has been withdrawn",
        explanation="We have deleted its text. It will not appear on this site.",
    )


@blueprint.get("/feedback/<reference>/erase-contact/<token>")
def view_erase_contact(reference: str, token: str) -> str:
    comment = privacy.get_comment_from_link(reference, token, "erase")
    return render_template("public/comment_link.html", comment=comment, form=ConfirmForm(), **ERASE_PAGE)


@blueprint.post("/feedback/<reference>/erase-contact/<token>")
def erase_contact(reference: str, token: str) -> str:
    if not ConfirmForm().validate_on_submit():
        return view_erase_contact(reference, token)
    privacy.erase_contact_details(reference, token)
    return render_template(
        "public/comment_link_done.html",
        heading="Your name and email address have been deleted",
        explanation="We will not contact you about this comment. The comment itself stays, without them.",
    )


@blueprint.post("/forget-my-details")
def forget_my_details() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        visitor.forget_contact()
        flash("We have cleared the name and email address remembered on this device.")
    return redirect(_safe_return_path(request.form.get("return_to")))


# Get involved, stopping emails, answers without a comment, "You said, we did", what became of a
# comment and open data: their routes are in their own modules, on this blueprint.
from feedback_portal.public import (  # noqa: E402, F401
    about_you,
    get_involved,
    my_comment,
    open_data,
    reactions,
    stop_emails,
    versions,
    you_said_we_did,
)

# The service's own pages ---------------------------------------------------------------------


@blueprint.get("/privacy")
def view_privacy() -> str:
    # The periods retention run works by: the notice cannot promise other ones.
    return render_template("public/privacy.html", retention=privacy.get_retention_periods())


@blueprint.get("/accessibility")
def view_accessibility() -> str:
    return render_template("public/accessibility.html")


@blueprint.get("/cookies")
def view_cookies() -> str:
    return render_template("public/cookies.html")


@blueprint.get("/healthz")
def check_health() -> tuple[Response, int]:
    database = health.check_database()
    # Without its limit store the portal still serves (limits count per process): degraded, not down.
    rate_limits = "ok" if health.rate_limit_store_is_reachable() else "degraded"
    checks = database.as_dict()
    if not database.is_ok:
        return jsonify(
            status="unavailable", database="unavailable", rate_limits=rate_limits, checks=checks
        ), 503
    status = "ok" if rate_limits == "ok" else "degraded"
    return jsonify(status=status, database="ok", rate_limits=rate_limits, checks=checks), 200


@blueprint.get("/brand.css")
def brand_stylesheet() -> ResponseReturnValue:
    """The council's colour, from settings, so another council can rebrand without a rebuild."""
    colour = current_app.config["BRAND_COLOUR"]  # validated as #rrggbb at start-up
    css = f":root {{ --govuk-brand-colour: {colour}; --council-brand-colour: {colour}; }}\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@blueprint.get("/robots.txt")
def robots_txt() -> Response:
    """Search engines may index the public pages but not the staff side, which is for staff only."""
    return Response("User-agent: *\nDisallow: /staff/\n", mimetype="text/plain")


# Helpers shared by the comment routes --------------------------------------------------------


def _new_comment_form() -> CommentForm:
    return new_form(CommentForm, visitor.remembered_contact())


def _submit_comment(
    target_and_consultation: tuple[CommentTarget, Consultation | None],
    render_with_errors: Callable[[CommentForm], str],
) -> ResponseReturnValue:
    target, consultation = target_and_consultation
    form = CommentForm()
    try:
        if not form.validate_on_submit():
            feedback.ensure_consultation_open(consultation=consultation)
            return render_with_errors(form)
        comment = feedback.submit_comment(target, _submission(form), consultation=consultation)
    except ConsultationClosed as closed:
        # Only this reason counts then, and the text comes back with it: nothing typed is lost.
        for field in form:
            field.errors = []
        form.comment.errors = [f"Your comment was not sent. {closed}"]
        return render_with_errors(form), 403
    visitor.remember_contact(form.name.data, form.email.data, asked=form.remember_details.data)
    visitor.remember_reference(comment.reference)
    visitor.allow_about_you(comment.consultation_id)
    return redirect(url_for(".view_thank_you", reference=comment.reference))


def _submission(form: CommentForm) -> CommentSubmission:
    return CommentSubmission(
        submission_key=form.submission_key.data,
        text=form.comment.data,
        reaction=form.reaction.data or None,
        name=form.name.data,
        email=form.email.data,
        wants_updates=form.wants_updates.data,
        wants_involvement=form.wants_involvement.data,
        client_address=request.remote_addr,
        spam_signal=spam_signal(form),
    )


def _render_definition(version, form: CommentForm) -> str:
    return render_template(
        "public/definition.html",
        version=version,
        form=form,
        comments=feedback.list_published_comments(version, consultation=_consultation()),
        counts=feedback.count_published_comments(version, _consultation()),
        summaries=summaries.show_published(version),
        reaction_action=url_for(".submit_reaction"),
        **reactions.reaction_context(CommentTarget(version)),
        **_comment_form_context(),
    )


def _render_section(page: documents.SectionPage, form: CommentForm) -> str:
    recent = comment_pages.most_recent(
        page.version, page.section, _consultation(), current_app.config["SECTION_COMMENTS_SHOWN"]
    )
    on_removed = feedback.list_published_comments(
        page.version, section=page.section, consultation=_consultation(), on_section="removed examples"
    )
    return render_template(
        "public/section.html",
        page=page,
        section=page.section,
        form=form,
        recent=recent,
        on_removed=on_removed,
        changed=document_versions.changed_since([*recent.comments, *on_removed], section=page.section),
        counts=feedback.count_published_comments(page.version, _consultation()),
        summaries=summaries.show_published(page.version, section=page.section),
        reaction_action=url_for(".submit_reaction", slug=page.section.slug),
        **reactions.reaction_context(CommentTarget(page.version, page.section)),
        **_comment_form_context(),
    )


def _render_practice_item(page: documents.SectionPage, item, form: CommentForm) -> str:
    comments = feedback.list_published_comments(page.version, item=item, consultation=_consultation())
    return render_template(
        "public/practice_item.html",
        page=page,
        section=page.section,
        item=item,
        form=form,
        comments=comments,
        changed=document_versions.changed_since(comments, item=item),
        summaries=summaries.show_published(page.version, item=item),
        reaction_action=url_for(".submit_reaction", slug=page.section.slug, key=item.key),
        **reactions.reaction_context(CommentTarget(page.version, page.section, item)),
        **_comment_form_context(),
    )


def _consultation():
    """The consultation the page is about: the one in its URL, else the current one."""
    return consultations.viewed_consultation()


def _comment_form_context() -> dict:
    consultation = _consultation()
    return {
        "consultation": consultation,
        "notice": consultations.notice_for(consultation),
        "remembered": visitor.remembered_contact(),
        "forget_form": ConfirmForm(),
    }


def _page_of(comment) -> str:
    current = consultations.find_current_consultation()
    # Another consultation's comment is on that consultation's page.
    where = {} if comment.consultation == current else {"consultation_id": comment.consultation_id}
    if comment.practice_item is not None:
        return url_for(
            ".view_practice_item", slug=comment.section.slug, key=comment.practice_item.key, **where
        )
    if comment.section is not None:
        return url_for(".view_section", slug=comment.section.slug, **where)
    return url_for(".view_definition", **where)


def _safe_return_path(path: str | None) -> str:
    """Only ever go back to a page of this site."""
    return path if is_safe_next(path) else url_for(".view_home")
