"""Reconciling a connected account with WHMCS (DESIGN §9): WHMCS is the record of who has
access now, and the bot's table follows it.

Each due account is claimed by one replica (its next due time is moved on under a lock others
skip), read from WHMCS outside any transaction, then brought in line in one transaction:
users added, removed or changed in the portal appear with the audit actor "billing portal";
an invited email appearing among the client's users closes its invitation as accepted; an
invitation revoked or expired in Slack but accepted anyway is undone. Rows whose own change
from Slack is still on its way (``syncing``) are left for the outbox to settle. The owner is
told of what changed in one DM.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.closing import close_invitation
from bot.core.contacts import add_contact, remove_contact, update_contact
from bot.core.context import CoreContext, record
from bot.core.emails import normalise_email
from bot.core.errors import InvalidInput
from bot.core.outbox import enqueue
from bot.core.permissions import ALL_KEYS
from bot.core.portal import BillingPortal, PortalClient, PortalContact, PortalUser
from bot.core.portal_changes import PORTAL_ACTOR, owe_portal
from storage.tables import (
    Account,
    Invitation,
    InvitationStatus,
    Member,
    MemberRole,
    MemberStatus,
    OutboxKind,
)
from storage.unit_of_work import GaveWay, UnitOfWork

SYNCS_PER_CLAIM = 50
GIVE_WAY_AFTER_MS = 200
"""Well under PostgreSQL's deadlock_timeout (1 s), after which it would abort one side."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortalView:
    """What WHMCS says about one client, read outside any transaction."""

    client: PortalClient
    permissions: dict[int, tuple[str, ...]]
    """Each non-owner user's permission keys."""
    contacts: tuple[PortalContact, ...]


def read_portal(portal: BillingPortal, client_id: int) -> PortalView:
    client = portal.client(client_id)
    permissions = {
        user.id: _known(portal.permissions(client_id, user.id))
        for user in client.users
        if not user.is_owner
    }
    return PortalView(client, permissions, portal.contacts(client_id))


def _known(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys the catalogue knows, in its order (a newer WHMCS may have more)."""
    return tuple(key for key in ALL_KEYS if key in set(keys))


SPREAD = 0.2
"""Each account's interval is stretched or shrunk by up to half of this, by its id, so accounts
connected together drift apart over the interval instead of asking WHMCS all at once."""


def _spread(every: timedelta, account_id: int) -> timedelta:
    share = (account_id * 0.6180339887) % 1.0  # the golden ratio spreads ids evenly
    return every * (1 - SPREAD / 2 + SPREAD * share)


class ReconcileService:
    def __init__(self, context: CoreContext, every: timedelta) -> None:
        self._context = context
        self._every = every

    def claim_due(self, *, limit: int = SYNCS_PER_CLAIM) -> list["Claim"]:
        """Connected accounts due now, each now this caller's to sync until its next
        interval (or until a newer claim supersedes this one)."""
        now = self._context.now()
        with self._context.uow() as uow:
            due = uow.accounts.claim_portal_syncs(now, limit=limit)
            claimed = []
            for account in due:
                assert account.id is not None
                assert account.whmcs_client_id is not None
                account.portal_sync_due_at = now + _spread(self._every, account.id)
                uow.accounts.add(account)
                claimed.append(
                    Claim(account.id, account.whmcs_client_id, account.portal_sync_due_at)
                )
            uow.commit()
            return claimed

    def apply(self, claim: "Claim", view: PortalView) -> list[str]:
        """Bring the account in line with ``view``; returns what changed, in words. A view
        superseded by a newer claim (a slow read overtaken) is dropped, so an older view of
        WHMCS never overwrites a newer one."""
        try:
            return self._apply(claim, view)
        except GaveWay:
            # A person's change holds a row: theirs goes first; the account is synced again
            # at its next turn (at once if the change is owed to WHMCS).
            log.info("the sync of account %s gave way to a change in progress", claim.account_id)
            return []

    def _apply(self, claim: "Claim", view: PortalView) -> list[str]:
        now = self._context.now()
        with self._context.uow() as uow:
            # It locks the account, then its rows: a person's change locks a row, then the
            # account (its audit record), so this side gives way rather than deadlock.
            uow.give_way(after_ms=GIVE_WAY_AFTER_MS)
            account = uow.accounts.get(claim.account_id, for_update=True)
            if account is None or account.whmcs_client_id != view.client.id:
                return []  # disconnected, or connected elsewhere, meanwhile
            if account.portal_sync_due_at != claim.due:
                return []
            news = _users(uow, account, view, now) + _contacts(uow, account, view, now)
            if news:
                enqueue(
                    uow,
                    account,
                    OutboxKind.PORTAL_NEWS,
                    now=now,
                    recipient_user_id=account.owner_user_id,
                    payload={"lines": news},
                )
            uow.commit()
            return news


@dataclass(frozen=True)
class Claim:
    """One account's sync, claimed until ``due`` (its next sync time when claimed)."""

    account_id: int
    client_id: int
    due: datetime


def portal_email(raw: str) -> str | None:
    """An address WHMCS holds, as the bot stores addresses; None for one it cannot represent
    (left to the portal)."""
    try:
        return normalise_email(raw)
    except InvalidInput:
        return None


def _users(uow: UnitOfWork, account: Account, view: PortalView, now: datetime) -> list[str]:
    assert account.id is not None
    members = list(uow.members.all(account.id))
    by_user = {m.whmcs_user_id: m for m in members if m.whmcs_user_id is not None}
    by_email = {m.email: m for m in members}
    owner = next((m for m in members if m.role == MemberRole.OWNER), None)
    seen: set[int | None] = set()
    news: list[str] = []
    for user in view.client.users:
        email = portal_email(user.email)
        if email is None:
            continue
        member = by_user.get(user.id) or by_email.get(email)
        if user.is_owner and owner is not None:
            owner.whmcs_user_id = user.id
        if user.is_owner or (owner is not None and member is owner):
            # The owner row stands for the client's owner, with every permission: the Slack
            # owner being a user of the client as well (under their own email) changes nothing.
            continue
        permissions = view.permissions.get(user.id, ())
        if member is None or _invited_again(uow, member):
            seen.add(None if member is None else member.id)
            news += _newcomer(uow, account, user, email, permissions, now)
            continue
        seen.add(member.id)
        if not member.syncing:
            news += _follow(uow, account, member, user, permissions, now)
    for member in members:
        if member.id not in seen and _gone_from_portal(member):
            news += _removed_in_portal(uow, account, member, now)
    return news


def _invited_again(uow: UnitOfWork, member: Member) -> bool:
    """A former member with a pending invitation: appearing in WHMCS is accepting it."""
    return (
        member.status == MemberStatus.REMOVED
        and not member.syncing
        and uow.invitations.pending_for(member.account_id, member.email) is not None
    )


def _gone_from_portal(member: Member) -> bool:
    return (
        member.role == MemberRole.USER
        and member.status == MemberStatus.ACTIVE
        and not member.syncing
    )


def _newcomer(
    uow: UnitOfWork,
    account: Account,
    user: PortalUser,
    email: str,
    permissions: tuple[str, ...],
    now: datetime,
) -> list[str]:
    assert account.id is not None
    invitation = uow.invitations.latest_for(account.id, email)
    if invitation is not None and invitation.status in (
        InvitationStatus.REVOKED,
        InvitationStatus.EXPIRED,
    ):
        if invitation.syncing:
            return []  # its undoing is on its way to WHMCS already
        return _undo_late_acceptance(uow, account, invitation, user, now)
    member = _member(uow, account, email, user, permissions, now)
    if invitation is not None and invitation.status == InvitationStatus.PENDING:
        invitation.syncing = False
        close_invitation(uow, account, invitation, InvitationStatus.ACCEPTED, now)
        member.slack_user_id = member.slack_user_id or invitation.invitee_user_id
        record(
            uow,
            account,
            at=now,
            actor=PORTAL_ACTOR,
            action="invitation.accepted",
            target=email,
            after=member.permissions,
        )
        return [f"{email} accepted the invitation in the billing portal."]
    record(
        uow,
        account,
        at=now,
        actor=PORTAL_ACTOR,
        action="member.added",
        target=email,
        after=member.permissions,
    )
    return [f"{email} was added in the billing portal."]


def _member(
    uow: UnitOfWork,
    account: Account,
    email: str,
    user: PortalUser,
    permissions: tuple[str, ...],
    now: datetime,
) -> Member:
    assert account.id is not None
    member = uow.members.by_email(account.id, email) or Member(
        account_id=account.id, email=email, created_at=now
    )
    member.whmcs_user_id = user.id
    member.status = MemberStatus.ACTIVE
    member.permissions = list(permissions)
    member.updated_at = now
    return uow.members.add(member)


def _undo_late_acceptance(
    uow: UnitOfWork, account: Account, invitation: Invitation, user: PortalUser, now: datetime
) -> list[str]:
    """WHMCS cannot cancel an invite: one accepted after Slack revoked or expired it is undone."""
    invitation.syncing = owe_portal(
        uow,
        account,
        OutboxKind.PORTAL_REMOVE,
        now,
        invitation=invitation,
        user_id=user.id,
        email=invitation.email,
    )
    uow.invitations.add(invitation)
    record(
        uow,
        account,
        at=now,
        actor=PORTAL_ACTOR,
        action="invitation.undone",
        target=invitation.email,
        detail=f"accepted after it was {invitation.status.value}",
    )
    return [
        f"{invitation.email} accepted in the billing portal an invitation that was "
        f"{invitation.status.value} here; their access there is being removed."
    ]


def _follow(
    uow: UnitOfWork,
    account: Account,
    member: Member,
    user: PortalUser,
    permissions: tuple[str, ...],
    now: datetime,
) -> list[str]:
    member.whmcs_user_id = user.id
    uow.members.add(member)
    if member.status == MemberStatus.REMOVED:
        before: list[str] = []
        member.status = MemberStatus.ACTIVE
        action, said = "member.restored", "was given access again in the billing portal"
    elif tuple(member.permissions) != permissions:
        before = list(member.permissions)
        action, said = "permissions.changed", "had their permissions changed in the billing portal"
    else:
        return []
    member.permissions = list(permissions)
    member.updated_at = now
    record(
        uow,
        account,
        at=now,
        actor=PORTAL_ACTOR,
        action=action,
        target=member.email,
        before=before,
        after=member.permissions,
    )
    return [f"{member.email} {said}."]


def _removed_in_portal(
    uow: UnitOfWork, account: Account, member: Member, now: datetime
) -> list[str]:
    before = list(member.permissions)
    member.status = MemberStatus.REMOVED
    member.permissions = []
    member.updated_at = now
    uow.members.add(member)
    record(
        uow,
        account,
        at=now,
        actor=PORTAL_ACTOR,
        action="access.removed",
        target=member.email,
        before=before,
        after=[],
    )
    return [f"{member.email} was removed in the billing portal."]


def _contacts(uow: UnitOfWork, account: Account, view: PortalView, now: datetime) -> list[str]:
    """Contacts follow WHMCS too; the contacts module audits each change as the portal's."""
    assert account.id is not None
    stored = list(uow.contacts.all(account.id))
    by_id = {c.whmcs_contact_id: c for c in stored if c.whmcs_contact_id is not None}
    by_email = {c.email: c for c in stored}
    seen: set[int | None] = set()
    news: list[str] = []
    for found in view.contacts:
        email = portal_email(found.email)
        if email is None:
            continue
        contact = by_id.get(found.id) or by_email.get(email)
        if contact is None:
            contact = add_contact(
                uow,
                account,
                at=now,
                actor=PORTAL_ACTOR,
                email=email,
                name=found.name,
                email_kinds=found.email_kinds,
            )
            news.append(f"{email} was added as a contact in the billing portal.")
        elif not contact.syncing:
            update_contact(
                uow,
                account,
                contact,
                at=now,
                actor=PORTAL_ACTOR,
                name=contact.name,
                email_kinds=found.email_kinds,
            )
        seen.add(contact.id)
        contact.whmcs_contact_id = found.id
        uow.contacts.add(contact)
    for contact in stored:
        if contact.id not in seen and not contact.syncing and contact.whmcs_contact_id:
            remove_contact(uow, account, contact, at=now, actor=PORTAL_ACTOR)
            news.append(f"{contact.email} was removed as a contact in the billing portal.")
    return news
