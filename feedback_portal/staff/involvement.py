"""The involvement pipeline: everyone who offered to work with the team, and following them up.

Admins and analysts see everything and follow offers up. Moderators see the list and each
offer without the name, email, phone or access needs: the privacy notice promises that only
admins and analysts see those. Asking for them anyway (the export) is refused, logged and audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from feedback_portal.models import InvolvementOffer, StaffUser
from feedback_portal.permissions import Capability, may
from feedback_portal.security import requires
from feedback_portal.services import involvement_export, involvement_pipeline
from feedback_portal.services.csv_files import download_headers, started
from feedback_portal.services.export import FORMATS
from feedback_portal.services.moderation import has_bidi_controls
from feedback_portal.staff import blueprint
from feedback_portal.staff.involvement_forms import (
    OfferExportForm,
    OfferFilterForm,
    OfferNoteForm,
    OfferUpdateForm,
)


def _me() -> StaffUser:
    return current_user._get_current_object()


@blueprint.get("/involvement")
@requires(Capability.READ_FEEDBACK)
def list_offers() -> str:
    return _render_list(request.args)


def _render_list(arguments: MultiDict, export_form: OfferExportForm | None = None) -> str:
    form = OfferFilterForm(arguments, involvement_pipeline.filter_choices())
    page = None
    after = arguments.get("after")
    if form.validate():
        page = involvement_pipeline.list_offers(form.filters(), after=after)
    filter_arguments = form.arguments() if not form.errors else {}
    this_page = url_for(".list_offers", **filter_arguments, **({"after": after} if after else {}))
    return render_template(
        "staff/involvement.html",
        filters_form=form,
        form=export_form if export_form is not None and export_form.errors else form,
        export_form=export_form or OfferExportForm(formdata=None),
        filter_arguments=filter_arguments,
        page=page,
        labels=involvement_pipeline.labels(),
        this_page=this_page,
        next_page=url_for(".list_offers", **filter_arguments, after=page.next_cursor)
        if page is not None and page.next_cursor
        else None,
        first_page=url_for(".list_offers", **filter_arguments) if after else None,
        can_see_contact=may(current_user.role, Capability.SEE_CONTACT_DETAILS),
        formats=FORMATS,
    )


@blueprint.get("/involvement/<id:offer_id>")
@requires(Capability.READ_FEEDBACK)
def view_offer(offer_id: int) -> str:
    return _render_offer(offer_id)


def _render_offer(
    offer_id: int, update_form: OfferUpdateForm | None = None, note_form: OfferNoteForm | None = None
) -> str:
    offer = involvement_pipeline.get_offer(offer_id)
    can_manage = may(current_user.role, Capability.MANAGE_INVOLVEMENT)
    followers = involvement_pipeline.follower_choices() if can_manage else []
    if update_form is None:
        update_form = OfferUpdateForm(followers, formdata=None)
        update_form.status.data = offer.status
        update_form.follower.data = str(offer.follower_id or "")
    can_see_contact = may(current_user.role, Capability.SEE_CONTACT_DETAILS)
    return render_template(
        "staff/involvement_offer.html",
        offer=offer,
        labels=involvement_pipeline.labels(),
        can_manage=can_manage,
        can_see_contact=can_see_contact,
        update_form=update_form,
        note_form=note_form or OfferNoteForm(formdata=None),
        form=next((each for each in (update_form, note_form) if each is not None and each.errors), None),
        has_bidi_controls=_has_bidi_controls(offer, can_see_contact),
    )


def _has_bidi_controls(offer: InvolvementOffer, can_see_contact: bool) -> bool:
    shown = [offer.other_interest, offer.how_to_be_involved]
    if can_see_contact:
        shown += [offer.name, offer.access_needs, *(note.text for note in offer.notes)]
    return has_bidi_controls(*shown)


@blueprint.post("/involvement/<id:offer_id>")
@requires(Capability.MANAGE_INVOLVEMENT)
def update_offer(offer_id: int) -> ResponseReturnValue:
    form = OfferUpdateForm(involvement_pipeline.follower_choices())
    if not form.validate_on_submit():
        return _render_offer(offer_id, update_form=form)
    involvement_pipeline.update_offer(offer_id, form.status.data, form.follower_id(), _me())
    flash("The offer is updated.")
    return redirect(url_for(".view_offer", offer_id=offer_id))


@blueprint.post("/involvement/<id:offer_id>/notes")
@requires(Capability.MANAGE_INVOLVEMENT)
def add_offer_note(offer_id: int) -> ResponseReturnValue:
    form = OfferNoteForm()
    if not form.validate_on_submit():
        return _render_offer(offer_id, note_form=form)
    involvement_pipeline.add_note(offer_id, form.note.data, _me())
    flash("Your note is added.")
    return redirect(url_for(".view_offer", offer_id=offer_id) + "#notes")


@blueprint.get("/involvement/export")
@requires(Capability.READ_FEEDBACK)
def redirect_to_offers() -> ResponseReturnValue:
    """The file is made by posting the list's export form; a bookmark finds the list."""
    return redirect(url_for(".list_offers"))


@blueprint.post("/involvement/export")
@requires(Capability.READ_FEEDBACK)
def export_offers() -> ResponseReturnValue:
    if not may(current_user.role, Capability.SEE_CONTACT_DETAILS):
        # The list never offers it to them: this post was made by hand.
        involvement_pipeline.refuse_contact_details(_me(), "the involvement export")
        abort(403)
    form = OfferExportForm()
    filters_form = OfferFilterForm(request.form, involvement_pipeline.filter_choices())
    if not form.validate_on_submit() or not filters_form.validate():
        return _render_list(request.form, export_form=form)
    file_format = form.file_format.data
    return Response(
        stream_with_context(
            started(
                involvement_export.stream_export(
                    filters_form.filters(), file_format, actor_id=current_user.id
                )
            )
        ),
        mimetype=FORMATS[file_format].content_type,
        headers=download_headers(involvement_export.export_filename(file_format, datetime.now(UTC))),
    )
