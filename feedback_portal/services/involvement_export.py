"""The involvement list as a file: CSV or the all-text workbook, for roles allowed contact details.

Like the audit log's export, it is recorded with its filters and row count before the first
row is sent, in its own commit, so that an export killed half way is still on the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from feedback_portal.extensions import db
from feedback_portal.models import InvolvementOffer, StaffUser
from feedback_portal.services import audit
from feedback_portal.services.csv_files import stream_csv
from feedback_portal.services.export import CSV, FORMATS, XLSX
from feedback_portal.services.involvement_pipeline import Labels, OfferFilters, conditions, labels
from feedback_portal.services.xlsx_files import stream_xlsx
from feedback_portal.uk_time import in_uk
from feedback_portal.vocabulary import INVOLVEMENT_STATUS_LABELS, OFFER_SOURCE_LABELS

EXPORT_ACTION = "involvement.exported"
BATCH = 500
# (heading, width in characters)
COLUMNS = [
    ("Offer", 8),
    ("Received (UK time)", 18),
    ("From", 18),
    ("Status", 12),
    ("Name", 24),
    ("Email", 30),
    ("Phone", 18),
    ("Interested in", 40),
    ("Something else they are interested in", 30),
    ("Ways of taking part", 30),
    ("How they would like to be involved", 40),
    ("Access needs", 40),
    ("Consent wording", 50),
    ("Consent given (UK time)", 18),
    ("Following up", 30),
]
SHEET_NAME = "Offers"


def export_filename(file_format: str, now: datetime | None = None) -> str:
    return f"involvement-offers-{in_uk(now or datetime.now(UTC)):%Y-%m-%d}.{file_format}"


def _uk(moment: datetime | None) -> str:
    return in_uk(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _row(offer: InvolvementOffer, names: Labels) -> list[Any]:
    consent = offer.consents[0] if offer.consents else None
    return [
        offer.id,
        _uk(offer.created_at),
        OFFER_SOURCE_LABELS.get(offer.source, offer.source),  # type: ignore[call-overload]
        INVOLVEMENT_STATUS_LABELS.get(offer.status, offer.status),  # type: ignore[call-overload]
        offer.name,
        offer.email,
        offer.phone,
        "; ".join(names.interests_of(offer)),
        offer.other_interest,
        "; ".join(names.ways_of(offer)),
        offer.how_to_be_involved,
        offer.access_needs,
        consent.wording if consent else "",
        _uk(consent.given_at) if consent else "",
        offer.follower.email if offer.follower else "",
    ]


def stream_export(
    filters: OfferFilters, file_format: str, actor_id: int, now: datetime | None = None
) -> Iterator[Any]:
    """The filtered list as a file, oldest first, recording the export first.

    A generator: its queries run inside the streaming request context.
    """
    if file_format not in FORMATS:
        raise ValueError(f"There is no export format called {file_format!r}")
    newest_id = db.session.scalar(select(func.max(InvolvementOffer.id))) or 0
    where = [*conditions(filters), InvolvementOffer.id <= newest_id]
    row_count = db.session.scalar(select(func.count(InvolvementOffer.id)).where(*where))
    audit.record(
        EXPORT_ACTION,
        db.session.get(StaffUser, actor_id),
        details={"format": file_format, "filters": filters.describe(), "row_count": row_count},
        now=now,
    )
    db.session.commit()
    names = labels()
    result = db.session.scalars(
        select(InvolvementOffer)
        .where(*where)
        .options(selectinload(InvolvementOffer.consents), selectinload(InvolvementOffer.follower))
        .order_by(InvolvementOffer.created_at, InvolvementOffer.id)
        .execution_options(yield_per=BATCH)
    )
    rows = (_row(offer, names) for offer in result)
    headings = [heading for heading, _width in COLUMNS]
    try:
        if file_format == XLSX:
            yield from stream_xlsx(
                headings, [width for _heading, width in COLUMNS], rows, sheet_name=SHEET_NAME
            )
        else:
            assert file_format == CSV
            yield from stream_csv(headings, rows)
    finally:
        result.close()
