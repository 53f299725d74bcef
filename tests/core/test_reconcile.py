"""Reconciliation: WHMCS is the record of who has access now, and the bot's table follows it,
audited as the billing portal, the owner told; Slack's own changes in flight are left alone."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from bot.core import BillingAccess
from bot.core.outbox import Job
from bot.core.permissions import ALL_KEYS
from bot.core.reconcile import read_portal
from storage.tables import OutboxKind
from storage.unit_of_work import UnitOfWork
from tests.conftest import OWNER, OWNER_EMAIL, TEAM, FakeClock
from tests.core.fake_portal import CLIENT, FakePortal, acme_with_portal, connect
from tests.core.helpers import invite

EVERY = timedelta(minutes=5)
LATEST = EVERY * 1.1
"""The longest an account's interval is stretched, to spread accounts over it."""


@pytest.fixture
def portal() -> FakePortal:
    return FakePortal()


@pytest.fixture
def core(engine: Engine, clock: FakeClock, portal: FakePortal) -> BillingAccess:
    core = acme_with_portal(engine, clock, portal, sync_every=EVERY)
    connect(core, portal)
    return core


def _sync(core: BillingAccess, portal: FakePortal) -> list[str]:
    news = []
    for claim in core.reconcile.claim_due():
        news += core.reconcile.apply(claim, read_portal(portal, claim.client_id))
    return news


def _owed(core: BillingAccess, kind: OutboxKind) -> list[Job]:
    """Everything owed now, carried as its sender would: WHMCS confirms what it is sent."""
    jobs = core.outbox.claim(limit=1000)
    for job in jobs:
        if (
            job.outbox.kind.value.startswith("portal_")
            and job.outbox.kind != OutboxKind.PORTAL_NEWS
        ):
            core.portal_changes.confirmed(job)
        else:
            core.outbox.done(job)
    return [job for job in jobs if job.outbox.kind == kind]


def _status(core: BillingAccess, email: str) -> tuple[str, tuple[str, ...]]:
    access = core.members.access_for(TEAM, email)
    return access.status, tuple(access.permissions)


def test_portal_users_appear_audited_and_the_owner_is_told(
    core: BillingAccess, portal: FakePortal
) -> None:
    portal.add_user(7, "ana@example.com", ["invoices", "quotes"])
    assert _sync(core, portal) == ["ana@example.com was added in the billing portal."]
    assert _status(core, "ana@example.com") == ("active", ("invoices", "quotes"))
    event = core.audit.trail(TEAM)[-1]
    assert (event.actor_user_id, event.action) == ("billing portal", "member.added")
    (news,) = _owed(core, OutboxKind.PORTAL_NEWS)
    assert news.outbox.recipient_user_id == OWNER


def test_the_owner_row_keeps_every_permission_when_the_slack_owner_is_also_a_user_there(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.add_user(9, OWNER_EMAIL, ["invoices"])
    for _ in range(2):
        assert _sync(core, portal) == []
        clock.advance(LATEST)
    assert _status(core, OWNER_EMAIL) == ("active", ALL_KEYS)


def test_each_account_is_synced_once_per_interval(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    assert len(core.reconcile.claim_due()) == 1
    assert core.reconcile.claim_due() == []
    clock.advance(EVERY * 0.9 - timedelta(seconds=1))
    assert core.reconcile.claim_due() == []
    clock.advance(EVERY * 0.2 + timedelta(seconds=1))
    assert len(core.reconcile.claim_due()) == 1


def test_changes_and_removals_in_the_portal_are_followed(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.add_user(7, "ana@example.com", ["invoices"])
    _sync(core, portal)
    portal.set_permissions(CLIENT, 7, ["tickets"])
    clock.advance(LATEST)
    assert _sync(core, portal) == [
        "ana@example.com had their permissions changed in the billing portal."
    ]
    portal.remove_user(CLIENT, 7)
    clock.advance(LATEST)
    assert _sync(core, portal) == ["ana@example.com was removed in the billing portal."]
    assert _status(core, "ana@example.com") == ("removed", ())


def test_an_invitation_accepted_in_the_portal_is_closed(
    core: BillingAccess, portal: FakePortal
) -> None:
    invite(core, "ben@example.com", ["invoices"])
    assert portal.invites == []  # not yet: the outbox carries it
    portal.add_user(8, "ben@example.com", ["invoices"])
    assert _sync(core, portal) == ["ben@example.com accepted the invitation in the billing portal."]
    assert _status(core, "ben@example.com") == ("active", ("invoices",))
    assert core.invitations.pending(TEAM, actor=OWNER) == []


def test_a_revoked_invitation_accepted_anyway_is_undone(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    invite(core, "cat@example.com", ["invoices"])
    core.invitations.revoke(TEAM, actor=OWNER, email="cat@example.com")
    _owed(core, OutboxKind.PORTAL_REMOVE)
    portal.add_user(9, "cat@example.com", ["invoices"])
    (news,) = _sync(core, portal)
    assert "cat@example.com accepted in the billing portal an invitation that was revoked" in news
    clock.advance(LATEST)
    assert _sync(core, portal) == []  # undone once, not again while it is on its way
    (undo,) = _owed(core, OutboxKind.PORTAL_REMOVE)
    assert undo.outbox.payload["user_id"] == 9
    assert _status(core, "cat@example.com")[0] == "revoked"


def test_a_change_from_slack_in_flight_is_left_to_the_outbox(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.add_user(7, "ana@example.com", ["invoices"])
    _sync(core, portal)
    core.members.set_permissions(
        TEAM, actor=OWNER, email="ana@example.com", permissions=["tickets"]
    )
    clock.advance(LATEST)
    assert _sync(core, portal) == []
    assert _status(core, "ana@example.com") == ("active", ("tickets",))
    (change,) = _owed(core, OutboxKind.PORTAL_PERMISSIONS)
    assert change.outbox.payload["permissions"] == ["tickets"]
    assert change.outbox.payload["user_id"] == 7


def test_a_view_overtaken_by_a_newer_claim_is_dropped(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    (slow,) = core.reconcile.claim_due()
    stale = read_portal(portal, slow.client_id)  # read before Ana was added
    portal.add_user(7, "ana@example.com", ["invoices"])
    clock.advance(LATEST)
    assert _sync(core, portal) == ["ana@example.com was added in the billing portal."]
    assert core.reconcile.apply(slow, stale) == []
    assert _status(core, "ana@example.com") == ("active", ("invoices",))


def test_accounts_connected_together_are_spread_over_the_interval(
    core: BillingAccess, engine: Engine, clock: FakeClock
) -> None:
    for n in range(2, 12):
        core.accounts.setup(
            f"T{n}",
            f"Account {n}",
            actor=f"U{n}",
            actor_email=f"o{n}@x.example",
            actor_is_workspace_admin=True,
            channel_id=f"C{n}",
        )
    with UnitOfWork(engine) as uow:  # connected all at once, as an import would
        for n in range(2, 12):
            account = uow.accounts.for_team(f"T{n}")
            assert account is not None
            account.whmcs_client_id, account.portal_sync_due_at = 100 + n, clock()
            uow.accounts.add(account)
        uow.commit()
    next_times = sorted(claim.due for claim in core.reconcile.claim_due())
    assert len(next_times) == 11
    assert clock() + EVERY * 0.9 <= next_times[0] < next_times[-1] <= clock() + LATEST
    assert next_times[-1] - next_times[0] > EVERY * 0.15


def test_contacts_follow_the_portal_with_their_emails(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    contact_id = portal.add_contact(CLIENT, "lee@example.com", "Lee Books", ["invoice"])
    assert _sync(core, portal) == ["lee@example.com was added as a contact in the billing portal."]
    (lee,) = core.contacts.list(TEAM, actor=OWNER)
    assert (lee.name, lee.email_kinds, lee.whmcs_contact_id) == (
        "Lee Books",
        ["invoice"],
        contact_id,
    )
    portal.remove_contact(contact_id)
    clock.advance(LATEST)
    assert _sync(core, portal) == [
        "lee@example.com was removed as a contact in the billing portal."
    ]
    assert core.contacts.list(TEAM, actor=OWNER) == []
    assert core.audit.trail(TEAM)[-1].actor_user_id == "billing portal"


def test_a_former_member_invited_again_accepts_in_the_portal(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.add_user(7, "ana@example.com", ["invoices"])
    _sync(core, portal)
    core.members.remove_access(TEAM, actor=OWNER, email="ana@example.com")
    _owed(core, OutboxKind.PORTAL_REMOVE)
    portal.remove_user(CLIENT, 7)
    invite(core, "ana@example.com", ["quotes"])
    portal.add_user(8, "ana@example.com", ["quotes"])
    clock.advance(LATEST)
    assert _sync(core, portal) == ["ana@example.com accepted the invitation in the billing portal."]
    assert _status(core, "ana@example.com") == ("active", ("quotes",))
    assert core.invitations.pending(TEAM, actor=OWNER) == []


def test_a_sync_gives_way_to_a_change_in_progress_and_follows_the_portal_later(
    core: BillingAccess, portal: FakePortal, clock: FakeClock, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns: a sync never waits there for a row")
    portal.add_user(7, "ana@example.com", ["invoices"])
    _sync(core, portal)
    portal.set_permissions(CLIENT, 7, ["tickets"])
    clock.advance(LATEST)
    (claim,) = core.reconcile.claim_due()
    view = read_portal(portal, CLIENT)
    with engine.connect() as person:  # their change holds Ana's row, then wants the account
        person.execute(
            text("UPDATE member SET updated_at = updated_at WHERE email = :e"),
            {"e": "ana@example.com"},
        )
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(core.reconcile.apply, claim, view).result(timeout=5) == []
        person.execute(text("UPDATE account SET version = version + 1"))
        person.commit()
    clock.advance(LATEST)
    assert _sync(core, portal) == [
        "ana@example.com had their permissions changed in the billing portal."
    ]
