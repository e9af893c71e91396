"""What the data is. Import every model here so Alembic and the app see them all."""

from feedback_portal.models.document import (
    Consultation,
    ContentCorrection,
    Document,
    DocumentVersion,
    PracticeItem,
    Section,
)

__all__ = [
    "Consultation",
    "ContentCorrection",
    "Document",
    "DocumentVersion",
    "PracticeItem",
    "Section",
]
