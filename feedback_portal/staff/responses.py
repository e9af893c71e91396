"""The team's public response to one comment, written and published from the comment's page."""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue

from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import responses
from feedback_portal.staff import blueprint
from feedback_portal.staff.moderation import _actor, _back_to_comment, _queue_url, _render_comment
from feedback_portal.staff.response_forms import ResponseForm, ResponseRevisionForm


@blueprint.post("/comments/<id:comment_id>/response")
@requires(Capability.MODERATE)
def save_response(comment_id: int) -> ResponseReturnValue:
    form = ResponseForm()
    if not form.validate_on_submit():
        if form.response_revision.errors or form.intent.errors:
            abort(400)
        _refuse_if_changed(comment_id, form.response_revision.data)
        return _render_comment(comment_id, _queue_url(form.return_to.data), failed_form=form)
    response = responses.save_response(
        comment_id, form.response_revision.data, form.response_text.data, form.publishes, _actor()
    )
    flash(
        "The response is published." if response.state == "published" else "The response is saved as a draft."
    )
    return _back_to_comment(comment_id, form.return_to.data, "response")


@blueprint.post("/comments/<id:comment_id>/response/withdraw")
@requires(Capability.MODERATE)
def withdraw_response(comment_id: int) -> ResponseReturnValue:
    form = ResponseRevisionForm()
    if not form.validate_on_submit():
        abort(400)
    responses.withdraw_response(comment_id, form.response_revision.data, _actor())
    flash("The response is withdrawn: the public no longer sees it.")
    return _back_to_comment(comment_id, form.return_to.data, "response")


def _refuse_if_changed(comment_id: int, seen_revision: int) -> None:
    """A form with errors from an out-of-date page: say what changed rather than show stale text."""
    current = responses.get_response(comment_id)
    if (current.revision if current else responses.NO_RESPONSE_YET) != seen_revision:
        raise responses.ResponseChanged(comment_id, current)


@blueprint.errorhandler(responses.ResponseChanged)
def show_response_changed(changed: responses.ResponseChanged) -> tuple[str, int]:
    return render_template(
        "staff/response_changed.html",
        changed=changed,
        comment_url=url_for(
            ".view_comment",
            comment_id=changed.comment_id,
            return_to=_queue_url(request.form.get("return_to")),
        )
        + "#response",
        typed_text=request.form.get("response_text"),
    ), 409
