"""Forms shared by the staff pages.

Sign-in and account forms are in auth_forms.py; the admin pages' forms are in admin_forms.py.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class ActionForm(FlaskForm):
    """A button and a CSRF token, for actions that need nothing else."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
