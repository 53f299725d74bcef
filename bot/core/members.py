"""People with access: their permissions, removal, and what the billing portal is told."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.context import CoreContext, account_id, record, require_account
from bot.core.emails import normalise_email
from bot.core.errors import NotAuthorized, NotFound
from bot.core.invitations import is_open
from bot.core.outbox import enqueue
from bot.core.permissions import parse_permissions
from bot.core.portal_changes import owe_portal
from storage.tables import (
    Account,
    Contact,
    Invitation,
    InvitationStatus,
    Member,
    MemberRole,
    MemberStatus,
    OutboxKind,
)
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class UserAccess:
    """One person's standing on the account, as the access API reports it."""

    email: str
    role: MemberRole
    status: str
    permissions: tuple[str, ...]
    slack_user_id: str | None
    invitation: Invitation | None


@dataclass(frozen=True)
class Overview:
    """What the owner's User Management table shows, read in one transaction."""

    account: Account
    members: list[Member]
    pending: list[Invitation]
    contacts: list[Contact]


@dataclass(frozen=True)
class PermissionChange:
    account: Account
    member: Member
    before: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != tuple(self.member.permissions)


class MemberService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def set_permissions(
        self, team_id: str, *, actor: str, email: str, permissions: Iterable[str]
    ) -> PermissionChange:
        """Give an active user exactly ``permissions``."""
        address = normalise_email(email)
        granted = parse_permissions(permissions)
        now = self._context.now()
        with self._context.as_owner(team_id, actor, "change permissions") as (uow, account):
            member = _editable_member(uow, account, address)
            before = tuple(member.permissions)
            if before != granted:
                member.permissions = list(granted)
                member.updated_at = now
                member.syncing = owe_portal(
                    uow,
                    account,
                    OutboxKind.PORTAL_PERMISSIONS,
                    now,
                    **_portal_target(member),
                    permissions=list(granted),
                )
                uow.members.add(member)
                enqueue(
                    uow,
                    account,
                    OutboxKind.MEMBER_PERMISSIONS,
                    now=now,
                    recipient_user_id=member.slack_user_id,
                    payload={"email": address, "before": list(before), "after": list(granted)},
                )
                record(
                    uow,
                    account,
                    at=now,
                    actor=actor,
                    action="permissions.changed",
                    target=address,
                    before=before,
                    after=granted,
                )
                uow.commit()
            return PermissionChange(account, member, before)

    def remove_access(self, team_id: str, *, actor: str, email: str) -> PermissionChange:
        """Take all access away at once; the history stays."""
        address = normalise_email(email)
        now = self._context.now()
        with self._context.as_owner(team_id, actor, "remove access") as (uow, account):
            member = _editable_member(uow, account, address)
            before = tuple(member.permissions)
            member.status = MemberStatus.REMOVED
            member.permissions = []
            member.updated_at = now
            member.syncing = owe_portal(
                uow, account, OutboxKind.PORTAL_REMOVE, now, **_portal_target(member)
            )
            uow.members.add(member)
            enqueue(
                uow,
                account,
                OutboxKind.MEMBER_REMOVED,
                now=now,
                recipient_user_id=member.slack_user_id,
            )
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="access.removed",
                target=address,
                before=before,
                after=(),
            )
            uow.commit()
            return PermissionChange(account, member, before)

    def overview(self, team_id: str, *, actor: str) -> Overview:
        """Users, pending invitations and contacts, for the owner (one read, one account)."""
        with self._context.as_owner(
            team_id, actor, "see the users of the account", read_only=True
        ) as (uow, account):
            owned = account_id(account)
            return Overview(
                account,
                list(uow.members.all(owned)),
                list(uow.invitations.pending(owned)),
                list(uow.contacts.all(owned)),
            )

    def member(
        self, team_id: str, *, actor: str, email: str, doing: str = "manage permissions"
    ) -> Member:
        """One active user the owner may edit (to open Manage Permissions, or before asking
        to confirm a removal: ``doing`` names it in a refusal)."""
        address = normalise_email(email)
        with self._context.as_owner(team_id, actor, doing, read_only=True) as (uow, account):
            return _editable_member(uow, account, address)

    def access_for(self, team_id: str, email: str) -> UserAccess:
        """What ``email`` may do on the account now."""
        address = normalise_email(email)
        now = self._context.now()
        with self._context.uow(read_only=True) as uow:
            account = require_account(uow, team_id)
            member = uow.members.by_email(account_id(account), address)
            invitation = uow.invitations.latest_for(account_id(account), address)
            if member is None and invitation is None:
                raise NotFound(f"{address} has no access to {account.name}.")
            return _access(address, member, invitation, now)

    def all_access(self, team_id: str) -> list[UserAccess]:
        """Everyone the account knows of: users, then invitees, in email order."""
        now = self._context.now()
        with self._context.uow(read_only=True) as uow:
            account = require_account(uow, team_id)
            members = {member.email: member for member in uow.members.all(account_id(account))}
            invitations = uow.invitations.latest_per_email(account_id(account))
            emails = sorted(members.keys() | invitations.keys())
            return [_access(e, members.get(e), invitations.get(e), now) for e in emails]


def _editable_member(uow: UnitOfWork, account: Account, email: str) -> Member:
    member = uow.members.by_email(account_id(account), email, for_update=True)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise NotFound(f"{email} has no access to {account.name}.")
    if member.role == MemberRole.OWNER:
        raise NotAuthorized("The owner always holds every permission and cannot be removed.")
    return member


def _access(
    email: str, member: Member | None, invitation: Invitation | None, now: datetime
) -> UserAccess:
    if member is not None and member.status == MemberStatus.ACTIVE:
        return UserAccess(
            email,
            member.role,
            member.status.value,
            tuple(member.permissions),
            member.slack_user_id,
            None,
        )
    slack_user_id = member.slack_user_id if member else None
    if invitation is not None and is_open(invitation, now):
        return UserAccess(email, MemberRole.USER, "invited", (), slack_user_id, invitation)
    if member is not None and _removed_after(member, invitation):
        return UserAccess(email, member.role, MemberStatus.REMOVED.value, (), slack_user_id, None)
    assert invitation is not None
    status = (
        InvitationStatus.EXPIRED
        if invitation.status == InvitationStatus.PENDING
        else (invitation.status)
    )
    return UserAccess(email, MemberRole.USER, status.value, (), slack_user_id, None)


def _removed_after(member: Member, invitation: Invitation | None) -> bool:
    """Whether the removal is the latest thing that happened to this person."""
    if invitation is None or invitation.responded_at is None:
        return True
    return member.updated_at >= invitation.responded_at


def _portal_target(member: Member) -> dict[str, Any]:
    return {"member_id": member.id, "user_id": member.whmcs_user_id, "email": member.email}
