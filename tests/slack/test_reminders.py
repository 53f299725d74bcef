"""Reminders and expiry as Slack receives them: in the channel, to invitees, once each."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.blocks import ids
from bot.core import BillingAccess
from bot.scheduler import sweep_and_deliver
from bot.slack.delivery import ChannelPacer, Deliverer
from tests.conftest import OWNER, OWNER_EMAIL, TEAM, FakeClock
from tests.slack_stub import SlackStub

DAY = timedelta(days=1)


def _invite(core: BillingAccess, *emails: str, team: str = TEAM) -> None:
    core.invitations.invite(team, actor=OWNER, emails=emails, permissions=["invoices"])


def _channel_posts(stub: SlackStub, channel: str, marker: str) -> list[dict[str, Any]]:
    return [m for m in stub.messages(channel) if marker in json.dumps(m)]


def _reminders(stub: SlackStub, channel: str = "C0BILLING") -> list[dict[str, Any]]:
    return _channel_posts(stub, channel, "have not been answered yet")


def test_a_due_reminder_lists_each_invitation_with_resend_and_revoke(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub, clock: FakeClock
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com", "bo@example.com")
    sweep_and_deliver(core, deliverer)
    clock.advance(DAY)
    sweep_and_deliver(core, deliverer)
    (reminder,) = _reminders(stub)
    text = json.dumps(reminder)
    assert "ana@example.com" in text
    assert "bo@example.com" in text
    assert text.count(ids.RESEND) == 2
    assert text.count(ids.REVOKE) == 2
    nudges = _channel_posts(stub, stub.dm_channel("U0ANA"), "still waiting for your answer")
    assert len(nudges) == 1
    counted = {
        i.email: (i.reminder_count, i.last_reminded_at)
        for i in core.invitations.pending(TEAM, actor=OWNER)
    }
    assert counted == {"ana@example.com": (1, clock()), "bo@example.com": (1, clock())}


def test_reminders_refused_by_slack_arrive_later_each_once(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub, clock: FakeClock
) -> None:
    _invite(core, "ana@example.com")
    clock.advance(DAY)
    stub.fail_next("chat.postMessage", times=3, status=500)
    sweep_and_deliver(core, deliverer)
    assert _reminders(stub) == []
    assert core.invitations.pending(TEAM, actor=OWNER)[0].reminder_count == 0
    stub.fail_next("chat.postMessage", times=3, status=429, retry_after=1)
    clock.advance(timedelta(minutes=1))
    sweep_and_deliver(core, deliverer)
    assert _reminders(stub) == []
    clock.advance(timedelta(minutes=1))
    sweep_and_deliver(core, deliverer)
    assert len(_reminders(stub)) == 1
    clock.advance(timedelta(hours=1))
    sweep_and_deliver(core, deliverer)
    assert len(_reminders(stub)) == 1
    assert len(stub.failed_calls) == 6


def test_expiry_is_announced_once_and_the_dm_loses_its_buttons(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub, clock: FakeClock
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    sweep_and_deliver(core, deliverer)
    dm_channel = stub.dm_channel("U0ANA")
    assert ids.ACCEPT in json.dumps(stub.messages(dm_channel))
    clock.advance(timedelta(days=7))
    sweep_and_deliver(core, deliverer)
    clock.advance(DAY)
    sweep_and_deliver(core, deliverer)
    assert len(_channel_posts(stub, "C0BILLING", "Expired unanswered")) == 1
    assert ids.ACCEPT not in json.dumps(stub.messages(dm_channel))
    assert "expired" in json.dumps(stub.messages(dm_channel)).lower()


@pytest.mark.parametrize("sweepers", [3])
def test_concurrent_sweepers_post_every_reminder_exactly_once(
    engine: Engine, core: BillingAccess, stub: SlackStub, clock: FakeClock, sweepers: int
) -> None:
    teams = [f"T{index:04d}" for index in range(1001, 1006)]
    for team in teams:
        core.accounts.setup(
            team,
            f"Account {team}",
            actor=OWNER,
            actor_email=OWNER_EMAIL,
            actor_is_workspace_admin=True,
            channel_id=f"C{team}",
        )
        stub.add_channel(f"C{team}", f"billing-{team.lower()}", bot_is_member=True)
        _invite(core, *(f"user{i:02d}.{team.lower()}@example.com" for i in range(45)), team=team)
    clock.advance(DAY)
    replicas = [_replica(engine, stub, clock) for _ in range(sweepers)]
    with ThreadPoolExecutor(sweepers) as pool:
        list(pool.map(lambda replica: sweep_and_deliver(*replica), replicas * 2))
    for team in teams:
        listed = [
            email for message in _reminders(stub, f"C{team}") for email in _emails_in(message)
        ]
        expected = [f"user{i:02d}.{team.lower()}@example.com" for i in range(45)]
        assert sorted(listed) == expected


def _replica(engine: Engine, stub: SlackStub, clock: FakeClock) -> tuple[BillingAccess, Deliverer]:
    """A core and deliverer of their own, as another process sharing the database would have."""
    from bot.slack.client import OneWorkspace, make_client
    from storage.unit_of_work import unit_of_work_factory

    core = BillingAccess.create(unit_of_work_factory(engine), clock=clock)
    return core, Deliverer(core, OneWorkspace(make_client(stub.api_url, stub.bot_token)), clock)


def _emails_in(message: dict[str, Any]) -> list[str]:
    return [
        element["value"]
        for block in message.get("blocks", [])
        for element in block.get("elements", [])
        if element.get("action_id") == ids.RESEND
    ]


def test_posts_to_one_channel_are_spaced_a_second_apart_others_are_not() -> None:
    waits: list[float] = []
    pacer = ChannelPacer(monotonic=lambda: 100.0, sleep=waits.append)
    for channel in ("C1", "C1", "C1", "C2"):
        pacer.wait_turn(channel)
    assert waits == [1.0, 2.0]
