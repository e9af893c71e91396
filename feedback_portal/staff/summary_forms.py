"""Forms for "You said, we did" summaries: choosing what one covers, and writing it."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovTextArea
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from feedback_portal.models import LARGEST_ID, ActionStatus, Summary
from feedback_portal.services import summaries
from feedback_portal.validators import comment_text_checks, normalise_line_breaks, strip
from feedback_portal.vocabulary import ACTION_STATUS_LABELS

RELOAD = "Reload the summary and try again"
# Which button was pressed: save, publish, add a row of actions, or remove row N.
INTENT = re.compile(r"^(draft|publish|add-action|remove-action-\d{1,3})$")
MAX_ACTIONS = 50


class NewSummaryForm(FlaskForm):
    target = RadioField(
        "What is the summary about?",
        validators=[DataRequired(message="Select what the summary is about")],
        widget=GovRadioInput(),
    )

    def __init__(self, choices: list[summaries.TargetChoice], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target.choices = [SelectChoice(choice.value, choice.label) for choice in choices]
        self.target_kinds = {choice.value: choice.kind for choice in choices}


class ActionForm(Form):
    """One row of "We did". A row left wholly empty is ignored rather than refused."""

    description = TextAreaField(
        "What the team did or decided",
        filters=[strip, normalise_line_breaks],
        validators=comment_text_checks("what the team did"),
        widget=GovTextArea(),
    )
    status = RadioField(
        "Status",
        choices=[SelectChoice(status.value, label) for status, label in ACTION_STATUS_LABELS.items()],
        validators=[DataRequired(message="Select the status of the action")],
        widget=GovRadioInput(),
        validate_choice=True,
    )
    reason = TextAreaField(
        "Why the team is not changing it",
        filters=[strip, normalise_line_breaks],
        widget=GovTextArea(),
        description="Said to the public with the action.",
    )

    @property
    def is_blank(self) -> bool:
        return not (self.description.data or self.status.data or self.reason.data)

    def validate(self, extra_validators: Any = None) -> bool:
        if self.is_blank:
            return True
        valid = super().validate(extra_validators)
        if self.status.data == ActionStatus.NOT_CHANGING:
            for validator in comment_text_checks("the reason for not changing it"):
                try:
                    validator(self, self.reason)
                except (StopValidation, ValidationError) as error:
                    self.reason.errors = [*self.reason.errors, str(error)]
                    return False
        return valid


class SummaryRevisionForm(FlaskForm):
    """The revision of the summary the moderator saw."""

    revision = IntegerField(
        validators=[InputRequired(message=RELOAD), NumberRange(min=1, max=LARGEST_ID, message=RELOAD)],
        widget=HiddenInput(),
    )


class SummaryForm(SummaryRevisionForm):
    you_said = TextAreaField(
        "You said",
        filters=[strip, normalise_line_breaks],
        validators=comment_text_checks("what people said"),
        widget=GovCharacterCount(),
        description="What people told us, in plain words. The public sees the number of comments "
        "and reactions behind it.",
    )
    # Not refused when a choice has gone since the page was shown (a comment hidden, a theme
    # merged): draft() keeps only what can still be chosen, as the public view would drop it.
    themes = SelectMultipleField("Themes it covers", coerce=int, validate_choice=False)
    quotes = SelectMultipleField("Quotes", coerce=int, validate_choice=False)
    actions = FieldList(FormField(ActionForm), min_entries=1, max_entries=MAX_ACTIONS)
    intent = HiddenField(validators=[Regexp(INTENT, message=RELOAD)])

    def __init__(self, summary: Summary, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.themes.choices = [SelectChoice(tag.id, tag.name) for tag in summaries.list_themes()]
        self.quotable = summaries.list_quotable_comments(summary)
        self.quotes.choices = [SelectChoice(comment.id, comment.reference) for comment in self.quotable]

    @property
    def publishes(self) -> bool:
        return self.intent.data == "publish"

    @property
    def changes_rows(self) -> bool:
        return (self.intent.data or "") not in {"draft", "publish"}

    def change_rows(self) -> None:
        """Add a row, or remove one, keeping everything typed: the page works without JavaScript."""
        if self.intent.data == "add-action":
            if len(self.actions.entries) < MAX_ACTIONS:
                self.actions.append_entry()
            return
        index = int((self.intent.data or "").rsplit("-", 1)[1])
        self.actions.entries = [entry for number, entry in enumerate(self.actions.entries) if number != index]
        if not self.actions.entries:
            self.actions.append_entry()

    def draft(self) -> summaries.SummaryDraft:
        return summaries.SummaryDraft(
            you_said=self.you_said.data,
            theme_ids=_still_offered(self.themes),
            quote_comment_ids=_still_offered(self.quotes),
            actions=[
                summaries.ActionDraft(
                    description=row.form.description.data,
                    status=row.form.status.data,
                    reason=row.form.reason.data or None,
                )
                for row in self.actions.entries
                if not row.form.is_blank
            ],
        )


def _still_offered(field: SelectMultipleField) -> list[int]:
    offered = {choice.value for choice in field.choices or []}
    return [value for value in dict.fromkeys(field.data or []) if value in offered]


def form_data_of(summary: Summary) -> dict[str, Any]:
    """What the edit form shows for a saved summary: at least one row of actions."""
    actions = [
        {"description": action.description, "status": action.status, "reason": action.reason or ""}
        for action in summary.actions
    ]
    return {
        "revision": summary.revision,
        "you_said": summary.you_said,
        "themes": [theme.id for theme in summary.themes],
        "quotes": [quote.comment_id for quote in summary.quotes],
        "actions": actions or [{}],
    }
