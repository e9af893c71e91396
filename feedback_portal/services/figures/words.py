"""Each figure said in words, for the sentence above its chart and table."""

from __future__ import annotations

from feedback_portal.services.figures.shapes import Figure, busiest_row, in_words, plural
from feedback_portal.vocabulary import REACTION_QUESTION


def state_description(figure: Figure, empty: str, scope: str, note: str = "") -> str:
    busiest = busiest_row(figure.rows)
    if busiest is None:
        return empty
    return (
        f"{plural(figure.total, 'comment')} {scope} ({in_words(figure.series, figure.totals)}). "
        f"‘{busiest.label}’ has the most, {busiest.total:,}.{note}"
    )


def reaction_description(figure: Figure, what: str) -> str:
    if not figure.total:
        return f"No {what} have comments or answers yet."
    comments = figure.total - figure.answers_alone
    answered = comments - figure.totals[-1]
    most_no = max(figure.rows, key=lambda row: row.counts[2])
    text = f"{answered:,} of {plural(comments, 'comment')} answered ‘{REACTION_QUESTION}’"
    if figure.answers_alone:
        text += f", and {plural(figure.answers_alone, 'answer')} came on their own, without a comment"
    text += (
        f": {in_words(figure.series[:3], figure.totals[:3])}{' in all' if figure.answers_alone else ''}; "
        f"{figure.totals[-1]:,} {'comment' if figure.totals[-1] == 1 else 'comments'} did not answer."
    )
    if most_no.counts[2]:
        text += f" ‘{most_no.label}’ has the most ‘no’ answers, {most_no.counts[2]:,}."
    return text + " Spam is not counted."


def alone_description(figure: Figure) -> str:
    if not figure.total:
        return "No one has answered on their own, without a comment, yet."
    return (
        f"{plural(figure.total, 'answer')} to ‘{REACTION_QUESTION}’ came on their own, without a comment: "
        f"{in_words(figure.series, figure.totals)}. They are counted in the answers per section too. "
        "A section’s count includes the answers on its practice examples."
    )


def channel_description(figure: Figure) -> str:
    if not figure.total:
        return "There are no comments yet."
    return (
        f"{plural(figure.total, 'comment')} by how they reached us: "
        f"{in_words(figure.series, figure.totals)}. Spam is not counted."
    )


def theme_description(figure: Figure, note: str = "") -> str:
    busiest = busiest_row(figure.rows)
    if busiest is None:
        return "No comment has a theme yet."
    return (
        f"Comments were given a theme {plural(figure.total, 'time')} "
        f"({in_words(figure.series, figure.totals)}): a comment with two themes counts under each. "
        f"‘{busiest.label}’ has the most, {busiest.total:,}.{note}"
    )


def published_description(figure: Figure) -> str:
    if not figure.total:
        return "No comments have been published yet."
    answered = figure.total - figure.totals[-1]
    return (
        f"{plural(figure.total, 'published comment')}. {answered:,} answered ‘{REACTION_QUESTION}’: "
        f"{in_words(figure.series[:3], figure.totals[:3])}; {figure.totals[-1]:,} did not answer. "
        "A section’s count includes the comments on its practice examples."
    )
