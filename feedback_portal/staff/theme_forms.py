"""Forms for the themes pages: rename and describe, merge into another theme, delete."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSelect, GovTextInput
from wtforms import Form, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from feedback_portal.models import LARGEST_ID, Tag
from feedback_portal.services import moderation, themes
from feedback_portal.staff.moderation_forms import TagNameValid, collapse_spaces
from feedback_portal.validators import PlainText, blank_to_none, normalise_line_breaks, strip

RELOAD = "Reload the theme and try again"


class ThemeRevisionForm(FlaskForm):
    """The revision of the theme the person saw."""

    theme_revision = IntegerField(
        validators=[InputRequired(message=RELOAD), NumberRange(min=1, max=LARGEST_ID, message=RELOAD)],
        widget=HiddenInput(),
    )


class ThemeForm(ThemeRevisionForm):
    name = StringField(
        "Name",
        filters=[strip, collapse_spaces],
        validators=[
            DataRequired(message="Enter a name for the theme"),
            Length(
                max=moderation.TAG_MAX_LENGTH,
                message=f"The name must be {moderation.TAG_MAX_LENGTH} characters or fewer",
            ),
            TagNameValid(),
        ],
        widget=GovTextInput(),
        description="A word or two, like transport or accessible meetings. Themes are kept in lower case.",
    )
    description = TextAreaField(
        "Description (optional)",
        filters=[strip, normalise_line_breaks, blank_to_none],
        validators=[
            Optional(),
            Length(
                max=themes.DESCRIPTION_MAX_LENGTH,
                message=f"The description must be {themes.DESCRIPTION_MAX_LENGTH} characters or fewer",
            ),
            PlainText(multiline=True, message="The description must not include control characters"),
        ],
        widget=GovCharacterCount(),
        description="What comments with this theme are about, so everyone gives it to the same comments. "
        "Only staff see it.",
    )


class MergeChoiceForm(Form):
    """Which theme to merge into: sent by GET to the confirmation page, so no CSRF token."""

    into = SelectField(
        "Merge into",
        default="",
        invalid_choice_message="Select the theme to merge this one into",
        widget=GovSelect(),
        description="Its comments and summaries move to the theme you choose, and this theme is deleted.",
    )

    def __init__(self, formdata, others: list[Tag]) -> None:
        super().__init__(formdata)
        self.into.choices = [
            SelectChoice("", "Choose a theme"),
            *(SelectChoice(str(tag.id), tag.name) for tag in others),
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.into.data:
            self.into.errors = ["Select the theme to merge this one into"]
            return False
        return valid

    @property
    def into_id(self) -> int:
        return int(self.into.data)


class MergeForm(ThemeRevisionForm):
    into = IntegerField(
        validators=[InputRequired(message=RELOAD), NumberRange(min=1, max=LARGEST_ID, message=RELOAD)],
        widget=HiddenInput(),
    )


class DeleteThemeForm(ThemeRevisionForm):
    # Where the error summary points when the theme turned out to be in use.
    delete_theme = HiddenField(id="delete-theme")
