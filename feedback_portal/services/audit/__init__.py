"""The audit log: recording what staff and the system did, and reading it back.

`record` writes an entry into the caller's transaction (record.py); listing, filtering and
the CSV download are in log.py. Everything callers use is re-exported here, so
`from feedback_portal.services import audit` then `audit.record(...)` reads as it always has.
"""

from feedback_portal.services.audit.log import (
    CSV_HEADER,
    EXPORT_ACTION,
    EXPORT_BATCH,
    NOBODY,
    PAGE_SIZE,
    AuditFilters,
    AuditPage,
    AuditRow,
    Cursor,
    FilterChoices,
    export_csv,
    export_filename,
    format_values,
    list_entries,
    list_filter_choices,
)
from feedback_portal.services.audit.record import list_entries_for, record

__all__ = [
    "CSV_HEADER",
    "EXPORT_ACTION",
    "EXPORT_BATCH",
    "NOBODY",
    "PAGE_SIZE",
    "AuditFilters",
    "AuditPage",
    "AuditRow",
    "Cursor",
    "FilterChoices",
    "export_csv",
    "export_filename",
    "format_values",
    "list_entries",
    "list_entries_for",
    "list_filter_choices",
    "record",
]
