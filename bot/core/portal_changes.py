"""Changes the owner makes in Slack, carried to WHMCS through the outbox (DESIGN §9).

A change to a connected account is written with an outbox row naming what WHMCS must do, in
the same transaction; the row it concerns shows "syncing" until WHMCS confirms. A refusal is
told to the owner in WHMCS's words, and the account is reconciled at once so the row returns
to what WHMCS says.
"""

from datetime import datetime
from typing import Any

from bot.core.context import CoreContext
from bot.core.outbox import Job, enqueue, finish
from storage.tables import Account, Contact, Invitation, Member, OutboxKind
from storage.unit_of_work import UnitOfWork

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
            for row in _concerned(uow, job):
                row.syncing = False
                _save(uow, row)
            account = uow.accounts.get(job.outbox.account_id)
            assert account is not None
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
