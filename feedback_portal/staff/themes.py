"""Themes as a managed list: every theme with how much uses it; rename, describe, merge, delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from feedback_portal.models import StaffUser
from feedback_portal.permissions import Capability, may
from feedback_portal.security import requires
from feedback_portal.services import themes
from feedback_portal.staff import blueprint
from feedback_portal.staff.theme_forms import DeleteThemeForm, MergeChoiceForm, MergeForm, ThemeForm


@blueprint.get("/themes")
@requires(Capability.READ_FEEDBACK)
def list_themes() -> str:
    return render_template(
        "staff/themes.html",
        themes=themes.list_themes(),
        can_change=may(current_user.role, Capability.MODERATE),
    )


@blueprint.get("/themes/<id:tag_id>")
@requires(Capability.READ_FEEDBACK)
def view_theme(tag_id: int) -> str:
    return _render_theme(tag_id)


@blueprint.post("/themes/<id:tag_id>")
@requires(Capability.MODERATE)
def update_theme(tag_id: int) -> ResponseReturnValue:
    form = ThemeForm()
    if not form.validate_on_submit():
        if form.theme_revision.errors:
            abort(400)
        return _render_theme(tag_id, form=form), 400
    try:
        tag = themes.update_theme(
            tag_id, form.theme_revision.data, form.name.data, form.description.data, _actor()
        )
    except themes.ThemeNameTaken as taken:
        form.name.errors = [
            f"There is already a theme called ‘{taken.existing_name}’. "
            "Choose another name, or merge this theme into it"
        ]
        return _render_theme(tag_id, form=form, taken=taken), 400
    flash(f"The theme ‘{tag.name}’ is saved.")
    return redirect(url_for(".view_theme", tag_id=tag_id))


@blueprint.get("/themes/<id:tag_id>/merge")
@requires(Capability.MODERATE)
def confirm_merge(tag_id: int) -> ResponseReturnValue:
    theme = themes.get_theme(tag_id)
    choice = MergeChoiceForm(request.args, themes.list_other_themes(tag_id))
    if not choice.validate():
        return _render_theme(tag_id, merge_choice=choice), 400
    into = themes.get_theme(choice.into_id)
    form = MergeForm(formdata=None, theme_revision=theme.revision, into=into.id)
    return render_template("staff/theme_merge.html", theme=theme, into=into, form=form)


@blueprint.post("/themes/<id:tag_id>/merge")
@requires(Capability.MODERATE)
def merge_theme(tag_id: int) -> ResponseReturnValue:
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    merged = themes.merge_themes(tag_id, form.theme_revision.data, form.into.data, _actor())
    moved = merged.comments_moved + merged.comments_with_both
    flash(
        f"The theme is merged into ‘{merged.into.name}’: {moved:,} comment{'' if moved == 1 else 's'} "
        f"and {merged.summaries_moved:,} summar{'y' if merged.summaries_moved == 1 else 'ies'} moved."
    )
    return redirect(url_for(".view_theme", tag_id=merged.into.id))


@blueprint.post("/themes/<id:tag_id>/delete")
@requires(Capability.MODERATE)
def delete_theme(tag_id: int) -> ResponseReturnValue:
    form = DeleteThemeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        name = themes.delete_theme(tag_id, form.theme_revision.data, _actor())
    except themes.ThemeInUse as in_use:
        form.delete_theme.errors = [f"You cannot delete this theme because {_uses_in_words(in_use)} it"]
        return _render_theme(tag_id, delete_form=form), 409
    flash(f"The theme ‘{name}’ is deleted.")
    return redirect(url_for(".list_themes"))


@blueprint.errorhandler(themes.ThemeChanged)
def show_theme_changed(changed: themes.ThemeChanged) -> tuple[str, int]:
    return render_template(
        "staff/theme_changed.html",
        changed=changed,
        # The theme it was to be merged into, rather than the one on the page, changed.
        merge_target_changed=changed.tag_id != (request.view_args or {}).get("tag_id"),
        typed_name=request.form.get("name"),
        typed_description=request.form.get("description"),
    ), 409


def _uses_in_words(in_use: themes.ThemeInUse) -> str:
    """'1 comment uses', '3 comments use', '1 comment and 1 summary use'."""
    parts = []
    if in_use.comments:
        parts.append(f"{in_use.comments:,} comment{'' if in_use.comments == 1 else 's'}")
    if in_use.summaries:
        parts.append(f"{in_use.summaries:,} summar{'y' if in_use.summaries == 1 else 'ies'}")
    singular = len(parts) == 1 and in_use.comments + in_use.summaries == 1
    return " and ".join(parts) + (" uses" if singular else " use")


def _render_theme(
    tag_id: int,
    form: ThemeForm | None = None,
    merge_choice: MergeChoiceForm | None = None,
    delete_form: DeleteThemeForm | None = None,
    taken: themes.ThemeNameTaken | None = None,
) -> str:
    """The theme's page; with the form that failed, its errors in the summary and what was typed."""
    theme = themes.get_theme(tag_id)
    failed: Any = form or merge_choice or delete_form
    can_change = may(current_user.role, Capability.MODERATE)
    return render_template(
        "staff/theme.html",
        theme=theme,
        can_change=can_change,
        uses_in_words=_uses_in_words(themes.ThemeInUse(theme.comments, theme.summaries)),
        edit_form=form or ThemeForm(formdata=None, name=theme.name, description=theme.description),
        merge_choice=merge_choice or MergeChoiceForm(MultiDict(), themes.list_other_themes(tag_id)),
        taken=taken,
        # The page title and error summary read `form`: the one that failed, if any.
        form=failed if failed is not None else None,
    )


def _actor() -> StaffUser:
    return current_user._get_current_object()
