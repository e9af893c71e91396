"""The form staff fill in for feedback that came on paper, by email, by phone or at an event."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from feedback_portal.services import offline_feedback
from feedback_portal.validators import (
    EMAIL_CHECKS,
    NAME_CHECKS,
    SubmissionKey,
    blank_to_none,
    comment_text_checks,
    normalise_line_breaks,
    strip,
)
from feedback_portal.vocabulary import CHANNEL_LABELS, REACTION_LABELS

DATE_PARTS = 3
OFFLINE_CHANNELS = offline_feedback.OFFLINE_CHANNELS


class UkDateField(DateField):
    """A GOV.UK date input: day, month and year boxes that all share the field's name."""

    def __init__(self, label: str, what: str = "The date received", **kwargs) -> None:
        super().__init__(label, format="%d %m %Y", widget=GovDateInput(), **kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[str]) -> None:
        # The widget expects exactly three parts: a hand-made post may send fewer or more.
        parts = [part.strip() for part in valuelist[:DATE_PARTS]]
        parts += [""] * (DATE_PARTS - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        if not all(parts):
            raise ValueError(f"{self.what} must include a day, month and year")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.what} must be a real date, like 27 3 2026") from None


class ReceivedBetween2000AndToday:
    def __call__(self, form: FlaskForm, field: UkDateField) -> None:
        if field.data is None:
            # A date typed wrong already says so (its process error); only an empty one is missing.
            if not field.errors:
                raise ValidationError("Enter the date we received the comment")
            return
        if field.data > offline_feedback.today_in_uk():
            raise ValidationError("The date received must be today or in the past")
        if field.data < offline_feedback.EARLIEST_RECEIVED:
            raise ValidationError("The date received must be in or after the year 2000")


class OfflineCommentForm(FlaskForm):
    submission_key = SubmissionKey()
    channel = RadioField(
        "How did the comment reach us?",
        choices=[
            SelectChoice(channel.value, CHANNEL_LABELS[channel])
            for channel in offline_feedback.OFFLINE_CHANNELS
        ],
        validators=[DataRequired(message="Select how the comment reached us")],
        widget=GovRadioInput(),
    )
    received = UkDateField(
        "When did we receive it?",
        validators=[ReceivedBetween2000AndToday()],
        description="For example, 27 3 2026",
    )
    section = SelectField(
        "Which section is it about?",
        validate_choice=True,
        invalid_choice_message="Select a section from the list",
        widget=GovSelect(),
    )
    item = SelectField(
        "Is it about one practice example? (optional)",
        validate_choice=True,
        invalid_choice_message="Select a practice example from the list",
        widget=GovSelect(),
        description="If you choose one, the comment is about that example and its section.",
    )
    comment = TextAreaField(
        "Their comment",
        filters=[strip, normalise_line_breaks],
        validators=comment_text_checks("their comment"),
        widget=GovCharacterCount(),
        description="Type it as they wrote or said it. Leave out anything that identifies other people.",
    )
    reaction = RadioField(
        "Does it make sense to them? (optional)",
        choices=[SelectChoice(code, label) for code, label in REACTION_LABELS.items()],
        validators=[Optional()],
        widget=GovRadioInput(),
    )
    name = StringField(
        "Their name (optional)",
        filters=[strip, blank_to_none],
        validators=[Optional(), *NAME_CHECKS],
        widget=GovTextInput(),
    )
    email = StringField(
        "Their email address (optional)",
        filters=[strip, blank_to_none],
        validators=[Optional(), *EMAIL_CHECKS],
        widget=GovTextInput(),
        description="Only if they gave it. We do not send them a receipt.",
    )
    submit = SubmitField("Add comment", widget=GovSubmitInput())

    def __init__(self, choices: offline_feedback.TargetChoices, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section.choices = [
            SelectChoice("", "The whole document"),
            *(SelectChoice(slug, heading) for slug, heading in choices.sections),
        ]
        self.item.choices = [
            SelectChoice("", "No, the whole section or document"),
            *(SelectChoice(ref, label) for ref, label in choices.items),
        ]

    def entry(self) -> offline_feedback.OfflineComment:
        """What was typed, as the service takes it. Only after validate() has passed."""
        assert self.received.data is not None  # validate() has required it
        return offline_feedback.OfflineComment(
            channel=self.channel.data,
            received_on=self.received.data,
            text=self.comment.data,
            reaction=self.reaction.data or None,
            name=self.name.data,
            email=self.email.data,
            section_slug=self.section.data or None,
            item_ref=self.item.data or None,
            submission_key=self.submission_key.data,
        )
