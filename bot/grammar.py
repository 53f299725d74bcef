"""The `/billing-invite` grammar (DESIGN §4): command text in, a plain ``Command`` out."""

import re
from dataclasses import dataclass
from enum import StrEnum

# Slack turns a typed address into "<mailto:a@b.com|a@b.com>" before it sends the command.
_SLACK_MAILTO = re.compile(r"<mailto:([^|>]*)(?:\|[^>]*)?>")
MAX_COMMAND_TEXT = 4000
# A WHMCS client id is a positive whole number (a 32-bit column); the code it emails, 6 to 8 digits.
_CLIENT_ID = re.compile(r"[0-9]{1,10}")
_MAX_CLIENT_ID = 2**31 - 1
_CODE = re.compile(r"[0-9]{6,8}")


class Verb(StrEnum):
    INVITE = "invite"
    LIST = "list"
    PENDING = "pending"
    PERMISSIONS = "permissions"
    REMOVE = "remove"
    RESEND = "resend"
    REVOKE = "revoke"
    CONTACTS = "contacts"
    CONTACT_ADD = "contact add"
    CONTACT_REMOVE = "contact remove"
    SETUP = "setup"
    SETTINGS = "settings"
    AUDIT = "audit"
    CONNECT = "connect"
    CONNECT_WITH_CODE = "connect with code"
    DISCONNECT = "disconnect"
    HELP = "help"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    verb: Verb
    emails: tuple[str, ...] = ()
    argument: str = ""
    """The account name for setup, a contact's name, or the text that was not understood."""
    client_id: int = 0
    """The WHMCS client to connect to (WHMCS numbers them from 1)."""
    code: str = ""
    """The one-time code WHMCS emailed to that client."""


_BARE = {
    Verb.LIST,
    Verb.PENDING,
    Verb.CONTACTS,
    Verb.SETTINGS,
    Verb.AUDIT,
    Verb.DISCONNECT,
    Verb.HELP,
}
_ONE_EMAIL = {Verb.PERMISSIONS, Verb.REMOVE, Verb.RESEND, Verb.REVOKE}


def parse_command(text: str) -> Command:
    """Read what followed `/billing-invite`; anything else is ``Verb.UNKNOWN`` with the text."""
    clean = _SLACK_MAILTO.sub(r"\1", text[:MAX_COMMAND_TEXT]).strip()
    words = clean.split()
    if not words:
        return Command(Verb.INVITE)
    head, rest = words[0].lower(), words[1:]
    if head in _BARE:
        return Command(Verb(head)) if not rest or head == Verb.HELP else _unknown(clean)
    if head in _ONE_EMAIL:
        return Command(Verb(head), emails=(rest[0],)) if len(rest) == 1 else _unknown(clean)
    if head == "setup":
        return Command(Verb.SETUP, argument=" ".join(rest)) if rest else _unknown(clean)
    if head == "contact":
        return _contact(rest, clean)
    if head == "connect":
        return _connect(rest, clean)
    if all("@" in word for word in words):
        return Command(Verb.INVITE, emails=tuple(re.split(r"[\s,;]+", clean)))
    return _unknown(clean)


def _contact(rest: list[str], clean: str) -> Command:
    action = rest[0].lower() if rest else ""
    if action == "add":
        # With no email, the contact is typed into a form.
        return Command(Verb.CONTACT_ADD, emails=tuple(rest[1:2]), argument=" ".join(rest[2:]))
    if action == "remove" and len(rest) == 2:
        return Command(Verb.CONTACT_REMOVE, emails=(rest[1],))
    return _unknown(clean)


def _connect(rest: list[str], clean: str) -> Command:
    """`connect CLIENT_ID`, or `connect CLIENT_ID CODE` with the code WHMCS emailed."""
    if not 1 <= len(rest) <= 2 or not _is_client_id(rest[0]):
        return _unknown(clean)
    client_id = int(rest[0])
    if len(rest) == 1:
        return Command(Verb.CONNECT, client_id=client_id)
    if not _CODE.fullmatch(rest[1]):
        return _unknown(clean)
    return Command(Verb.CONNECT_WITH_CODE, client_id=client_id, code=rest[1])


def _is_client_id(word: str) -> bool:
    return bool(_CLIENT_ID.fullmatch(word)) and 0 < int(word) <= _MAX_CLIENT_ID


def _unknown(clean: str) -> Command:
    return Command(Verb.UNKNOWN, argument=clean)
