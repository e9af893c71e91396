"""Markdown for the team's own text. Raw HTML is never rendered, whoever wrote it."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# GOV.UK Frontend styles elements by class, not by tag.
_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
}
_HEADING_CLASSES = {2: "govuk-heading-m", 3: "govuk-heading-s", 4: "govuk-heading-s"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str, heading_offset: int = 0) -> Markup:
    """Render Markdown to HTML, shifting headings down by `heading_offset` levels.

    A section's body uses `##` for its sub-headings; shown inside the whole document,
    where the section's own heading is an h2, they must become h3.
    """
    tokens = _parser.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + heading_offset, 6)
            token.tag = f"h{level}"
            if token.type == "heading_open":
                token.attrSet("class", _HEADING_CLASSES.get(level, "govuk-heading-s"))
        elif token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
    # html=False makes the parser escape any HTML in the source, so this output is safe.
    return Markup(_parser.renderer.render(tokens, _parser.options, {}))  # noqa: S704
