"""Carrying the owner's changes to WHMCS: an outage only delays them, what no longer applies
is not sent, and a removal already done counts as done."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.core import BillingAccess
from bot.core.outbox import Job, RetryLater
from bot.core.portal import PortalRefused, PortalUnreachable
from bot.core.reconcile import read_portal
from bot.whmcs.sender import PortalSender
from storage.tables import OutboxKind
from tests.conftest import OWNER, TEAM, FakeClock
from tests.core.fake_portal import CLIENT, FakePortal, acme_with_portal, connect
from tests.core.helpers import invite


@pytest.fixture
def portal() -> FakePortal:
    return FakePortal()


@pytest.fixture
def core(engine: Engine, clock: FakeClock, portal: FakePortal) -> BillingAccess:
    core = acme_with_portal(engine, clock, portal, sync_every=timedelta(minutes=5))
    connect(core, portal)
    return core


def _carry(core: BillingAccess, portal: FakePortal) -> list[str]:
    """One delivery pass of what is owed to WHMCS (other messages are marked sent)."""
    senders = PortalSender(core, portal).senders()
    news = []
    for job in core.outbox.claim(limit=1000):
        if job.outbox.kind not in senders:
            news += [str(line) for line in job.outbox.payload.get("lines", [])]
            core.outbox.done(job)
            continue
        try:
            senders[job.outbox.kind](job)
        except RetryLater as later:
            core.outbox.retry_later(
                job, later.reason, give_up=later.give_up, uncertain=later.uncertain
            )
    return news


def _syncing(core: BillingAccess, email: str) -> bool:
    return any(i.syncing for i in core.invitations.pending(TEAM, actor=OWNER) if i.email == email)


def test_a_long_outage_only_delays_the_change(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.failure = PortalUnreachable("down")
    invite(core, "ana@example.com", ["invoices"])
    for _ in range(30):  # more tries than any message is otherwise given
        _carry(core, portal)
        clock.advance(timedelta(hours=1))
    assert portal.invites == []
    assert _syncing(core, "ana@example.com")
    portal.failure = None
    _carry(core, portal)
    assert portal.invites == [("ana@example.com", ("invoices",))]
    assert not _syncing(core, "ana@example.com")


def test_an_invitation_revoked_before_it_was_sent_is_not_sent(
    core: BillingAccess, portal: FakePortal
) -> None:
    invite(core, "ana@example.com", ["invoices"])
    core.invitations.revoke(TEAM, actor=OWNER, email="ana@example.com")
    _carry(core, portal)
    assert portal.invites == []


def test_nothing_queued_goes_to_a_client_the_account_left(
    core: BillingAccess, portal: FakePortal
) -> None:
    invite(core, "ana@example.com", ["invoices"])
    core.connection.disconnect(TEAM, actor=OWNER)
    _carry(core, portal)
    assert portal.invites == []
    assert not _syncing(core, "ana@example.com")


def test_removing_someone_already_gone_from_whmcs_is_done_not_refused(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.add_user(7, "ana@example.com", ["invoices"])
    clock.advance(timedelta(minutes=6))
    for claim in core.reconcile.claim_due():
        core.reconcile.apply(claim, read_portal(portal, claim.client_id))
    _carry(core, portal)
    portal.remove_user(CLIENT, 7)  # someone removed them in the portal meanwhile
    core.members.remove_access(TEAM, actor=OWNER, email="ana@example.com")
    news = _carry(core, portal)
    assert not [line for line in news if "refused" in line]
    kinds = [event.action for event in core.audit.trail(TEAM)]
    assert kinds[-1] == "access.removed"
    assert OutboxKind.PORTAL_REMOVE.value not in [j.outbox.kind.value for j in core.outbox.claim()]


def test_a_contact_whmcs_refuses_is_not_kept(core: BillingAccess, portal: FakePortal) -> None:
    portal.failure = PortalRefused("Client ID Not Found")
    core.contacts.add(TEAM, actor=OWNER, email="lee@example.com")
    _carry(core, portal)
    (news,) = _carry(core, portal)  # the owner's DM, owed by the refusal
    assert news == "WHMCS refused adding the contact for lee@example.com: Client ID Not Found"
    assert core.contacts.list(TEAM, actor=OWNER) == []


def _claim_for_whmcs(core: BillingAccess, portal: FakePortal) -> list[Job]:
    """Claim what is due, keeping what is owed to WHMCS in flight (not yet carried)."""
    senders = PortalSender(core, portal).senders()
    return [job for job in core.outbox.claim() if job.outbox.kind in senders]


def _send(core: BillingAccess, portal: FakePortal, jobs: list[Job]) -> None:
    senders = PortalSender(core, portal).senders()
    for job in jobs:
        senders[job.outbox.kind](job)


def test_changes_for_one_person_reach_whmcs_one_at_a_time_in_order(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    portal.add_user(7, "ana@example.com", ["invoices"])
    portal.add_user(8, "bo@example.com", ["invoices"])
    clock.advance(timedelta(minutes=6))
    for claim in core.reconcile.claim_due():
        core.reconcile.apply(claim, read_portal(portal, claim.client_id))
    _carry(core, portal)
    for email, permissions in [("ana", "quotes"), ("ana", "orders"), ("bo", "quotes")]:
        core.members.set_permissions(
            TEAM, actor=OWNER, email=f"{email}@example.com", permissions=[permissions]
        )
    in_flight = _claim_for_whmcs(core, portal)
    # Ana's second change waits for her first, which is in flight.
    assert [job.outbox.payload["email"] for job in in_flight] == [
        "ana@example.com",
        "bo@example.com",
    ]
    assert _claim_for_whmcs(core, portal) == []
    _send(core, portal, in_flight)
    _carry(core, portal)
    assert portal.permissions(CLIENT, 7) == ("orders",)
    assert portal.permissions(CLIENT, 8) == ("quotes",)


def test_a_contact_removed_while_its_add_is_in_flight_is_removed_from_whmcs_after_it(
    core: BillingAccess, portal: FakePortal
) -> None:
    core.contacts.add(TEAM, actor=OWNER, email="lee@example.com")
    adding = _claim_for_whmcs(core, portal)
    core.contacts.remove(TEAM, actor=OWNER, email="lee@example.com")
    assert _claim_for_whmcs(core, portal) == []  # the removal waits for the add
    _send(core, portal, adding)
    assert [contact.email for contact in portal.contacts(CLIENT)] == ["lee@example.com"]
    _carry(core, portal)
    assert portal.contacts(CLIENT) == ()
    assert core.contacts.list(TEAM, actor=OWNER) == []
