"""Forms for running consultations: making one, its dates, and how it is moderated."""

from __future__ import annotations

import re
from datetime import date, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import Field, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from feedback_portal.services.consultations import Period
from feedback_portal.staff.offline_feedback_forms import UkDateField
from feedback_portal.validators import strip

CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
MODERATION_CHOICES = [
    SelectChoice("pre", "Pre-moderation: nothing is public until a moderator publishes it"),
    SelectChoice("post", "Post-moderation: comments are published at once, and moderated after"),
]


class ActionForm(FlaskForm):
    # The name of the form's button: a refusal about no one field is shown against it.
    button: str


class RequiredDate:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: UkDateField) -> None:
        # A date typed wrong already says so (its process error); only an empty one is missing.
        if field.data is None and not field.errors:
            raise ValidationError(self.message)


class ClockTime:
    """A 24-hour UK clock time like 23:59 (or 9:00, or 23.59)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            raise ValidationError(f"Enter {self.what.lower()}")
        if CLOCK.match(field.data) is None:
            raise ValidationError(f"{self.what} must be a 24-hour time, like 09:00 or 23:59")


def clock(text: str) -> time:
    match = CLOCK.match(text)
    assert match is not None  # ClockTime has checked it
    return time(int(match.group(1)), int(match.group(2)))


def _date(label: str, what: str, hint: str) -> UkDateField:
    return UkDateField(label, what=what, validators=[RequiredDate(f"Enter {what.lower()}")], description=hint)


def _time(label: str, what: str, default: str, hint: str) -> StringField:
    return StringField(
        label,
        default=default,
        filters=[strip],
        validators=[ClockTime(what)],
        widget=GovTextInput(),
        description=hint,
    )


def _closes_on() -> UkDateField:
    return _date(
        "Closing date", "The closing date", "The last day people can comment. For example, 23 2 2027"
    )


def _closes_time() -> StringField:
    return _time(
        "Closing time",
        "The closing time",
        "23:59",
        "UK time, 24-hour. People can comment until the end of this minute.",
    )


class _Dates:
    """Reads the dates typed into a form that has them. Only after validate() has passed."""

    opens_on: UkDateField
    opens_time: StringField
    closes_on: UkDateField
    closes_time: StringField

    def closing(self) -> tuple[date, time]:
        assert self.closes_on.data is not None  # validate() has required it
        return self.closes_on.data, clock(self.closes_time.data)

    def period(self) -> Period:
        assert self.opens_on.data is not None
        closes_on, closes_time = self.closing()
        return Period(self.opens_on.data, clock(self.opens_time.data), closes_on, closes_time)


class ClosingForm(_Dates, ActionForm):
    """A new closing date and time: to extend a consultation, or to reopen it."""

    closes_on = _closes_on()
    closes_time = _closes_time()
    save_closing = SubmitField("Save", widget=GovSubmitInput())
    button = "save_closing"


class PeriodForm(_Dates, ActionForm):
    """Opening and closing, in UK time: to schedule a consultation."""

    opens_on = _date("Opening date", "The opening date", "For example, 1 2 2027")
    opens_time = _time("Opening time", "The opening time", "09:00", "UK time, 24-hour, like 09:00")
    closes_on = _closes_on()
    closes_time = _closes_time()
    schedule = SubmitField("Schedule", widget=GovSubmitInput())
    button = "schedule"


class NewConsultationForm(_Dates, ActionForm):
    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            DataRequired(message="Enter a title"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
        description="What the public will see, like ‘Our definition of co-production’.",
    )
    document = SelectField(
        "Document",
        validate_choice=True,
        invalid_choice_message="Select a document from the list",
        widget=GovSelect(),
    )
    opens_on = _date("Opening date", "The opening date", "For example, 1 2 2027")
    opens_time = _time("Opening time", "The opening time", "09:00", "UK time, 24-hour, like 09:00")
    closes_on = _closes_on()
    closes_time = _closes_time()
    moderation_mode = RadioField(
        "How are comments moderated?",
        choices=MODERATION_CHOICES,
        default="pre",
        validators=[DataRequired(message="Select how comments are moderated")],
        widget=GovRadioInput(),
    )
    create = SubmitField("Create consultation", widget=GovSubmitInput())
    button = "create"

    def __init__(self, documents: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.document.choices = [SelectChoice(str(document_id), title) for document_id, title in documents]


class CloseNowForm(ActionForm):
    close_now = SubmitField("Close it now", widget=GovSubmitInput())
    button = "close_now"


class ConsultationModerationForm(ActionForm):
    moderation_mode = RadioField(
        "How are comments on this consultation moderated?",
        choices=MODERATION_CHOICES,
        validators=[DataRequired(message="Select how comments are moderated")],
        widget=GovRadioInput(),
    )
    save_moderation = SubmitField("Save moderation", widget=GovSubmitInput())
    button = "save_moderation"
