"""The moderation queue, one comment's page, bulk actions and the reported queue."""

from flask import render_template

from feedback_portal.models import Role
from feedback_portal.security import requires_roles
from feedback_portal.staff import blueprint


@blueprint.get("/comments")
@requires_roles(Role.ADMIN, Role.MODERATOR, Role.ANALYST)
def list_comments() -> str:
    # Placeholder until the queue is built.
    return render_template("staff/dashboard.html")
