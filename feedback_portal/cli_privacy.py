"""The commands for people's data: `privacy find|export|erase` and `retention run`.

Apart from cli.py, which registers them, so that neither outgrows a file.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from feedback_portal.services import privacy
from feedback_portal.services.exceptions import DomainError

retention = AppGroup("retention", help="Erase personal data the portal no longer needs.")


@retention.command("run")
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601, UTC if no offset).")
def run_retention(now_text: str | None) -> None:
    """Anonymise and delete what the privacy notice says we keep no longer. Run daily from cron."""
    periods = privacy.get_retention_periods()
    report = privacy.run_retention(parse_now(now_text))
    click.echo(
        f"Anonymised the contact details of {report.comments_anonymised} comments "
        f"({periods.contact_period} after their consultation closed) and of "
        f"{report.offers_anonymised} offers to get involved ({periods.offer_period} after they were made). "
        f"Deleted the address and text of {report.emails_purged} emails "
        f"({periods.sent_email_period} after they were sent). "
        f"Deleted {report.equality_answers_deleted} sets of answers about the people who took part "
        f"({periods.contact_period} after their consultation closed). "
        f"Forgot the address codes of {report.client_keys_forgotten} comments."
    )


def parse_now(now_text: str | None) -> datetime:
    if not now_text:
        return datetime.now(UTC)
    try:
        now = datetime.fromisoformat(now_text)
    except ValueError:
        raise click.BadParameter("Give a time like 2026-11-26T07:00:00", param_hint="--now") from None
    return now if now.tzinfo else now.replace(tzinfo=UTC)


privacy_group = AppGroup(
    "privacy",
    help="Find, export and erase everything held about a person, by their email address. "
    "For admins on the server: every use is on the audit log, with your system user name "
    "and a code for the address, never the address itself.",
)


def system_user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@privacy_group.command("find")
@click.argument("email_address", metavar="EMAIL")
def find_person_command(email_address: str) -> None:
    """List what is held about the person: comments, offers, consents and emails queued or sent."""
    record = privacy.find_person(email_address)
    privacy.record_search(email_address, record, None, via="command line", system_user=system_user_name())
    if record.nothing_held:
        click.echo("No information is held for that email address.")
        _say_not_findable(record.not_findable)
        return
    for group in record.groups:
        click.echo(f"{group.holding.label}: {group.count}")
        for row in group.rows:
            click.echo("  - " + "; ".join(f"{f.label}: {_shown(value)}" for f, value in row))
    for where, count in record.mentions.items():
        click.echo(f"Also written in {where}: {count}")
    if record.is_staff_account:
        click.echo("It is also a staff account's address: staff accounts are not changed by privacy erase.")
    _say_not_findable(record.not_findable)


def _say_not_findable(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"Not found by email address: {note}")


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return "(none)" if value is None else str(value)


@privacy_group.command("export")
@click.argument("email_address", metavar="EMAIL")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the subject-access file (a zip of a readable text file and a JSON file) here.",
)
def export_person_command(email_address: str, output: Path) -> None:
    """Write the person's subject-access file: everything held about them, readable and as JSON."""
    try:
        chunks = privacy.stream_subject_access(
            email_address, None, via="command line", system_user=system_user_name()
        )
    except DomainError as problem:
        raise click.ClickException(str(problem)) from None
    try:
        with output.open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
    except BaseException:
        output.unlink(missing_ok=True)  # half a file of personal data is no use to anyone
        raise
    click.echo(f"Wrote {output}.")


@privacy_group.command("erase")
@click.argument("email_address", metavar="EMAIL")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_person_command(email_address: str, yes: bool) -> None:
    """Erase the person's contact details everywhere: comments stay, anonymised; offers are deleted."""
    if not yes:
        click.confirm("Erase this person's contact details everywhere? This cannot be undone", abort=True)
    try:
        report = privacy.erase_person(email_address, None, via="command line", system_user=system_user_name())
    except DomainError as problem:
        raise click.ClickException(str(problem)) from None
    counts = report.counts
    click.echo(
        f"Erased: {counts['comments']} comments anonymised, {counts['offers']} offers deleted, "
        f"{counts['consents']} consents withdrawn and anonymised, {counts['emails']} emails cleared, "
        f"{counts['mentions']} other mentions replaced."
    )
    _say_not_findable(report.not_findable)
