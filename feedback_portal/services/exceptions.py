"""Every domain error a service raises, in one hierarchy; errors.py maps each to a page."""


class DomainError(Exception):
    """Base class for errors that a person can be told about."""


class NotFound(DomainError):
    """The thing asked for does not exist, or is not visible to the person asking."""


class DocumentExists(DomainError):
    """A document cannot be imported: its slug is taken, or the file is not a document source."""


class InvalidLink(NotFound):
    """A link from an email that was changed, cut short or has expired: it does nothing."""


class AlreadyDone(DomainError):
    """A one-time link was followed again: what it does has already been done.

    `done` says what: "comment-withdrawn", "contact-erased", "offer-withdrawn" or
    "emails-stopped".
    """

    def __init__(self, done: str) -> None:
        super().__init__(done)
        self.done = done


class Conflict(DomainError):
    """The record changed since the person last saw it."""


class ConsultationClosed(DomainError):
    """The consultation is not open for feedback."""


class NothingHeld(NotFound):
    """Nobody used this email address: there is nothing to find, export or erase."""


class SummaryChanged(Conflict):
    """Someone else saved the "You said, we did" summary since it was opened: nothing was written."""

    def __init__(self, summary_id: int, revision: int) -> None:
        super().__init__(f"Summary {summary_id} is at revision {revision}")
        self.summary_id = summary_id
        self.revision = revision


class InvalidPageLink(DomainError):
    """A page link of the open data (its cursor or page size) that was changed or is not one of ours."""


class ConsultationChangeRefused(DomainError):
    """A consultation's dates or state cannot change that way. `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
