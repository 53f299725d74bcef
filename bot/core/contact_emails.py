"""The kinds of email a contact can get: WHMCS's six, in its order, all of them by default.

The keys are WHMCS's own (``AddContact``'s ``email_preferences[KEY]``, ``GetContacts``'s
``KEYemails``), so a contact's preferences go to and come from the portal unchanged.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.errors import InvalidInput
from storage.tables import CONTACT_EMAIL_KINDS

ALL_EMAIL_KINDS: tuple[str, ...] = CONTACT_EMAIL_KINDS


@dataclass(frozen=True)
class EmailKind:
    key: str
    label: str
    description: str


EMAIL_KINDS: tuple[EmailKind, ...] = (
    EmailKind("general", "General", "Account emails, such as password resets"),
    EmailKind("product", "Product", "Order details and welcome emails"),
    EmailKind("domain", "Domain", "Renewal notices and registration confirmations"),
    EmailKind("invoice", "Invoice", "Invoices and billing reminders"),
    EmailKind("support", "Support", "Copies of the account's support tickets"),
    EmailKind("affiliate", "Affiliate", "Affiliate programme emails"),
)


def email_kinds_in_order(chosen: Iterable[str]) -> tuple[str, ...]:
    """The chosen kinds in WHMCS's order, each once; a kind WHMCS does not have is refused."""
    wanted = set(chosen)
    unknown = wanted.difference(ALL_EMAIL_KINDS)
    if unknown:
        raise InvalidInput(f"Unknown kind of email: {', '.join(sorted(unknown))}.")
    return tuple(key for key in ALL_EMAIL_KINDS if key in wanted)


def email_kinds_summary(kinds: Iterable[str]) -> str:
    """ "All emails", "No emails", or the labels in WHMCS's order: "Invoice, Support emails"."""
    chosen = set(kinds)
    if chosen.issuperset(ALL_EMAIL_KINDS):
        return "All emails"
    labels = [kind.label for kind in EMAIL_KINDS if kind.key in chosen]
    return f"{', '.join(labels)} emails" if labels else "No emails"
