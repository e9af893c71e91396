"""Forms for finding, exporting and erasing a person's information by email address.

The address is always posted, never put in a URL: it would reach the logs of every server
and proxy on the way, and the browser's history.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from feedback_portal.addresses import MAX_LENGTH
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
