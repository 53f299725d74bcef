"""Races: whatever the interleaving, the end state is one that some serial order of the same
requests would have produced, and the audit log tells that same story."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from bot.core import BillingAccess
from bot.core.errors import DomainError
from bot.core.permissions import ALL_KEYS
from tests.conftest import OWNER, TEAM
from tests.core.helpers import add_user, invite

T = TypeVar("T")


def _together(calls: list[Callable[[], T]]) -> list[T | DomainError]:
    """Run ``calls`` at the same moment, each in its own thread; a refusal is a result too."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | DomainError:
        barrier.wait()
        try:
            return call()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _trail(billing: BillingAccess, email: str) -> list[str]:
    return [e.action for e in billing.audit.trail(TEAM) if e.target == email]


def test_fifty_accepts_of_one_invitation_grant_once(billing: BillingAccess) -> None:
    invitation = invite(billing, "ana@example.com", ["invoices"])
    assert invitation.id is not None
    invitation_id = invitation.id
    accept = lambda: billing.invitations.accept(  # noqa: E731
        TEAM, invitation_id, user_id="U0ANA", user_email="ana@example.com"
    )
    outcomes = _together([accept] * 50)
    assert all(not isinstance(outcome, DomainError) for outcome in outcomes)
    assert sum(outcome.changed for outcome in outcomes if not isinstance(outcome, DomainError)) == 1
    assert _trail(billing, "ana@example.com") == ["invitation.created", "invitation.accepted"]
    assert billing.members.access_for(TEAM, "ana@example.com").permissions == ("invoices",)


@pytest.mark.parametrize("round_", range(5))
def test_remove_access_racing_an_accept(billing: BillingAccess, round_: int) -> None:
    email = f"ana{round_}@example.com"
    add_user(billing, email, "U0ANA", ["invoices"])
    billing.members.remove_access(TEAM, actor=OWNER, email=email)
    invitation = invite(billing, email, ["orders"])
    assert invitation.id is not None
    invitation_id = invitation.id
    accepted, removed = _together([
        lambda: billing.invitations.accept(TEAM, invitation_id, user_id="U0ANA", user_email=email),
        lambda: billing.members.remove_access(TEAM, actor=OWNER, email=email),
    ])  # fmt: skip
    assert not isinstance(accepted, DomainError)
    status = billing.members.access_for(TEAM, email).status
    history = ["invitation.created", "invitation.accepted", "access.removed",
               "invitation.created", "invitation.accepted"]  # fmt: skip
    if isinstance(removed, DomainError):  # the removal came first and found no access
        assert status == "active"
        assert _trail(billing, email) == history
    else:  # the acceptance came first, then the removal took it away
        assert status == "removed"
        assert _trail(billing, email) == [*history, "access.removed"]


def test_concurrent_permission_edits_end_in_one_of_them_and_the_log_chains(
    billing: BillingAccess,
) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["invoices"])
    choices = [(key,) for key in ALL_KEYS[:10]]

    def edit(keys: tuple[str, ...]) -> Callable[[], object]:
        return lambda: billing.members.set_permissions(
            TEAM, actor=OWNER, email="ana@example.com", permissions=keys
        )

    _together([edit(keys) for keys in choices])
    final = billing.members.access_for(TEAM, "ana@example.com").permissions
    assert final in choices
    changes = [e for e in billing.audit.trail(TEAM) if e.action == "permissions.changed"]
    held = ["invoices"]
    for change in changes:
        assert change.permissions_before == held
        held = change.permissions_after or []
    assert tuple(held) == final
