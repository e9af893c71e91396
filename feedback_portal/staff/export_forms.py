"""The export page's form: which file, and which comments."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from feedback_portal.models import CommentState
from feedback_portal.services import export as exports
from feedback_portal.staff.moderation_forms import QueueFilterForm
from feedback_portal.vocabulary import STATE_LABELS


class ExportForm(QueueFilterForm):
    """The export page: the moderation queue's filters, with any state allowed, and the file wanted.

    It posts, with a CSRF token (FlaskForm's Meta), because an export is recorded and hands
    over personal data: a link alone must not make one.
    """

    class Meta(FlaskForm.Meta):
        pass

    profile = RadioField(
        "Which file do you need?",
        choices=[SelectChoice(name, profile.label) for name, profile in exports.PROFILES.items()],
        validators=[InputRequired(message="Select which file you need")],
        invalid_choice_message="Select which file you need",
        widget=GovRadioInput(),
    )
    file_format = RadioField(
        "Which format do you need?",
        choices=[SelectChoice(name, file_format.label) for name, file_format in exports.FORMATS.items()],
        validators=[InputRequired(message="Select which format you need")],
        invalid_choice_message="Select which format you need",
        widget=GovRadioInput(),
    )
    include_contact_details = BooleanField(
        "Include names and email addresses",
        description="Internal file only. Only tick this if you need to contact people, "
        "and keep the file somewhere only the team can open.",
        widget=GovCheckboxInput(),
    )

    def __init__(self, formdata, choices) -> None:
        super().__init__(formdata, choices)
        self.state.choices = [
            SelectChoice("", "Any state"),
            *(SelectChoice(state, STATE_LABELS[CommentState(state)]) for state in exports.EXPORTABLE_STATES),
        ]
        if not formdata or "state" not in formdata:
            # The queue starts at pending comments; an export starts with all of them.
            self.state.data = ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.profile.data == exports.OPEN_DATA:
            if self.state.data not in ("", "published") and not self.state.errors:
                self.state.errors.append(
                    "Open data only holds published comments: select ‘Published’ or ‘Any state’, "
                    "or choose the internal file"
                )
            if self.include_contact_details.data:
                self.include_contact_details.errors.append(
                    "Open data never includes names or email addresses: "
                    "untick this, or choose the internal file"
                )
        return valid and not self.state.errors and not self.include_contact_details.errors

    def export_request(self) -> exports.ExportRequest:
        """What to export, as the service takes it. Only after validate() has passed."""
        return exports.ExportRequest(
            profile=self.profile.data,
            filters=exports.ExportFilters(
                state=self.state.data or None,
                consultation=self.consultation_id(),
                section=self.section.data or None,
                item=self.item.data or None,
                reaction=self.reaction.data or None,
                created_from=self.created_from.date,
                created_to=self.created_to.date,
                tag=self.tag.data or None,
                has_reports=self.has_reports.data == "yes",
                text=self.text.data or None,
            ),
            contact_details=bool(self.include_contact_details.data),
            file_format=self.file_format.data,
        )
