"""Kept for services/moderation.py, which imports it: decision emails are built in notifications."""

from __future__ import annotations

from feedback_portal.services.notifications import enqueue_decision_email

__all__ = ["enqueue_decision_email"]
