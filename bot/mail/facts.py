"""What the invitee is told, by email and on the link's page alike."""

from dataclasses import dataclass
from datetime import datetime

from bot.core.permissions import BY_KEY, Permission
from storage.tables import Account, Invitation

UNNAMED_INVITER = "The account's owner"


@dataclass(frozen=True)
class Facts:
    email: str
    account: str
    inviter: str
    permissions: list[Permission]
    expires: str
    """The expiry in words, in UTC: ``Sunday 13 December 2026, 09:00 UTC``."""


def facts_of(account: Account, invitation: Invitation, inviter: str | None) -> Facts:
    return Facts(
        email=invitation.email,
        account=one_line(account.name),
        inviter=one_line(inviter or "") or UNNAMED_INVITER,
        permissions=[BY_KEY[key] for key in invitation.permissions if key in BY_KEY],
        expires=when(invitation.expires_at),
    )


def when(moment: datetime) -> str:
    return moment.strftime("%A %-d %B %Y, %H:%M UTC")


def one_line(text: str) -> str:
    """People's words with every run of whitespace (newlines too) as one space."""
    return " ".join(text.split())
