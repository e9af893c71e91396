"""Running consultations (admins): the list, making one, and each one's dates and moderation."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from feedback_portal.models import Consultation, StaffUser
from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import consultations
from feedback_portal.services.exceptions import ConsultationChangeRefused
from feedback_portal.staff import blueprint
from feedback_portal.staff.consultation_forms import (
    ActionForm,
    CloseNowForm,
    ClosingForm,
    ConsultationModerationForm,
    NewConsultationForm,
    PeriodForm,
)
from feedback_portal.uk_time import in_uk, last_open_moment


@blueprint.get("/consultations")
@requires(Capability.RUN_CONSULTATIONS)
def list_consultations() -> str:
    every = consultations.list_consultations()
    return render_template(
        "staff/consultations/list.html",
        consultations=[(each, consultations.stage_of(each)) for each in every],
        current=consultations.find_current_consultation(),
    )


@blueprint.get("/consultations/new")
@requires(Capability.RUN_CONSULTATIONS)
def new_consultation() -> str:
    return _render_new(_new_form(formdata=None))


@blueprint.post("/consultations/new")
@requires(Capability.RUN_CONSULTATIONS)
def create_consultation() -> ResponseReturnValue:
    form = _new_form()
    if not form.validate_on_submit():
        return _render_new(form), 400
    try:
        consultation = consultations.create_consultation(
            form.title.data, int(form.document.data), form.period(), form.moderation_mode.data, _actor()
        )
    except ConsultationChangeRefused as refused:
        _show_refusal(form, refused)
        return _render_new(form), 400
    flash(f"‘{consultation.title}’ is saved as a draft. The public sees it once you schedule it.")
    return redirect(url_for(".view_consultation", consultation_id=consultation.id))


@blueprint.get("/consultations/<id:consultation_id>")
@requires(Capability.RUN_CONSULTATIONS)
def view_consultation(consultation_id: int) -> str:
    return _render_consultation(consultations.get_consultation(consultation_id))


@blueprint.post("/consultations/<id:consultation_id>/schedule")
@requires(Capability.RUN_CONSULTATIONS)
def schedule_consultation(consultation_id: int) -> ResponseReturnValue:
    form = PeriodForm()
    return _change(
        consultation_id,
        form,
        "period_form",
        lambda: consultations.schedule(consultation_id, form.period(), _actor()),
        "is scheduled",
    )


@blueprint.post("/consultations/<id:consultation_id>/extend")
@requires(Capability.RUN_CONSULTATIONS)
def extend_consultation(consultation_id: int) -> ResponseReturnValue:
    form = ClosingForm()
    return _change(
        consultation_id,
        form,
        "closing_form",
        lambda: consultations.extend(consultation_id, *form.closing(), actor=_actor()),
        "is extended",
    )


@blueprint.post("/consultations/<id:consultation_id>/reopen")
@requires(Capability.RUN_CONSULTATIONS)
def reopen_consultation(consultation_id: int) -> ResponseReturnValue:
    form = ClosingForm()
    return _change(
        consultation_id,
        form,
        "closing_form",
        lambda: consultations.reopen(consultation_id, *form.closing(), actor=_actor()),
        "is open again",
    )


@blueprint.post("/consultations/<id:consultation_id>/close")
@requires(Capability.RUN_CONSULTATIONS)
def close_consultation(consultation_id: int) -> ResponseReturnValue:
    form = CloseNowForm()
    return _change(
        consultation_id,
        form,
        "close_form",
        lambda: consultations.close_now(consultation_id, _actor()),
        "is closed",
    )


@blueprint.post("/consultations/<id:consultation_id>/moderation")
@requires(Capability.RUN_CONSULTATIONS)
def change_consultation_moderation(consultation_id: int) -> ResponseReturnValue:
    consultation = consultations.get_consultation(consultation_id)
    form = ConsultationModerationForm()
    if not form.validate_on_submit():
        return _render_consultation(consultation, moderation_form=form), 400
    changed = consultations.set_moderation_mode(form.moderation_mode.data, _actor(), consultation_id)
    if not changed:
        flash("Nothing changed.")
        return redirect(url_for(".view_consultation", consultation_id=consultation_id))
    return _done(consultation, "is now " + form.moderation_mode.data + "-moderated")


def _change(
    consultation_id: int, form: ActionForm, form_name: str, change: Callable[[], object], what: str
) -> ResponseReturnValue:
    """One of a consultation's date changes: made if its form is valid and the service agrees,
    else the page again with the form, what was typed in it, and why."""
    consultation = consultations.get_consultation(consultation_id)
    if form.validate_on_submit():
        try:
            change()
            return _done(consultation, what)
        except ConsultationChangeRefused as refused:
            _show_refusal(form, refused)
    return _render_consultation(consultation, **{form_name: form}), 400


def _done(consultation: Consultation, what: str) -> ResponseReturnValue:
    notice = consultations.notice_for(consultation)
    flash(f"‘{consultation.title}’ {what}. The public now reads: “{notice.sentence}”.")
    return redirect(url_for(".view_consultation", consultation_id=consultation.id))


def _show_refusal(form: ActionForm, refused: ConsultationChangeRefused) -> None:
    field = form[refused.field] if refused.field and refused.field in form else form[form.button]
    field.errors = [*field.errors, str(refused)]


def _actor() -> StaffUser:
    return current_user._get_current_object()


def _new_form(**kwargs) -> NewConsultationForm:
    documents = [(document.id, document.title) for document in consultations.list_documents()]
    return NewConsultationForm(documents, **kwargs)


def _render_new(form: NewConsultationForm) -> str:
    return render_template("staff/consultations/new.html", form=form)


def _render_consultation(
    consultation: Consultation,
    period_form: PeriodForm | None = None,
    closing_form: ClosingForm | None = None,
    close_form: CloseNowForm | None = None,
    moderation_form: ConsultationModerationForm | None = None,
) -> str:
    stage = consultations.stage_of(consultation)
    forms: dict[str, FlaskForm] = {
        "period_form": period_form or _period_form(consultation),
        "closing_form": closing_form or ClosingForm(formdata=None),
        "close_form": close_form or CloseNowForm(formdata=None),
        "moderation_form": moderation_form
        or ConsultationModerationForm(formdata=None, moderation_mode=consultation.moderation_mode),
    }
    with_errors = next((each for each in forms.values() if each.errors), forms["moderation_form"])
    return render_template(
        "staff/consultations/consultation.html",
        consultation=consultation,
        stage=stage,
        notice=consultations.notice_for(consultation),
        form=with_errors,
        **forms,
    )


def _period_form(consultation: Consultation) -> PeriodForm:
    """The dates it has, as they were typed: the opening minute, and the last minute open."""
    if consultation.opens_at is None or consultation.closes_at is None:
        return PeriodForm(formdata=None)
    opens, last = in_uk(consultation.opens_at), last_open_moment(consultation.closes_at)
    return PeriodForm(
        formdata=None,
        opens_on=opens.date(),
        opens_time=f"{opens:%H:%M}",
        closes_on=last.date(),
        closes_time=f"{last:%H:%M}",
    )
