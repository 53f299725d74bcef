"""Small steps many core tests take."""

from collections.abc import Iterable

from bot.core import BillingAccess
from storage.tables import AuditEvent, Invitation, Member
from tests.conftest import OWNER, TEAM


def invite(billing: BillingAccess, email: str, permissions: Iterable[str]) -> Invitation:
    result = billing.invitations.invite(TEAM, actor=OWNER, emails=[email], permissions=permissions)
    assert len(result.invited) == 1, result
    return result.invited[0]


def add_user(
    billing: BillingAccess, email: str, user_id: str, permissions: Iterable[str]
) -> Member:
    """Invite ``email`` and have ``user_id`` (whose Slack email it is) accept."""
    invitation = invite(billing, email, permissions)
    assert invitation.id is not None
    response = billing.invitations.accept(TEAM, invitation.id, user_id=user_id, user_email=email)
    assert response.member is not None
    return response.member


def actions(billing: BillingAccess) -> list[tuple[str, str]]:
    """The audit trail as (action, target) pairs, oldest first."""
    return [(event.action, event.target) for event in billing.audit.trail(TEAM)]


def last_event(billing: BillingAccess) -> AuditEvent:
    return billing.audit.trail(TEAM)[-1]
