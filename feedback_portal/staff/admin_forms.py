"""Forms for the admin pages: staff accounts, settings and the audit log."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from feedback_portal.models import Role
from feedback_portal.services import date_range
from feedback_portal.services.audit import NOBODY, AuditFilters
from feedback_portal.validators import OneEmailAddress, strip
from feedback_portal.vocabulary import AUDIT_ACTION_LABELS

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN, "Admin"),
    SelectChoice(Role.MODERATOR, "Moderator"),
    SelectChoice(Role.ANALYST, "Analyst"),
]


ROLE_HINTS = {
    Role.ADMIN: "Everything, including staff accounts, settings and the audit log.",
    Role.MODERATOR: "Publish, reject and tag comments, and deal with reports. Never sees contact details.",
    Role.ANALYST: "Read comments and figures, and export them. Cannot moderate.",
}


def role_field(label: str) -> RadioField:
    return RadioField(
        label,
        choices=ROLE_CHOICES,
        validators=[InputRequired(message="Select a role")],
        invalid_choice_message="Select a role",
        widget=GovRadioInput(),
    )


class NewUserForm(FlaskForm):
    email = StringField(
        "Email address",
        filters=[strip],
        validators=[
            DataRequired(message="Enter their email address"),
            Length(max=254, message="The email address must be 254 characters or fewer"),
            OneEmailAddress(),
        ],
        widget=GovTextInput(),
        description="Their work email address. They use it to sign in.",
    )
    role = role_field("Role")
    submit = SubmitField("Add account", widget=GovSubmitInput())


class RoleForm(FlaskForm):
    role = role_field("Role")


class AccountStatusForm(FlaskForm):
    """Disable or enable an account. The button's id lets an error point at it."""

    status_button = SubmitField("Confirm", id="account-status")


class TwoStepSettingForm(FlaskForm):
    require_two_step = RadioField(
        "Is two-step sign-in compulsory for everyone?",
        choices=[
            SelectChoice("yes", "Yes, everyone must use a code from an authenticator app"),
            SelectChoice("no", "No, each person chooses"),
        ],
        validators=[InputRequired(message="Select whether two-step sign-in is compulsory")],
        invalid_choice_message="Select whether two-step sign-in is compulsory",
        widget=GovRadioInput(),
    )


class ModerationModeForm(FlaskForm):
    moderation_mode = RadioField(
        "How are comments moderated?",
        choices=[
            SelectChoice("pre", "Pre-moderation"),
            SelectChoice("post", "Post-moderation"),
        ],
        validators=[InputRequired(message="Select how comments are moderated")],
        invalid_choice_message="Select how comments are moderated",
        widget=GovRadioInput(),
    )


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class IsoDate:
    """A date typed as YYYY-MM-DD, and a real one."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, form: FlaskForm, field: Field) -> None:
        value = field.data or ""
        if not ISO_DATE.match(value):
            raise ValidationError(f"Enter the {self.name} date as year-month-day, like 2026-11-26")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"The {self.name} date must be a real date, like 2026-11-26") from None
        if not date_range.is_in_range(day):
            raise ValidationError(date_range.out_of_range_message(f"The {self.name} date"))


def _parsed_date(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and date_range.is_in_range(day) else None


class AuditFilterForm(FlaskForm):
    """Filters for the audit log. Sent by GET, so the address can be bookmarked; no CSRF."""

    class Meta:
        csrf = False

    action = SelectField(
        "Action", default="", invalid_choice_message="Select an action from the list", widget=GovSelect()
    )
    actor = SelectField(
        "Who", default="", invalid_choice_message="Select a person from the list", widget=GovSelect()
    )
    record_type = SelectField(
        "Record type",
        default="",
        invalid_choice_message="Select a record type from the list",
        widget=GovSelect(),
    )
    date_from = StringField(
        "From",
        filters=[strip],
        validators=[Optional(), IsoDate("from")],
        widget=GovTextInput(),
        description="For example, 2026-11-26",
    )
    date_to = StringField(
        "To",
        filters=[strip],
        validators=[Optional(), IsoDate("to")],
        widget=GovTextInput(),
        description="For example, 2026-11-30",
    )

    def set_choices(self, actions: list[str], record_types: list[str], actors: list[tuple[int, str]]) -> None:
        self.action.choices = [
            SelectChoice("", "Any action"),
            *(SelectChoice(a, _action_label(a)) for a in actions),
        ]
        self.record_type.choices = [
            SelectChoice("", "Any record"),
            *(SelectChoice(kind, kind) for kind in record_types),
        ]
        self.actor.choices = [
            SelectChoice("", "Anyone"),
            SelectChoice(NOBODY, "Nobody signed in"),
            *(SelectChoice(str(actor_id), email) for actor_id, email in actors),
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = _parsed_date(self.date_from.data), _parsed_date(self.date_to.data)
        if start and end and end < start and not self.date_to.errors:
            self.date_to.errors.append("The ‘to’ date must be the same as or after the ‘from’ date")
        return valid and not self.date_to.errors

    def to_filters(self) -> AuditFilters:
        actor = self.actor.data or ""
        return AuditFilters(
            action=self.action.data or None,
            actor_id=int(actor) if actor.isdigit() else None,
            nobody=actor == NOBODY,
            record_type=self.record_type.data or None,
            date_from=_parsed_date(self.date_from.data),
            date_to=_parsed_date(self.date_to.data),
        )


def _action_label(action: str) -> str:
    label = AUDIT_ACTION_LABELS.get(action)
    return f"{label} ({action})" if label else action
