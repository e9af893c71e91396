"""Consultations: which one is current, their lifecycle, and what the public is told of them.

The one package that looks consultations up; other services ask it.

- current: finding a consultation, and the current one (open, else next, else last).
- lifecycle: create, schedule, extend, close early, reopen, and how comments are moderated.
- notice: the one sentence the public reads about when they can comment.
"""

from feedback_portal.services.consultations.current import (
    ModerationMode,
    Stage,
    choose_consultation,
    find_current_consultation,
    get_consultation,
    get_current_consultation,
    get_public_consultation,
    list_consultations,
    list_documents,
    list_public_consultations,
    next_opening_or_closing,
    stage_of,
    viewed_consultation,
)
from feedback_portal.services.consultations.lifecycle import (
    DEVELOPMENT_LENGTH,
    Period,
    close_now,
    create_consultation,
    extend,
    open_for_development,
    reopen,
    schedule,
    set_moderation_mode,
)
from feedback_portal.services.consultations.notice import Notice, NoticeKind, notice_for

__all__ = [
    "DEVELOPMENT_LENGTH",
    "ModerationMode",
    "Notice",
    "NoticeKind",
    "Period",
    "Stage",
    "choose_consultation",
    "close_now",
    "create_consultation",
    "extend",
    "find_current_consultation",
    "get_consultation",
    "get_current_consultation",
    "get_public_consultation",
    "list_consultations",
    "list_documents",
    "list_public_consultations",
    "next_opening_or_closing",
    "notice_for",
    "open_for_development",
    "reopen",
    "schedule",
    "set_moderation_mode",
    "stage_of",
    "viewed_consultation",
]
