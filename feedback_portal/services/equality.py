"""The "About you" questions: recording one person's answers, apart from what they sent.

Nothing is stored without the explicit consent tick. What is stored, and why it cannot be
joined back to a comment, an offer or a person, is in models/equality.py's docstring; the
totals staff see are in services/figures/equality.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from feedback_portal.extensions import db
from feedback_portal.models import EqualityAnswer
from feedback_portal.services import consultations
from feedback_portal.services.exceptions import DomainError
from feedback_portal.uk_time import in_uk
from feedback_portal.vocabulary import EQUALITY_QUESTIONS, EQUALITY_QUESTIONS_BY_KEY

# The one home for the words of the explicit consent: the form shows them, and each set of
# answers stores them with its version.
CONSENT_VERSION = "about-you-v1"
CONSENT_WORDING = (
    "I agree that the council can keep these answers about me, which include special category "
    "data such as my health, ethnicity, religion and sexual orientation, and use them only to "
    "count who has taken part."
)
AREA_MAX_LENGTH = 60
# The first part of a UK postcode ("LS6", "SW1A"): stored in capitals, so that totals add up.
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$", re.IGNORECASE)
# A whole postcode ("LS6 3AB") says far more about where someone lives: the form refuses it.
FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$", re.IGNORECASE)


class NoConsent(DomainError):
    """Answers sent without the consent tick: nothing is stored."""


@dataclass(frozen=True)
class AboutYouAnswers:
    # Question key -> answer code; a question left unanswered is missing or None.
    answers: Mapping[str, str | None] = field(default_factory=dict)
    area: str | None = None


def consultation_for_answers() -> int | None:
    """The consultation a comment or an offer made now belongs to: the answers count for it."""
    consultation = consultations.find_current_consultation()
    return consultation.id if consultation is not None else None


def tidy_area(area: str | None) -> str | None:
    """Spaces tidied, and a postcode district in capitals: "ls6" and "LS6 " count as one."""
    if area is None:
        return None
    tidied = " ".join(area.split())
    if not tidied:
        return None
    return tidied.upper() if POSTCODE_DISTRICT.match(tidied) else tidied


def month_of(moment: datetime) -> date:
    """The first day of the UK month of a moment: the finest time an answer is kept with."""
    return in_uk(moment).date().replace(day=1)


def record_answers(
    consultation_id: int, answers: AboutYouAnswers, *, consented: bool, now: datetime | None = None
) -> bool:
    """Store one set of answers, with the consent wording and the month. One transaction.

    Without the tick, raises NoConsent and stores nothing. Returns False, storing nothing,
    when no question was answered.
    """
    if not consented:
        raise NoConsent("The answers need the consent tick")
    unknown = set(answers.answers) - set(EQUALITY_QUESTIONS_BY_KEY)
    if unknown:
        raise DomainError(f"No such question: {', '.join(sorted(unknown))}")
    for key, code in answers.answers.items():
        if code is not None and code not in EQUALITY_QUESTIONS_BY_KEY[key].choices:
            raise DomainError(f"{code!r} is not an answer to {key}")
    area = tidy_area(answers.area)
    if area is not None and len(area) > AREA_MAX_LENGTH:
        raise DomainError(f"An area must be {AREA_MAX_LENGTH} characters or fewer")
    if area is None and not any(answers.answers.values()):
        return False
    db.session.add(
        EqualityAnswer(
            consultation_id=consultation_id,
            given_in=month_of(now or datetime.now(UTC)),
            area=area,
            consent_wording=CONSENT_WORDING,
            consent_wording_version=CONSENT_VERSION,
            **{question.key: answers.answers.get(question.key) for question in EQUALITY_QUESTIONS},
        )
    )
    db.session.commit()
    return True
