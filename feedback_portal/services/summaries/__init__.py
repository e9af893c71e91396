""" "You said, we did": summaries of the feedback on one part of the document, and what the team did.

reading: lists for staff and the public, the comments behind a summary and their counts.
writing: drafts, saving, publishing and withdrawing, each one audited transaction.
"""

from feedback_portal.services.summaries.reading import (
    WHOLE_DOCUMENT,
    Counts,
    PartOfDocument,
    ShownSummary,
    TargetChoice,
    count_behind,
    find_theme,
    get_published_summary,
    get_summary,
    list_comments_behind,
    list_published,
    list_published_by_part,
    list_quotable_comments,
    list_summaries,
    list_target_choices,
    list_themes,
    public_quotes,
    resolve_target,
    show,
    show_published,
    target_label,
)
from feedback_portal.services.summaries.writing import (
    ActionDraft,
    SummaryDraft,
    SummaryNotValid,
    create_summary,
    save_summary,
    withdraw_summary,
)

__all__ = [
    "WHOLE_DOCUMENT",
    "ActionDraft",
    "Counts",
    "PartOfDocument",
    "ShownSummary",
    "SummaryDraft",
    "SummaryNotValid",
    "TargetChoice",
    "count_behind",
    "create_summary",
    "find_theme",
    "get_published_summary",
    "get_summary",
    "list_comments_behind",
    "list_published",
    "list_published_by_part",
    "list_quotable_comments",
    "list_summaries",
    "list_target_choices",
    "list_themes",
    "public_quotes",
    "resolve_target",
    "save_summary",
    "show",
    "show_published",
    "target_label",
    "withdraw_summary",
]
