"""Rows shared by the App Home and the list messages, and fitting lists into block limits."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.blocks import ids
from bot.blocks.kit import Block, actions, button, confirm, context, divider, section
from bot.blocks.text import (
    age,
    date_token,
    escape,
    mention,
    permission_summary,
    shown_email,
    shown_name,
    truncate,
)
from bot.core.contact_emails import email_kinds_summary
from storage.tables import Contact, Invitation, Member, MemberRole, MemberStatus

# A confirmation dialog holds 300 characters; the rest of its sentence needs 60.
CONFIRM_EMAIL = 200
SYNCING = ":hourglass_flowing_sand: _syncing with WHMCS…_"
"""Under a row whose change from Slack WHMCS has not confirmed yet."""


@dataclass(frozen=True)
class Listing:
    """A titled list of rows (each row one or more blocks), or a line saying it is empty."""

    title: str
    rows: Sequence[Sequence[Block]]
    empty: str


def manage_button(email: str) -> Block:
    return button("Manage Permissions", ids.MANAGE, email)


def remove_button(email: str) -> Block:
    dialog = confirm(
        "Remove access?",
        f"Remove access for {_confirm_email(email)}? They lose every permission at once.",
        "Remove Access",
    )
    return button("Remove Access", ids.REMOVE, email, style="danger", confirmation=dialog)


def resend_button(email: str) -> Block:
    return button("Resend", ids.RESEND, email)


def revoke_button(email: str) -> Block:
    dialog = confirm(
        "Revoke invitation?",
        f"Revoke the invitation for {_confirm_email(email)}? It can no longer be accepted.",
        "Revoke",
    )
    return button("Revoke", ids.REVOKE, email, style="danger", confirmation=dialog)


def member_row(member: Member) -> list[Block]:
    """One user: email, role, status and permissions; buttons unless owner or removed."""
    who = f" {mention(member.slack_user_id)}" if member.slack_user_id else ""
    active = member.status == MemberStatus.ACTIVE
    status = "Active" if active else "_removed_"
    held = escape(permission_summary(member.permissions if active else ()))
    text = _syncing(
        f"*{shown_email(member.email)}*{who}\n{member.role.value.title()} · {status} · {held}",
        member.syncing,
    )
    if not active or member.role == MemberRole.OWNER:
        return [section(text)]
    return [section(text), actions(manage_button(member.email), remove_button(member.email))]


def invitation_row(invitation: Invitation, now: datetime) -> list[Block]:
    """One pending invitation as anyone may see it, in the reminders channel too: who
    invited, how long ago, expiry; buttons. Not what it would grant."""
    return _pending_row(invitation, _invited_line(invitation, now))


def owners_invitation_row(invitation: Invitation, now: datetime) -> list[Block]:
    """One pending invitation as its owner sees it: also what it would grant, and whether
    WHMCS has it yet."""
    grants = escape(permission_summary(invitation.permissions))
    details = _syncing(f"{_invited_line(invitation, now)}\n{grants}", invitation.syncing)
    return _pending_row(invitation, details)


def _invited_line(invitation: Invitation, now: datetime) -> str:
    expiry = "expired" if invitation.expires_at <= now else "expires"
    emailed = " · emailed" if invitation.emailed_at is not None else ""
    return (
        f"Invited by {mention(invitation.invited_by_user_id)} "
        f"{age(invitation.created_at, now)} · {expiry} {date_token(invitation.expires_at)}"
        f"{emailed}"
    )


def _pending_row(invitation: Invitation, details: str) -> list[Block]:
    email = invitation.email
    text = f"*{shown_email(email)}*\n{details}"
    return [section(text), actions(resend_button(email), revoke_button(email))]


def contact_row(contact: Contact) -> list[Block]:
    """One contact: email, name, and which emails they get."""
    name = f" — {shown_name(contact.name)}" if contact.name else ""
    gets = escape(email_kinds_summary(contact.email_kinds))
    return [section(_syncing(f"*{shown_email(contact.email)}*{name}\n{gets}", contact.syncing))]


def _syncing(text: str, syncing: bool) -> str:
    return f"{text}\n{SYNCING}" if syncing else text


def users_listing(members: Iterable[Member]) -> Listing:
    """Owner first, then active users, then removed ones, each group in the order given."""
    ordered = sorted(members, key=_member_rank)
    rows = [member_row(member) for member in ordered]
    return Listing(f"*Users* ({len(rows)})", rows, "No users yet.")


def pending_listing(pending: Iterable[Invitation], now: datetime) -> Listing:
    rows = [owners_invitation_row(invitation, now) for invitation in pending]
    return Listing(f"*Pending invitations* ({len(rows)})", rows, "No pending invitations.")


def contacts_listing(contacts: Iterable[Contact]) -> Listing:
    rows = [contact_row(contact) for contact in contacts]
    empty = "No contacts yet. Add one with `/billing-invite contact add`."
    return Listing(f"*Contacts* ({len(rows)})", rows, empty)


def listings(parts: Sequence[Listing], budget: int) -> list[Block]:
    """Each listing under a divider and its title, sharing ``budget`` blocks fairly."""
    bodies = [[list(row) for row in part.rows] or [[context(part.empty)]] for part in parts]
    room = budget - 2 * len(parts)
    shares = fair_shares([sum(map(len, body)) for body in bodies], room)
    blocks: list[Block] = []
    for part, body, share in zip(parts, bodies, shares, strict=True):
        blocks += [divider(), section(part.title), *fit(body, share)]
    return blocks


def fit(rows: Sequence[Sequence[Block]], budget: int) -> list[Block]:
    """The rows that fit in ``budget`` blocks, then "…and N more" if any were left out."""
    flat = [block for row in rows for block in row]
    if len(flat) <= budget:
        return flat
    shown: list[Block] = []
    left_out = len(rows)
    for row in rows:
        if len(shown) + len(row) >= budget:  # keep one block for the "more" line
            break
        shown += row
        left_out -= 1
    return [*shown, context(f"…and {left_out} more")]


def fair_shares(needs: Sequence[int], budget: int) -> list[int]:
    """Split ``budget`` so that small needs are met in full and the rest share equally."""
    shares = [0] * len(needs)
    left = budget
    order = sorted(range(len(needs)), key=needs.__getitem__)
    for rank, index in enumerate(order):
        shares[index] = min(needs[index], left // (len(needs) - rank))
        left -= shares[index]
    return shares


def _member_rank(member: Member) -> int:
    if member.role == MemberRole.OWNER:
        return 0
    return 1 if member.status == MemberStatus.ACTIVE else 2


def _confirm_email(email: str) -> str:
    """An email short enough for a confirmation dialog's 300 characters of plain text."""
    return truncate(email, CONFIRM_EMAIL)
