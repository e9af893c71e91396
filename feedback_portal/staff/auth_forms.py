"""Forms for signing in, passwords, two-step codes and a person's own account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from feedback_portal.services.accounts import PASSWORD_MAX_LENGTH
from feedback_portal.validators import OneEmailAddress, strip


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        filters=[strip],
        validators=[DataRequired(message="Enter your email address"), OneEmailAddress()],
        widget=GovTextInput(),
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password"), Length(max=PASSWORD_MAX_LENGTH * 4)],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the 6-digit code from your authenticator app"),
            Length(max=12),
        ],
        widget=GovTextInput(),
        description="Open your authenticator app and enter the 6-digit code it shows for this service.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(message="Enter a new password")],
        widget=GovPasswordInput(),
        description=(
            "At least 15 characters. Three or four random words are easy to remember and hard to guess."
        ),
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired(message="Type the new password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password")],
        widget=GovPasswordInput(),
    )


class ForgotPasswordForm(FlaskForm):
    email = StringField(
        "Email address",
        filters=[strip],
        validators=[DataRequired(message="Enter your email address"), OneEmailAddress()],
        widget=GovTextInput(),
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class EmailPreferencesForm(FlaskForm):
    digest_frequency = RadioField(
        "How often do you want a digest of new feedback?",
        choices=[
            SelectChoice("daily", "Every day"),
            SelectChoice("weekly", "Every week, on Monday"),
            SelectChoice("none", "Never"),
        ],
        validators=[DataRequired(message="Select how often you want a digest")],
        widget=GovRadioInput(),
    )
    wants_urgent_alerts = BooleanField(
        "Email me at once when a comment is reported for containing personal information",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
