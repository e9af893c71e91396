""" "You said, we did": moderators and admins write and publish summaries; all staff read them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal.models import StaffUser, Summary
from feedback_portal.permissions import Capability, may
from feedback_portal.security import requires
from feedback_portal.services import summaries
from feedback_portal.services.exceptions import SummaryChanged
from feedback_portal.staff import blueprint
from feedback_portal.staff.summary_forms import (
    INTENT,
    NewSummaryForm,
    SummaryForm,
    SummaryRevisionForm,
    form_data_of,
)

PUBLISHED_MESSAGE = "The summary is published. The public sees it on its page and at /you-said-we-did."


@blueprint.get("/you-said-we-did")
@requires(Capability.READ_FEEDBACK)
def list_summaries() -> str:
    listed = summaries.list_summaries()
    return render_template(
        "staff/summaries.html",
        summaries=listed,
        counts=summaries.count_behind(listed),
        target_label=summaries.target_label,
        can_moderate=may(current_user.role, Capability.MODERATE),
    )


@blueprint.route("/you-said-we-did/new", methods=["GET", "POST"])
@requires(Capability.MODERATE)
def create_summary() -> ResponseReturnValue:
    form = NewSummaryForm(summaries.list_target_choices())
    if form.validate_on_submit():
        summary = summaries.create_summary(form.target.data, _actor())
        flash("The draft summary is started. The public does not see it until you publish it.")
        return redirect(url_for(".edit_summary", summary_id=summary.id))
    return render_template("staff/new_summary.html", form=form)


@blueprint.get("/you-said-we-did/<id:summary_id>")
@requires(Capability.READ_FEEDBACK)
def edit_summary(summary_id: int) -> str:
    summary = summaries.get_summary(summary_id)
    return _render_edit(summary, SummaryForm(summary, data=form_data_of(summary)))


@blueprint.post("/you-said-we-did/<id:summary_id>")
@requires(Capability.MODERATE)
def save_summary(summary_id: int) -> ResponseReturnValue:
    summary = summaries.get_summary(summary_id)
    form = SummaryForm(summary)
    if not INTENT.match(form.intent.data or "") or form.revision.data is None:
        abort(400)
    if form.changes_rows:
        form.change_rows()
        return _render_edit(summary, form)
    if not form.validate_on_submit():
        if form.revision.data != summary.revision:
            raise SummaryChanged(summary.id, summary.revision)
        return _render_edit(summary, form)
    saved = summaries.save_summary(summary_id, form.revision.data, form.draft(), form.publishes, _actor())
    flash(PUBLISHED_MESSAGE if saved.state == "published" else "The summary is saved as a draft.")
    return redirect(url_for(".edit_summary", summary_id=summary_id))


@blueprint.post("/you-said-we-did/<id:summary_id>/withdraw")
@requires(Capability.MODERATE)
def withdraw_summary(summary_id: int) -> ResponseReturnValue:
    form = SummaryRevisionForm()
    if not form.validate_on_submit():
        abort(400)
    summaries.withdraw_summary(summary_id, form.revision.data, _actor())
    flash("The summary is withdrawn: the public no longer sees it.")
    return redirect(url_for(".edit_summary", summary_id=summary_id))


def _render_edit(summary: Summary, form: SummaryForm) -> str:
    return render_template(
        "staff/summary.html",
        summary=summary,
        form=form,
        shown=summaries.show([summary])[0],
        target_label=summaries.target_label(summary),
        can_moderate=may(current_user.role, Capability.MODERATE),
    )


def _actor() -> StaffUser:
    return current_user._get_current_object()
