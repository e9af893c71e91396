"""What an export holds and what was asked for: the column profiles, the formats, the filters,
the request.

Two profiles: internal, for colleagues in the council, and open data, safe to publish. Each
column has a description, shown on the export page, so that whoever opens the file knows
what every column means. Two formats of the same rows: an Excel workbook for people, in
which every cell is text exactly as written, and CSV for other software.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedback_portal.models import Channel, CommentState
from feedback_portal.services.comment_filters import CommentFilters
from feedback_portal.services.exceptions import DomainError

INTERNAL = "internal"
OPEN_DATA = "open"
XLSX = "xlsx"
CSV = "csv"


class InvalidExport(DomainError):
    """The export asked for cannot be made: the message says what to change."""


# What each file holds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    heading: str
    description: str
    # Only in an internal export made with contact details, by an admin or analyst.
    contact_details: bool = False
    # In characters, for the workbook's columns.
    width: int = 16
    # Whether a cell can hold text someone typed (a comment, a name, a theme, a heading):
    # only those can look like a formula, so only those get the CSV file's apostrophe.
    # The others hold what the portal writes itself: moments, days, numbers, yes or no, codes.
    text: bool = True

    @property
    def key(self) -> str:
        """The heading as a JSON key: lower case words joined by _, without what is in brackets."""
        words = re.sub(r"\(.*?\)", "", self.heading).lower()
        return "_".join(re.findall(r"[a-z0-9]+", words))


@dataclass(frozen=True)
class ExportProfile:
    name: str
    label: str
    summary: str
    columns: tuple[ExportColumn, ...]


# In both profiles: how feedback reached the council, and the day it did.
RECEIVED_DAY = ExportColumn(
    "Date received",
    "The day the comment reached us, as year-month-day: the day it was sent on this site (UTC), "
    "or the day it arrived on paper, by email, by phone or at an event.",
    width=14,
    text=False,
)
CHANNEL = ExportColumn("Channel", f"How it reached us: {', '.join(Channel)}.", width=10, text=False)

INTERNAL_PROFILE = ExportProfile(
    name=INTERNAL,
    label="Internal",
    summary="Everything staff need to work with the feedback. For colleagues in the council only: "
    "it can hold comments nobody has published, text removed from the public for a reason, "
    "and, if you ask and your role allows it, names and email addresses.",
    columns=(
        ExportColumn(
            "Reference",
            "The comment’s reference, like CP-7K3M9Q, as the person was given it.",
            width=14,
            text=False,
        ),
        ExportColumn(
            "Received (UTC)",
            "When the comment was sent on this site, or entered by staff if it came another way, "
            "as year-month-day hours:minutes:seconds.",
            width=20,
            text=False,
        ),
        RECEIVED_DAY,
        CHANNEL,
        ExportColumn(
            "Published (UTC)", "When it was published. Empty if it never was.", width=20, text=False
        ),
        ExportColumn(
            "Document version", "The number of the version of the document it was made on.", text=False
        ),
        ExportColumn("Section", "The section it is about, or ‘The whole document’.", width=30),
        ExportColumn(
            "Practice example", "The ‘In practice this means’ example it is about, if any.", width=40
        ),
        ExportColumn(
            "Makes sense?",
            "The answer to ‘Does this make sense to you?’: yes, partly, no, or empty.",
            text=False,
        ),
        ExportColumn("State", "pending, published, rejected, spam or hidden.", text=False),
        ExportColumn(
            "Public text", "The text the public sees: the redacted text if it was redacted.", width=60
        ),
        ExportColumn("Redacted", "yes if a moderator removed something from the public text.", text=False),
        ExportColumn(
            "Original text (redacted, staff only)",
            "What the person wrote, only when it was redacted. Never pass this column on outside the team.",
            width=60,
        ),
        ExportColumn("Rejection reason", "Why it was rejected, if it was.", width=30),
        ExportColumn("Themes", "The themes moderators gave it, separated by semicolons.", width=30),
        ExportColumn(
            "Reports",
            "How many times the public reported it, including reports already dealt with.",
            text=False,
        ),
        ExportColumn("Name", "The name they gave, if any.", contact_details=True, width=24),
        ExportColumn("Email", "The email address they gave, if any.", contact_details=True, width=32),
        ExportColumn(
            "Wants updates", "yes if they asked to be told what happens with their feedback.", text=False
        ),
        ExportColumn("Wants to get involved", "yes if they would like to work with the team.", text=False),
    ),
)
# The moments in open data are ISO 8601 in UTC, for any software to read.
OPEN_MOMENT_EXAMPLE = "2026-03-14T10:15:00Z"
OPEN_PROFILE = ExportProfile(
    name=OPEN_DATA,
    label="Open data",
    summary="Published comments only, as the public sees them on this site, with the team’s "
    "published responses and the themes. No names, no email addresses, nothing internal: safe to "
    "publish as it is.",
    columns=(
        ExportColumn(
            "Reference",
            "The comment’s reference, like CP-7K3M9Q: the same as on this site, where it is shown "
            "with the comment.",
            width=14,
            text=False,
        ),
        ExportColumn(
            "Date published",
            f"When it was published on this site, in UTC, like {OPEN_MOMENT_EXAMPLE}.",
            width=22,
            text=False,
        ),
        RECEIVED_DAY,
        CHANNEL,
        ExportColumn("Section", "The section it is about, or ‘The whole document’.", width=30),
        ExportColumn(
            "Practice example",
            "The ‘In practice this means’ example it is about. Empty if it is about a whole section "
            "or the whole document.",
            width=40,
        ),
        ExportColumn(
            "Makes sense?",
            "The answer to ‘Does this make sense to you?’: yes, partly, no, or empty.",
            text=False,
        ),
        ExportColumn(
            "Comment", "The published text: the redacted text if a moderator removed something.", width=60
        ),
        ExportColumn(
            "Themes",
            "The themes moderators gave it, in alphabetical order: separated by semicolons in a CSV "
            "file or workbook, a list in JSON.",
            width=30,
        ),
        ExportColumn(
            "Response",
            "The team’s published response to the comment. Empty if there is none.",
            width=60,
        ),
        ExportColumn(
            "Response published",
            f"When the response was published, in UTC, like {OPEN_MOMENT_EXAMPLE}. Empty if there is none.",
            width=22,
            text=False,
        ),
    ),
)
PROFILES: dict[str, ExportProfile] = {INTERNAL: INTERNAL_PROFILE, OPEN_DATA: OPEN_PROFILE}


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    summary: str
    content_type: str


# The workbook first: it is what most people opening an export want.
FORMATS: dict[str, ExportFormat] = {
    XLSX: ExportFormat(
        name=XLSX,
        label="Excel workbook (.xlsx)",
        summary="Opens in Excel, LibreOffice and Google Sheets with every cell exactly as people "
        "wrote it: every cell is text, so nothing can become a formula, a date or a number.",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    CSV: ExportFormat(
        name=CSV,
        label="CSV file (.csv)",
        summary="For other software and for publishing as open data. To keep a spreadsheet from "
        "running it, a cell that starts with =, +, - or @ gets an apostrophe (') in front, "
        "so ‘-2+3’ is written ‘'-2+3’: choose the workbook to get exactly what people wrote.",
        content_type="text/csv",
    ),
}


# What was asked for -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFilters(CommentFilters):
    """Which comments to export: the staff comment filters, with every state by default."""

    # None: every state a comment can be exported in.
    state: str | None = None

    def describe(self) -> dict[str, Any]:
        """The filters for the audit log.

        Codes and dates only. Whether a text search was made is recorded, not the words
        searched for: staff search for names and email addresses, which the log never holds.
        """
        described = {
            "state": self.state,
            "section": self.section,
            "item": self.item,
            "reaction": self.reaction,
            "from": self.created_from.isoformat() if self.created_from else None,
            "to": self.created_to.isoformat() if self.created_to else None,
            "tag": self.tag,
            "has_reports": self.has_reports or None,
            "text_search": True if self.text else None,
        }
        return {key: value for key, value in described.items() if value is not None}


@dataclass(frozen=True)
class ExportRequest:
    profile: str
    filters: ExportFilters = ExportFilters()
    # Names and email addresses: internal profile only, and only for roles
    # with Capability.SEE_CONTACT_DETAILS (stream.py).
    contact_details: bool = False
    file_format: str = CSV

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise InvalidExport(f"There is no export profile called {self.profile!r}")
        if self.file_format not in FORMATS:
            raise InvalidExport(f"There is no export format called {self.file_format!r}")
        if self.profile == OPEN_DATA:
            if self.contact_details:
                raise InvalidExport("Open data never includes names or email addresses")
            if self.filters.state not in (None, CommentState.PUBLISHED):
                raise InvalidExport("Open data holds published comments only")

    @property
    def columns(self) -> list[ExportColumn]:
        return columns_for(self.profile, self.contact_details)


def columns_for(profile: str, contact_details: bool = False) -> list[ExportColumn]:
    return [column for column in PROFILES[profile].columns if contact_details or not column.contact_details]


def export_filename(profile: str, now: datetime | None = None, file_format: str = CSV) -> str:
    return f"feedback-{profile}-{(now or datetime.now(UTC)).astimezone(UTC):%Y-%m-%d}.{file_format}"
