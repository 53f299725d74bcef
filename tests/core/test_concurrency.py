"""Requests that race: the database's constraints keep the data right."""

from concurrent.futures import ThreadPoolExecutor

from bot.core import BillingAccess
from tests.conftest import OWNER, TEAM
from tests.core.helpers import actions, invite

THREADS = 20


def test_twenty_threads_inviting_one_email_leave_one_pending_invitation(
    billing: BillingAccess,
) -> None:
    def invite_ana(index: int) -> tuple[int, int]:
        result = billing.invitations.invite(
            TEAM,
            actor=OWNER,
            emails=[f"{'ANA' if index % 2 else 'ana'}@example.com"],
            permissions=["invoices"],
        )
        return len(result.invited), len(result.already_pending)

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(invite_ana, range(THREADS)))
    assert sorted(outcomes) == [(0, 1)] * (THREADS - 1) + [(1, 0)]
    assert [i.email for i in billing.invitations.pending(TEAM, actor=OWNER)] == ["ana@example.com"]
    assert actions(billing).count(("invitation.created", "ana@example.com")) == 1


def test_many_accepts_of_one_invitation_grant_once(billing: BillingAccess) -> None:
    invitation = invite(billing, "ana@example.com", ["invoices"])
    assert invitation.id is not None
    invitation_id = invitation.id

    def accept(_index: int) -> bool:
        response = billing.invitations.accept(
            TEAM, invitation_id, user_id="U0ANA", user_email="ana@example.com"
        )
        return response.changed

    with ThreadPoolExecutor(THREADS) as pool:
        changed = list(pool.map(accept, range(THREADS)))
    assert changed.count(True) == 1
    assert actions(billing).count(("invitation.accepted", "ana@example.com")) == 1
    assert billing.members.access_for(TEAM, "ana@example.com").permissions == ("invoices",)
