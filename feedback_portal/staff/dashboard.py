"""The staff dashboard: what is waiting, per section, at a glance."""

from __future__ import annotations

from flask import render_template

from feedback_portal.models import Role
from feedback_portal.security import requires_roles
from feedback_portal.services import moderation
from feedback_portal.staff import blueprint


@blueprint.get("/")
@requires_roles(Role.ADMIN, Role.MODERATOR, Role.ANALYST)
def view_dashboard() -> str:
    return render_template("staff/dashboard.html", summary=moderation.summarise_comments())
