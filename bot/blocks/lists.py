"""Command replies that list things: users, pending invitations, contacts, the audit log,
and what a (possibly bulk) invitation did."""

from collections.abc import Sequence
from datetime import datetime

from bot.blocks.channel import paused_blocks
from bot.blocks.kit import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    Block,
    Message,
    context,
    header,
    message,
    section,
)
from bot.blocks.portal import connected_blocks
from bot.blocks.rows import (
    Listing,
    contacts_listing,
    fit,
    invitation_row,
    listings,
    manage_button,
    pending_listing,
    resend_button,
    users_listing,
)
from bot.blocks.text import (
    age,
    bullets,
    date_token,
    escape,
    mention,
    permission_summary,
    shown_email,
    shown_name,
    truncate,
)
from bot.core.context import LINK_ACTOR, SYSTEM_ACTOR
from bot.core.invitations import InviteResult
from storage.tables import Account, AuditEvent, Contact, Invitation, Member

DETAIL_SHOWN = 300


def user_table(
    account: Account, members: Sequence[Member], pending: Sequence[Invitation], now: datetime
) -> Message:
    """The User Management table (as on the owner's App Home), for `/billing-invite list`."""
    return _listed(
        f"Users of {shown_name(account.name)}",
        [users_listing(members), pending_listing(pending, now)],
        above=[*connected_blocks(account), *paused_blocks(account)],
    )


def pending_list(account: Account, pending: Sequence[Invitation], now: datetime) -> Message:
    return _listed(
        f"Pending invitations for {shown_name(account.name)}",
        [pending_listing(pending, now)],
    )


def contacts_list(account: Account, contacts: Sequence[Contact]) -> Message:
    return _listed(f"Contacts of {shown_name(account.name)}", [contacts_listing(contacts)])


def audit_list(account: Account, events: Sequence[AuditEvent]) -> Message:
    """Recent audit events in the order given: when, who, what, to whom, permissions."""
    rows = [[_event_row(event)] for event in events]
    log = Listing(f"*Audit log* ({len(rows)})", rows, "Nothing has been recorded yet.")
    return _listed(f"Recent changes to {shown_name(account.name)}", [log])


def invite_outcome(result: InviteResult) -> Message:
    """Who was invited, who already has access, who already has a pending invitation."""
    blocks: list[Block] = []
    if result.invited:
        blocks += _invited(result.account, result.invited)
    parts = []
    if result.already_member:
        rows = [[section(f"*{shown_email(e)}*", manage_button(e))] for e in result.already_member]
        title = "*Already have access* — use Manage Permissions to change what they may do."
        parts.append(Listing(title, rows, ""))
    if result.already_pending:
        rows = [[_pending_again(invitation)] for invitation in result.already_pending]
        parts.append(Listing("*Already invited* — resend the pending invitation?", rows, ""))
    blocks += listings(parts, MESSAGE_BLOCKS - len(blocks))
    return message(_outcome_summary(result), blocks or [section("Nobody was invited.")])


def _listed(title: str, parts: Sequence[Listing], above: Sequence[Block] = ()) -> Message:
    top = [header(title), *above]
    return message(title, [*top, *listings(parts, MESSAGE_BLOCKS - len(top))])


NAMED_ACTORS = {SYSTEM_ACTOR: "system", LINK_ACTOR: "the invitee (emailed link)"}


def _event_row(event: AuditEvent) -> Block:
    actor = NAMED_ACTORS.get(event.actor_user_id) or mention(event.actor_user_id)
    action = escape(event.action.replace(".", " ").replace("_", " ").capitalize())
    target = f" · {shown_email(event.target)}" if event.target else ""
    lines = [f"{date_token(event.at)} · {actor} · *{action}*{target}"]
    before, after = event.permissions_before, event.permissions_after
    if before is not None or after is not None:
        lines.append(f"{_held(before)} → {_held(after)}")
    if event.detail:
        lines.append(truncate(escape(event.detail), DETAIL_SHOWN))
    return section("\n".join(lines))


def _held(keys: Sequence[str] | None) -> str:
    return "—" if keys is None else escape(permission_summary(keys))


def _invited(account: Account, invited: Sequence[Invitation]) -> list[Block]:
    granted = escape(permission_summary(invited[0].permissions))
    title = f"*Invited to {shown_name(account.name)}* with {granted}:"
    emails = bullets([shown_email(i.email) for i in invited], SECTION_TEXT - len(title) - 1)
    return [section(f"{title}\n{emails}"), context(_how_they_answer(account))]


def _how_they_answer(account: Account) -> str:
    if account.whmcs_client_id is None:
        return "Each gets a direct message to accept or decline once they are in this workspace."
    return (
        "The billing portal emails each of them a link to accept; those in this workspace "
        "also get a direct message saying so."
    )


def _pending_again(invitation: Invitation) -> Block:
    text = f"*{shown_email(invitation.email)}* · expires {date_token(invitation.expires_at)}"
    return section(text, resend_button(invitation.email))


def _outcome_summary(result: InviteResult) -> str:
    counts = (
        (len(result.invited), "invited"),
        (len(result.already_member), "already have access"),
        (len(result.already_pending), "already invited"),
    )
    return "; ".join(f"{count} {what}" for count, what in counts if count) or "Nobody was invited."


def reminder_digest(account: Account, due: Sequence[Invitation], now: datetime) -> Message:
    """The channel's reminder: each pending invitation with Resend and Revoke."""
    count = len(due)
    title = f"Reminder: {count} pending invitation{'s' if count != 1 else ''} to {account.name}"
    rows = [invitation_row(invitation, now) for invitation in due]
    intro = section(
        f"These invitations to *{shown_name(account.name)}* have not been answered yet. "
        "Only the owner can resend or revoke them."
    )
    return message(escape(title), [intro, *fit(rows, MESSAGE_BLOCKS - 1)])


def expiry_notice(account: Account, expired: Sequence[Invitation], now: datetime) -> Message:
    """The channel's one announcement that these invitations expired unanswered."""
    lines = [
        f"{shown_email(i.email)} — invited by {mention(i.invited_by_user_id)} "
        f"{age(i.created_at, now)}"
        for i in expired
    ]
    title = f"*Expired unanswered* — invitations to *{shown_name(account.name)}*:"
    text = f"{title}\n{bullets(lines, SECTION_TEXT - len(title) - 1)}"
    return message(text, [section(text), context("Invite them again to send a new invitation.")])
