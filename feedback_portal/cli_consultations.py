"""`flask consultations …`: what the command line does with consultations (the team runs them at
/staff/consultations)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from feedback_portal.cli_privacy import parse_now
from feedback_portal.services import consultations
from feedback_portal.uk_time import last_open_moment, uk_time_on_date

consultations_group = AppGroup("consultations", help="Consultations on the document.")


@consultations_group.command("open-for-development")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Act as if it were this time (UTC).")
def open_for_development_command(now_text: str | None) -> None:
    """In development only: open the draft consultation now, so a newcomer can comment at once."""
    if current_app.config["ENV_NAME"] != "development":
        raise click.ClickException("This command only runs in development.")
    opened = consultations.open_for_development(parse_now(now_text))
    if opened is None:
        click.echo("The consultation is already scheduled; its dates are unchanged.")
        return
    assert opened.closes_at is not None
    click.echo(
        f"Opened ‘{opened.title}’ for comments until "
        f"{uk_time_on_date(last_open_moment(opened.closes_at))} (development only)."
    )
