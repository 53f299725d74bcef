"""The reminders channel in the core: while the bot cannot post there, channel messages are
kept and the owner is told once; when it can again, what was kept is owed as one digest."""

from datetime import timedelta

from bot.core import BillingAccess, Timings
from bot.core.channels import ChannelProblem
from bot.core.outbox import Job
from storage.tables import OutboxKind
from tests.conftest import BILLING_CHANNEL, OWNER, TEAM, FakeClock
from tests.core.helpers import actions, invite

DAY = timedelta(days=1)
NOT_A_MEMBER = ChannelProblem.NOT_A_MEMBER


def _claimed(billing: BillingAccess) -> list[Job]:
    """Everything due now, claimed and marked sent (as the deliverer would)."""
    jobs = billing.outbox.claim(limit=1000)
    for job in jobs:
        billing.outbox.done(job)
    return jobs


def _kinds(jobs: list[Job]) -> list[OutboxKind]:
    return [job.outbox.kind for job in jobs]


def _listed(jobs: list[Job], kind: OutboxKind) -> list[list[str]]:
    return [[i.email for i in job.invitations] for job in jobs if job.outbox.kind == kind]


def _remind_a_day_later(billing: BillingAccess, clock: FakeClock) -> None:
    clock.advance(DAY)
    billing.reminders.sweep()


def test_while_paused_channel_messages_are_kept_and_the_owner_told_once(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    _claimed(billing)
    _remind_a_day_later(billing, clock)
    assert billing.channels.cannot_post(TEAM, BILLING_CHANNEL, NOT_A_MEMBER) is not None
    _remind_a_day_later(billing, clock)
    assert billing.channels.cannot_post(TEAM, BILLING_CHANNEL, NOT_A_MEMBER) is not None
    kinds = _kinds(_claimed(billing))
    assert OutboxKind.REMINDER not in kinds
    assert kinds.count(OutboxKind.CHANNEL_PAUSED) == 1
    assert OutboxKind.INVITEE_NUDGE in kinds  # DMs do not need the channel
    assert billing.accounts.require(TEAM).channel_problem == NOT_A_MEMBER


def test_when_the_bot_can_post_again_what_was_kept_is_one_digest(
    billing: BillingAccess, clock: FakeClock
) -> None:
    billing.channels.cannot_post(TEAM, BILLING_CHANNEL, NOT_A_MEMBER)
    invite(billing, "ana@example.com", ["invoices"])
    _remind_a_day_later(billing, clock)
    invite(billing, "ben@example.com", ["quotes"])
    _remind_a_day_later(billing, clock)
    _remind_a_day_later(billing, clock)
    _claimed(billing)
    assert billing.channels.can_post(TEAM, BILLING_CHANNEL) is not None
    assert _listed(_claimed(billing), OutboxKind.REMINDER) == [
        ["ana@example.com", "ben@example.com"]
    ]
    assert billing.accounts.require(TEAM).channel_problem is None
    assert billing.channels.can_post(TEAM, BILLING_CHANNEL) is None  # nothing more to resume
    assert ("reminders.paused", BILLING_CHANNEL) in actions(billing)
    assert actions(billing)[-1] == ("reminders.resumed", BILLING_CHANNEL)


def test_kept_expiry_notices_are_one_notice_too(billing: BillingAccess, clock: FakeClock) -> None:
    billing.channels.cannot_post(TEAM, BILLING_CHANNEL, ChannelProblem.ARCHIVED)
    invite(billing, "ana@example.com", ["invoices"])
    clock.advance(DAY)
    invite(billing, "ben@example.com", ["quotes"])
    for _ in range(2):
        clock.advance(timedelta(days=7))
        billing.reminders.sweep()
    _claimed(billing)
    billing.channels.can_post(TEAM, BILLING_CHANNEL)
    jobs = _claimed(billing)
    assert _listed(jobs, OutboxKind.EXPIRY_NOTICE) == [["ana@example.com", "ben@example.com"]]


def test_a_channel_the_account_no_longer_uses_keeps_nothing(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    billing.accounts.update_settings(
        TEAM,
        actor=OWNER,
        reminders_channel_id="C0NEW",
        timings=Timings(DAY, DAY, timedelta(days=7)),
    )
    assert billing.channels.cannot_post(TEAM, BILLING_CHANNEL, NOT_A_MEMBER) is None
    assert billing.channels.can_post(TEAM, BILLING_CHANNEL) is None
    _remind_a_day_later(billing, clock)
    assert OutboxKind.REMINDER in _kinds(_claimed(billing))


def test_choosing_another_channel_sends_what_was_kept_there(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    billing.channels.cannot_post(TEAM, BILLING_CHANNEL, NOT_A_MEMBER)
    _remind_a_day_later(billing, clock)
    _remind_a_day_later(billing, clock)
    assert OutboxKind.REMINDER not in _kinds(_claimed(billing))
    billing.accounts.update_settings(
        TEAM,
        actor=OWNER,
        reminders_channel_id="C0NEW",
        timings=Timings(DAY, DAY, timedelta(days=7)),
    )
    assert billing.accounts.require(TEAM).channel_problem is None
    assert _listed(_claimed(billing), OutboxKind.REMINDER) == [["ana@example.com"]]


def test_a_reminder_being_sent_when_the_bot_leaves_and_returns_is_not_sent_again(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    _claimed(billing)
    _remind_a_day_later(billing, clock)
    in_flight = billing.outbox.claim(limit=1000)
    assert OutboxKind.REMINDER in _kinds(in_flight)
    billing.channels.cannot_post(TEAM, BILLING_CHANNEL, NOT_A_MEMBER)
    billing.channels.can_post(TEAM, BILLING_CHANNEL)
    for job in in_flight:
        billing.outbox.done(job)  # its sender's post went through
    assert OutboxKind.REMINDER not in _kinds(_claimed(billing))
