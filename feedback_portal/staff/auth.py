"""Signing in and out, setting passwords, and each person's own account page."""

from __future__ import annotations

import time

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from feedback_portal.hashing import keyed_hash
from feedback_portal.permissions import Capability
from feedback_portal.security import (
    is_safe_next,
    limiter,
    public_staff_route,
    requires,
    start_staff_session,
)
from feedback_portal.services import accounts
from feedback_portal.staff import blueprint
from feedback_portal.staff.auth_forms import (
    ChangePasswordForm,
    CodeForm,
    EmailPreferencesForm,
    ForgotPasswordForm,
    NewPasswordForm,
    SignInForm,
)
from feedback_portal.staff.forms import ActionForm

SIGN_IN_FAILED = "Enter a correct email address and password"
CODE_NOT_RIGHT = "The code is not right. Enter the code your app shows now"
CODE_ALREADY_USED = "That code has already been used. Wait for your app to show a new code, then enter it"
PENDING_SIGN_IN_LIFETIME = 5 * 60
# Pages a person can use while they still have to set up a compulsory two-step code.
ALLOWED_WITHOUT_TOTP = {
    "staff.set_up_two_step",
    "staff.cancel_two_step_set_up",
    "staff.sign_out",
    "staff.keep_alive",
}


def _account_key() -> str:
    return "account:" + keyed_hash("sign-in", accounts.normalise_email(request.form.get("email", "")))


@blueprint.before_request
def require_two_step_when_compulsory() -> WerkzeugResponse | None:
    if (
        current_user.is_authenticated
        and request.endpoint not in ALLOWED_WITHOUT_TOTP
        and not current_user.has_totp
        and accounts.totp_is_required()
    ):
        flash("You must set up two-step sign-in before you continue.")
        return redirect(url_for("staff.set_up_two_step"))
    return None


@blueprint.route("/login", methods=["GET", "POST"])
@public_staff_route
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=_account_key)
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        result = accounts.sign_in(form.email.data, form.password.data)
        if result.user is not None and result.needs_code:
            session.clear()
            session["pending_sign_in"] = {"user": result.user.get_id(), "at": time.time()}
            session["pending_next"] = _next_page()
            return redirect(url_for(".sign_in_code"))
        if result.user is not None:
            next_page = _next_page()
            start_staff_session(result.user)
            return redirect(next_page)
        form.password.errors.append(SIGN_IN_FAILED)
    return render_template("staff/sign_in.html", form=form)


@blueprint.route("/login/code", methods=["GET", "POST"])
@public_staff_route
@limiter.limit("10 per minute", methods=["POST"])
def sign_in_code() -> ResponseReturnValue:
    pending = session.get("pending_sign_in")
    user = accounts.load_user_for_session(pending["user"]) if pending else None
    if pending is None or user is None or time.time() - pending["at"] > PENDING_SIGN_IN_LIFETIME:
        session.pop("pending_sign_in", None)
        flash("Sign in again.")
        return redirect(url_for(".sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = accounts.check_totp_code(user, form.code.data)
        if outcome == accounts.CodeCheck.ACCEPTED:
            next_page = session.get("pending_next") or url_for(".view_dashboard")
            start_staff_session(user)
            return redirect(next_page)
        form.code.errors.append(
            CODE_ALREADY_USED if outcome == accounts.CodeCheck.ALREADY_USED else CODE_NOT_RIGHT
        )
    return render_template("staff/sign_in_code.html", form=form)


@blueprint.post("/logout")
@requires(Capability.READ_FEEDBACK)
def sign_out() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        accounts.end_sessions(current_user._get_current_object())
        logout_user()
        session.clear()
        flash("You have signed out.")
    return redirect(url_for(".sign_in"))


@blueprint.post("/keep-alive")
@requires(Capability.READ_FEEDBACK)
def keep_alive() -> tuple[str, int]:
    # expire_idle_staff_sessions has already recorded this as activity.
    return "", 204


@blueprint.route("/set-password/<token>", methods=["GET", "POST"])
@public_staff_route
def set_password(token: str) -> ResponseReturnValue:
    link = accounts.get_password_link(token)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_from_link(token, form.password.data)
        except accounts.WeakPassword as weak:
            form.password.errors.append(str(weak))
        else:
            logout_user()
            session.clear()
            flash("Your password is set. Sign in with it now.")
            return redirect(url_for(".sign_in"))
    return render_template("staff/set_password.html", form=form, link=link)


@blueprint.get("/account")
@requires(Capability.READ_FEEDBACK)
def view_account() -> str:
    return render_template(
        "staff/account.html", action_form=ActionForm(), totp_required=accounts.totp_is_required()
    )


@blueprint.route("/account/password", methods=["GET", "POST"])
@requires(Capability.READ_FEEDBACK)
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current.data, form.password.data)
        except accounts.WeakPassword as problem:
            field = form.current if "current password" in str(problem) else form.password
            field.errors.append(str(problem))
        else:
            # Every other session has ended; this one starts again with the new version.
            start_staff_session(user)
            flash("Your password has been changed. You have been signed out everywhere else.")
            return redirect(url_for(".view_account"))
    return render_template("staff/change_password.html", form=form)


@blueprint.route("/account/two-step", methods=["GET", "POST"])
@requires(Capability.READ_FEEDBACK)
def set_up_two_step() -> ResponseReturnValue:
    # The same secret until it is confirmed or cancelled: an app that scanned it keeps working.
    if "totp_secret" not in session:
        session["totp_secret"] = accounts.new_totp_secret()
    secret = session["totp_secret"]
    form = CodeForm()
    if form.validate_on_submit():
        if accounts.turn_on_totp(current_user._get_current_object(), secret, form.code.data):
            session.pop("totp_secret", None)
            flash("Two-step sign-in is on. You will need a code from your app each time you sign in.")
            return redirect(url_for(".view_account"))
        form.code.errors.append(CODE_NOT_RIGHT)
    uri = accounts.totp_uri(secret, current_user.email, current_app.config["SERVICE_NAME"])
    qr_code = segno.make(uri, error="m").svg_data_uri(scale=4, dark="#0b0c0c")
    return render_template("staff/two_step.html", form=form, secret=secret, qr_code=qr_code)


@blueprint.post("/account/two-step/cancel")
@requires(Capability.READ_FEEDBACK)
def cancel_two_step_set_up() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        session.pop("totp_secret", None)
        flash("Two-step sign-in was not turned on. If you added this account to an app, remove it there.")
    return redirect(url_for(".view_account"))


@blueprint.post("/account/two-step/off")
@requires(Capability.READ_FEEDBACK)
def turn_off_two_step() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        try:
            accounts.turn_off_totp(current_user._get_current_object())
        except accounts.TwoStepCompulsory as problem:
            flash(f"{problem}, so it cannot be turned off.")
        else:
            flash("Two-step sign-in is off.")
    return redirect(url_for(".view_account"))


def _next_page() -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for(".view_dashboard")


@blueprint.route("/forgot-password", methods=["GET", "POST"])
@public_staff_route
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("staff/forgot_password_sent.html")
    return render_template("staff/forgot_password.html", form=form)


@blueprint.route("/account/email", methods=["GET", "POST"])
@requires(Capability.READ_FEEDBACK)
def change_email_preferences() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = EmailPreferencesForm(obj=user)
    if form.validate_on_submit():
        accounts.set_email_preferences(user, form.digest_frequency.data, form.wants_urgent_alerts.data)
        flash("Your email choices have been saved.")
        return redirect(url_for(".view_account"))
    return render_template("staff/email_preferences.html", form=form)
