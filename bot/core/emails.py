"""Email addresses: validated, normalised, compared as such.

Two addresses are the same only when they are equal after NFC normalisation and
folding ASCII A-Z to lower case. Every other character is kept as it is, so no
non-ASCII letter ever stands in for an ASCII one (``\u212aim`` is not ``kim``).
"""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from bot.core.errors import InvalidEmail, InvalidInput

MAX_EMAILS_AT_ONCE = 50
_SEPARATORS = re.compile(r"[\s,;]+")
_ASCII_UPPER_TO_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def normalise_email(raw: str) -> str:
    """The canonical form of one address, or ``InvalidEmail`` naming it."""
    candidate = raw.strip()
    if not candidate:
        raise InvalidEmail(raw, "it is empty")
    _refuse_ascii_stand_ins(candidate)
    canonical = _nfc(_nfc(candidate).translate(_ASCII_UPPER_TO_LOWER))
    try:
        validate_email(canonical, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(candidate, str(error)) from None
    # Not email-validator's ``normalized``: its IDNA mapping folds non-ASCII letters
    # of the domain into ASCII ones.
    return canonical


def parse_email_list(text: str) -> list[str]:
    """Addresses separated by spaces, commas or semicolons; each once, in the order given."""
    raw_items = [item for item in _SEPARATORS.split(text) if item]
    if not raw_items:
        raise InvalidInput("Enter at least one email address.")
    if len(raw_items) > MAX_EMAILS_AT_ONCE:
        raise InvalidInput(f"Enter at most {MAX_EMAILS_AT_ONCE} email addresses at once.")
    return list(dict.fromkeys(normalise_email(item) for item in raw_items))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _refuse_ascii_stand_ins(candidate: str) -> None:
    """NFC itself turns a few characters into ASCII (KELVIN SIGN into K), so an address
    holding one would equal its look-alike: such an address is refused instead."""
    for character in candidate:
        if not character.isascii() and _nfc(character).isascii():
            name = unicodedata.name(character, f"U+{ord(character):04X}")
            raise InvalidEmail(
                candidate, f"it contains {name}, which stands in for “{_nfc(character)}”"
            )
