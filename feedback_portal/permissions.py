"""Who may do what: named capabilities, each granted to a set of roles.

Routes ask for a capability (security.requires), and the staff navigation, templates and
services ask `may(role, capability)`. No other module lists roles.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from feedback_portal.models.staff import Role


class Capability(StrEnum):
    # Read feedback, figures and the dashboard; export without contact details; manage one's account.
    READ_FEEDBACK = "read feedback"
    # Change a comment's state, redact, note, tag, deal with reports.
    MODERATE = "moderate"
    # See and export the names and email addresses people gave. A commenter's name is personal
    # data like their email address: pages, exports and digests show it only with this.
    SEE_CONTACT_DETAILS = "see contact details"
    # Follow up offers to get involved: their status, notes and who is following up. It needs
    # the contact details, so it goes with them.
    MANAGE_INVOLVEMENT = "manage involvement"
    # Make consultations, set their dates, close and reopen them.
    RUN_CONSULTATIONS = "run consultations"
    # Staff accounts, settings, the audit log and email problems.
    ADMINISTER = "administer"
    # Edit the document in a draft and publish it as a new version.
    EDIT_DOCUMENT = "edit document"


ROLES_WITH: MappingProxyType[Capability, frozenset[str]] = MappingProxyType(
    {
        Capability.READ_FEEDBACK: frozenset({Role.ADMIN, Role.MODERATOR, Role.ANALYST}),
        Capability.MODERATE: frozenset({Role.ADMIN, Role.MODERATOR}),
        Capability.SEE_CONTACT_DETAILS: frozenset({Role.ADMIN, Role.ANALYST}),
        Capability.MANAGE_INVOLVEMENT: frozenset({Role.ADMIN, Role.ANALYST}),
        Capability.RUN_CONSULTATIONS: frozenset({Role.ADMIN}),
        Capability.ADMINISTER: frozenset({Role.ADMIN}),
        Capability.EDIT_DOCUMENT: frozenset({Role.ADMIN}),
    }
)


def may(role: str | None, capability: Capability) -> bool:
    """Whether someone with this role has this capability. No role (signed out) has none."""
    return role is not None and role in ROLES_WITH[capability]
