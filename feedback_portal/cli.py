"""Commands run as `flask --app wsgi <command>`: by people, by make and by cron."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from feedback_portal.services import documents


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the definition document from feedback_portal/content, once."""
    result = documents.seed_document()
    if result.created:
        click.echo(
            f"Loaded {result.document_slug}: {result.sections} sections, {result.items} practice items."
        )
    else:
        click.echo(f"{result.document_slug} is already loaded; nothing changed.")
