"""Invitations: invite, resend, revoke, accept, decline, expire."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.closing import close_invitation
from bot.core.context import (
    LINK_ACTOR,
    SYSTEM_ACTOR,
    CoreContext,
    Timings,
    account_id,
    record,
    require_account,
)
from bot.core.emails import MAX_EMAILS_AT_ONCE, normalise_email
from bot.core.errors import (
    Conflict,
    InvalidInput,
    InvitationClosed,
    NotAuthorized,
    NotFound,
)
from bot.core.outbox import enqueue, enqueue_digest, enqueue_first_dm
from bot.core.permissions import parse_permissions
from bot.core.portal_changes import owe_invite
from storage.tables import (
    Account,
    Invitation,
    InvitationStatus,
    Member,
    MemberStatus,
    OutboxKind,
)
from storage.unit_of_work import UniqueViolation, UnitOfWork

CONFLICT_RETRIES = 3


@dataclass
class InviteResult:
    """What one (possibly bulk) invitation did for each email."""

    account: Account
    invited: list[Invitation] = field(default_factory=list)
    already_member: list[str] = field(default_factory=list)
    already_pending: list[Invitation] = field(default_factory=list)


@dataclass(frozen=True)
class Response:
    """The outcome of accepting or declining: ``changed`` is False for a repeated click."""

    account: Account
    invitation: Invitation
    member: Member | None
    changed: bool


class InvitationService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def invite(
        self, team_id: str, *, actor: str, emails: Iterable[str], permissions: Iterable[str]
    ) -> InviteResult:
        """Invite each email with ``permissions``; emails with access or a pending invite are
        reported, not invited again. A bad email or permission set invites nobody."""
        addresses = _addresses(emails)
        granted = parse_permissions(permissions)
        for _attempt in range(CONFLICT_RETRIES - 1):
            try:
                return self._invite_once(team_id, actor, addresses, granted)
            except UniqueViolation:
                continue  # another request invited one of them meanwhile; look again
        return self._invite_once(team_id, actor, addresses, granted)

    def _invite_once(
        self, team_id: str, actor: str, emails: list[str], granted: tuple[str, ...]
    ) -> InviteResult:
        now = self._context.now()
        with self._context.as_owner(team_id, actor, "invite people") as (uow, account):
            timings = self._context.defaults.for_account(account)
            result = InviteResult(account)
            for email in emails:
                self._invite_email(uow, account, actor, email, granted, timings, now, result)
            uow.commit()
            return result

    def _invite_email(
        self,
        uow: UnitOfWork,
        account: Account,
        actor: str,
        email: str,
        granted: tuple[str, ...],
        timings: Timings,
        now: datetime,
        result: InviteResult,
    ) -> None:
        member = uow.members.by_email(account_id(account), email)
        if member is not None and member.status == MemberStatus.ACTIVE:
            result.already_member.append(email)
            return
        pending = uow.invitations.pending_for(account_id(account), email, for_update=True)
        if pending is not None and pending.expires_at > now:
            result.already_pending.append(pending)
            return
        if pending is not None:
            expire(uow, account, pending, now)
            uow.flush()
        invitation = uow.invitations.add(
            Invitation(
                account_id=account_id(account),
                email=email,
                permissions=list(granted),
                invited_by_user_id=actor,
                created_at=now,
                sent_at=now,
                expires_at=now + timings.invite_expires_after,
                next_reminder_at=now + timings.reminder_first_after,
            )
        )
        uow.flush()
        invitation.syncing = owe_invite(uow, account, invitation, now)
        enqueue_first_dm(uow, account, invitation, now=now)
        record(
            uow,
            account,
            at=now,
            actor=actor,
            action="invitation.created",
            target=email,
            after=granted,
        )
        result.invited.append(invitation)

    def resend(self, team_id: str, *, actor: str, email: str) -> Invitation:
        """Send the pending invitation again and give it a fresh lifetime."""
        address = normalise_email(email)
        now = self._context.now()
        with self._context.as_owner(team_id, actor, "resend invitations") as (uow, account):
            invitation = self._open_invitation(uow, account, address, now)
            timings = self._context.defaults.for_account(account)
            invitation.sent_at = now
            invitation.link_hash = None  # the resent invitation carries a new link
            invitation.expires_at = now + timings.invite_expires_after
            invitation.next_reminder_at = now + timings.reminder_first_after
            invitation.syncing = owe_invite(uow, account, invitation, now)
            uow.invitations.add(invitation)
            enqueue(uow, account, OutboxKind.INVITATION, now=now, invitation=invitation)
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="invitation.resent",
                target=address,
                after=invitation.permissions,
            )
            uow.commit()
            return invitation

    def revoke(self, team_id: str, *, actor: str, email: str) -> Invitation:
        """Withdraw the pending invitation; it can no longer be accepted."""
        address = normalise_email(email)
        now = self._context.now()
        with self._context.as_owner(team_id, actor, "revoke invitations") as (uow, account):
            invitation = self._open_invitation(uow, account, address, now)
            close_invitation(uow, account, invitation, InvitationStatus.REVOKED, now)
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="invitation.revoked",
                target=address,
                before=invitation.permissions,
            )
            uow.commit()
            return invitation

    def _open_invitation(
        self, uow: UnitOfWork, account: Account, email: str, now: datetime
    ) -> Invitation:
        invitation = uow.invitations.pending_for(account_id(account), email, for_update=True)
        if invitation is None:
            raise NotFound(f"There is no pending invitation for {email}.")
        if invitation.expires_at <= now:
            expire(uow, account, invitation, now)
            uow.commit()
            raise InvitationClosed(
                f"The invitation for {email} has expired. Invite them again to send a new one."
            )
        return invitation

    def accept(
        self,
        team_id: str,
        invitation_id: int,
        *,
        user_id: str,
        user_email: str,
        user_organisation: str | None = None,
    ) -> Response:
        """Grant the invitation's permissions to its addressee. Accepting twice changes nothing.
        ``user_organisation``, the addressee's own workspace when it is another one, is
        recorded in the audit log."""
        return self._respond(
            team_id, invitation_id, user_id, user_email, user_organisation, accept=True
        )

    def decline(
        self,
        team_id: str,
        invitation_id: int,
        *,
        user_id: str,
        user_email: str,
        user_organisation: str | None = None,
    ) -> Response:
        """Turn the invitation down; nothing is granted."""
        return self._respond(
            team_id, invitation_id, user_id, user_email, user_organisation, accept=False
        )

    def _respond(
        self,
        team_id: str,
        invitation_id: int,
        user_id: str,
        user_email: str,
        user_organisation: str | None,
        *,
        accept: bool,
    ) -> Response:
        def find(uow: UnitOfWork) -> tuple[Account, Invitation]:
            account = require_account(uow, team_id)
            invitation = uow.invitations.get(invitation_id, for_update=True)
            if invitation is None or invitation.account_id != account.id:
                raise NotFound("That invitation does not exist.")
            _require_addressee(invitation, user_email)
            return account, invitation

        answerer = _Answerer(user_id, user_id, _from_elsewhere(user_organisation))
        return self._answer(find, answerer, accept=accept)

    def answer_link(self, link_hash: str, *, accept: bool) -> Response:
        """Accept or decline on the page of the emailed link whose token hashes to
        ``link_hash``: following the link proves the invitee owns the mailbox (as in WHMCS)."""

        def find(uow: UnitOfWork) -> tuple[Account, Invitation]:
            invitation = uow.invitations.by_link_hash(link_hash, for_update=True)
            if invitation is None:
                raise InvitationClosed(LINK_DEAD)
            account = uow.accounts.get(invitation.account_id)
            assert account is not None
            return account, invitation

        return self._answer(find, _Answerer(None, LINK_ACTOR, "by the emailed link"), accept=accept)

    def _answer(
        self,
        find: Callable[[UnitOfWork], tuple[Account, Invitation]],
        answerer: "_Answerer",
        *,
        accept: bool,
    ) -> Response:
        """The one path of an invitee's answer, from Slack or from the emailed link."""
        now = self._context.now()
        with self._context.uow() as uow:
            account, invitation = find(uow)
            if accept and account.whmcs_client_id is not None:
                raise Conflict(ACCEPT_IN_PORTAL)
            wanted = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
            if invitation.status == wanted:
                member = uow.members.by_email(account_id(account), invitation.email)
                return Response(account, invitation, member, changed=False)
            self._require_open(uow, account, invitation, now)
            invitation.invitee_user_id = answerer.user_id or invitation.invitee_user_id
            member = _grant(uow, account, invitation, now) if accept else None
            close_invitation(uow, account, invitation, wanted, now)
            enqueue(
                uow,
                account,
                OutboxKind.OWNER_OUTCOME,
                now=now,
                invitation=invitation,
                recipient_user_id=account.owner_user_id,
            )
            record(
                uow,
                account,
                at=now,
                actor=answerer.actor,
                action=f"invitation.{wanted.value}",
                target=invitation.email,
                after=invitation.permissions if accept else None,
                detail=answerer.detail,
            )
            uow.commit()
            return Response(account, invitation, member, changed=True)

    def _require_open(
        self, uow: UnitOfWork, account: Account, invitation: Invitation, now: datetime
    ) -> None:
        if invitation.status == InvitationStatus.PENDING and invitation.expires_at <= now:
            expire(uow, account, invitation, now)
            uow.commit()
        if invitation.status != InvitationStatus.PENDING:
            raise InvitationClosed(
                f"This invitation was {invitation.status.value} and can no longer be used."
            )

    def pending(self, team_id: str, *, actor: str) -> list[Invitation]:
        """The account's pending invitations, oldest first (owner only)."""
        with self._context.as_owner(team_id, actor, "see pending invitations", read_only=True) as (
            uow,
            account,
        ):
            return list(uow.invitations.pending(account_id(account)))

    def welcome(self, team_id: str, email: str) -> list[Invitation]:
        """Someone joined the workspace: send them their open invitation, unless it reached
        them already."""
        address = normalise_email(email)
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.for_team(team_id)
            if account is None:
                return []
            invitation = uow.invitations.pending_for(account_id(account), address)
            if invitation is None or invitation.expires_at <= now or invitation.dm_ts:
                return []
            enqueue_first_dm(uow, account, invitation, now=now)
            uow.commit()
            return [invitation]


def _addresses(emails: Iterable[str]) -> list[str]:
    addresses = list(dict.fromkeys(normalise_email(email) for email in emails))
    if not addresses:
        raise InvalidInput("Enter at least one email address.")
    if len(addresses) > MAX_EMAILS_AT_ONCE:
        raise InvalidInput(f"Enter at most {MAX_EMAILS_AT_ONCE} email addresses at once.")
    return addresses


def _require_addressee(invitation: Invitation, user_email: str) -> None:
    try:
        address = normalise_email(user_email)
    except InvalidInput:
        address = ""
    if address != invitation.email:
        raise NotAuthorized("Sorry, this invitation is addressed to someone else.")


@dataclass(frozen=True)
class _Answerer:
    """Who answers an invitation: a Slack user, or (``user_id`` None) the emailed link's
    follower; ``actor`` and ``detail`` are what the audit log records."""

    user_id: str | None
    actor: str
    detail: str


def _grant(uow: UnitOfWork, account: Account, invitation: Invitation, now: datetime) -> Member:
    """The invitation's permissions, in force for the Slack user it reached, if any."""
    member = uow.members.by_email(account_id(account), invitation.email, for_update=True)
    if member is None:
        member = Member(account_id=account_id(account), email=invitation.email, created_at=now)
    member.slack_user_id = invitation.invitee_user_id
    member.status = MemberStatus.ACTIVE
    member.permissions = list(invitation.permissions)
    member.updated_at = now
    return uow.members.add(member)


def expire(
    uow: UnitOfWork,
    account: Account,
    invitation: Invitation,
    now: datetime,
    *,
    announce: bool = True,
) -> None:
    """Expire the invitation; its expiry is announced in the account's channel once, here
    or (``announce=False``) in the sweep's digest."""
    close_invitation(uow, account, invitation, InvitationStatus.EXPIRED, now)
    if announce:
        enqueue_digest(uow, account, OutboxKind.EXPIRY_NOTICE, [invitation], now=now)
    record(
        uow,
        account,
        at=now,
        actor=SYSTEM_ACTOR,
        action="invitation.expired",
        target=invitation.email,
        before=invitation.permissions,
    )


def _from_elsewhere(organisation: str | None) -> str:
    return "" if organisation is None else f"from another organisation ({organisation})"


LINK_DEAD = (
    "This link is no longer valid: the invitation was answered, withdrawn, sent again with a "
    "new link, or it expired."
)

ACCEPT_IN_PORTAL = (
    "This invitation is accepted in the billing portal: follow the link in the email it "
    "sent you. Nothing was changed here."
)


def is_open(invitation: Invitation, now: datetime) -> bool:
    """Whether the invitation can still be answered."""
    return invitation.status == InvitationStatus.PENDING and invitation.expires_at > now
