"""In development the outbox is delivered into a folder of .eml files a newcomer can open."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select

from feedback_portal.extensions import db
from feedback_portal.models import OutboxMessage
from tests.factories import comment_post

SECTION = "/definition/basic"
RESIDENT = "resident@example.com"


def comment_with_email(app) -> str:
    client = app.test_client()
    data = comment_post(client, SECTION, comment="I think it is clear.", email=RESIDENT)
    return client.post(SECTION, data=data).headers["Location"].rsplit("/", 1)[1]


def emails_in(folder: Path) -> list[EmailMessage]:
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.status)))


def test_the_folder_sender_writes_a_readable_email_and_marks_it_sent(app, runner, tmp_path):
    reference = comment_with_email(app)
    folder = tmp_path / "mail"
    result = runner.invoke(args=["outbox", "send", "--to-folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    [receipt] = emails_in(folder)
    assert receipt["To"] == RESIDENT
    assert receipt["Subject"] == f"We have your comment {reference}"
    assert reference in receipt.get_body(("plain",)).get_content()
    assert "What happens next" in receipt.get_body(("html",)).get_content()
    assert statuses(app) == ["sent"]


def test_the_folder_sender_never_writes_an_email_twice(app, runner, tmp_path):
    comment_with_email(app)
    folder = tmp_path / "mail"
    runner.invoke(args=["outbox", "send", "--to-folder", str(folder)])
    again = runner.invoke(args=["outbox", "send", "--to-folder", str(folder)])
    assert "Sent 0" in again.output
    assert len(emails_in(folder)) == 1


def test_a_sender_that_keeps_running_delivers_email_queued_after_it_started(app, test_database_url, tmp_path):
    """What `make run` starts beside the development server."""
    folder = tmp_path / "mail"
    script = textwrap.dedent(
        f"""
        from tests.conftest import make_app

        app = make_app({test_database_url!r})
        app.test_cli_runner().invoke(
            args=["outbox", "send", "--to-folder", {str(folder)!r}, "--every", "1"],
            catch_exceptions=False,
        )
        """
    )
    sender = subprocess.Popen(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "PORTAL_ENV": "testing"},
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        reference = comment_with_email(app)
        deadline = time.monotonic() + 60  # generous: the machine is shared
        while not list(folder.glob("*.eml")) and time.monotonic() < deadline and sender.poll() is None:
            time.sleep(0.2)
        assert sender.poll() is None, sender.communicate()
    finally:
        sender.kill()
        sender.communicate()
    [receipt] = emails_in(folder)
    assert receipt["Subject"] == f"We have your comment {reference}"
