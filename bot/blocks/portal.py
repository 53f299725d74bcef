"""What the owner is shown about the account's link to WHMCS (DESIGN §9): the replies to
`connect` and `disconnect`, the line above the User Management table, and the DM telling
what changed in the billing portal."""

from collections.abc import Sequence

from bot.blocks.kit import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    Block,
    Message,
    context,
    header,
    message,
    notice,
    section,
)
from bot.blocks.text import escape, shown_name, truncate
from bot.core.connection import CODE_LIFETIME
from storage.tables import Account

NEWS_LINE_SHOWN = 500
"""A line of portal news is an email and a few words, or WHMCS's reason for a refusal."""


def connected_blocks(account: Account) -> list[Block]:
    """A line saying the account follows a WHMCS client, or nothing for the built-in ledger."""
    if account.whmcs_client_id is None:
        return []
    return [
        context(
            f":link: Connected to WHMCS client {account.whmcs_client_id}: its users, "
            "permissions and contacts are kept in the billing portal."
        )
    ]


def checking_client(client_id: int) -> Message:
    """The acknowledgement of `connect CLIENT_ID`, while WHMCS is asked."""
    return notice(f"Checking WHMCS client {client_id}…")


def code_sent(client_id: int) -> Message:
    """What to type next; never the code, nor anything about the client (the answer is the
    same whether WHMCS has that client or not)."""
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return notice(
        f"If WHMCS has a client {client_id}, I emailed a one-time code to the address WHMCS "
        f"has for it. Type `/billing-invite connect {client_id} CODE` with that code within "
        f"{minutes} minutes. No email after a few minutes? Check the client number."
    )


def connected(account: Account) -> Message:
    return notice(
        f"Connected *{shown_name(account.name)}* to WHMCS client {account.whmcs_client_id}. "
        "The users of the account now come from WHMCS; I'll import them now. Anyone with "
        "access here who is not a user of the client there loses it (I'll DM you who), and "
        "WHMCS emails its own invitation to each person still invited."
    )


def disconnected(account: Account) -> Message:
    return notice(
        f"*{shown_name(account.name)}* is no longer connected to WHMCS. Its users stay as "
        "WHMCS last showed them; changes made here are no longer sent to the billing portal."
    )


def portal_news(account: Account, lines: Sequence[str]) -> Message:
    """The owner's DM of what changed in the billing portal, or what WHMCS refused."""
    title = f"Changes in the billing portal for {shown_name(account.name)}"
    shown = [truncate(escape(" ".join(line.split())), NEWS_LINE_SHOWN) for line in lines]
    return message(title, [header(title), *_bulleted_sections(shown, MESSAGE_BLOCKS - 1)])


def _bulleted_sections(lines: Sequence[str], budget: int) -> list[Block]:
    """Safe mrkdwn ``lines`` as bullets packed into at most ``budget`` blocks; when they do
    not all fit, the last block says how many were left out."""
    packed: list[list[str]] = []
    for item in (f"• {line}" for line in lines):
        if not packed or len("\n".join([*packed[-1], item])) > SECTION_TEXT:
            packed.append([])
        packed[-1].append(item)
    shown = packed if len(packed) <= budget else packed[: budget - 1]
    left_out = len(lines) - sum(map(len, shown))
    more = [context(f"…and {left_out} more")] if left_out else []
    return [*(section("\n".join(items)) for items in shown), *more]
