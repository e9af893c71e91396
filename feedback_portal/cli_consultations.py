"""`flask consultations …`: what the command line does with consultations (the team runs them at
/staff/consultations)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from feedback_portal.cli_privacy import parse_now
from feedback_portal.services import consultations, documents
from feedback_portal.services.exceptions import DocumentExists
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


document_group = AppGroup("document", help="Documents the team consults on.")


@document_group.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_document_command(source: Path) -> None:
    """A new document from FILE (the seed's TOML format), with a draft consultation on it."""
    try:
        result = documents.import_document(source)
    except DocumentExists as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(
        f"Imported ‘{result.document_slug}’: version 1 with {result.sections} sections and "
        f"{result.items} examples, and a draft consultation on it. Schedule it at /staff/consultations "
        f"and edit it at /staff/document?document={result.document_slug}."
    )
