"""What the owner is shown about the reminders channel: where reminders go, or why they are
paused and how to fix it."""

from bot.blocks.kit import Block, Message, notice, section
from bot.blocks.text import channel, escape
from bot.core.channels import ChannelProblem, channel_problem
from storage.tables import Account

BOT_NAME = "Billing Access"
KEPT = "Reminders due meanwhile are kept and will be posted together."


def reminders_paused(account: Account) -> str | None:
    """ "Reminders paused: …" with what a person can do about it, or None while they are not."""
    problem = channel_problem(account)
    if problem is None:
        return None
    where = channel(account.reminders_channel_id)
    if problem == ChannelProblem.ARCHIVED:
        return (
            f":double_vertical_bar: *Reminders paused:* {where} is archived. Choose another "
            f"channel with `/billing-invite settings`. {KEPT}"
        )
    return (
        f":double_vertical_bar: *Reminders paused: the bot is not in {where}.* Type "
        f"`/invite @{BOT_NAME}` in that channel, or choose another one with "
        f"`/billing-invite settings`. {KEPT}"
    )


def paused_blocks(account: Account) -> list[Block]:
    """A section saying reminders are paused, or nothing while they are not."""
    line = reminders_paused(account)
    return [] if line is None else [section(line)]


def channel_paused_notice(account: Account) -> Message:
    """The owner's DM, sent once when the bot finds it cannot post to the channel."""
    return notice(reminders_paused(account) or "")


def account_ready(account: Account) -> Message:
    """The reply to a successful `setup`, saying where reminders will go."""
    where = reminders_paused(account) or (
        f"Reminders about pending invitations will appear in "
        f"{channel(account.reminders_channel_id)}."
    )
    return notice(
        f"The billing account *{escape(account.name)}* is ready; you are its owner.\n{where}"
    )
