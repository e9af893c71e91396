"""Admin pages: staff accounts, settings and the audit log. Admins only, every route."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from feedback_portal import links
from feedback_portal.models import PasswordLinkPurpose, StaffUser
from feedback_portal.permissions import Capability, may
from feedback_portal.security import requires
from feedback_portal.services import accounts, audit, consultations, privacy
from feedback_portal.services.csv_files import download_headers
from feedback_portal.services.exceptions import Conflict
from feedback_portal.staff import blueprint
from feedback_portal.staff.admin_forms import (
    ROLE_HINTS,
    AccountStatusForm,
    AuditFilterForm,
    ModerationModeForm,
    NewUserForm,
    RoleForm,
    TwoStepSettingForm,
)
from feedback_portal.staff.forms import ActionForm
from feedback_portal.staff.privacy_forms import RetentionForm
from feedback_portal.vocabulary import AUDIT_ACTION_LABELS

# The set-password link is handed from the POST that made it to the page that shows it
# once, under this session key, and removed as it is shown.
NEW_LINK_SESSION_KEY = "new_password_link"


def _me() -> StaffUser:
    return current_user._get_current_object()


# Staff accounts -----------------------------------------------------------------------------


@blueprint.get("/users")
@requires(Capability.ADMINISTER)
def list_users() -> str:
    return render_template("staff/admin/users.html", users=accounts.list_users())


@blueprint.route("/users/new", methods=["GET", "POST"])
@requires(Capability.ADMINISTER)
def add_user() -> ResponseReturnValue:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.role.data, actor=_me())
        except Conflict as problem:
            form.email.errors.append(str(problem))
        else:
            _issue_link(user)
            flash("Account added. It has no password yet: pass on the link below.")
            return redirect(url_for(".view_password_link", user_id=user.id))
    return render_template("staff/admin/new_user.html", form=form, role_hints=ROLE_HINTS)


@blueprint.get("/users/<id:user_id>")
@requires(Capability.ADMINISTER)
def view_user(user_id: int) -> str:
    return _render_user(accounts.get_user(user_id))


@blueprint.post("/users/<id:user_id>/role")
@requires(Capability.ADMINISTER)
def change_user_role(user_id: int) -> ResponseReturnValue:
    user = accounts.get_user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_user(user, role_form=form)
    if form.role.data == user.role:
        flash(f"Their role is already {user.role}. Nothing changed.")
        return redirect(url_for(".view_user", user_id=user.id))
    try:
        accounts.change_role(user, form.role.data, actor=_me())
    except accounts.LastAdmin as problem:
        form.role.errors.append(f"{problem}, so this account must stay an admin")
        return _render_user(user, role_form=form)
    if user.id == current_user.id:
        flash(f"Your role is now {user.role}.")
        if not may(user.role, Capability.ADMINISTER):
            # The admin pages are no longer theirs to see.
            return redirect(url_for(".view_dashboard"))
    else:
        flash(f"Their role is now {user.role}.")
    return redirect(url_for(".view_user", user_id=user.id))


@blueprint.post("/users/<id:user_id>/disable")
@requires(Capability.ADMINISTER)
def disable_user(user_id: int) -> ResponseReturnValue:
    user = accounts.get_user(user_id)
    form = AccountStatusForm()
    if not form.validate_on_submit():
        return _render_user(user, status_form=form)
    if user.is_disabled:
        flash("This account is already disabled.")
        return redirect(url_for(".view_user", user_id=user.id))
    try:
        accounts.disable_account(user, actor=_me())
    except accounts.OwnAccount as problem:
        form.status_button.errors.append(f"{problem}. Ask another admin")
        return _render_user(user, status_form=form)
    except accounts.LastAdmin as problem:
        form.status_button.errors.append(f"{problem}, so this account cannot be disabled")
        return _render_user(user, status_form=form)
    flash("Account disabled. They have been signed out everywhere and cannot sign in.")
    return redirect(url_for(".view_user", user_id=user.id))


@blueprint.post("/users/<id:user_id>/enable")
@requires(Capability.ADMINISTER)
def enable_user(user_id: int) -> ResponseReturnValue:
    user = accounts.get_user(user_id)
    form = AccountStatusForm()
    if not form.validate_on_submit():
        return _render_user(user, status_form=form)
    if user.is_disabled:
        accounts.set_disabled(user, False, actor=_me())
        flash("Account enabled. They can sign in again.")
    else:
        flash("This account is already enabled.")
    return redirect(url_for(".view_user", user_id=user.id))


@blueprint.post("/users/<id:user_id>/password-link")
@requires(Capability.ADMINISTER)
def issue_password_link(user_id: int) -> ResponseReturnValue:
    user = accounts.get_user(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_user(user)
    if user.is_disabled:
        flash("Enable the account before you give them a link: links do not work for disabled accounts.")
        return redirect(url_for(".view_user", user_id=user.id))
    _issue_link(user)
    return redirect(url_for(".view_password_link", user_id=user.id))


@blueprint.get("/users/<id:user_id>/password-link")
@requires(Capability.ADMINISTER)
def view_password_link(user_id: int) -> str:
    user = accounts.get_user(user_id)
    handed_over = session.pop(NEW_LINK_SESSION_KEY, None)
    link = None
    if handed_over and handed_over.get("user_id") == user.id:
        link = links.public_url("staff.set_password", token=handed_over["token"])
    return render_template(
        "staff/admin/password_link.html",
        user=user,
        link=link,
        lifetime_hours=int(accounts.SET_PASSWORD_LINK_LIFETIME.total_seconds() // 3600),
        action_form=ActionForm(),
    )


def _issue_link(user: StaffUser) -> None:
    token = accounts.create_password_link(user, PasswordLinkPurpose.SET_PASSWORD, actor=_me())
    # Kept in the session only until the next page shows it (post/redirect/get); only a
    # hash of it is in the database, so it cannot be shown again later.
    session[NEW_LINK_SESSION_KEY] = {"user_id": user.id, "token": token}


def _render_user(
    user: StaffUser, role_form: RoleForm | None = None, status_form: AccountStatusForm | None = None
) -> str:
    # A form that was not sent is filled from the account, not from the other form's post.
    role_form = role_form or RoleForm(formdata=None, role=user.role)
    status_form = status_form or AccountStatusForm(formdata=None)
    with_errors = status_form if status_form.errors else role_form
    return render_template(
        "staff/admin/user.html",
        user=user,
        form=with_errors,
        role_form=role_form,
        status_form=status_form,
        role_hints=ROLE_HINTS,
        is_me=user.id == current_user.id,
    )


# Settings -----------------------------------------------------------------------------------


@blueprint.get("/settings")
@requires(Capability.ADMINISTER)
def view_settings() -> str:
    return _render_settings()


@blueprint.post("/settings/two-step")
@requires(Capability.ADMINISTER)
def change_two_step_setting() -> ResponseReturnValue:
    form = TwoStepSettingForm()
    if not form.validate_on_submit():
        return _render_settings(two_step_form=form)
    required = form.require_two_step.data == "yes"
    accounts.set_totp_required(required, actor=_me())
    flash(
        "Two-step sign-in is now compulsory. Anyone without it must set it up before they continue."
        if required
        else "Two-step sign-in is no longer compulsory. Each person chooses."
    )
    return redirect(url_for(".view_settings"))


@blueprint.post("/settings/moderation-mode")
@requires(Capability.ADMINISTER)
def change_moderation_mode() -> ResponseReturnValue:
    form = ModerationModeForm()
    if not form.validate_on_submit():
        return _render_settings(moderation_form=form)
    changed = consultations.set_moderation_mode(form.moderation_mode.data, actor=_me())
    post = form.moderation_mode.data == consultations.ModerationMode.POST
    if not changed:
        flash("Nothing changed.")
    elif post:
        flash("Post-moderation is on: new comments are published at once, and moderated after.")
    else:
        flash("Pre-moderation is on: new comments are public only once a moderator publishes them.")
    return redirect(url_for(".view_settings"))


@blueprint.post("/settings/retention")
@requires(Capability.ADMINISTER)
def change_retention_periods() -> ResponseReturnValue:
    form = RetentionForm()
    if not form.validate_on_submit():
        return _render_settings(retention_form=form)
    changed = privacy.set_retention_periods(form.periods(), actor=_me())
    flash("Retention periods saved. The privacy notice now says the same." if changed else "Nothing changed.")
    return redirect(url_for(".view_settings"))


def _render_settings(
    two_step_form: TwoStepSettingForm | None = None,
    moderation_form: ModerationModeForm | None = None,
    retention_form: RetentionForm | None = None,
) -> str:
    consultation = consultations.get_current_consultation()
    two_step_form = two_step_form or TwoStepSettingForm(
        formdata=None, require_two_step="yes" if accounts.totp_is_required() else "no"
    )
    moderation_form = moderation_form or ModerationModeForm(
        formdata=None, moderation_mode=consultation.moderation_mode
    )
    periods = privacy.get_retention_periods()
    retention_form = retention_form or RetentionForm(
        formdata=None, **{name: str(value) for name, value in asdict(periods).items()}
    )
    with_errors = next((f for f in (moderation_form, retention_form) if f.errors), two_step_form)
    return render_template(
        "staff/admin/settings.html",
        form=with_errors,
        two_step_form=two_step_form,
        moderation_form=moderation_form,
        retention_form=retention_form,
        consultation=consultation,
    )


# Audit log ----------------------------------------------------------------------------------


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    choices = audit.list_filter_choices()
    form.set_choices(choices.actions, choices.record_types, choices.actors)
    return form


@blueprint.get("/audit")
@requires(Capability.ADMINISTER)
def list_audit_entries() -> str:
    form = _filter_form()
    page = None
    if form.validate():
        page = audit.list_entries(
            form.to_filters(),
            older_than=audit.Cursor.decode(request.args.get("older")),
            newer_than=audit.Cursor.decode(request.args.get("newer")),
        )
    filters = form.to_filters() if page is not None else audit.AuditFilters()
    return render_template(
        "staff/admin/audit.html",
        form=form,
        page=page,
        filter_args=filters.query_args(),
        filtered=bool(filters.query_args()),
        action_labels=AUDIT_ACTION_LABELS,
    )


@blueprint.get("/audit.csv")
@requires(Capability.ADMINISTER)
def download_audit_log() -> ResponseReturnValue:
    form = _filter_form()
    if not form.validate():
        # The log page shows what is wrong with the filters.
        arguments: dict[str, Any] = request.args.to_dict()  # the first value of each, as before
        return redirect(url_for(".list_audit_entries", **arguments))
    # The generator runs the queries, and records the export, as the file streams: its rows
    # come from a server-side cursor in the session, which must not be opened in the view.
    rows = audit.export_csv(form.to_filters(), actor_id=current_user.id)
    return Response(
        stream_with_context(rows),
        mimetype="text/csv",
        headers=download_headers(audit.export_filename()),
    )
