"""Exporting comments as CSV or as Excel workbooks: for colleagues (the internal profile) and
for publishing (open data).

`profiles` says what each file holds and what an export asks for; `rows` makes the rows'
values (the open data row is shared with the public files at /open-data); `stream` reads the
rows in keyset batches and writes the file as it goes, recording the export in the audit log
first. The names below are the package's public face: import them from here.
"""

from feedback_portal.services.export.profiles import (
    CSV,
    FORMATS,
    INTERNAL,
    INTERNAL_PROFILE,
    OPEN_DATA,
    OPEN_PROFILE,
    PROFILES,
    XLSX,
    ExportColumn,
    ExportFilters,
    ExportFormat,
    ExportProfile,
    ExportRequest,
    InvalidExport,
    columns_for,
    export_filename,
)
from feedback_portal.services.export.rows import WHOLE_DOCUMENT_LABEL, Labels, open_columns, open_rows
from feedback_portal.services.export.stream import (
    BATCH_SIZE,
    EXPORT_ACTION,
    EXPORTABLE_STATES,
    REACTIONS,
    REFUSED_ACTION,
    ContactDetailsNotAllowed,
    check_filters,
    logger,
    refuse_contact_details,
    stream_export,
)

__all__ = [
    "BATCH_SIZE",
    "CSV",
    "EXPORTABLE_STATES",
    "EXPORT_ACTION",
    "FORMATS",
    "INTERNAL",
    "INTERNAL_PROFILE",
    "OPEN_DATA",
    "OPEN_PROFILE",
    "PROFILES",
    "REACTIONS",
    "REFUSED_ACTION",
    "WHOLE_DOCUMENT_LABEL",
    "XLSX",
    "ContactDetailsNotAllowed",
    "ExportColumn",
    "ExportFilters",
    "ExportFormat",
    "ExportProfile",
    "ExportRequest",
    "InvalidExport",
    "Labels",
    "check_filters",
    "columns_for",
    "export_filename",
    "logger",
    "open_columns",
    "open_rows",
    "refuse_contact_details",
    "stream_export",
]
