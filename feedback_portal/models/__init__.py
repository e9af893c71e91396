"""What the data is. Import every model here so Alembic and the app see them all."""

from feedback_portal.extensions import LARGEST_ID
from feedback_portal.models.audit import AuditEntry
from feedback_portal.models.document import (
    Consultation,
    ConsultationStatus,
    ContentCorrection,
    Document,
    DocumentVersion,
    PracticeItem,
    Section,
)
from feedback_portal.models.equality import EqualityAnswer
from feedback_portal.models.feedback import (
    Channel,
    Comment,
    CommentState,
    ConsentPurpose,
    ConsentRecord,
    InvolvementOffer,
    InvolvementStatus,
    OfferSource,
    Reaction,
    Report,
    ReportReason,
)
from feedback_portal.models.involvement import InvolvementNote, InvolvementOption, OptionKind
from feedback_portal.models.moderation import CommentNote, Tag, comment_tag
from feedback_portal.models.outbox import OutboxMessage, OutboxStatus
from feedback_portal.models.public_content import PublicContentStamp
from feedback_portal.models.reactions import StandaloneReaction
from feedback_portal.models.responses import CommentResponse, CommentResponseVersion, ResponseState
from feedback_portal.models.staff import PasswordLink, PasswordLinkPurpose, Role, Setting, StaffUser
from feedback_portal.models.summaries import (
    ActionStatus,
    Summary,
    SummaryAction,
    SummaryQuote,
    SummaryState,
    summary_theme,
)
from feedback_portal.models.tallies import CommentHourTally, CommentTally
from feedback_portal.models.updates import UpdateDelivery

__all__ = [
    "LARGEST_ID",
    "ActionStatus",
    "AuditEntry",
    "Channel",
    "Comment",
    "CommentHourTally",
    "CommentNote",
    "CommentResponse",
    "CommentResponseVersion",
    "CommentState",
    "CommentTally",
    "ConsentPurpose",
    "ConsentRecord",
    "Consultation",
    "ConsultationStatus",
    "ContentCorrection",
    "Document",
    "DocumentVersion",
    "EqualityAnswer",
    "InvolvementNote",
    "InvolvementOffer",
    "InvolvementOption",
    "InvolvementStatus",
    "OfferSource",
    "OptionKind",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordLink",
    "PasswordLinkPurpose",
    "PracticeItem",
    "PublicContentStamp",
    "Reaction",
    "Report",
    "ReportReason",
    "ResponseState",
    "Role",
    "Section",
    "Setting",
    "StaffUser",
    "StandaloneReaction",
    "Summary",
    "SummaryAction",
    "SummaryQuote",
    "SummaryState",
    "Tag",
    "UpdateDelivery",
    "comment_tag",
    "summary_theme",
]
