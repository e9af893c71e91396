"""Get involved: an offer to work with the team, its done page, and withdrawing it."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from feedback_portal import links
from feedback_portal.public import visitor
from feedback_portal.public.forms import ConfirmForm, GetInvolvedForm
from feedback_portal.public.routes import blueprint, comment_rate_limit
from feedback_portal.public.spam import new_form, spam_signal
from feedback_portal.security import limiter
from feedback_portal.services import equality, involvement, privacy

# Get involved --------------------------------------------------------------------------------


@blueprint.get("/get-involved")
def view_get_involved() -> str:
    return _render_get_involved(new_form(GetInvolvedForm, visitor.remembered_contact()))


@blueprint.post("/get-involved")
@limiter.limit(comment_rate_limit)
def submit_get_involved() -> ResponseReturnValue:
    form = GetInvolvedForm()
    _set_choices(form)
    if not form.validate_on_submit():
        return _render_get_involved(form)
    withdraw_token = involvement.submit_offer(
        involvement.OfferSubmission(
            submission_key=form.submission_key.data,
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            interests=form.interests.data,
            other_interest=form.other_interest.data,
            how_to_be_involved=form.how_to_be_involved.data,
            access_needs=form.access_needs.data,
            spam_signal=spam_signal(form),
            ways=tuple(form.ways.data or ()),
        )
    )
    visitor.remember_contact(form.name.data, form.email.data, asked=form.remember_details.data)
    visitor.allow_about_you(equality.consultation_for_answers())
    if withdraw_token:
        session["withdraw_url"] = links.public_url("public.view_withdraw_involvement", token=withdraw_token)
        session["offer_emailed"] = form.email.data is not None
    return redirect(url_for(".view_get_involved_done"))


@blueprint.get("/get-involved/done")
def view_get_involved_done() -> str:
    return render_template(
        "public/get_involved_done.html",
        withdraw_url=session.get("withdraw_url"),
        emailed=session.get("offer_emailed", False),
        about_you=visitor.about_you_token() is not None,
    )


@blueprint.get("/get-involved/withdraw/<token>")
def view_withdraw_involvement(token: str) -> str:
    privacy.get_offer_by_withdraw_token(token)
    return render_template("public/withdraw_involvement.html", form=ConfirmForm())


@blueprint.post("/get-involved/withdraw/<token>")
def withdraw_involvement(token: str) -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("public/withdraw_involvement.html", form=form)
    privacy.withdraw_offer(token)
    session.pop("withdraw_url", None)
    session.pop("offer_emailed", None)
    return render_template("public/withdrawn.html")


def _render_get_involved(form: GetInvolvedForm) -> str:
    _set_choices(form)
    return render_template(
        "public/get_involved.html",
        form=form,
        consent_wording=involvement.CONSENT_WORDING,
        remembered=visitor.remembered_contact(),
    )


def _set_choices(form: GetInvolvedForm) -> None:
    """The interests and ways of taking part that admins chose for the form."""
    form.interests.choices = [SelectChoice(value, label) for value, label in involvement.interest_choices()]
    form.ways.choices = [SelectChoice(value, label) for value, label in involvement.way_choices()]
