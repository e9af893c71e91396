"""The "About you" form: every question optional, each with "Prefer not to say", and an unticked consent."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovTextInput
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from feedback_portal.services.equality import AREA_MAX_LENGTH, CONSENT_WORDING, FULL_POSTCODE
from feedback_portal.validators import PlainText, blank_to_none, strip
from feedback_portal.vocabulary import AREA_HINT, AREA_QUESTION, EQUALITY_QUESTIONS_BY_KEY

CONSENT_MISSING = "Tick the box to agree to us keeping your answers, or skip these questions"


def _question(key: str) -> Any:
    question = EQUALITY_QUESTIONS_BY_KEY[key]
    return RadioField(
        question.question,
        choices=[SelectChoice(code, label) for code, label in question.choices.items()],
        validators=[Optional()],
        invalid_choice_message="Select one of the answers",
        widget=GovRadioInput(),
        description=question.hint,
    )


def _not_a_full_postcode(form: FlaskForm, field: StringField) -> None:
    if field.data and FULL_POSTCODE.match(field.data):
        raise ValidationError("Enter only the first part of your postcode, like LS6")


class AboutYouForm(FlaskForm):
    # This browser's one-time permission to answer (see visitor.allow_about_you).
    token = HiddenField()
    age_band = _question("age_band")
    disability = _question("disability")
    ethnicity = _question("ethnicity")
    sex = _question("sex")
    gender_identity = _question("gender_identity")
    religion = _question("religion")
    sexual_orientation = _question("sexual_orientation")
    carer = _question("carer")
    area = StringField(
        AREA_QUESTION,
        filters=[strip, blank_to_none],
        validators=[
            Optional(),
            Length(
                max=AREA_MAX_LENGTH,
                message=f"Your ward or postcode district must be {AREA_MAX_LENGTH} characters or fewer",
            ),
            PlainText(message="Your ward or postcode district must only include letters, numbers and spaces"),
            _not_a_full_postcode,
        ],
        widget=GovTextInput(),
        description=AREA_HINT,
    )
    consent = BooleanField(CONSENT_WORDING, widget=GovCheckboxInput())

    def validate_consent(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError(CONSENT_MISSING)

    def answers(self) -> dict[str, str | None]:
        return {key: self[key].data or None for key in EQUALITY_QUESTIONS_BY_KEY}
