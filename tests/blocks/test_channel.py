"""What the owner is shown about the reminders channel, and that it fits Slack's limits even
beside the largest tables."""

import pytest

from bot.blocks.channel import account_ready, channel_paused_notice, reminders_paused
from bot.blocks.home import owner_home
from bot.blocks.lists import user_table
from bot.core.channels import ChannelProblem
from storage.tables import Account
from tests.blockkit_limits import assert_valid_home
from tests.blocks import (
    NOW,
    account,
    assert_valid,
    many_contacts,
    many_invitations,
    many_members,
    rendered,
)

NOT_IN = "Reminders paused: the bot is not in <#C1>."


def _paused(problem: ChannelProblem | None) -> Account:
    paused = account()
    paused.channel_problem = None if problem is None else problem.value
    return paused


def test_nothing_is_said_while_the_bot_can_post() -> None:
    assert reminders_paused(_paused(None)) is None
    ready = account_ready(_paused(None))
    assert "Reminders about pending invitations will appear in <#C1>." in ready.text
    assert "paused" not in rendered(user_table(_paused(None), [], [], NOW).blocks)


def test_not_a_member_says_how_to_invite_the_bot() -> None:
    line = reminders_paused(_paused(ChannelProblem.NOT_A_MEMBER)) or ""
    assert NOT_IN in line.replace("*", "")
    assert "`/invite @Billing Access`" in line
    assert "kept" in line


def test_archived_says_to_choose_another_channel() -> None:
    line = reminders_paused(_paused(ChannelProblem.ARCHIVED)) or ""
    assert "<#C1> is archived" in line
    assert "`/billing-invite settings`" in line


@pytest.mark.parametrize("problem", list(ChannelProblem))
def test_every_place_the_owner_looks_says_so_within_slacks_limits(
    problem: ChannelProblem,
) -> None:
    paused = _paused(problem)
    line = reminders_paused(paused) or ""
    table = user_table(paused, many_members(500), many_invitations(500), NOW)
    home = owner_home(paused, many_members(500), many_invitations(500), many_contacts(500), NOW)
    for message in (table, channel_paused_notice(paused), account_ready(paused)):
        assert_valid(message)
        assert line in rendered(message.blocks)
    assert_valid_home(home)
    assert line in rendered(home)
