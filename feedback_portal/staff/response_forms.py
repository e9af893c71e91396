"""Forms for the team's public response to a comment."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from feedback_portal.models import LARGEST_ID
from feedback_portal.validators import comment_text_checks, normalise_line_breaks, strip


class ResponseRevisionForm(FlaskForm):
    """The revision of the response the moderator saw: 0 when there was none yet."""

    response_revision = IntegerField(
        validators=[
            InputRequired(message="Reload the comment and try again"),
            NumberRange(min=0, max=LARGEST_ID, message="Reload the comment and try again"),
        ],
        widget=HiddenInput(),
    )
    return_to = HiddenField()


class ResponseForm(ResponseRevisionForm):
    response_text = TextAreaField(
        "Response",
        filters=[strip, normalise_line_breaks],
        validators=comment_text_checks("the response"),
        widget=GovCharacterCount(),
        description="The public sees it under the comment, from the team, once you publish it.",
    )
    # Which button was pressed: save a draft, or publish.
    intent = HiddenField(validators=[AnyOf(["draft", "publish"], message="Reload the comment and try again")])

    @property
    def publishes(self) -> bool:
        return self.intent.data == "publish"
