"""Commands run as `flask --app wsgi <command>`: by people, by make and by cron."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from feedback_portal.services import documents, feedback


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(retention)


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


retention = AppGroup("retention", help="Erase personal data the portal no longer needs.")


@retention.command("run")
def run_retention() -> None:
    """Forget the address codes kept for abuse control once they are a day old. Run daily from cron."""
    forgotten = feedback.forget_client_keys()
    click.echo(f"Forgot the address codes of {forgotten} comments.")
