"""Email that could not be delivered, for admins to see and send again."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from feedback_portal.permissions import Capability
from feedback_portal.security import requires
from feedback_portal.services import outbox
from feedback_portal.staff import blueprint
from feedback_portal.staff.forms import ActionForm


@blueprint.get("/outbox")
@requires(Capability.ADMINISTER)
def list_outbox() -> str:
    return render_template(
        "staff/outbox.html", messages=outbox.list_messages_needing_attention(), action_form=ActionForm()
    )


@blueprint.post("/outbox/<id:message_id>/retry")
@requires(Capability.ADMINISTER)
def retry_outbox_message(message_id: int) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        outbox.retry_message(message_id)
        flash("The email will be sent again on the next run of the outbox.")
    return redirect(url_for(".list_outbox"))
