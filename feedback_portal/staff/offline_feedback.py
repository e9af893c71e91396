"""Entering feedback that came another way (paper, email, phone, an event) for the person."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import offline_feedback
from feedback_portal.services.feedback import new_submission_key
from feedback_portal.staff import blueprint
from feedback_portal.staff.offline_feedback_forms import OfflineCommentForm


@blueprint.route("/comments/new", methods=["GET", "POST"])
@requires(Capability.MODERATE)
def enter_comment() -> ResponseReturnValue:
    form = OfflineCommentForm(offline_feedback.list_target_choices())
    if form.validate_on_submit():
        comment = offline_feedback.enter_comment_on_behalf(form.entry(), current_user._get_current_object())
        flash(f"Comment {comment.reference} is added. It is waiting for moderation.")
        return redirect(url_for(".view_comment", comment_id=comment.id))
    if not form.is_submitted():
        form.submission_key.data = new_submission_key()
    return render_template("staff/new_comment.html", form=form)
