"""Forms for editing the document's draft: sections, examples, contact details, publishing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from feedback_portal.models import LARGEST_ID
from feedback_portal.services.document_versions.drafts import SUMMARY_MAX_LENGTH
from feedback_portal.validators import PlainText, normalise_line_breaks, strip

RELOAD = "Reload the draft and try again"
HEADING_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20_000
ITEM_MAX_LENGTH = 1000


class DraftRevisionForm(FlaskForm):
    """The revision of the draft the admin saw: an edit made on an older one is refused."""

    draft_revision = IntegerField(
        validators=[InputRequired(message=RELOAD), NumberRange(min=1, max=LARGEST_ID, message=RELOAD)],
        widget=HiddenInput(),
    )


def _heading_field() -> StringField:
    return StringField(
        "Heading",
        filters=[strip],
        validators=[
            DataRequired(message="Enter a heading for the section"),
            Length(
                max=HEADING_MAX_LENGTH,
                message=f"The heading must be {HEADING_MAX_LENGTH} characters or fewer",
            ),
            PlainText(message="The heading must not include control characters"),
        ],
        widget=GovTextInput(),
    )


def _body_field() -> TextAreaField:
    return TextAreaField(
        "Text",
        filters=[strip, normalise_line_breaks],
        validators=[
            Optional(),
            Length(max=TEXT_MAX_LENGTH, message=f"The text must be {TEXT_MAX_LENGTH:,} characters or fewer"),
            PlainText(multiline=True, message="The text must not include control characters"),
        ],
        widget=GovTextArea(),
        description="Markdown: a blank line starts a paragraph, ## a sub-heading, - a bulleted list, "
        "**words** bold. Use Preview to see it as the public will.",
    )


class SectionForm(DraftRevisionForm):
    heading = _heading_field()
    body = _body_field()
    items_intro = StringField(
        "Sentence before the examples (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Length(
                max=HEADING_MAX_LENGTH,
                message=f"The sentence must be {HEADING_MAX_LENGTH} characters or fewer",
            ),
            PlainText(message="The sentence must not include control characters"),
        ],
        widget=GovTextInput(),
        description="Like ‘In practice this means (this list is not exhaustive):’",
    )


class NewSectionForm(DraftRevisionForm):
    heading = _heading_field()
    body = _body_field()


class ItemForm(DraftRevisionForm):
    text = TextAreaField(
        "Example",
        filters=[strip, normalise_line_breaks],
        validators=[
            DataRequired(message="Enter the example"),
            Length(
                max=ITEM_MAX_LENGTH, message=f"The example must be {ITEM_MAX_LENGTH:,} characters or fewer"
            ),
            PlainText(message="The example must be one line, with no control characters"),
        ],
        widget=GovTextArea(),
    )


class ContactDetailsForm(DraftRevisionForm):
    contact_details = TextAreaField(
        "Contact details",
        filters=[strip, normalise_line_breaks],
        validators=[
            Optional(),
            Length(
                max=TEXT_MAX_LENGTH,
                message=f"The contact details must be {TEXT_MAX_LENGTH:,} characters or fewer",
            ),
            PlainText(multiline=True, message="The contact details must not include control characters"),
        ],
        widget=GovTextArea(),
        description="Shown under ‘Contact us’ at the end of the document. Markdown, like a section’s text.",
    )


class MoveForm(DraftRevisionForm):
    direction = StringField(validators=[AnyOf(["up", "down"], message=RELOAD)])


class PublishForm(DraftRevisionForm):
    summary = TextAreaField(
        "What we changed and why",
        filters=[strip, normalise_line_breaks],
        validators=[
            DataRequired(message="Enter what you changed and why"),
            Length(
                max=SUMMARY_MAX_LENGTH, message=f"This must be {SUMMARY_MAX_LENGTH:,} characters or fewer"
            ),
            PlainText(multiline=True, message="This must not include control characters"),
        ],
        widget=GovTextArea(),
        description="In plain words, for the public: it is shown with the changes.",
    )
