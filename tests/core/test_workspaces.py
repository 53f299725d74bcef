"""A workspace without a working token: its account paused (nothing owed to Slack is sent or
lost, no reminder is owed), then resumed when it is installed again."""

from datetime import timedelta

from bot.core import BillingAccess
from storage.tables import OutboxKind
from tests.conftest import OWNER, OWNER_EMAIL, TEAM, FakeClock
from tests.core.helpers import actions, invite

DAY = timedelta(days=1)


def _claimed(billing: BillingAccess) -> list[OutboxKind]:
    jobs = billing.outbox.claim(limit=100)
    for job in jobs:
        billing.outbox.done(job)
    return [job.outbox.kind for job in jobs]


def test_a_paused_workspace_keeps_its_messages_until_it_is_resumed(
    billing: BillingAccess, clock: FakeClock
) -> None:
    billing.workspaces.pause(TEAM, "app_uninstalled")
    invite(billing, "ana@example.com", ["invoices"])
    assert _claimed(billing) == []
    clock.advance(DAY + timedelta(minutes=1))
    assert billing.reminders.sweep().reminded == 0
    assert ("slack.paused", "") in actions(billing)

    billing.workspaces.resume(TEAM)
    assert _claimed(billing) == [OutboxKind.INVITATION]
    assert billing.reminders.sweep().reminded == 1
    assert sorted(_claimed(billing)) == [OutboxKind.INVITEE_NUDGE, OutboxKind.REMINDER]
    assert [a for a, _ in actions(billing)][-1] == "slack.resumed"


def test_a_message_held_back_by_a_back_off_is_due_at_once_on_resuming(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invite(billing, "ana@example.com", ["invoices"])
    [job] = billing.outbox.claim(limit=10)
    billing.outbox.retry_later(job, "token_revoked", give_up=False)  # due again in minutes
    billing.workspaces.pause(TEAM, "token_revoked")
    billing.workspaces.resume(TEAM)
    assert _claimed(billing) == [OutboxKind.INVITATION]


def test_pausing_twice_records_once_and_other_workspaces_go_on(
    billing: BillingAccess,
) -> None:
    billing.accounts.setup("T0OTHER", "Other Ltd", actor=OWNER, actor_email=OWNER_EMAIL,
                           actor_is_workspace_admin=True, channel_id="C0OTHER")  # fmt: skip
    billing.workspaces.pause(TEAM, "token_revoked")
    billing.workspaces.pause(TEAM, "app_uninstalled")
    assert [a for a, _ in actions(billing)].count("slack.paused") == 1
    billing.invitations.invite(
        "T0OTHER", actor=OWNER, emails=["bo@example.com"], permissions=["invoices"]
    )
    assert _claimed(billing) == [OutboxKind.INVITATION]


def test_an_organisation_pauses_and_resumes_each_of_its_workspaces(
    access: BillingAccess,
) -> None:
    for team in ("T0ONE", "T0TWO", "T0ELSE"):
        access.accounts.setup(team, f"{team} Ltd", actor=OWNER, actor_email=OWNER_EMAIL,
                              actor_is_workspace_admin=True, channel_id="C1",
                              enterprise_id=None if team == "T0ELSE" else "E0ORG")  # fmt: skip
    access.workspaces.pause_organisation("E0ORG", "app_uninstalled")
    paused = {
        t: access.accounts.require(t).slack_paused_at is not None
        for t in ("T0ONE", "T0TWO", "T0ELSE")
    }
    assert paused == {"T0ONE": True, "T0TWO": True, "T0ELSE": False}
    access.workspaces.resume_organisation("E0ORG")
    assert all(access.accounts.require(t).slack_paused_at is None for t in ("T0ONE", "T0TWO"))
