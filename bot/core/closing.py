"""Ending an invitation, whoever ends it (the owner, the invitee, expiry, WHMCS)."""

from datetime import datetime

from bot.core.outbox import enqueue
from storage.tables import Account, Invitation, InvitationStatus, OutboxKind
from storage.unit_of_work import UnitOfWork


def close_invitation(
    uow: UnitOfWork,
    account: Account,
    invitation: Invitation,
    status: InvitationStatus,
    now: datetime,
) -> None:
    """End the invitation; its DM is then updated so that its buttons are gone, and its
    emailed link dies."""
    invitation.status = status
    invitation.link_hash = None
    invitation.responded_at = now
    invitation.next_reminder_at = None
    uow.invitations.add(invitation)
    enqueue(uow, account, OutboxKind.INVITATION_CLOSED, now=now, invitation=invitation)
