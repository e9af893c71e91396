"""Commands run as `flask --app wsgi <command>`: by people, by make and by cron."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from feedback_portal.models import Role
from feedback_portal.services import accounts, digests, documents, privacy
from feedback_portal.services import export as exports
from feedback_portal.services import outbox as outbox_service
from feedback_portal.services.exceptions import DomainError


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(retention)
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    app.cli.add_command(digest)
    app.cli.add_command(export)


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
    report = privacy.run_retention()
    click.echo(f"Forgot the address codes of {report.client_keys_forgotten} comments.")


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
    report = outbox_service.send_due_messages()
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
    report = outbox_service.send_due_messages()
    click.echo(
        f"Queued {run.queued} digests ({run.already_done} already done). "
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
    **filters: Any,
) -> None:
    """Check what was asked for, then write the file with a progress bar, and say what was written."""
    wanted = _export_request(
        file_format,
        profile,
        exports.ExportFilters(
            created_from=created_from.date() if created_from else None,
            created_to=created_to.date() if created_to else None,
            **filters,
        ),
    )
    try:
        system_user = getpass.getuser()
    except (KeyError, OSError):
        system_user = "unknown"

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
