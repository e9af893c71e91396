"""Answers to the optional "About you" questions: equality monitoring, held apart from everything else."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedback_portal.extensions import Model


def random_answer_id() -> str:
    return secrets.token_hex(16)


class EqualityAnswer(Model):
    """One person's answers to the "About you" questions, given with their explicit consent.

    Why these rows cannot be joined back to a comment or an offer, or to the person:

    - No foreign key, no reference, no email address, no person key, no session or visitor id:
      nothing here is also held in another table, except the consultation's id, which every
      comment of that consultation shares.
    - No moment finer than the month: `given_in` is the first day of the month the answers were
      sent, so the time a comment was made cannot be matched to the time of an answer.
    - The id is random, not a counter, so the order rows were added in cannot be matched to
      the order comments were made in.
    - The link from a thank-you page carries nothing: the permission to answer is a one-time
      token in the visitor's signed session, with the consultation's id, and is never stored.

    So `privacy find` cannot find them for an email address, and erasure cannot reach them;
    retention deletes them with the consultation's contact details (services/privacy/retention.py),
    and staff see them only as totals with small groups suppressed (services/figures/equality.py).
    Each answer is an answer code from vocabulary.EQUALITY_QUESTIONS, or None when not answered.
    """

    __table_args__ = (Index("ix_equality_answer_consultation_id_given_in", "consultation_id", "given_in"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_answer_id)
    # Not a foreign key: answers are deleted by retention, not with the consultation.
    consultation_id: Mapped[int]
    # The first day of the month the answers and their consent were given.
    given_in: Mapped[date]
    age_band: Mapped[str | None] = mapped_column(String(30))
    disability: Mapped[str | None] = mapped_column(String(30))
    ethnicity: Mapped[str | None] = mapped_column(String(30))
    sex: Mapped[str | None] = mapped_column(String(30))
    gender_identity: Mapped[str | None] = mapped_column(String(30))
    religion: Mapped[str | None] = mapped_column(String(30))
    sexual_orientation: Mapped[str | None] = mapped_column(String(30))
    carer: Mapped[str | None] = mapped_column(String(30))
    # A ward or postcode district, as typed (spaces tidied, a district in capitals).
    area: Mapped[str | None] = mapped_column(String(60))
    # The explicit consent: the exact words ticked, and their version; given in `given_in`.
    consent_wording: Mapped[str] = mapped_column(Text)
    consent_wording_version: Mapped[str] = mapped_column(String(30))
