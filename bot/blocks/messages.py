"""Messages: invitation DMs, notices to owners and users, command replies.

The replies that list things (``user_table``, ``pending_list``, ``contacts_list``,
``audit_list``, ``invite_outcome``) live in ``bot.blocks.lists`` and are re-exported here.
"""

from collections.abc import Sequence
from typing import Final

from bot.blocks import ids
from bot.blocks.kit import Block, Message, actions, button, context, message, notice, section
from bot.blocks.lists import (
    audit_list,
    contacts_list,
    expiry_notice,
    invite_outcome,
    pending_list,
    reminder_digest,
    user_table,
)
from bot.blocks.portal import portal_news
from bot.blocks.rows import remove_button
from bot.blocks.text import (
    ALL_PERMISSIONS,
    date_token,
    escape,
    mention,
    permission_summary,
    shown_email,
    shown_name,
    truncate,
)
from bot.core.contact_emails import email_kinds_summary
from bot.core.permissions import ALL_KEYS, labels
from storage.tables import Account, Contact, Invitation, InvitationStatus

__all__ = [
    "Message",
    "audit_list",
    "contact_added",
    "contacts_list",
    "expiry_notice",
    "invitation_closed_dm",
    "invitation_dm",
    "invitation_nudge",
    "invite_outcome",
    "member_permissions_notice",
    "member_removed_notice",
    "notice",
    "owner_outcome_notice",
    "pending_list",
    "portal_news",
    "reminder_digest",
    "remove_confirmation",
    "usage",
    "user_table",
]

COMMAND: Final = "/billing-invite"
NOT_UNDERSTOOD_SHOWN: Final = 100
GRAMMAR: Final = (
    (("",), "open the Invite New User form"),
    (("EMAIL [EMAIL …]",), "the same form with those addresses filled in"),
    (("list",), "the users of the account and their permissions"),
    (("pending",), "pending invitations, to resend or revoke"),
    (("permissions EMAIL",), "change what a user may do"),
    (("remove EMAIL",), "remove a user's access (asks first)"),
    (("resend EMAIL", "revoke EMAIL"), "send a pending invitation again, or withdraw it"),
    (
        ("contacts", "contact add [EMAIL [NAME]]", "contact remove EMAIL"),
        "contacts, for people who need no access (with no EMAIL, a form to choose their emails)",
    ),
    (("setup NAME",), "create the workspace's billing account (workspace admins only)"),
    (("settings",), "reminders channel, reminder timing and invitation lifetime"),
    (("audit",), "recent changes to the account"),
    (
        ("connect CLIENT_ID", "connect CLIENT_ID CODE", "disconnect"),
        "link the account to a WHMCS client, given by its number: WHMCS emails the client a "
        "code of 6 to 8 digits to type as CODE (owner only) · unlink it",
    ),
    (("help",), "this list"),
)


def invitation_dm(account: Account, invitation: Invitation) -> Message:
    """The invitee's DM: who invited them, to what, with which permissions; Accept/Decline,
    or, when the account is connected to WHMCS, where to accept instead (no buttons)."""
    if invitation.id is None:
        raise ValueError("an invitation is sent only once it is stored")
    expiry = context(f"This invitation expires {date_token(invitation.expires_at)}.")
    if account.whmcs_client_id is None:
        answer = [expiry, _answer_buttons(str(invitation.id))]
    else:
        answer = [section(_accept_in_the_portal(invitation)), expiry]
    return message(
        _invited_line(account, invitation), [*_invitation_details(account, invitation), *answer]
    )


def invitation_nudge(account: Account, invitation: Invitation) -> Message:
    """A reminder to the invitee: the invitation again, with its Accept / Decline buttons."""
    original = invitation_dm(account, invitation)
    text = f"Reminder: {original.text} It is still waiting for your answer."
    return message(text, [section("*Reminder* — still waiting for your answer."), *original.blocks])


def invitation_closed_dm(account: Account, invitation: Invitation) -> Message:
    """The invitation DM once answered, revoked or expired: what happened, no buttons."""
    outcome = _closed_outcome(account, invitation)
    return message(outcome, [*_invitation_details(account, invitation), section(outcome)])


def owner_outcome_notice(account: Account, invitation: Invitation) -> Message:
    """Tells the owner how an invitation ended."""
    who = shown_email(invitation.email)
    if invitation.invitee_user_id:
        who += f" ({mention(invitation.invitee_user_id)})"
    name = f"*{shown_name(account.name)}*"
    outcomes = {
        InvitationStatus.ACCEPTED: f"{who} accepted your invitation to {name}. "
        f"They now have: {escape(permission_summary(invitation.permissions))}.",
        InvitationStatus.DECLINED: f"{who} declined your invitation to {name}.",
        InvitationStatus.REVOKED: f"The invitation of {who} to {name} was revoked.",
        InvitationStatus.EXPIRED: f"The invitation of {who} to {name} expired unanswered.",
        InvitationStatus.PENDING: f"The invitation of {who} to {name} is still pending.",
    }
    return notice(outcomes[invitation.status])


def member_permissions_notice(
    account: Account, email: str, before: Sequence[str], after: Sequence[str]
) -> Message:
    """Tells a user their permissions changed: what they hold now, what was added or taken."""
    added, taken = labels(set(after) - set(before)), labels(set(before) - set(after))
    lines = [
        f"Your permissions on *{shown_name(account.name)}* ({shown_email(email)}) were changed.",
        f"*Now:* {escape(permission_summary(after))}",
    ]
    if added:
        lines.append(f"*Added:* {escape(', '.join(added))}")
    if taken:
        lines.append(f"*Removed:* {escape(', '.join(taken))}")
    return message(lines[0], [section("\n".join(lines))])


def member_removed_notice(account: Account) -> Message:
    return notice(
        f"Your access to *{shown_name(account.name)}* was removed; you no longer hold any of "
        f"its permissions. Ask {mention(account.owner_user_id)} if this is a mistake."
    )


def usage(not_understood: str | None = None) -> Message:
    """The `/billing-invite` grammar, after a note of what was not understood, if anything."""
    lines = [f"*How to use* `{COMMAND}`", *(_usage_line(*entry) for entry in GRAMMAR)]
    if not_understood is not None:
        shown = truncate(escape(" ".join(not_understood.split())), NOT_UNDERSTOOD_SHOWN)
        lines[:0] = [f"I didn't understand “{shown}”.", *_forms_of(not_understood), ""]
    return message(lines[0], [section("\n".join(lines))])


def _forms_of(not_understood: str) -> list[str]:
    """The grammar's line for the command the text starts with, if it names one."""
    first = not_understood.lower().split()[:1]
    return [
        f"It is used as: {_usage_line(forms, meaning).removeprefix('• ')}"
        for forms, meaning in GRAMMAR
        if first and any(form.split()[:1] == first for form in forms)
    ]


def remove_confirmation(email: str) -> Message:
    """Asks the owner to confirm removing a user's access."""
    question = f"Remove access for *{shown_email(email)}*? They lose every permission at once."
    return message(question, [section(question), actions(remove_button(email))])


def invitation_resent(invitation: Invitation) -> Message:
    return notice(f"The invitation to {shown_email(invitation.email)} was sent again.")


def invitation_revoked(invitation: Invitation) -> Message:
    return notice(f"The invitation to {shown_email(invitation.email)} was revoked.")


def access_removed(account: Account, email: str) -> Message:
    return notice(f"{shown_email(email)} no longer has access to *{shown_name(account.name)}*.")


def contact_added(contact: Contact) -> Message:
    """The new contact and which emails they get."""
    gets = escape(email_kinds_summary(contact.email_kinds))
    return notice(f"{shown_email(contact.email)} is now a contact. They get: {gets}.")


def _answer_buttons(target: str) -> Block:
    accept = button("Accept", ids.ACCEPT, target, style="primary")
    return actions(accept, button("Decline", ids.DECLINE, target))


def _accept_in_the_portal(invitation: Invitation) -> str:
    return (
        f"To accept, look for the billing portal's email to {shown_email(invitation.email)} "
        "and follow its link. To decline, simply ignore that email."
    )


def _usage_line(forms: Sequence[str], meaning: str) -> str:
    commands = " · ".join(f"`{f'{COMMAND} {form}'.strip()}`" for form in forms)
    return f"• {commands} — {meaning}"


def _invited_line(account: Account, invitation: Invitation) -> str:
    return (
        f"{mention(invitation.invited_by_user_id)} invited you to the billing account "
        f"*{shown_name(account.name)}*."
    )


def _invitation_details(account: Account, invitation: Invitation) -> list[Block]:
    keys = invitation.permissions
    title = f"*It grants {ALL_PERMISSIONS}:*" if set(keys).issuperset(ALL_KEYS) else "*It grants:*"
    granted = "\n".join(f"• {escape(label)}" for label in labels(keys)) or "• nothing"
    return [
        section(_invited_line(account, invitation)),
        section(f"{title}\n{granted}"),
        context(f"Sent to {shown_email(invitation.email)}"),
    ]


def _closed_outcome(account: Account, invitation: Invitation) -> str:
    name = f"*{shown_name(account.name)}*"
    inviter = mention(invitation.invited_by_user_id)
    outcomes = {
        InvitationStatus.ACCEPTED: f"You accepted the invitation to {name}; you now have: "
        f"{escape(permission_summary(invitation.permissions))}.",
        InvitationStatus.DECLINED: f"You declined the invitation to {name}. Nothing was granted.",
        InvitationStatus.REVOKED: f"This invitation to {name} was revoked. Nothing was granted.",
        InvitationStatus.EXPIRED: f"This invitation to {name} expired. Ask {inviter} to invite "
        "you again if you still need access.",
        InvitationStatus.PENDING: f"This invitation to {name} is still open.",
    }
    return outcomes[invitation.status]
