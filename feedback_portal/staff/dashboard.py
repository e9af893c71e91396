"""The staff dashboard: what is waiting, per section, at a glance."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from feedback_portal.permissions import Capability, may
from feedback_portal.security import requires
from feedback_portal.services import moderation
from feedback_portal.staff import blueprint


@blueprint.get("/")
@requires(Capability.READ_FEEDBACK)
def view_dashboard() -> str:
    return render_template(
        "staff/dashboard.html",
        summary=moderation.summarise_comments(),
        can_moderate=may(current_user.role, Capability.MODERATE),
    )
