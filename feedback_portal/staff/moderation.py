"""The moderation queue, one comment's page, bulk actions and the reported queue.

Thin routes: read a form, call one service function, flash, redirect. A moderator works
through a queue: every link into a comment carries the queue's address (`return_to`), so
that after an action they land on the next comment of the same filtered queue.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from feedback_portal.models import StaffUser
from feedback_portal.permissions import Capability, may
from feedback_portal.security import is_safe_next, requires
from feedback_portal.services import moderation, responses
from feedback_portal.staff import blueprint
from feedback_portal.staff.moderation_forms import (
    BulkModerationForm,
    CommentActionForm,
    HideForm,
    NoteForm,
    QueueFilterForm,
    RedactForm,
    RejectForm,
    ReturnForm,
    TagForm,
)
from feedback_portal.staff.response_forms import ResponseForm, ResponseRevisionForm

QUEUE_ARGUMENTS = (
    "state",
    "section",
    "item",
    "reaction",
    "created_from",
    "created_to",
    "tag",
    "has_reports",
    "text",
)


# The queue ------------------------------------------------------------------------------------


@blueprint.get("/comments")
@requires(Capability.READ_FEEDBACK)
def list_comments() -> str:
    return _render_queue(request.args, request.args.get("after"))


@blueprint.post("/comments/bulk")
@requires(Capability.MODERATE)
def bulk_moderate() -> str:
    form = BulkModerationForm()
    queue_url = _queue_url(form.return_to.data) or url_for(".list_comments")
    if not form.validate_on_submit():
        arguments = MultiDict(parse_qsl(urlsplit(queue_url).query))
        return _render_queue(arguments, arguments.get("after"), bulk_form=form)
    outcomes = moderation.bulk_moderate(
        form.selection(), form.bulk_action.data, _actor(), reason=form.bulk_reason.data or None
    )
    return render_template(
        "staff/bulk_summary.html",
        outcomes=outcomes,
        action=moderation.TRANSITIONS[form.bulk_action.data],
        queue_url=queue_url,
    )


def _render_queue(
    arguments: MultiDict, after: str | None, bulk_form: BulkModerationForm | None = None
) -> str:
    form = QueueFilterForm(arguments, moderation.list_filter_choices())
    page = None
    if form.validate():
        filters = form.filters(may(current_user.role, Capability.SEE_CONTACT_DETAILS))
        page = moderation.list_queue(filters, after=moderation.QueueCursor.decode(after))
    filter_arguments: dict[str, Any] = {
        name: arguments[name] for name in QUEUE_ARGUMENTS if arguments.get(name)
    }
    after_argument: dict[str, Any] = {"after": after} if after else {}
    this_page = url_for(".list_comments", **filter_arguments, **after_argument)
    next_page = (
        url_for(".list_comments", **filter_arguments, after=page.next_cursor.encode())
        if page is not None and page.next_cursor
        else None
    )
    bulk_form = bulk_form or BulkModerationForm(formdata=None, data={"return_to": this_page})
    return render_template(
        "staff/comments.html",
        filters_form=form,
        form=bulk_form if bulk_form.errors else form,
        bulk_form=bulk_form,
        page=page,
        this_page=this_page,
        next_page=next_page,
        first_page=url_for(".list_comments", **filter_arguments) if after else None,
        can_moderate=may(current_user.role, Capability.MODERATE),
        can_see_contact=may(current_user.role, Capability.SEE_CONTACT_DETAILS),
        now=datetime.now(UTC),
    )


# One comment ------------------------------------------------------------------------------------


@blueprint.get("/comments/<id:comment_id>")
@requires(Capability.READ_FEEDBACK)
def view_comment(comment_id: int) -> str:
    return _render_comment(comment_id, _queue_url(request.args.get("return_to")))


@blueprint.post("/comments/<id:comment_id>/publish")
@requires(Capability.MODERATE)
def publish_comment(comment_id: int) -> ResponseReturnValue:
    form = _valid_action_form(CommentActionForm)
    comment = moderation.publish_comment(comment_id, form.revision.data, _actor())
    flash(f"Comment {comment.reference} is published.")
    return _after_action(comment_id, form.return_to.data)


@blueprint.post("/comments/<id:comment_id>/publish-redacted")
@requires(Capability.MODERATE)
def publish_redacted_comment(comment_id: int) -> ResponseReturnValue:
    form = RedactForm()
    if not form.validate_on_submit():
        return _render_comment_with_errors(comment_id, form)
    comment = moderation.publish_redacted_comment(
        comment_id, form.revision.data, form.public_text.data, _actor()
    )
    flash(f"Comment {comment.reference} is published with your redaction.")
    return _after_action(comment_id, form.return_to.data)


@blueprint.post("/comments/<id:comment_id>/reject")
@requires(Capability.MODERATE)
def reject_comment(comment_id: int) -> ResponseReturnValue:
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_comment_with_errors(comment_id, form)
    comment = moderation.reject_comment(
        comment_id, form.revision.data, form.rejection_reason.data, form.rejection_note.data, _actor()
    )
    flash(f"Comment {comment.reference} is rejected.")
    return _after_action(comment_id, form.return_to.data)


@blueprint.post("/comments/<id:comment_id>/spam")
@requires(Capability.MODERATE)
def mark_comment_as_spam(comment_id: int) -> ResponseReturnValue:
    form = _valid_action_form(CommentActionForm)
    comment = moderation.mark_comment_as_spam(comment_id, form.revision.data, _actor())
    flash(f"Comment {comment.reference} is marked as spam.")
    return _after_action(comment_id, form.return_to.data)


@blueprint.post("/comments/<id:comment_id>/hide")
@requires(Capability.MODERATE)
def hide_comment(comment_id: int) -> ResponseReturnValue:
    form = HideForm()
    if not form.validate_on_submit():
        return _render_comment_with_errors(comment_id, form)
    comment = moderation.hide_comment(comment_id, form.revision.data, form.hide_reason.data, _actor())
    flash(f"Comment {comment.reference} is hidden.")
    return _after_action(comment_id, form.return_to.data)


@blueprint.post("/comments/<id:comment_id>/restore")
@requires(Capability.MODERATE)
def restore_comment(comment_id: int) -> ResponseReturnValue:
    form = _valid_action_form(CommentActionForm)
    comment = moderation.restore_comment(comment_id, form.revision.data, _actor())
    flash(f"Comment {comment.reference} is restored: it is now {comment.state}.")
    return _after_action(comment_id, form.return_to.data)


@blueprint.post("/comments/<id:comment_id>/notes")
@requires(Capability.MODERATE)
def add_note(comment_id: int) -> ResponseReturnValue:
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_comment_with_errors(comment_id, form)
    moderation.add_note(comment_id, form.note.data, _actor())
    flash("Your note is added.")
    return _back_to_comment(comment_id, form.return_to.data, "notes")


@blueprint.post("/comments/<id:comment_id>/tags")
@requires(Capability.MODERATE)
def add_tag(comment_id: int) -> ResponseReturnValue:
    form = TagForm()
    if not form.validate_on_submit():
        return _render_comment_with_errors(comment_id, form)
    tag = moderation.add_tag(comment_id, form.tag_name.data, _actor())
    flash(f"The comment has the theme ‘{tag.name}’.")
    return _back_to_comment(comment_id, form.return_to.data, "themes")


@blueprint.post("/comments/<id:comment_id>/tags/<id:tag_id>/remove")
@requires(Capability.MODERATE)
def remove_tag(comment_id: int, tag_id: int) -> ResponseReturnValue:
    form = _valid_action_form(ReturnForm)
    if moderation.remove_tag(comment_id, tag_id, _actor()):
        flash("The theme is removed from this comment.")
    return _back_to_comment(comment_id, form.return_to.data, "themes")


# Reported comments ------------------------------------------------------------------------------


@blueprint.get("/comments/reported")
@requires(Capability.MODERATE)
def list_reported_comments() -> str:
    return render_template(
        "staff/reported_comments.html",
        reported=moderation.list_reported_comments(),
        page_size=moderation.REPORTED_PAGE_SIZE,
        report_reasons=moderation.REPORT_REASONS,
        hide_reasons=moderation.REJECTION_REASONS,
        this_page=url_for(".list_reported_comments"),
    )


@blueprint.post("/comments/<id:comment_id>/reports/dismiss")
@requires(Capability.MODERATE)
def dismiss_reports(comment_id: int) -> ResponseReturnValue:
    form = _valid_action_form(ReturnForm)
    count = moderation.dismiss_reports(comment_id, _actor())
    if count:
        flash(f"{count} report{'s' if count != 1 else ''} dismissed. The comment stays published.")
    else:
        flash("There were no open reports on that comment.")
    return redirect(_queue_url(form.return_to.data) or url_for(".list_reported_comments"))


# When an action cannot go ahead -----------------------------------------------------------------


@blueprint.errorhandler(moderation.CommentChanged)
def show_comment_changed(changed: moderation.CommentChanged) -> tuple[str, int]:
    return render_template(
        "staff/comment_changed.html",
        changed=changed,
        comment_url=url_for(
            ".view_comment",
            comment_id=changed.comment_id,
            return_to=_queue_url(request.form.get("return_to")),
        ),
        typed_text=request.form.get("public_text") or request.form.get("rejection_note"),
    ), 409


@blueprint.errorhandler(moderation.ActionNotAllowed)
def show_action_not_allowed(refused: moderation.ActionNotAllowed) -> tuple[str, int]:
    return render_template(
        "staff/action_refused.html",
        refused=refused,
        comment_url=url_for(
            ".view_comment",
            comment_id=refused.comment_id,
            return_to=_queue_url(request.form.get("return_to")),
        ),
    ), 409


# Helpers ----------------------------------------------------------------------------------------


def _actor() -> StaffUser:
    return current_user._get_current_object()


def _valid_action_form(form_class: type) -> CommentActionForm | ReturnForm:
    """A form with nothing for a person to type: if it does not validate, it was not sent by our page."""
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return form


def _queue_url(value: str | None) -> str | None:
    """`value` if it is the address of a queue on this site, else None: never an open redirect."""
    if not value or not is_safe_next(value):
        return None
    parts = urlsplit(value)
    if parts.path not in (url_for(".list_comments"), url_for(".list_reported_comments")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _queue_filters(queue_url: str | None) -> moderation.QueueFilters | None:
    """The filters of the main queue at `queue_url`, or None for another page or bad filters."""
    if queue_url is None or urlsplit(queue_url).path != url_for(".list_comments"):
        return None
    arguments = MultiDict(parse_qsl(urlsplit(queue_url).query))
    form = QueueFilterForm(arguments, moderation.list_filter_choices())
    return form.filters(may(current_user.role, Capability.SEE_CONTACT_DETAILS)) if form.validate() else None


def _after_action(comment_id: int, return_to: str | None) -> ResponseReturnValue:
    """On to the next comment of the moderator's queue; back to the queue at its end."""
    queue_url = _queue_url(return_to)
    if queue_url is None:
        return redirect(url_for(".view_comment", comment_id=comment_id))
    filters = _queue_filters(queue_url)
    next_id = moderation.find_next_in_queue(filters, comment_id) if filters else None
    if next_id is not None:
        return redirect(url_for(".view_comment", comment_id=next_id, return_to=queue_url))
    return redirect(queue_url)


def _back_to_comment(comment_id: int, return_to: str | None, section: str) -> ResponseReturnValue:
    url = url_for(".view_comment", comment_id=comment_id, return_to=_queue_url(return_to))
    return redirect(f"{url}#{section}")


def _render_comment_with_errors(comment_id: int, form: CommentActionForm | NoteForm | TagForm) -> str:
    if isinstance(form, CommentActionForm) and form.revision.errors:
        abort(400)
    return _render_comment(comment_id, _queue_url(form.return_to.data), failed_form=form)


def _render_comment(comment_id: int, return_to: str | None, failed_form=None) -> str:
    comment = moderation.get_comment(comment_id)
    if isinstance(failed_form, CommentActionForm) and failed_form.revision.data != comment.revision:
        # Its form may no longer be on the page: say what changed rather than show a lost error.
        raise moderation.CommentChanged(comment)
    response = responses.get_response(comment_id)
    revision_and_queue = {
        "revision": comment.revision,
        "response_revision": response.revision if response else responses.NO_RESPONSE_YET,
        "return_to": return_to,
    }

    def form_for(form_class: type, **data):
        if isinstance(failed_form, form_class):
            return failed_form
        return form_class(formdata=None, data={**revision_and_queue, **data})

    filters = _queue_filters(return_to)
    next_id = moderation.find_next_in_queue(filters, comment_id) if filters else None
    can_see_contact = may(current_user.role, Capability.SEE_CONTACT_DETAILS)
    return render_template(
        "staff/comment.html",
        comment=comment,
        history=moderation.describe_comment_history(comment_id),
        allowed=moderation.allowed_actions(comment),
        can_moderate=may(current_user.role, Capability.MODERATE),
        can_see_contact=can_see_contact,
        # The name is text a person typed too, and warned about wherever it is shown.
        has_bidi_controls=moderation.has_bidi_controls(
            comment.body, comment.public_body, comment.author_name if can_see_contact else None
        ),
        return_to=return_to,
        next_url=url_for(".view_comment", comment_id=next_id, return_to=return_to) if next_id else None,
        **({"form": failed_form} if failed_form is not None else {}),
        action_form=form_for(CommentActionForm),
        redact_form=form_for(RedactForm, public_text=comment.public_text),
        reject_form=form_for(RejectForm),
        hide_form=form_for(HideForm),
        note_form=form_for(NoteForm),
        tag_form=form_for(TagForm),
        response=response,
        response_form=form_for(ResponseForm, response_text=response.body if response else None),
        withdraw_response_form=form_for(ResponseRevisionForm),
        rejection_reasons=moderation.REJECTION_REASONS,
        report_reasons=moderation.REPORT_REASONS,
        now=datetime.now(UTC),
    )
