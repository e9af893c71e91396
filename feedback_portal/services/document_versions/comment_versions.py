"""Whether the part of the document a comment was made on reads differently now."""

from __future__ import annotations

from collections.abc import Iterable

from feedback_portal.models import Comment, PracticeItem, Section


def _section_words(section: Section) -> tuple[str, str, str]:
    return section.heading, section.body, section.items_intro


def changed_since(
    comments: Iterable[Comment], section: Section | None = None, item: PracticeItem | None = None
) -> set[str]:
    """References of the comments whose section (or example) had other words when they were made.

    Reads only what the comments' query loaded: the section or example each was made on.
    """
    changed = set()
    for comment in comments:
        if item is not None and comment.practice_item is not None:
            if comment.practice_item.text != item.text:
                changed.add(comment.reference)
        elif (
            section is not None
            and comment.section is not None
            and comment.practice_item is None
            and _section_words(comment.section) != _section_words(section)
        ):
            changed.add(comment.reference)
    return changed
