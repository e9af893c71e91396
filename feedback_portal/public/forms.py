"""Forms for the public. Every field is validated positively: what is allowed, not what is not."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from feedback_portal.services.feedback import INVOLVEMENT_CONSENT_WORDING, UPDATES_CONSENT_WORDING
from feedback_portal.validators import (
    EMAIL_CHECKS,
    NAME_CHECKS,
    PlainText,
    SubmissionKey,
    blank_to_none,
    comment_text_checks,
    normalise_line_breaks,
    strip,
)
from feedback_portal.vocabulary import REACTION_LABELS, REACTION_QUESTION, REPORT_REASONS


class SpamTrapMixin:
    """A field people never see (bots fill it in) and when the form was shown (bots are fast).

    When it was shown is signed together with the form's submission key (see `public.spam`).
    """

    website = StringField("Leave this field empty", filters=[strip])
    form_shown_at = HiddenField()
    submission_key = SubmissionKey()


class RememberDetailsMixin:
    """The tick box, unticked, that asks to remember a name and email address on this device."""

    remember_details = BooleanField("Remember my name and email on this device", widget=GovCheckboxInput())


class CommentForm(SpamTrapMixin, RememberDetailsMixin, FlaskForm):
    comment = TextAreaField(
        "Your comment",
        filters=[strip, normalise_line_breaks],
        validators=comment_text_checks("your comment"),
        widget=GovCharacterCount(),
    )
    reaction = RadioField(
        "Does this make sense to you?",
        choices=[SelectChoice(code, label) for code, label in REACTION_LABELS.items()],
        validators=[Optional()],
        widget=GovRadioInput(),
        description="Optional",
    )
    name = StringField(
        "Your name (optional)",
        filters=[strip, blank_to_none],
        validators=[
            Optional(),
            *NAME_CHECKS,
        ],
        widget=GovTextInput(),
        description="We show it with your comment if we publish it. Leave it empty to appear as ‘Anonymous’.",
    )
    email = StringField(
        "Your email address (optional)",
        filters=[strip, blank_to_none],
        validators=[
            Optional(),
            *EMAIL_CHECKS,
        ],
        widget=GovTextInput(),
        description="We will send you a receipt. We never publish it.",
    )
    # The label is the consent's wording, which the consent record stores word for word.
    wants_updates = BooleanField(UPDATES_CONSENT_WORDING, widget=GovCheckboxInput())
    wants_involvement = BooleanField(INVOLVEMENT_CONSENT_WORDING, widget=GovCheckboxInput())
    submit = SubmitField("Send comment", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not as a field validator: Optional() would skip it when email is empty.
        if not self.email.data and not self.email.errors:
            if self.wants_updates.data:
                self.email.errors.append(
                    "Enter your email address so we can tell you what happens with your feedback"
                )
            elif self.wants_involvement.data:
                self.email.errors.append(
                    "Enter your email address so the team can contact you about working with them"
                )
        return valid and not self.email.errors


class ReportForm(FlaskForm):
    reason = RadioField(
        "Why should this comment not be here?",
        choices=[SelectChoice(code, label) for code, label in REPORT_REASONS.items()],
        validators=[DataRequired(message="Select why this comment should not be here")],
        widget=GovRadioInput(),
    )
    details = TextAreaField(
        "Tell us more (optional)",
        filters=[strip, normalise_line_breaks, blank_to_none],
        validators=[
            Optional(),
            Length(max=1000, message="What you tell us must be 1,000 characters or fewer"),
            PlainText(multiline=True, message="What you tell us must not include control characters"),
        ],
        widget=GovTextArea(),
        description="Do not include personal information.",
    )
    submit = SubmitField("Report this comment", widget=GovSubmitInput())


class GetInvolvedForm(SpamTrapMixin, RememberDetailsMixin, FlaskForm):
    name = StringField(
        "Your name",
        filters=[strip, blank_to_none],
        validators=[
            DataRequired(message="Enter your name"),
            *NAME_CHECKS,
        ],
        widget=GovTextInput(),
    )
    email = StringField(
        "Email address",
        filters=[strip, blank_to_none],
        validators=[
            Optional(),
            *EMAIL_CHECKS,
        ],
        widget=GovTextInput(),
    )
    phone = StringField(
        "Phone number",
        filters=[strip, blank_to_none],
        validators=[Optional()],
        widget=GovTextInput(),
        description="For international numbers include the country code.",
    )
    interests = SelectMultipleField(
        "What are you interested in?",
        validators=[DataRequired(message="Select what you are interested in")],
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
    )
    other_interest = StringField(
        "Something else you are interested in (optional)",
        filters=[strip, blank_to_none],
        validators=[
            Optional(),
            Length(max=500, message="What you are interested in must be 500 characters or fewer"),
            PlainText(
                message="What you are interested in must only include letters, numbers and punctuation"
            ),
        ],
        widget=GovTextInput(),
    )
    ways = SelectMultipleField(
        "How would you like to take part? (optional)",
        validators=[Optional()],
        invalid_choice_message="Select ways of taking part from the list",
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
    )
    how_to_be_involved = TextAreaField(
        "Anything else about how you would like to be involved (optional)",
        filters=[strip, normalise_line_breaks, blank_to_none],
        validators=[
            Optional(),
            Length(max=2000, message="How you would like to be involved must be 2,000 characters or fewer"),
            PlainText(
                multiline=True,
                message="How you would like to be involved must not include control characters",
            ),
        ],
        widget=GovTextArea(),
        description="For example, the times or places that suit you.",
    )
    access_needs = TextAreaField(
        "Do you have any access needs? (optional)",
        filters=[strip, normalise_line_breaks, blank_to_none],
        validators=[
            Optional(),
            Length(max=2000, message="Your access needs must be 2,000 characters or fewer"),
            PlainText(multiline=True, message="Your access needs must not include control characters"),
        ],
        widget=GovTextArea(),
        description=(
            "Tell us anything that would help you take part, such as a hearing loop, "
            "step-free access or large print."
        ),
    )
    consent = BooleanField(
        "",
        validators=[
            DataRequired(message="Select that you agree, so we can keep your details and contact you")
        ],
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        phone = self.phone.data
        if phone and not re.fullmatch(r"\+?[0-9 ()-]{7,20}", phone):
            self.phone.errors.append("Enter a phone number, like 01632 960 001 or +44 1632 960 001")
        elif not phone and not self.email.data and not self.email.errors:
            self.email.errors.append("Enter an email address or a phone number so we can contact you")
        return valid and not self.phone.errors and not self.email.errors


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: for actions that need nothing else, like forgetting details."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


REACTION_MISSING = "Select yes, partly or no"


class ReactionForm(SpamTrapMixin, FlaskForm):
    """ "Does this make sense to you?" on its own, on the same pages as the comment form.

    Its fields are prefixed ("answer-"), so that their ids differ from the comment form's.
    """

    reaction = RadioField(
        REACTION_QUESTION,
        choices=[SelectChoice(code, label) for code, label in REACTION_LABELS.items()],
        # AnyOf, not WTForms' own choice check, so that a made-up answer gets the same message.
        validate_choice=False,
        validators=[
            DataRequired(message=REACTION_MISSING),
            AnyOf(list(REACTION_LABELS), message=REACTION_MISSING),
        ],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)
