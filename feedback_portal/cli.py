"""Commands run as `flask --app wsgi <command>`: by people, by make and by cron."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from feedback_portal import email
from feedback_portal.models import Role
from feedback_portal.services import accounts, digests, documents, feedback
from feedback_portal.services.errors import DomainError


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(retention)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(digest)


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


users = AppGroup("users", help="Staff accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
def create_user_command(email: str, role: str) -> None:
    """Create a staff account. Asks for the password twice, or reads it from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Type the password again")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, role, password=password)
    except DomainError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Created {user.role} account {user.id}. They can sign in at /staff/login.")


@users.command("dev-admin", hidden=True)
def create_development_admin() -> None:
    """In development only: make sure someone can sign in, and say how."""
    if current_app.config["ENV_NAME"] != "development":
        raise click.ClickException("This command only runs in development.")
    email = "admin@example.gov.uk"
    password = accounts.ensure_development_admin(email)
    if password:
        click.echo(
            f"\nA development admin account was created.\n  Sign in at /staff/login\n  Email: {email}\n"
            f"  Password: {password}\n(It is shown once. Run `make clean` to start again.)\n"
        )
    else:
        click.echo(
            "\nAn admin account exists. Sign in at /staff/login, or create another with:\n"
            "  .venv/bin/flask --app wsgi users create EMAIL --role admin\n"
        )


outbox = AppGroup("outbox", help="Email waiting to be sent.")


@outbox.command("send")
def send_outbox() -> None:
    """Deliver the emails that are due. Run every minute from cron."""
    report = email.send_due_messages()
    click.echo(f"Sent {report.sent}; {report.retrying} will be retried; {report.failed} failed for good.")


digest = AppGroup("digest", help="Staff digests of new feedback.")


@digest.command("send")
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601, UTC if no offset).")
def send_digests(now_text: str | None) -> None:
    """Queue each staff member's digest whose period has ended, then deliver what is due."""
    now = datetime.now(UTC)
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("Give a time like 2026-11-26T07:00:00", param_hint="--now") from None
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    run = digests.enqueue_due_digests(now)
    # Delivery goes by the real clock: --now only says which periods have ended.
    report = email.send_due_messages()
    click.echo(
        f"Queued {run.queued} digests ({run.already_done} already done). "
        f"Sent {report.sent}; {report.retrying} will be retried."
    )
