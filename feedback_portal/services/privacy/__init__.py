"""Giving people's data back and letting it go.

What people withdraw or erase by their links (withdrawals.py); where their contact details
live (registry.py); finding and erasing a person by email address (people.py); their
subject-access file (subject_access.py); and retention (retention.py). Everything callers
use is re-exported here, so `from feedback_portal.services import privacy` reads as it did.
"""

from feedback_portal.services.privacy.people import (
    ErasureReport,
    NothingHeld,
    PersonRecord,
    erase_person,
    find_person,
    normalise,
    record_search,
    subject_code,
    unlinked_notes,
)
from feedback_portal.services.privacy.registry import (
    HOLDINGS,
    NOT_PUBLIC_CONTACT_DETAILS,
    NOT_SWEPT,
    UNLINKED_HOLDINGS,
)
from feedback_portal.services.privacy.retention import (
    CLIENT_KEY_LIFETIME,
    LIMITS,
    RetentionPeriods,
    RetentionReport,
    forget_client_keys,
    get_retention_periods,
    months_before,
    run_retention,
    set_retention_periods,
)
from feedback_portal.services.privacy.subject_access import FILENAME, stream_subject_access
from feedback_portal.services.privacy.withdrawals import (
    comment_link_token,
    erase_contact_details,
    get_comment_from_link,
    get_offer_by_withdraw_token,
    withdraw_comment,
    withdraw_offer,
)

__all__ = [
    "CLIENT_KEY_LIFETIME",
    "FILENAME",
    "HOLDINGS",
    "LIMITS",
    "NOT_PUBLIC_CONTACT_DETAILS",
    "NOT_SWEPT",
    "UNLINKED_HOLDINGS",
    "ErasureReport",
    "NothingHeld",
    "PersonRecord",
    "RetentionPeriods",
    "RetentionReport",
    "comment_link_token",
    "erase_contact_details",
    "erase_person",
    "find_person",
    "forget_client_keys",
    "get_comment_from_link",
    "get_offer_by_withdraw_token",
    "get_retention_periods",
    "months_before",
    "normalise",
    "record_search",
    "run_retention",
    "set_retention_periods",
    "stream_subject_access",
    "subject_code",
    "unlinked_notes",
    "withdraw_comment",
    "withdraw_offer",
]
