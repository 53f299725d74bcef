"""Changes the owner makes in Slack, carried to WHMCS through the outbox (DESIGN §9).

A change to a connected account is written with an outbox row naming what WHMCS must do, in
the same transaction; the row it concerns shows "syncing" until WHMCS confirms. A refusal is
told to the owner in WHMCS's words, and the account is reconciled at once so the row returns
to what WHMCS says.
"""

from datetime import datetime
from typing import Any

from bot.core.closing import close_invitation
from bot.core.context import CoreContext, record
from bot.core.outbox import Job, enqueue, finish
from storage.tables import Account, Contact, Invitation, InvitationStatus, Member, OutboxKind
from storage.unit_of_work import UnitOfWork

PORTAL_ACTOR = "billing portal"
"""Who the audit log names for what WHMCS did or refused."""

WHAT = {
    OutboxKind.PORTAL_INVITE: "the invitation",
    OutboxKind.PORTAL_PERMISSIONS: "the new permissions",
    OutboxKind.PORTAL_REMOVE: "removing access",
    OutboxKind.PORTAL_CONTACT_ADD: "adding the contact",
    OutboxKind.PORTAL_CONTACT_REMOVE: "removing the contact",
}


def owe_portal(
    uow: UnitOfWork,
    account: Account,
    kind: OutboxKind,
    now: datetime,
    *,
    invitation: Invitation | None = None,
    **payload: Any,
) -> bool:
    """When the account is connected to WHMCS, owe it ``kind``; returns whether it is owed."""
    if account.whmcs_client_id is None:
        return False
    _resync(uow, account, now)
    enqueue(
        uow,
        account,
        kind,
        now=now,
        invitation=invitation,
        payload={"client_id": account.whmcs_client_id, **payload},
    )
    return True


def owe_invite(uow: UnitOfWork, account: Account, invitation: Invitation, now: datetime) -> bool:
    """When the account is connected to WHMCS, owe it the invitation (WHMCS emails it)."""
    return owe_portal(
        uow,
        account,
        OutboxKind.PORTAL_INVITE,
        now,
        invitation=invitation,
        email=invitation.email,
        permissions=list(invitation.permissions),
    )


class PortalChangeService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def confirmed(
        self, job: Job, *, whmcs_contact_id: int | None = None, outcome: str = "done in WHMCS"
    ) -> None:
        """WHMCS did it (or there is nothing left to do): the row is no longer syncing."""
        with self._context.uow() as uow:
            for row in _concerned(uow, job):
                row.syncing = False
                if isinstance(row, Contact) and whmcs_contact_id is not None:
                    row.whmcs_contact_id = whmcs_contact_id
                _save(uow, row)
            account = uow.accounts.get(job.outbox.account_id)
            assert account is not None
            _resync(uow, account, self._context.now())
            finish(uow, job, self._context.now(), outcome)
            uow.commit()

    def refused(self, job: Job, message: str) -> None:
        """WHMCS said no: tell the owner its words, and reconcile the account at once."""
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.get(job.outbox.account_id)
            assert account is not None
            for row in _concerned(uow, job):
                row.syncing = False
                _save(uow, row)
                _undo_in_slack(uow, account, job, row, now)
            _resync(uow, account, now)
            email = str(job.outbox.payload.get("email", ""))
            line = f"WHMCS refused {WHAT.get(job.outbox.kind, 'a change')} for {email}: {message}"
            enqueue(
                uow,
                account,
                OutboxKind.PORTAL_NEWS,
                now=now,
                recipient_user_id=account.owner_user_id,
                payload={"lines": [line]},
            )
            finish(uow, job, now, f"refused: {message}")
            uow.commit()


def _concerned(uow: UnitOfWork, job: Job) -> list[Invitation | Member | Contact]:
    payload = job.outbox.payload
    found: list[Invitation | Member | Contact | None] = [
        uow.invitations.get(job.outbox.invitation_id) if job.outbox.invitation_id else None,
        uow.members.get(int(payload["member_id"])) if payload.get("member_id") else None,
        uow.contacts.get(int(payload["contact_id"])) if payload.get("contact_id") else None,
    ]
    return [row for row in found if row is not None]


def _save(uow: UnitOfWork, row: Invitation | Member | Contact) -> None:
    if isinstance(row, Invitation):
        uow.invitations.add(row)
    elif isinstance(row, Member):
        uow.members.add(row)
    else:
        uow.contacts.add(row)


def _resync(uow: UnitOfWork, account: Account, now: datetime) -> None:
    """Reconcile the account again now: a view of WHMCS read before this change is stale, and
    moving the due time drops it (see ``ReconcileService.apply``)."""
    if account.whmcs_client_id is not None:
        account.portal_sync_due_at = now
        uow.accounts.add(account)


def _undo_in_slack(
    uow: UnitOfWork, account: Account, job: Job, row: Invitation | Member | Contact, now: datetime
) -> None:
    """What WHMCS refused to create does not exist there, so it stops existing here: the
    invitation is closed (its reminders stop, its DM loses its words) and the contact goes.
    Changes to existing users are put back by reconciling, which follows WHMCS."""
    kind = job.outbox.kind
    if kind == OutboxKind.PORTAL_INVITE and isinstance(row, Invitation):
        if row.status == InvitationStatus.PENDING:
            close_invitation(uow, account, row, InvitationStatus.REVOKED, now)
            record(
                uow,
                account,
                at=now,
                actor=PORTAL_ACTOR,
                action="invitation.refused",
                target=row.email,
                before=row.permissions,
            )
    elif kind == OutboxKind.PORTAL_CONTACT_ADD and isinstance(row, Contact):
        uow.contacts.remove(row)
        record(uow, account, at=now, actor=PORTAL_ACTOR, action="contact.refused", target=row.email)
