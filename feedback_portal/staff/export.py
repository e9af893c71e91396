"""Exporting comments as an Excel workbook or CSV: the form, and the file it streams back.

The form posts to /staff/export.csv (its address from before there were workbooks; the file's
name says its format). A valid post gets the file, streamed as the rows are
read (the query runs inside the generator, see services/export/stream.py); a post with filters
that cannot be used gets the form back with what to fix, and no file.
"""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal.models import StaffUser
from feedback_portal.permissions import Capability, may
from feedback_portal.security import requires
from feedback_portal.services import export as exports
from feedback_portal.services import moderation
from feedback_portal.services.csv_files import download_headers, started
from feedback_portal.staff import blueprint
from feedback_portal.staff.export_forms import ExportForm


def _me() -> StaffUser:
    return current_user._get_current_object()


@blueprint.get("/export")
@requires(Capability.READ_FEEDBACK)
def view_export() -> str:
    return _render_form(ExportForm(None, moderation.list_filter_choices()))


@blueprint.get("/export.csv")
@requires(Capability.READ_FEEDBACK)
def redirect_to_export() -> ResponseReturnValue:
    """The file is made by posting the form; an old link or bookmark finds the form."""
    return redirect(url_for(".view_export"))


@blueprint.post("/export.csv")
@requires(Capability.READ_FEEDBACK)
def export_comments() -> ResponseReturnValue:
    form = ExportForm(request.form, moderation.list_filter_choices())
    if form.include_contact_details.data and not may(current_user.role, Capability.SEE_CONTACT_DETAILS):
        # The form never offers it to them: this post was made by hand.
        exports.refuse_contact_details(_me(), form.profile.data)
        abort(403)
    if not form.validate():
        return _render_form(form)
    wanted = form.export_request()
    return Response(
        stream_with_context(started(exports.stream_export(wanted, actor_id=current_user.id))),
        mimetype=exports.FORMATS[wanted.file_format].content_type,
        headers=download_headers(exports.export_filename(wanted.profile, file_format=wanted.file_format)),
    )


def _render_form(form: ExportForm) -> str:
    return render_template(
        "staff/export.html",
        form=form,
        profiles=exports.PROFILES,
        formats=exports.FORMATS,
        can_include_contact_details=may(current_user.role, Capability.SEE_CONTACT_DETAILS),
    )
