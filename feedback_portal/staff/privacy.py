"""Finding, exporting and erasing everything held about a person, for admins: /staff/privacy.

Every step is a POST carrying the address, so that it never appears in a URL or a log line;
each is on the audit log with a keyed code for the address, never the address itself.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal.models import StaffUser
from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import privacy
from feedback_portal.services.csv_files import download_headers, started
from feedback_portal.services.exceptions import NothingHeld
from feedback_portal.staff import blueprint
from feedback_portal.staff.privacy_forms import FindPersonForm, PersonForm

VIA = "staff pages"


def _me() -> StaffUser:
    return current_user._get_current_object()


@blueprint.get("/privacy")
@requires(Capability.ADMINISTER)
def view_privacy_search() -> str:
    return render_template("staff/privacy/find.html", form=FindPersonForm(formdata=None), record=None)


@blueprint.post("/privacy")
@requires(Capability.ADMINISTER)
def find_person() -> str:
    form = FindPersonForm()
    if not form.validate_on_submit():
        return render_template("staff/privacy/find.html", form=form, record=None)
    record = privacy.find_person(form.email.data)
    privacy.record_search(form.email.data, record, _me(), via=VIA)
    return _render_found(form, record)


def _render_found(form: FindPersonForm, record: privacy.PersonRecord) -> str:
    return render_template(
        "staff/privacy/find.html",
        form=form,
        record=record,
        person_form=PersonForm(formdata=None, email=form.email.data),
        holdings=privacy.HOLDINGS,
    )


def _person_form() -> PersonForm | None:
    form = PersonForm()
    return form if form.validate_on_submit() else None


@blueprint.post("/privacy/download")
@requires(Capability.ADMINISTER)
def download_person_information() -> ResponseReturnValue:
    form = _person_form()
    if form is None:
        return redirect(url_for(".view_privacy_search"))
    try:
        chunks = privacy.stream_subject_access(form.email.data, _me(), via=VIA)
    except NothingHeld:
        flash("No information is held for that email address, so there is nothing to download.")
        return redirect(url_for(".view_privacy_search"))
    return Response(
        stream_with_context(started(chunks)),
        mimetype="application/zip",
        headers=download_headers(privacy.FILENAME),
    )


@blueprint.post("/privacy/erase")
@requires(Capability.ADMINISTER)
def confirm_person_erasure() -> ResponseReturnValue:
    form = _person_form()
    if form is None:
        return redirect(url_for(".view_privacy_search"))
    record = privacy.find_person(form.email.data, shown=0)
    if record.nothing_held:
        flash("No information is held for that email address. Nothing was changed.")
        return redirect(url_for(".view_privacy_search"))
    return render_template("staff/privacy/erase.html", form=form, record=record)


@blueprint.post("/privacy/erase/confirm")
@requires(Capability.ADMINISTER)
def erase_person() -> ResponseReturnValue:
    form = _person_form()
    if form is None:
        return redirect(url_for(".view_privacy_search"))
    try:
        report = privacy.erase_person(form.email.data, _me(), via=VIA)
    except NothingHeld as problem:
        flash(str(problem))
    else:
        counts = report.counts
        flash(
            f"Their contact details are erased: {counts['comments']} comments anonymised, "
            f"{counts['offers']} offers deleted, {counts['consents']} consents withdrawn and anonymised, "
            f"{counts['emails']} emails cleared and {counts['mentions']} other mentions replaced."
        )
    return redirect(url_for(".view_privacy_search"))
