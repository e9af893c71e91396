"""Commands run as `flask --app wsgi <command>`: by people, by make and by cron."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from feedback_portal import links
from feedback_portal.cli_consultations import (
    consultations_group,
    document_group,
    open_for_development_command,
)
from feedback_portal.cli_privacy import parse_now, privacy_group, retention, system_user_name
from feedback_portal.extensions import db
from feedback_portal.models import Role
from feedback_portal.services import (
    accounts,
    comment_filters,
    comment_tallies,
    digests,
    documents,
    involvement_options,
    planner_statistics,
    updates,
)
from feedback_portal.services import export as exports
from feedback_portal.services import outbox as outbox_service
from feedback_portal.services.exceptions import DomainError


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(analyze_command)
    app.cli.add_command(tallies_cli)
    app.cli.add_command(retention)
    app.cli.add_command(privacy_group)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(digest)
    app.cli.add_command(updates_group)
    app.cli.add_command(export)
    app.cli.add_command(consultations_group)
    app.cli.add_command(document_group)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the definition document from feedback_portal/content, once, and the get-involved choices."""
    if involvement_options.seed_default_options():
        click.echo("Added the get involved form's default interests and ways of taking part.")
    result = documents.seed_document()
    if result.created:
        click.echo(
            f"Loaded {result.document_slug}: {result.sections} sections, {result.items} practice items."
        )
    else:
        click.echo(f"{result.document_slug} is already loaded; nothing changed.")


@click.command("analyze")
@with_appcontext
def analyze_command() -> None:
    """Refresh the statistics the database picks its indexes by. Run daily from cron."""
    planner_statistics.refresh_planner_statistics()
    click.echo("The database's statistics are up to date.")


tallies_cli = AppGroup("tallies", help="The comment counts the figures read.")


@tallies_cli.command("recount")
def recount_tallies_command() -> None:
    """Count every comment into the figures' tallies afresh (after a load with the triggers off)."""
    counted = comment_tallies.recount_comment_tallies()
    click.echo(f"The tallies count {counted:,} comments.")


@click.command("setup")
@click.pass_context
@with_appcontext
def setup_command(context: click.Context) -> None:
    """Upgrade the database and seed it; in development also open the consultation and make an admin.

    What `make run` does before serving, in one process rather than one per step: each step is
    the command of its own name (db upgrade, seed, consultations open-for-development, users
    dev-admin), says what it said there, and changes nothing when run again.
    """
    upgrade()
    context.invoke(seed_command)
    if current_app.config["ENV_NAME"] == "development":
        context.invoke(open_for_development_command)
        context.invoke(create_development_admin)


users = AppGroup("users", help="Staff accounts.")


def _read_new_password() -> str:
    """Asked twice on a terminal; the first line of standard input when piped."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt="Type the password again")
    return sys.stdin.readline().rstrip("\r\n")


def _sign_in_url() -> str:
    return links.public_url("staff.sign_in")


@users.command("create")
@click.argument("email_address", metavar="EMAIL")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
def create_user_command(email_address: str, role: str) -> None:
    """Create a staff account. Asks for the password twice, or reads it from standard input."""
    password = _read_new_password()
    try:
        user = accounts.create_user(email_address, role, password=password)
    except DomainError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Created {user.role} account {user.id}. They can sign in at {_sign_in_url()}")


@users.command("set-password")
@click.argument("email_address", metavar="EMAIL")
def set_password_command(email_address: str) -> None:
    """Set the password of an account, a lost one for example. Asks twice, or reads standard input.

    The same rules as the web forms; the account's sessions end everywhere.
    """
    password = _read_new_password()
    try:
        user = accounts.set_password_for(email_address, password, via="command line")
    except DomainError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"The password of {user.email} is set. Sign in at {_sign_in_url()}")


@users.command("dev-admin", hidden=True)
def create_development_admin() -> None:
    """In development only: make sure someone can sign in, and say how."""
    if current_app.config["ENV_NAME"] != "development":
        raise click.ClickException("This command only runs in development.")
    address = "admin@example.gov.uk"
    password = accounts.ensure_development_admin(address)
    if password:
        click.echo(
            f"\nA development admin account was created.\n  Sign in at {_sign_in_url()}\n"
            f"  Email: {address}\n  Password: {password}\n"
            "(It is shown once. Lost it? Set a new one with:\n"
            f"  .venv/bin/flask --app wsgi users set-password {address})\n"
        )
    else:
        click.echo(
            f"\nAn admin account exists. Sign in at {_sign_in_url()}\n"
            f"Lost the password? Set a new one with:\n"
            f"  .venv/bin/flask --app wsgi users set-password {address}\n"
            "or create another admin with:\n"
            "  .venv/bin/flask --app wsgi users create EMAIL --role admin\n"
        )


outbox = AppGroup("outbox", help="Email waiting to be sent.")


@outbox.command("send")
@click.option(
    "--to-folder",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each email as a .eml file in this folder instead of sending it (development).",
)
@click.option(
    "--every",
    type=click.IntRange(min=1),
    help="Keep running: deliver what is due every this many seconds, until stopped.",
)
def send_outbox(folder: Path | None, every: int | None) -> None:
    """Deliver the emails that are due. Run every minute from cron."""
    if every is None:
        report = outbox_service.send_due_messages(folder=folder)
        click.echo(
            f"Sent {report.sent}; {report.retrying} will be retried; {report.failed} failed for good; "
            f"{report.cancelled} not sent because the person stopped these emails."
        )
        return
    while True:
        _deliver_quietly(folder)
        time.sleep(every)


def _deliver_quietly(folder: Path | None) -> None:
    """One round of a sender that keeps running: say only what was delivered."""
    try:
        report = outbox_service.send_due_messages(folder=folder)
    except OperationalError as problem:
        # The development server may hold SQLite's write lock for a moment: try next round.
        db.session.rollback()
        click.echo(f"Outbox not read this time ({type(problem.orig).__name__}); trying again.", err=True)
        return
    if report.sent:
        where = f"written to {folder}/" if folder else "sent"
        click.echo(f"{report.sent} email{'s' if report.sent != 1 else ''} {where}")


digest = AppGroup("digest", help="Staff digests of new feedback.")


@digest.command("send")
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601, UTC if no offset).")
def send_digests(now_text: str | None) -> None:
    """Queue each staff member's digest whose period has ended, then deliver what is due."""
    run = digests.enqueue_due_digests(parse_now(now_text))
    # Delivery goes by the real clock: --now only says which periods have ended.
    report = outbox_service.send_due_messages()
    click.echo(
        f"Queued {run.queued} digests ({run.already_done} already done, "
        f"{run.nothing_to_say} with nothing to say). "
        f"Sent {report.sent}; {report.retrying} will be retried."
    )


updates_group = AppGroup("updates", help="Updates to the people who asked to hear what happens.")


@updates_group.command("send")
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601, UTC if no offset).")
def send_updates(now_text: str | None) -> None:
    """Queue one email per person with what was published for them since their last, then deliver."""
    run = updates.enqueue_due_updates(parse_now(now_text))
    # Delivery goes by the real clock: --now only says what counts as published.
    report = outbox_service.send_due_messages()
    click.echo(
        f"Queued {run.queued} updates telling of {run.events} events ({run.already_done} already done). "
        f"Sent {report.sent}; {report.retrying} will be retried."
    )


export = AppGroup("export", help="Export feedback as an Excel workbook or as CSV.")

EXPORT_HELP = """This command is for admins on the server. Its internal file includes the names and
    email addresses people gave: keep it somewhere only the team can open. The export is
    recorded in the audit log with your system user name. A progress bar is shown on
    standard error when it is a terminal."""
# The options of both export commands: the page's filters, the profile and where to write.
EXPORT_OPTIONS = [
    click.option(
        "--profile",
        type=click.Choice(["internal", "open"]),
        required=True,
        help="internal: everything, with names and email addresses. open: published comments only, "
        "nothing personal, safe to publish.",
    ),
    click.option(
        "--consultation",
        type=int,
        help="Only comments on this consultation (its number, as in /staff/consultations). "
        "Without it, the current consultation's; 0 for every consultation.",
    ),
    click.option(
        "--state", help="Only comments in this state: pending, published, rejected, spam or hidden."
    ),
    click.option(
        "--section", help="Only comments on this section (its slug), or 'document' for the whole document."
    ),
    click.option("--item", help="Only comments on this practice example (its key, like basic-1)."),
    click.option(
        "--reaction", help="Only comments that answered 'Does this make sense?' with yes, partly or no."
    ),
    click.option("--tag", help="Only comments with this theme."),
    click.option("--has-reports", is_flag=True, help="Only comments with reports nobody has dealt with."),
    click.option(
        "--from",
        "created_from",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Received on or after this day (UTC).",
    ),
    click.option(
        "--to", "created_to", type=click.DateTime(["%Y-%m-%d"]), help="Received on or before this day (UTC)."
    ),
    click.option("--text", help="Only comments containing these words."),
    click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write the file here instead of to standard output.",
    ),
]


def export_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(EXPORT_OPTIONS):
        command = option(command)
    return command


@export.command(
    "csv", help=f"Write comments as CSV: the same file as the Export page makes.\n\n    {EXPORT_HELP}"
)
@export_options
def export_csv_command(**options: Any) -> None:
    run_export(exports.CSV, **options)


@export.command(
    "xlsx",
    help="Write comments as an Excel workbook, every cell text exactly as written: the same file "
    f"as the Export page makes.\n\n    {EXPORT_HELP}",
)
@export_options
def export_xlsx_command(**options: Any) -> None:
    run_export(exports.XLSX, **options)


def run_export(
    file_format: str,
    profile: str,
    created_from: datetime | None,
    created_to: datetime | None,
    output: Path | None,
    consultation: int | None,
    **filters: Any,
) -> None:
    """Check what was asked for, then write the file with a progress bar, and say what was written."""
    if consultation is None:
        consultation = comment_filters.current_consultation_id()
    wanted = _export_request(
        file_format,
        profile,
        exports.ExportFilters(
            consultation=consultation or None,
            created_from=created_from.date() if created_from else None,
            created_to=created_to.date() if created_to else None,
            **filters,
        ),
    )
    system_user = system_user_name()
    with ExitStack() as stack:
        counted: list[int] = []
        bars: list = []

        def started(total: int) -> None:
            counted.append(total)
            if sys.stderr.isatty():
                bar = click.progressbar(length=total, label="Exporting", file=sys.stderr)
                bars.append(stack.enter_context(bar))

        def advanced(rows: int) -> None:
            for bar in bars:
                bar.update(rows)

        chunks = exports.stream_export(
            wanted,
            actor_id=None,
            via="command line",
            system_user=system_user,
            on_start=started,
            on_rows=advanced,
        )
        try:
            # "-" is standard output, which click leaves open.
            with click.open_file(str(output) if output else "-", "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
        except BaseException:
            # Half a file of personal data is no use to anyone: do not leave it behind.
            if output is not None:
                output.unlink(missing_ok=True)
            raise
    where = f" to {output}" if output else ""
    click.echo(f"Exported {counted[0]:,} comments ({wanted.profile} file){where}.", err=True)


def _export_request(file_format: str, profile: str, filters: exports.ExportFilters) -> exports.ExportRequest:
    problems = exports.check_filters(filters)
    try:
        wanted = exports.ExportRequest(
            profile, filters, contact_details=profile == exports.INTERNAL, file_format=file_format
        )
    except exports.InvalidExport as problem:
        problems.append(str(problem))
    if problems:
        raise click.UsageError("\n".join(problems))
    return wanted
