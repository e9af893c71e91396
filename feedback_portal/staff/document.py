"""Editing the document (admins): the draft's sections, examples and contact details, and publishing it.

Every form carries the draft's revision; an edit made on an older one is refused by the service
(DraftChanged) and shown with what the admin typed, so nothing of anyone's is lost.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal.models import DocumentVersion, PracticeItem, Section, StaffUser
from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import consultations, documents
from feedback_portal.services import document_versions as versions
from feedback_portal.services.document_versions.editing import CannotMove
from feedback_portal.staff import blueprint
from feedback_portal.staff.document_forms import (
    ContactDetailsForm,
    DraftRevisionForm,
    ItemForm,
    MoveForm,
    NewSectionForm,
    PublishForm,
    SectionForm,
)
from feedback_portal.staff.forms import ActionForm


@blueprint.get("/document")
@requires(Capability.EDIT_DOCUMENT)
def view_document() -> str:
    return _render_overview()


@blueprint.post("/document/draft")
@requires(Capability.EDIT_DOCUMENT)
def start_draft() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    draft = versions.start_draft(_actor())
    flash(f"You are editing a draft of version {draft.number}. Only staff can see it until you publish it.")
    return redirect(url_for(".view_document"))


@blueprint.route("/document/sections/<id:section_id>", methods=["GET", "POST"])
@requires(Capability.EDIT_DOCUMENT)
def edit_section(section_id: int) -> ResponseReturnValue:
    draft, section = _draft_section(section_id)
    if request.method == "GET":
        form = SectionForm(
            formdata=None,
            draft_revision=draft.revision,
            heading=section.heading,
            body=section.body,
            items_intro=section.items_intro,
        )
        return _render_section(draft, section, form)
    form = SectionForm()
    if not form.validate_on_submit():
        return _render_section(draft, section, form), 400
    if request.form.get("action") == "preview":
        preview = SimpleNamespace(
            heading=form.heading.data,
            body=form.body.data or "",
            items_intro=form.items_intro.data or "",
            items=section.items,
            slug=section.slug,
        )
        return _render_section(draft, section, form, preview=preview)
    versions.edit_section(
        form.draft_revision.data,
        section_id,
        form.heading.data,
        form.body.data or "",
        form.items_intro.data or "",
        _actor(),
    )
    flash(f"The section ‘{form.heading.data}’ is saved in the draft.")
    return redirect(url_for(".view_document") + f"#section-{section.slug}")


@blueprint.route("/document/sections/new", methods=["GET", "POST"])
@requires(Capability.EDIT_DOCUMENT)
def new_section() -> ResponseReturnValue:
    draft = versions.get_draft()
    if request.method == "GET":
        return _render_new_section(draft, NewSectionForm(formdata=None, draft_revision=draft.revision))
    form = NewSectionForm()
    if not form.validate_on_submit():
        return _render_new_section(draft, form), 400
    if request.form.get("action") == "preview":
        preview = SimpleNamespace(
            heading=form.heading.data, body=form.body.data or "", items_intro="", items=[]
        )
        return _render_new_section(draft, form, preview=preview)
    section = versions.add_section(
        form.draft_revision.data, form.heading.data, form.body.data or "", _actor()
    )
    flash(f"The section ‘{section.heading}’ is added to the end of the draft.")
    return redirect(url_for(".view_document") + f"#section-{section.slug}")


@blueprint.post("/document/sections/<id:section_id>/move")
@requires(Capability.EDIT_DOCUMENT)
def move_section(section_id: int) -> ResponseReturnValue:
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    _draft_section(section_id)
    # Already first or last: a page older than the draft's order; the section stays where it is.
    with contextlib.suppress(CannotMove):
        versions.move_section(
            form.draft_revision.data, section_id, -1 if form.direction.data == "up" else 1, _actor()
        )
    return redirect(url_for(".view_document") + "#sections")


@blueprint.post("/document/sections/<id:section_id>/remove")
@requires(Capability.EDIT_DOCUMENT)
def remove_section(section_id: int) -> ResponseReturnValue:
    form = DraftRevisionForm()
    if not form.validate_on_submit():
        abort(400)
    _draft_section(section_id)
    section = versions.remove_section(form.draft_revision.data, section_id, _actor())
    flash(f"The section ‘{section.heading}’ is removed from the draft.")
    return redirect(url_for(".view_document") + "#sections")


@blueprint.post("/document/sections/<id:section_id>/examples")
@requires(Capability.EDIT_DOCUMENT)
def add_item(section_id: int) -> ResponseReturnValue:
    draft, section = _draft_section(section_id)
    form = ItemForm()
    if not form.validate_on_submit():
        edit_form = SectionForm(
            formdata=None,
            draft_revision=draft.revision,
            heading=section.heading,
            body=section.body,
            items_intro=section.items_intro,
        )
        return _render_section(draft, section, edit_form, item_form=form), 400
    versions.add_item(form.draft_revision.data, section_id, form.text.data, _actor())
    flash("The example is added to the end of the section.")
    return redirect(url_for(".edit_section", section_id=section_id) + "#examples")


@blueprint.route("/document/examples/<id:item_id>", methods=["GET", "POST"])
@requires(Capability.EDIT_DOCUMENT)
def edit_item(item_id: int) -> ResponseReturnValue:
    draft, section, item = _draft_item(item_id)
    if request.method == "GET":
        form = ItemForm(formdata=None, draft_revision=draft.revision, text=item.text)
        return render_template("staff/document/item.html", draft=draft, section=section, item=item, form=form)
    form = ItemForm()
    if not form.validate_on_submit():
        return render_template(
            "staff/document/item.html", draft=draft, section=section, item=item, form=form
        ), 400
    versions.edit_item(form.draft_revision.data, item_id, form.text.data, _actor())
    flash("The example is saved in the draft.")
    return redirect(url_for(".edit_section", section_id=section.id) + "#examples")


@blueprint.post("/document/examples/<id:item_id>/move")
@requires(Capability.EDIT_DOCUMENT)
def move_item(item_id: int) -> ResponseReturnValue:
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    _, section, _ = _draft_item(item_id)
    with contextlib.suppress(CannotMove):
        versions.move_item(
            form.draft_revision.data, item_id, -1 if form.direction.data == "up" else 1, _actor()
        )
    return redirect(url_for(".edit_section", section_id=section.id) + "#examples")


@blueprint.post("/document/examples/<id:item_id>/remove")
@requires(Capability.EDIT_DOCUMENT)
def remove_item(item_id: int) -> ResponseReturnValue:
    form = DraftRevisionForm()
    if not form.validate_on_submit():
        abort(400)
    _, section, _ = _draft_item(item_id)
    versions.remove_item(form.draft_revision.data, item_id, _actor())
    flash("The example is removed from the draft. Comments on it keep the wording they were made on.")
    return redirect(url_for(".edit_section", section_id=section.id) + "#examples")


@blueprint.route("/document/contact-details", methods=["GET", "POST"])
@requires(Capability.EDIT_DOCUMENT)
def edit_contact_details() -> ResponseReturnValue:
    draft = versions.get_draft()
    if request.method == "GET":
        form = ContactDetailsForm(
            formdata=None, draft_revision=draft.revision, contact_details=draft.contact_details
        )
        return render_template("staff/document/contact_details.html", draft=draft, form=form)
    form = ContactDetailsForm()
    if not form.validate_on_submit():
        return render_template("staff/document/contact_details.html", draft=draft, form=form), 400
    if request.form.get("action") == "preview":
        return render_template(
            "staff/document/contact_details.html",
            draft=draft,
            form=form,
            preview=form.contact_details.data or "",
        )
    versions.edit_contact_details(form.draft_revision.data, form.contact_details.data or "", _actor())
    flash("The contact details are saved in the draft.")
    return redirect(url_for(".view_document") + "#contact-details")


@blueprint.post("/document/corrections/<id:correction_id>/undo")
@requires(Capability.EDIT_DOCUMENT)
def undo_correction(correction_id: int) -> ResponseReturnValue:
    form = DraftRevisionForm()
    if not form.validate_on_submit():
        abort(400)
    correction = versions.undo_correction(form.draft_revision.data, correction_id, _actor())
    flash(f"The draft has the team’s published wording again: “{correction.original}”.")
    return redirect(url_for(".view_document") + "#corrections")


@blueprint.post("/document/publish")
@requires(Capability.EDIT_DOCUMENT)
def publish_draft() -> ResponseReturnValue:
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_overview(publish_form=form), 400
    try:
        version = versions.publish_draft(form.draft_revision.data, form.summary.data, _actor())
    except versions.PublishRefused as refused:
        return _render_overview(publish_form=form, refused=refused.reasons), 400
    flash(f"Version {version.number} is published. The public now sees it.")
    return redirect(url_for(".view_document"))


@blueprint.errorhandler(versions.DraftChanged)
def show_draft_changed(changed: versions.DraftChanged) -> tuple[str, int]:
    typed = {
        label: request.form.get(name)
        for name, label in (
            ("heading", "Heading"),
            ("body", "Text"),
            ("items_intro", "Sentence before the examples"),
            ("text", "Example"),
            ("contact_details", "Contact details"),
            ("summary", "What we changed and why"),
        )
        if request.form.get(name)
    }
    return render_template("staff/document/draft_changed.html", message=str(changed), typed=typed), 409


def _render_overview(publish_form: PublishForm | None = None, refused: list[str] | None = None) -> str:
    draft = versions.find_draft()
    current = documents.get_current_version()
    if draft is not None and publish_form is None:
        publish_form = PublishForm(formdata=None, draft_revision=draft.revision)
    return render_template(
        "staff/document/overview.html",
        draft=draft,
        current=current,
        problems=versions.publishing_problems(draft) if draft is not None else [],
        publish_form=publish_form,
        form=publish_form if publish_form is not None and publish_form.errors else None,
        refused=refused,
        action_form=ActionForm(),
        other_documents=[each for each in consultations.list_documents() if each.id != current.document_id],
    )


def _render_section(
    draft: DocumentVersion,
    section: Section,
    form: SectionForm,
    item_form: ItemForm | None = None,
    preview=None,
) -> str:
    return render_template(
        "staff/document/section.html",
        draft=draft,
        section=section,
        form=form if form.errors or item_form is None else item_form,
        edit_form=form,
        item_form=item_form or ItemForm(formdata=None, draft_revision=draft.revision),
        preview=preview,
    )


def _render_new_section(draft: DocumentVersion, form: NewSectionForm, preview=None) -> str:
    return render_template("staff/document/new_section.html", draft=draft, form=form, preview=preview)


def _draft_section(section_id: int) -> tuple[DocumentVersion, Section]:
    draft = versions.get_draft()
    section = next((s for s in draft.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    return draft, section


def _draft_item(item_id: int) -> tuple[DocumentVersion, Section, PracticeItem]:
    draft = versions.get_draft()
    for section in draft.sections:
        for item in section.items:
            if item.id == item_id:
                return draft, section, item
    abort(404)


def _actor() -> StaffUser:
    return current_user._get_current_object()
