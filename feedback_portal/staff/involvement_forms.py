"""Forms for the involvement pipeline: the list's filters, following an offer up, the export,
and the options admins manage."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSelect, GovTextInput
from wtforms import Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from feedback_portal.services import involvement_pipeline
from feedback_portal.services.export import FORMATS
from feedback_portal.staff.moderation_forms import DateAsYearMonthDay
from feedback_portal.validators import PlainText, normalise_line_breaks, strip
from feedback_portal.vocabulary import INVOLVEMENT_STATUS_LABELS

NOTE_MAX_LENGTH = 2000
LABEL_MAX_LENGTH = 200
FILTER_NAMES = ("status", "interest", "way", "received_from", "received_to")


def _status_choices() -> list[SelectChoice]:
    return [
        SelectChoice(status, INVOLVEMENT_STATUS_LABELS[status])
        for status in involvement_pipeline.STAFF_STATUSES
    ]


class OfferFilterForm(Form):
    """The list's filters, read from the URL so that a view of the list can be bookmarked."""

    status = SelectField(
        "Status",
        default="",
        choices=[SelectChoice("", "Any status"), *_status_choices()],
        invalid_choice_message="Select a status from the list",
        widget=GovSelect(),
    )
    interest = SelectField(
        "Interested in",
        default="",
        invalid_choice_message="Select an interest from the list",
        widget=GovSelect(),
    )
    way = SelectField(
        "Way of taking part",
        default="",
        invalid_choice_message="Select a way of taking part from the list",
        widget=GovSelect(),
    )
    received_from = StringField(
        "Received from",
        filters=[strip],
        validators=[DateAsYearMonthDay("The ‘received from’ date")],
        description="For example, 2026-11-26",
        widget=GovTextInput(),
    )
    received_to = StringField(
        "Received to",
        filters=[strip],
        validators=[DateAsYearMonthDay("The ‘received to’ date")],
        description="For example, 2026-11-26",
        widget=GovTextInput(),
    )

    def __init__(self, formdata, choices: involvement_pipeline.FilterChoices) -> None:
        super().__init__(formdata)
        self.interest.choices = [
            SelectChoice("", "Any interest"),
            *(SelectChoice(key, label) for key, label in choices.interests),
        ]
        self.way.choices = [
            SelectChoice("", "Any way"),
            *(SelectChoice(key, label) for key, label in choices.ways),
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = getattr(self.received_from, "date", None), getattr(self.received_to, "date", None)
        if start and end and start > end:
            self.received_to.errors.append(
                "The ‘received to’ date must be the same as or after the ‘received from’ date"
            )
            return False
        return valid

    def filters(self) -> involvement_pipeline.OfferFilters:
        """The filters as the service takes them. Only after validate() has passed."""
        return involvement_pipeline.OfferFilters(
            status=self.status.data or None,
            interest=self.interest.data or None,
            way=self.way.data or None,
            received_from=self.received_from.date,
            received_to=self.received_to.date,
        )

    def arguments(self) -> dict[str, Any]:
        """The filters that are set, as URL arguments."""
        return {name: self[name].data for name in FILTER_NAMES if self[name].data}

    def is_filtered(self) -> bool:
        return bool(self.arguments())


class OfferUpdateForm(FlaskForm):
    status = RadioField(
        "Status",
        choices=_status_choices(),
        validators=[DataRequired(message="Select a status")],
        invalid_choice_message="Select a status from the list",
        widget=GovRadioInput(),
        description="Withdrawn is not here: only the person can withdraw their offer, with their link.",
    )
    follower = SelectField(
        "Who is following this up",
        default="",
        invalid_choice_message="Select a member of staff from the list",
        widget=GovSelect(),
        description="Only admins and analysts can follow up an offer: they can see contact details.",
    )

    def __init__(self, followers: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.follower.choices = [
            SelectChoice("", "Nobody yet"),
            *(SelectChoice(str(staff_id), email) for staff_id, email in followers),
        ]

    def follower_id(self) -> int | None:
        return int(self.follower.data) if self.follower.data else None


class OfferNoteForm(FlaskForm):
    note = TextAreaField(
        "Add a note for the team",
        filters=[strip, normalise_line_breaks],
        validators=[
            DataRequired(message="Enter your note"),
            Length(max=NOTE_MAX_LENGTH, message="Your note must be 2,000 characters or fewer"),
            PlainText(multiline=True, message="Your note must not include control characters"),
        ],
        widget=GovCharacterCount(),
        description="Only admins and analysts see notes. Write what was agreed, not more personal details.",
    )


class OfferExportForm(FlaskForm):
    """The export's format; its filters come as hidden fields with the list's names."""

    file_format = RadioField(
        "Format",
        choices=[SelectChoice(name, each.label) for name, each in FORMATS.items()],
        default=next(iter(FORMATS)),
        validators=[DataRequired(message="Select a format")],
        invalid_choice_message="Select a format from the list",
        widget=GovRadioInput(),
    )


class OptionForm(FlaskForm):
    label = StringField(
        "Label",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the words the form shows"),
            Length(max=LABEL_MAX_LENGTH, message="The words must be 200 characters or fewer"),
            PlainText(message="The words must only include letters, numbers and punctuation"),
        ],
        widget=GovTextInput(),
    )


class ButtonForm(FlaskForm):
    """A button with a CSRF token."""

    action = HiddenField()
