"""Forms for the moderation pages: the queue's filters, actions on a comment, notes, tags, bulk."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from feedback_portal.models import LARGEST_ID, CommentState
from feedback_portal.services import date_range, moderation
from feedback_portal.validators import (
    PlainText,
    blank_to_none,
    normalise_line_breaks,
    strip,
)
from feedback_portal.vocabulary import REACTION_LABELS, STATE_LABELS

DATE_FORMAT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SELECTION = re.compile(r"^([0-9]{1,18}):([0-9]{1,18})$")
MAX_BULK_SELECTION = 200
# The queue's state for "every state": its default, with no state in the URL, is pending.
ANY_STATE = "any"


def _is_selection(value: str) -> bool:
    """A comment's id and the revision seen, as the queue's checkbox values write them."""
    match = SELECTION.match(value)
    return match is not None and all(1 <= int(number) <= LARGEST_ID for number in match.groups())


def collapse_spaces(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


def reason_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(code, label) for code, label in moderation.REJECTION_REASONS.items()]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


class DateAsYearMonthDay:
    """A date typed as YYYY-MM-DD; the field's `date` holds it once it is valid."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, form: Form, field: Field) -> None:
        field.date = None
        if not field.data:
            return
        try:
            if not DATE_FORMAT.match(field.data):
                raise ValueError(field.data)
            day = date.fromisoformat(field.data)
        except ValueError:
            raise ValidationError(
                f"{self.name} must be a real date in the format year-month-day, like 2026-11-26"
            ) from None
        if not date_range.is_in_range(day):
            raise ValidationError(date_range.out_of_range_message(self.name))
        field.date = day


class QueueFilterForm(Form):
    """The queue's filters. Read from the URL (a GET form), so a view of the queue can be bookmarked."""

    state = SelectField(
        "State",
        choices=[
            *(SelectChoice(state, STATE_LABELS[CommentState(state)]) for state in moderation.STATES),
            SelectChoice(moderation.EVERY_FEEDBACK_STATE, "Any state but spam or withdrawn"),
            SelectChoice(ANY_STATE, "Any state"),
        ],
        default="pending",
        invalid_choice_message="Select a state from the list",
        widget=GovSelect(),
    )
    section = SelectField(
        "Section",
        default="",
        invalid_choice_message="Select a section from the list",
        widget=GovSelect(),
    )
    item = SelectField(
        "Practice example",
        default="",
        invalid_choice_message="Select a practice example from the list",
        widget=GovSelect(),
    )
    reaction = SelectField(
        "Does it make sense?",
        default="",
        choices=[
            SelectChoice("", "Any answer"),
            *(SelectChoice(code, label) for code, label in REACTION_LABELS.items()),
        ],
        invalid_choice_message="Select an answer from the list",
        widget=GovSelect(),
    )
    created_from = StringField(
        "Received from",
        filters=[strip],
        validators=[DateAsYearMonthDay("The ‘received from’ date")],
        description="For example, 2026-11-26",
        widget=GovTextInput(),
    )
    created_to = StringField(
        "Received to",
        filters=[strip],
        validators=[DateAsYearMonthDay("The ‘received to’ date")],
        description="For example, 2026-11-26",
        widget=GovTextInput(),
    )
    consultation = SelectField(
        "Consultation",
        default="",
        invalid_choice_message="Select a consultation from the list",
        widget=GovSelect(),
    )
    tag = SelectField(
        "Theme", default="", invalid_choice_message="Select a theme from the list", widget=GovSelect()
    )
    has_reports = SelectField(
        "Reports",
        default="",
        choices=[SelectChoice("", "With or without reports"), SelectChoice("yes", "Only with open reports")],
        invalid_choice_message="Select whether to show only reported comments",
        widget=GovSelect(),
    )
    text = StringField(
        "Text contains",
        filters=[strip],
        validators=[
            Length(max=200, message="The text to search for must be 200 characters or fewer"),
            PlainText(message="The text to search for must not include control characters"),
        ],
        widget=GovTextInput(),
    )

    def __init__(self, formdata, choices: moderation.FilterChoices) -> None:
        super().__init__(formdata)
        self.consultation.choices = [
            SelectChoice("", "All consultations"),
            *(SelectChoice(str(number), title) for number, title in choices.consultations),
        ]
        if not formdata or "consultation" not in formdata:
            # Each page starts at the consultation the public sees now.
            current = choices.current_consultation
            self.consultation.data = str(current) if current is not None else ""
        self.section.choices = [
            SelectChoice("", "All sections"),
            SelectChoice(moderation.WHOLE_DOCUMENT, "The whole document"),
            *(SelectChoice(slug, heading) for slug, heading in choices.sections),
        ]
        self.item.choices = [
            SelectChoice("", "All examples"),
            *(SelectChoice(key, _shortened(label)) for key, label in choices.items),
        ]
        self.tag.choices = [SelectChoice("", "Any theme"), *(SelectChoice(name) for name in choices.tags)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = getattr(self.created_from, "date", None), getattr(self.created_to, "date", None)
        if start and end and start > end:
            self.created_to.errors.append(
                "The ‘received to’ date must be the same as or after the ‘received from’ date"
            )
            return False
        return valid

    def filters(self, text_in_contact_details: bool = False) -> moderation.QueueFilters:
        """The filters as the service takes them. Only after validate() has passed.

        `text_in_contact_details`: whether the text is looked for in names and email addresses,
        for someone allowed to see them.
        """
        state = self.state.data or "pending"
        return moderation.QueueFilters(
            state=None if state == ANY_STATE else state,
            consultation=self.consultation_id(),
            section=self.section.data or None,
            item=self.item.data or None,
            reaction=self.reaction.data or None,
            created_from=self.created_from.date,
            created_to=self.created_to.date,
            tag=self.tag.data or None,
            has_reports=self.has_reports.data == "yes",
            text=self.text.data or None,
            text_in_contact_details=text_in_contact_details,
        )

    def consultation_id(self) -> int | None:
        return int(self.consultation.data) if self.consultation.data else None

    def is_filtered(self) -> bool:
        unfiltered = {"state", "after", "consultation"}
        return any(field.data for name, field in self._fields.items() if name not in unfiltered)


def _shortened(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class CommentActionForm(FlaskForm):
    """A moderation action: the revision of the comment the moderator saw, and their queue.

    The revision makes an action on an out-of-date page fail instead of overwriting.
    """

    revision = IntegerField(
        validators=[
            InputRequired(message="Reload the comment and try again"),
            NumberRange(min=1, max=LARGEST_ID, message="Reload the comment and try again"),
        ],
        widget=HiddenInput(),
    )
    return_to = HiddenField()


class RedactForm(CommentActionForm):
    public_text = TextAreaField(
        "Text the public will see",
        filters=[strip, normalise_line_breaks],
        validators=[
            DataRequired(message="Enter the text the public will see"),
            Length(
                max=moderation.REDACTION_MAX_LENGTH,
                message=f"The text the public will see must be {moderation.REDACTION_MAX_LENGTH:,} "
                "characters or fewer",
            ),
            PlainText(
                multiline=True, message="The text the public will see must not include control characters"
            ),
        ],
        widget=GovCharacterCount(),
        description="Remove names, contact details and anything else that identifies someone. "
        "The original stays here, for staff only.",
    )


class RejectForm(CommentActionForm):
    rejection_reason = RadioField(
        "Why are you rejecting it?",
        choices=reason_choices(),
        validators=[DataRequired(message="Select why you are rejecting this comment")],
        invalid_choice_message="Select why you are rejecting this comment",
        widget=GovRadioInput(),
    )
    rejection_note = TextAreaField(
        "Note for the team (optional)",
        filters=[strip, normalise_line_breaks, blank_to_none],
        validators=[
            Optional(),
            Length(max=moderation.NOTE_MAX_LENGTH, message="The note must be 2,000 characters or fewer"),
            PlainText(multiline=True, message="The note must not include control characters"),
        ],
        widget=GovTextArea(),
        description="Only staff see this.",
    )


class HideForm(CommentActionForm):
    hide_reason = RadioField(
        "Why are you hiding it?",
        choices=reason_choices(),
        validators=[DataRequired(message="Select why you are hiding this comment")],
        invalid_choice_message="Select why you are hiding this comment",
        widget=GovRadioInput(),
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        "Add a note for the team",
        filters=[strip, normalise_line_breaks],
        validators=[
            DataRequired(message="Enter your note"),
            Length(max=moderation.NOTE_MAX_LENGTH, message="Your note must be 2,000 characters or fewer"),
            PlainText(multiline=True, message="Your note must not include control characters"),
        ],
        widget=GovCharacterCount(),
        description="Only staff see notes. Do not copy personal information into them.",
    )
    return_to = HiddenField()


class TagNameValid:
    def __call__(self, form: Form, field: Field) -> None:
        if field.data and not moderation.is_valid_tag_name(moderation.normalise_tag_name(field.data)):
            raise StopValidation("A theme must only include letters, numbers, spaces and hyphens")


class TagForm(FlaskForm):
    tag_name = StringField(
        "Add a theme",
        filters=[strip, collapse_spaces],
        validators=[
            DataRequired(message="Enter a theme"),
            Length(
                max=moderation.TAG_MAX_LENGTH,
                message=f"A theme must be {moderation.TAG_MAX_LENGTH} characters or fewer",
            ),
            TagNameValid(),
        ],
        widget=GovTextInput(),
        description="A word or two, like transport or accessible meetings. "
        "A new theme is created if it does not exist.",
    )
    return_to = HiddenField()


class ReturnForm(FlaskForm):
    """A button with a CSRF token and the page to come back to."""

    return_to = HiddenField()


class BulkModerationForm(FlaskForm):
    comments = SelectMultipleField("Comments", validate_choice=False)
    bulk_action = RadioField(
        "What do you want to do with the selected comments?",
        choices=[
            SelectChoice("publish", "Publish"),
            SelectChoice("reject", "Reject"),
            SelectChoice("spam", "Mark as spam"),
        ],
        validators=[DataRequired(message="Select what to do with the selected comments")],
        invalid_choice_message="Select what to do with the selected comments",
        widget=GovRadioInput(),
    )
    bulk_reason = SelectField(
        "Reason, if you reject them",
        default="",
        choices=reason_choices(blank="Select a reason"),
        invalid_choice_message="Select a reason from the list",
        widget=GovSelect(),
    )
    return_to = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.comments.data:
            self.comments.errors.append("Select at least one comment")
        elif len(self.comments.data) > MAX_BULK_SELECTION or not all(
            _is_selection(value) for value in self.comments.data
        ):
            self.comments.errors.append("Reload the queue and select the comments again")
        if self.bulk_action.data == "reject" and not self.bulk_reason.data and not self.bulk_reason.errors:
            self.bulk_reason.errors.append("Select why you are rejecting the comments")
        return valid and not self.comments.errors and not self.bulk_reason.errors

    def selection(self) -> list[tuple[int, int]]:
        """(comment id, revision seen) for each selected comment, once each, in the queue's order."""
        chosen: dict[int, int] = {}
        for value in self.comments.data:
            match = SELECTION.match(value)
            assert match is not None  # validate() has checked every value
            comment_id, revision = match.groups()
            chosen.setdefault(int(comment_id), int(revision))
        return list(chosen.items())
