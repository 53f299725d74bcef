"""The sweep, with a clock the tests move: what it owes, when, and only once."""

from datetime import timedelta

from bot.core import BillingAccess, Timings
from bot.core.outbox import DIGEST_SIZE, Job
from storage.tables import OutboxKind
from tests.conftest import OWNER, TEAM, FakeClock
from tests.core.helpers import actions, add_user, invite

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _sent(billing: BillingAccess) -> list[Job]:
    """Everything owed now, claimed and marked sent pass after pass until nothing is due (as
    the deliverer would: a DM's update waits for the DM)."""
    sent: list[Job] = []
    while jobs := billing.outbox.claim(limit=1000):
        for job in jobs:
            billing.outbox.done(job)
        sent += jobs
    return sent


def _owed(billing: BillingAccess, kind: OutboxKind) -> list[Job]:
    return [job for job in _sent(billing) if job.outbox.kind == kind]


def _listed(jobs: list[Job]) -> list[list[str]]:
    return [[invitation.email for invitation in job.invitations] for job in jobs]


def test_no_reminder_before_its_time(billing: BillingAccess, clock: FakeClock) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    clock.advance(DAY - timedelta(seconds=1))
    assert billing.reminders.sweep().reminded == 0
    assert _owed(billing, OutboxKind.REMINDER) == []


def test_first_reminder_then_repeats(billing: BillingAccess, clock: FakeClock) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    clock.advance(DAY)
    assert billing.reminders.sweep().reminded == 1
    assert _listed(_owed(billing, OutboxKind.REMINDER)) == [["ana@example.com"]]
    assert billing.reminders.sweep().reminded == 0
    clock.advance(DAY - timedelta(seconds=1))
    assert billing.reminders.sweep().reminded == 0
    clock.advance(timedelta(seconds=1))
    assert billing.reminders.sweep().reminded == 1
    (pending,) = billing.invitations.pending(TEAM, actor=OWNER)
    assert pending.next_reminder_at == clock() + DAY


def test_reminders_due_together_are_one_message(billing: BillingAccess, clock: FakeClock) -> None:
    emails = ["a@example.com", "b@example.com", "c@example.com"]
    billing.invitations.invite(TEAM, actor=OWNER, permissions=["invoices"], emails=emails)
    clock.advance(DAY)
    billing.reminders.sweep()
    owed = _sent(billing)
    reminders = [job for job in owed if job.outbox.kind == OutboxKind.REMINDER]
    assert _listed(reminders) == [["a@example.com", "b@example.com", "c@example.com"]]
    nudges = [job for job in owed if job.outbox.kind == OutboxKind.INVITEE_NUDGE]
    assert len(nudges) == 3


def test_a_long_digest_is_split_to_fit_slacks_limits(
    billing: BillingAccess, clock: FakeClock
) -> None:
    emails = [f"u{i:02d}@example.com" for i in range(DIGEST_SIZE + 5)]
    billing.invitations.invite(TEAM, actor=OWNER, emails=emails, permissions=["invoices"])
    clock.advance(DAY)
    billing.reminders.sweep()
    assert [len(listed) for listed in _listed(_owed(billing, OutboxKind.REMINDER))] == [
        DIGEST_SIZE,
        5,
    ]


def test_no_reminder_after_accept_decline_or_revoke(
    billing: BillingAccess, clock: FakeClock
) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["invoices"])
    declined = invite(billing, "bo@example.com", ["invoices"])
    assert declined.id is not None
    billing.invitations.decline(TEAM, declined.id, user_id="U0BO", user_email="bo@example.com")
    invite(billing, "cy@example.com", ["invoices"])
    billing.invitations.revoke(TEAM, actor=OWNER, email="cy@example.com")
    clock.advance(DAY)
    assert billing.reminders.sweep().reminded == 0


def test_expiry_is_announced_once_and_ends_reminders(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    invite(billing, "bo@example.com", ["invoices"])
    clock.advance(timedelta(days=7))
    report = billing.reminders.sweep()
    assert (report.expired, report.reminded) == (2, 0)
    owed = _sent(billing)
    notices = [job for job in owed if job.outbox.kind == OutboxKind.EXPIRY_NOTICE]
    assert _listed(notices) == [["ana@example.com", "bo@example.com"]]
    closed = [job for job in owed if job.outbox.kind == OutboxKind.INVITATION_CLOSED]
    assert len(closed) == 2
    clock.advance(DAY)
    assert billing.reminders.sweep() == type(report)(0, 0)
    assert _owed(billing, OutboxKind.EXPIRY_NOTICE) == []
    assert actions(billing).count(("invitation.expired", "ana@example.com")) == 1


def test_an_expiry_found_by_a_late_click_is_announced_once_too(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invitation = invite(billing, "ana@example.com", ["invoices"])
    assert invitation.id is not None
    clock.advance(timedelta(days=8))
    try:
        billing.invitations.accept(
            TEAM, invitation.id, user_id="U0ANA", user_email="ana@example.com"
        )
    except Exception as error:
        assert "expired" in str(error)
    assert billing.reminders.sweep().expired == 0
    assert _listed(_owed(billing, OutboxKind.EXPIRY_NOTICE)) == [["ana@example.com"]]


def test_resend_starts_the_reminders_again(billing: BillingAccess, clock: FakeClock) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    clock.advance(20 * HOUR)
    billing.invitations.resend(TEAM, actor=OWNER, email="ana@example.com")
    clock.advance(5 * HOUR)
    assert billing.reminders.sweep().reminded == 0
    clock.advance(19 * HOUR)
    assert billing.reminders.sweep().reminded == 1


def test_per_account_timings(billing: BillingAccess, clock: FakeClock) -> None:
    timings = Timings(timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=30))
    billing.accounts.update_settings(
        TEAM, actor=OWNER, reminders_channel_id="C0OTHER", timings=timings
    )
    invite(billing, "ana@example.com", ["invoices"])
    clock.advance(timedelta(minutes=5))
    assert billing.reminders.sweep().reminded == 1
    clock.advance(timedelta(minutes=10))
    assert billing.reminders.sweep().reminded == 1
    clock.advance(timedelta(minutes=15))
    assert billing.reminders.sweep().expired == 1
    reminders = _owed(billing, OutboxKind.REMINDER)
    assert {job.account.reminders_channel_id for job in reminders} == {"C0OTHER"}
