"""The App Home tab: the owner's User Management table, a user's own access, or an intro."""

from collections.abc import Sequence
from datetime import datetime

from bot.blocks import ids
from bot.blocks.channel import paused_blocks
from bot.blocks.kit import VIEW_BLOCKS, Block, button, context, divider, header, section
from bot.blocks.portal import connected_blocks
from bot.blocks.rows import contacts_listing, listings, pending_listing, users_listing
from bot.blocks.text import channel, escape, mention, shown_name
from bot.core.permissions import CATALOGUE
from storage.tables import Account, Contact, Invitation, Member, MemberStatus

PRODUCT = "Billing Access"
ABOUT = (
    "I keep track of who may do what on your company's billing account. Its owner invites "
    "people by email, gives each exactly the permissions they need, and removes access "
    "at once when someone leaves."
)


def owner_home(
    account: Account,
    members: Sequence[Member],
    pending: Sequence[Invitation],
    contacts: Sequence[Contact],
    now: datetime,
) -> Block:
    """User Management: users, pending invitations and contacts, with their buttons."""
    invite = button("Invite New User", ids.OPEN_INVITE, style="primary")
    intro = section(
        f"*User Management* for *{shown_name(account.name)}*\n"
        f"Reminders about pending invitations go to {channel(account.reminders_channel_id)}.",
        accessory=invite,
    )
    top = [
        header(shown_name(account.name)),
        intro,
        *connected_blocks(account),
        *paused_blocks(account),
    ]
    parts = [users_listing(members), pending_listing(pending, now), contacts_listing(contacts)]
    return _home([*top, *listings(parts, VIEW_BLOCKS - len(top))])


def user_home(account: Account, member: Member) -> Block:
    """A user's own permissions on the account, and who to ask for changes."""
    owner = mention(account.owner_user_id)
    if member.status != MemberStatus.ACTIVE:
        return _home(
            [
                header(shown_name(account.name)),
                section(f"Your access to *{shown_name(account.name)}* was removed."),
                context(f"Ask {owner}, the account's owner, if you need it again."),
            ]
        )
    held = set(member.permissions)
    lines = [f"• *{escape(p.label)}* — {escape(p.description)}" for p in CATALOGUE if p.key in held]
    return _home(
        [
            header(shown_name(account.name)),
            section(f"You have access to the billing account *{shown_name(account.name)}*."),
            section("*Your permissions*\n" + ("\n".join(lines) or "None at the moment.")),
            divider(),
            context(f"{owner} owns this account; ask them if you need something changed."),
        ]
    )


def outsider_home(account: Account | None) -> Block:
    """What the bot is, and who owns the account (or how an admin sets one up)."""
    if account is None:
        where = (
            "This workspace has no billing account yet. A Slack workspace admin or owner can "
            "create one with `/billing-invite setup NAME`, run in the channel where reminders "
            "should go."
        )
    else:
        where = (
            f"This workspace's billing account, *{shown_name(account.name)}*, is owned by "
            f"{mention(account.owner_user_id)}. Ask them for an invitation if you need access."
        )
    return _home([header(PRODUCT), section(ABOUT), section(where)])


def _home(blocks: list[Block]) -> Block:
    return {"type": "home", "blocks": blocks}
