"""Word-by-word differences between two texts, as runs a page can mark with <ins> and <del>."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

# Words and the spaces between them: kept apart so that a line break survives the comparison.
_TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class Run:
    kind: Literal["same", "added", "removed"]
    text: str


def word_diff(before: str, after: str) -> list[Run]:
    """The runs that turn `before` into `after`, removals before additions at each change."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    runs: list[Run] = []
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(Run("same", "".join(old[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            runs.append(Run("removed", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            runs.append(Run("added", "".join(new[j1:j2])))
    return [run for run in runs if run.text]
