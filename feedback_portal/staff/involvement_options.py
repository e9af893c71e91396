"""Admins manage the interests and ways of taking part that the get-involved form offers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal.models import OptionKind, StaffUser
from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import involvement_options
from feedback_portal.staff import blueprint
from feedback_portal.staff.involvement_forms import ButtonForm, OptionForm

KIND_NAMES = {OptionKind.INTEREST: "interest", OptionKind.WAY: "way of taking part"}
ACTIONS = {"show", "hide", "up", "down"}


def _me() -> StaffUser:
    return current_user._get_current_object()


@blueprint.get("/admin/involvement-options")
@requires(Capability.ADMINISTER)
def list_involvement_options() -> str:
    return _render_options()


def _render_options(failed_kind: OptionKind | None = None, failed_form: OptionForm | None = None) -> str:
    forms = {
        kind: failed_form
        if kind == failed_kind and failed_form is not None
        else OptionForm(formdata=None, prefix=kind)
        for kind in OptionKind
    }
    return render_template(
        "staff/admin/involvement_options.html",
        options={kind: involvement_options.list_options(kind) for kind in OptionKind},
        add_forms=forms,
        form=failed_form,
        button_form=ButtonForm(formdata=None),
        kind_names=KIND_NAMES,
    )


@blueprint.post("/admin/involvement-options/<kind>")
@requires(Capability.ADMINISTER)
def add_involvement_option(kind: str) -> ResponseReturnValue:
    if kind not in set(OptionKind):
        abort(404)
    option_kind = OptionKind(kind)
    form = OptionForm(prefix=kind)
    if not form.validate_on_submit():
        return _render_options(option_kind, form)
    option = involvement_options.add_option(option_kind, form.label.data, _me())
    flash(f"‘{option.label}’ is added to the form.")
    return redirect(url_for(".list_involvement_options") + f"#{kind}")


@blueprint.route("/admin/involvement-options/<id:option_id>", methods=["GET", "POST"])
@requires(Capability.ADMINISTER)
def rename_involvement_option(option_id: int) -> ResponseReturnValue:
    option = involvement_options.get_option(option_id)
    form = OptionForm(data={"label": option.label})
    if form.validate_on_submit():
        involvement_options.rename_option(option_id, form.label.data, _me())
        flash(f"The choice is now ‘{form.label.data}’, on the form and on every offer that chose it.")
        return redirect(url_for(".list_involvement_options") + f"#option-{option_id}")
    return render_template(
        "staff/admin/involvement_option.html",
        option=option,
        form=form,
        kind_name=KIND_NAMES[OptionKind(option.kind)],
    )


@blueprint.post("/admin/involvement-options/<id:option_id>/<action>")
@requires(Capability.ADMINISTER)
def change_involvement_option(option_id: int, action: str) -> ResponseReturnValue:
    form = ButtonForm()
    if action not in ACTIONS or not form.validate_on_submit():
        abort(400)
    if action in {"up", "down"}:
        involvement_options.move_option(option_id, action == "up", _me())
        flash("The order is changed.")
    else:
        option = involvement_options.set_shown(option_id, action == "show", _me())
        flash(f"‘{option.label}’ is {'shown on' if option.active else 'hidden from'} the form.")
    return redirect(url_for(".list_involvement_options") + f"#option-{option_id}")
