"""What must be true of a draft before it is published, each failure said in words for the admin."""

from __future__ import annotations

import html
import re
from collections import Counter

from feedback_portal.markdown import render_markdown
from feedback_portal.models import DocumentVersion

_TAG = re.compile(r"<[^>]*>")


def renders_to_nothing(markdown_text: str) -> bool:
    """Whether this Markdown shows no words at all on the page (only markup, like `#` or `---`)."""
    rendered = str(render_markdown(markdown_text))
    return not html.unescape(_TAG.sub(" ", rendered)).strip()


def publishing_problems(draft: DocumentVersion) -> list[str]:
    """Why the draft cannot be published yet; empty when it can."""
    problems: list[str] = []
    if not draft.sections:
        problems.append("The document has no sections: add at least one")
    for slug, count in Counter(section.slug for section in draft.sections).items():
        if count > 1:
            problems.append(f"More than one section has the address ‘{slug}’: each needs its own")
    for section in draft.sections:
        name = section.heading.strip() or f"section {section.position}"
        if not section.heading.strip():
            problems.append(f"Section {section.position} has no heading")
        if not section.body.strip() and not section.items:
            problems.append(f"The section ‘{name}’ is empty: write its text or remove it")
        elif section.body.strip() and renders_to_nothing(section.body):
            problems.append(
                f"The text of ‘{name}’ shows nothing on the page: it is only Markdown marks. "
                "Write its words, or remove the section"
            )
        for item in section.items:
            if not item.text.strip():
                problems.append(f"An example in ‘{name}’ has no words: write it or remove it")
    if draft.contact_details.strip() and renders_to_nothing(draft.contact_details):
        problems.append("The contact details show nothing on the page: write them or clear them")
    return problems
