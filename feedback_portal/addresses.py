"""The one rule for an email address we can send to, read by the forms and by the mail path alike.

Our mail path (Flask-Mail over smtplib, to a council relay) does not speak SMTPUTF8, so an
address must be ASCII once its domain is written in its ASCII (punycode) form. A non-ASCII
domain is fine; a non-ASCII part before the @ is refused with words a person can act on.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
# Characters that separate or quote addresses in a header: never part of one address.
_HEADER_CHARACTERS = frozenset(",;<>\"'")


class UnsendableAddress(ValueError):
    """Not one address our mail path can send to. The message never quotes the address."""


class NotOneAddress(UnsendableAddress):
    pass


class NotEnglishLetters(UnsendableAddress):
    pass


def sendable_address(address: str) -> str:
    """The address in the ASCII form we store and send to, or UnsendableAddress saying why not."""
    if not address or any(c.isspace() or c in _HEADER_CHARACTERS for c in address):
        raise NotOneAddress("not a single email address")
    local_part = address.rpartition("@")[0]
    if not local_part.isascii():
        raise NotEnglishLetters("letters outside English before the @")
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise UnsendableAddress("not a valid email address") from None
    if not result.ascii_email or len(result.ascii_email) > MAX_LENGTH:
        raise UnsendableAddress("not an address our mail server can send to")
    return result.ascii_email
