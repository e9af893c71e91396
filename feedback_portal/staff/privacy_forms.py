"""Forms for finding, exporting and erasing a person's information by email address.

The address is always posted, never put in a URL: it would reach the logs of every server
and proxy on the way, and the browser's history.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from feedback_portal.addresses import MAX_LENGTH
from feedback_portal.services import privacy
from feedback_portal.validators import OneEmailAddress, strip

ADDRESS_CHECKS = [
    DataRequired(message="Enter the email address they used"),
    Length(max=MAX_LENGTH, message=f"The email address must be {MAX_LENGTH} characters or fewer"),
    OneEmailAddress(),
]


class FindPersonForm(FlaskForm):
    email = StringField(
        "Email address",
        filters=[strip],
        validators=ADDRESS_CHECKS,
        widget=GovTextInput(),
        description="The address they used on a comment, an offer to get involved or for our emails. "
        "Capital letters do not matter.",
    )
    submit = SubmitField("Find their information", widget=GovSubmitInput())


class PersonForm(FlaskForm):
    """The download and erase buttons: the address found, carried in the post."""

    email = HiddenField(filters=[strip], validators=ADDRESS_CHECKS)


class _WholeNumber:
    """A whole number within the setting's limits, in words that say what to enter."""

    def __init__(self, what: str, unit: str, low: int, high: int) -> None:
        self.message = f"Enter {what} as a whole number of {unit} from {low} to {high}"
        self.low, self.high = low, high

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        text = field.data or ""
        if not (text.isascii() and text.isdigit() and self.low <= int(text) <= self.high):
            raise ValidationError(self.message)


def _period_field(label: str, what: str, unit: str, name: str, hint: str) -> StringField:
    low, high = privacy.LIMITS[name]
    return StringField(
        label,
        filters=[strip],
        validators=[_WholeNumber(what, unit, low, high)],
        widget=GovTextInput(),
        description=hint,
    )


class RetentionForm(FlaskForm):
    contact_months = _period_field(
        "Names and email addresses given with comments, in months",
        "how long to keep names and email addresses",
        "months",
        "contact_months",
        "Counted from when the consultation closes. The comments themselves stay, anonymised.",
    )
    offer_months = _period_field(
        "Offers to get involved, in months",
        "how long to keep offers to get involved",
        "months",
        "offer_months",
        "Counted from when the offer was made.",
    )
    sent_email_days = _period_field(
        "Emails we sent, in days",
        "how long to keep emails",
        "days",
        "sent_email_days",
        "Counted from when each email was sent. The address and the text are deleted.",
    )

    def periods(self) -> privacy.RetentionPeriods:
        return privacy.RetentionPeriods(
            contact_months=int(self.contact_months.data),
            offer_months=int(self.offer_months.data),
            sent_email_days=int(self.sent_email_days.data),
        )
