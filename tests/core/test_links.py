"""The emailed link: one live token per open invitation, only its hash kept, dead once the
invitation is answered (in either place), revoked, expired or resent."""

from datetime import timedelta

import pytest

from bot.core import BillingAccess
from bot.core.context import LINK_ACTOR
from bot.core.errors import InvitationClosed
from bot.core.links import token_hash
from storage.tables import Invitation, InvitationStatus, MemberStatus
from tests.conftest import OWNER, TEAM, FakeClock
from tests.core.helpers import invite, last_event

ANA = "ana@example.com"


def linked(billing: BillingAccess) -> tuple[Invitation, str]:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    token = billing.links.issue(invitation.id, inviter_name="Olivia")
    assert token is not None
    return invitation, token


def test_a_link_finds_its_invitation_and_keeps_only_a_hash(billing: BillingAccess) -> None:
    invitation, token = linked(billing)
    found = billing.links.find(token)
    assert found is not None
    assert (found.invitation.id, found.account.name, found.answerable) == (
        invitation.id,
        "Acme Ltd",
        True,
    )
    assert found.invitation.link_hash == token_hash(token) != token
    assert found.invitation.inviter_name == "Olivia"


@pytest.mark.parametrize("token", ["", "short", "x" * 43 + "!", "x" * 44, "../" * 15])
def test_malformed_and_unknown_tokens_find_nothing(billing: BillingAccess, token: str) -> None:
    linked(billing)
    assert billing.links.find(token) is None
    assert billing.links.find("A" * 43) is None


def test_accepting_by_link_grants_the_permissions_and_kills_the_link(
    billing: BillingAccess,
) -> None:
    _invitation, token = linked(billing)
    answer = billing.links.answer(token, accept=True)
    assert answer.changed
    assert answer.invitation.status == InvitationStatus.ACCEPTED
    access = billing.members.access_for(TEAM, ANA)
    assert (access.status, access.permissions) == (MemberStatus.ACTIVE, ("invoices",))
    assert last_event(billing).actor_user_id == LINK_ACTOR
    assert billing.links.find(token) is None
    with pytest.raises(InvitationClosed):
        billing.links.answer(token, accept=False)


def test_declining_by_link_grants_nothing(billing: BillingAccess) -> None:
    _invitation, token = linked(billing)
    billing.links.answer(token, accept=False)
    assert billing.members.access_for(TEAM, ANA).status == "declined"
    assert billing.links.find(token) is None


def test_revoking_kills_the_link(billing: BillingAccess) -> None:
    _invitation, token = linked(billing)
    billing.invitations.revoke(TEAM, actor=OWNER, email=ANA)
    assert billing.links.find(token) is None
    with pytest.raises(InvitationClosed):
        billing.links.answer(token, accept=True)


def test_a_resend_kills_the_old_link(billing: BillingAccess) -> None:
    invitation, token = linked(billing)
    billing.invitations.resend(TEAM, actor=OWNER, email=ANA)
    assert billing.links.find(token) is None
    assert invitation.id is not None
    assert billing.links.issue(invitation.id, inviter_name="Olivia") is not None


def test_an_expired_link_cannot_be_answered(billing: BillingAccess, clock: FakeClock) -> None:
    invitation, token = linked(billing)
    clock.advance(timedelta(days=8))
    found = billing.links.find(token)
    assert found is not None and not found.answerable
    with pytest.raises(InvitationClosed):
        billing.links.answer(token, accept=True)
    assert billing.links.find(token) is None
    assert invitation.id is not None
    assert billing.links.issue(invitation.id, inviter_name="Olivia") is None


def test_an_answer_in_slack_first_kills_the_link(billing: BillingAccess) -> None:
    invitation, token = linked(billing)
    assert invitation.id is not None
    billing.invitations.decline(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert billing.links.find(token) is None
    with pytest.raises(InvitationClosed):
        billing.links.answer(token, accept=True)
    assert billing.members.access_for(TEAM, ANA).status == "declined"


def test_an_answer_by_link_first_wins_over_the_dm(billing: BillingAccess) -> None:
    invitation, token = linked(billing)
    assert invitation.id is not None
    billing.links.answer(token, accept=True)
    with pytest.raises(InvitationClosed):
        billing.invitations.decline(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "active"
