"""Admin pages: staff accounts, settings and the audit log."""

from feedback_portal.staff import blueprint  # noqa: F401
