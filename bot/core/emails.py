"""Email addresses: validated, normalised (lower case), compared as such."""

import re

from email_validator import EmailNotValidError, validate_email

from bot.core.errors import InvalidEmail, InvalidInput

MAX_EMAILS_AT_ONCE = 50
_SEPARATORS = re.compile(r"[\s,;]+")


def normalise_email(raw: str) -> str:
    """The canonical form of one address, or ``InvalidEmail`` naming it."""
    candidate = raw.strip()
    if not candidate:
        raise InvalidEmail(raw, "it is empty")
    try:
        validated = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(candidate, str(error)) from None
    return validated.normalized.lower()


def parse_email_list(text: str) -> list[str]:
    """Addresses separated by spaces, commas or semicolons; each once, in the order given."""
    raw_items = [item for item in _SEPARATORS.split(text) if item]
    if not raw_items:
        raise InvalidInput("Enter at least one email address.")
    if len(raw_items) > MAX_EMAILS_AT_ONCE:
        raise InvalidInput(f"Enter at most {MAX_EMAILS_AT_ONCE} email addresses at once.")
    return list(dict.fromkeys(normalise_email(item) for item in raw_items))
