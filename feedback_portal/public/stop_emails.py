"""Stop these emails: the page behind the visible link, and the one-click address mail programs POST to."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from feedback_portal.public.forms import ConfirmForm
from feedback_portal.public.routes import blueprint
from feedback_portal.security import csrf
from feedback_portal.services import unsubscribe

STOP_EMAILS_PATH = "/feedback/<reference>/stop-emails/<token>"
ONE_CLICK_PATH = "/feedback/<reference>/unsubscribe/<token>"


@blueprint.get(STOP_EMAILS_PATH)
def view_stop_emails(reference: str, token: str) -> str:
    comment = unsubscribe.get_comment_from_stop_link(reference, token)
    unsubscribe.check_emails_not_stopped(comment)
    return render_template("public/stop_emails.html", comment=comment, form=ConfirmForm())


@blueprint.post(STOP_EMAILS_PATH)
def stop_emails(reference: str, token: str) -> str:
    if not ConfirmForm().validate_on_submit():
        return view_stop_emails(reference, token)
    unsubscribe.stop_emails(reference, token)
    return _render_done()


@blueprint.get(ONE_CLICK_PATH)
def view_stop_emails_from_mail_program(reference: str, token: str) -> ResponseReturnValue:
    """A mail program that opens the List-Unsubscribe address in a browser: the page, never the act.

    Link checkers and previews follow addresses with GET, so only a POST stops anything.
    """
    return redirect(url_for(".view_stop_emails", reference=reference, token=token))


# RFC 8058: the mail program POSTs with no session and no form token; the signed token is the proof.
@blueprint.post(ONE_CLICK_PATH)
@csrf.exempt
def stop_emails_in_one_click(reference: str, token: str) -> str:
    unsubscribe.stop_emails(reference, token)
    return _render_done()


def _render_done() -> str:
    return render_template(
        "public/comment_link_done.html",
        heading="You will not get any more emails about your feedback",
        explanation="We have stopped the emails to your address about every comment you sent us, "
        "including any waiting to be sent. Your comments stay as they are.",
    )
