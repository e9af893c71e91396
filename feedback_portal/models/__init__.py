"""What the data is. Import every model here so Alembic and the app see them all."""

from feedback_portal.models.document import (
    Consultation,
    ContentCorrection,
    Document,
    DocumentVersion,
    PracticeItem,
    Section,
)
from feedback_portal.models.feedback import (
    Comment,
    CommentState,
    ConsentPurpose,
    ConsentRecord,
    InvolvementOffer,
    Reaction,
    Report,
    ReportReason,
)

__all__ = [
    "Comment",
    "CommentState",
    "ConsentPurpose",
    "ConsentRecord",
    "Consultation",
    "ContentCorrection",
    "Document",
    "DocumentVersion",
    "InvolvementOffer",
    "PracticeItem",
    "Reaction",
    "Report",
    "ReportReason",
    "Section",
]
