"""Versions of a document: a draft that admins edit, publishing it, and what changed between versions.

drafts: starting the one draft, locking it against lost edits, publishing it.
editing: sections, practice items and the contact details of the draft.
checks: what must be true of a draft before it is published.
history: the published versions, and the word-by-word differences between them.
comment_versions: whether the part a comment was made on has changed since.
"""

from feedback_portal.services.document_versions.checks import publishing_problems
from feedback_portal.services.document_versions.comment_versions import changed_since
from feedback_portal.services.document_versions.drafts import (
    DraftChanged,
    PublishRefused,
    find_draft,
    get_draft,
    publish_draft,
    start_draft,
    undo_correction,
)
from feedback_portal.services.document_versions.editing import (
    add_item,
    add_section,
    edit_contact_details,
    edit_item,
    edit_section,
    move_item,
    move_section,
    remove_item,
    remove_section,
)
from feedback_portal.services.document_versions.history import (
    SectionChange,
    VersionChanges,
    get_published_version,
    list_changes,
    list_published_versions,
)

__all__ = [
    "DraftChanged",
    "PublishRefused",
    "SectionChange",
    "VersionChanges",
    "add_item",
    "add_section",
    "changed_since",
    "edit_contact_details",
    "edit_item",
    "edit_section",
    "find_draft",
    "get_draft",
    "get_published_version",
    "list_changes",
    "list_published_versions",
    "move_item",
    "move_section",
    "publish_draft",
    "publishing_problems",
    "remove_item",
    "remove_section",
    "start_draft",
    "undo_correction",
]
