"""About you: the optional equality monitoring questions after a comment or an offer.

The thank-you pages link here with no reference in the address: the permission to answer is
a one-time token in the visitor's session (visitor.allow_about_you).
"""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from feedback_portal.public import visitor
from feedback_portal.public.about_you_forms import AboutYouForm
from feedback_portal.public.routes import blueprint, comment_rate_limit
from feedback_portal.security import limiter
from feedback_portal.services import equality, privacy
from feedback_portal.vocabulary import EQUALITY_QUESTIONS

SENT = "about_you_sent"


@blueprint.get("/about-you")
def view_about_you() -> str:
    token = visitor.about_you_token()
    if token is None:
        return render_template("public/about_you_none.html")
    return _render(AboutYouForm(token=token))


@blueprint.post("/about-you")
@limiter.limit(comment_rate_limit)
def submit_about_you() -> ResponseReturnValue:
    form = AboutYouForm()
    consultation_id = visitor.about_you_consultation(form.token.data)
    if consultation_id is None:
        # Already answered, or the session ended: nothing is stored twice.
        return render_template("public/about_you_none.html")
    if not form.validate_on_submit():
        return _render(form)
    equality.record_answers(
        consultation_id,
        equality.AboutYouAnswers(answers=form.answers(), area=form.area.data),
        consented=form.consent.data,
    )
    visitor.use_about_you()
    session[SENT] = True
    return redirect(url_for(".view_about_you_sent"))


@blueprint.get("/about-you/sent")
def view_about_you_sent() -> ResponseReturnValue:
    if not session.pop(SENT, False):
        return redirect(url_for(".view_about_you"))
    return render_template("public/about_you_sent.html")


@blueprint.get("/about-you/skipped")
def view_about_you_skipped() -> str:
    return render_template("public/about_you_skipped.html")


def _render(form: AboutYouForm) -> str:
    return render_template(
        "public/about_you.html",
        form=form,
        questions=EQUALITY_QUESTIONS,
        retention=privacy.get_retention_periods(),
    )
