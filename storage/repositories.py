"""Queries the core needs, one small repository per table. None of them commits."""

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, func, or_
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.tables import (
    CHANNEL_KINDS,
    PORTAL_CHANGE_KINDS,
    Account,
    AuditEvent,
    Contact,
    Invitation,
    InvitationStatus,
    Member,
    MemberStatus,
    Outbox,
    OutboxKind,
    PortalConnectCode,
    ProcessedEvent,
)

Row = TypeVar("Row", bound=SQLModel)

DM_LOCKS = 0x494E56  # the advisory lock space of invitation DMs ("INV")


class _Repository(Generic[Row]):
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: Row) -> Row:
        """Stage a new row; the unit of work's flush or commit writes it."""
        self._session.add(row)
        return row


class Accounts(_Repository[Account]):
    def get(self, account_id: int, *, for_update: bool = False) -> Account | None:
        return self._session.get(Account, account_id, with_for_update=for_update)

    def lock_if_free(self, account_id: int) -> Account | None:
        """The account, locked for this transaction; None while another transaction holds it."""
        query = select(Account).where(Account.id == account_id).with_for_update(skip_locked=True)
        return self._session.exec(query).first()

    def for_team(self, team_id: str, *, for_update: bool = False) -> Account | None:
        query = select(Account).where(Account.team_id == team_id)
        if for_update:
            query = query.with_for_update()
        return self._session.exec(query).first()

    def count_paused_channels(self) -> int:
        """Accounts whose channel messages are kept because the bot cannot post there."""
        query = select(func.count()).where(col(Account.channel_problem).is_not(None))
        return int(self._session.exec(query).one())

    def teams_of_organisation(self, enterprise_id: str) -> list[str]:
        """The workspaces with an account in an Enterprise Grid organisation."""
        query = select(Account.team_id).where(Account.slack_enterprise_id == enterprise_id)
        return list(self._session.exec(query).all())

    def for_whmcs_client(self, client_id: int) -> Account | None:
        return self._session.exec(
            select(Account).where(Account.whmcs_client_id == client_id)
        ).first()

    def claim_portal_syncs(self, now: datetime, *, limit: int) -> Sequence[Account]:
        """Connected accounts whose reconciliation is due, locked; those another replica holds
        are skipped, so each account is synced by one replica at a time."""
        query = (
            select(Account)
            .where(
                col(Account.whmcs_client_id).is_not(None),
                col(Account.portal_sync_due_at) <= now,
            )
            .order_by(col(Account.portal_sync_due_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self._session.exec(query).all()


class ConnectCodes(_Repository[PortalConnectCode]):
    def for_account(self, account_id: int) -> PortalConnectCode | None:
        return self._session.get(PortalConnectCode, account_id, with_for_update=True)

    def delete(self, code: PortalConnectCode) -> None:
        self._session.delete(code)


class Members(_Repository[Member]):
    def by_email(self, account_id: int, email: str, *, for_update: bool = False) -> Member | None:
        query = select(Member).where(Member.account_id == account_id, Member.email == email)
        if for_update:
            query = query.with_for_update()
        return self._session.exec(query).first()

    def active_by_slack_user(self, account_id: int, slack_user_id: str) -> Member | None:
        query = select(Member).where(
            Member.account_id == account_id,
            Member.slack_user_id == slack_user_id,
            Member.status == MemberStatus.ACTIVE,
        )
        return self._session.exec(query).first()

    def get(self, member_id: int) -> Member | None:
        return self._session.get(Member, member_id)

    def all(self, account_id: int) -> Sequence[Member]:
        query = select(Member).where(Member.account_id == account_id).order_by(col(Member.id))
        return self._session.exec(query).all()


class Invitations(_Repository[Invitation]):
    def get(self, invitation_id: int, *, for_update: bool = False) -> Invitation | None:
        query = select(Invitation).where(Invitation.id == invitation_id)
        if for_update:
            query = query.with_for_update()
        return self._session.exec(query).first()

    def by_link_hash(self, link_hash: str, *, for_update: bool = False) -> Invitation | None:
        query = select(Invitation).where(Invitation.link_hash == link_hash)
        if for_update:
            query = query.with_for_update()
        return self._session.exec(query).first()

    def pending_for(
        self, account_id: int, email: str, *, for_update: bool = False
    ) -> Invitation | None:
        query = select(Invitation).where(
            Invitation.account_id == account_id,
            Invitation.email == email,
            Invitation.status == InvitationStatus.PENDING,
        )
        if for_update:
            query = query.with_for_update()
        return self._session.exec(query).first()

    def pending(self, account_id: int) -> Sequence[Invitation]:
        query = (
            select(Invitation)
            .where(
                Invitation.account_id == account_id,
                Invitation.status == InvitationStatus.PENDING,
            )
            .order_by(col(Invitation.created_at), col(Invitation.id))
        )
        return self._session.exec(query).all()

    def latest_per_email(self, account_id: int) -> dict[str, Invitation]:
        query = (
            select(Invitation)
            .where(Invitation.account_id == account_id)
            .order_by(col(Invitation.id))
        )
        return {invitation.email: invitation for invitation in self._session.exec(query)}

    def latest_for(self, account_id: int, email: str) -> Invitation | None:
        query = (
            select(Invitation)
            .where(Invitation.account_id == account_id, Invitation.email == email)
            .order_by(col(Invitation.id).desc())
        )
        return self._session.exec(query).first()

    def overdue(self, now: datetime, *, limit: int) -> Sequence[Invitation]:
        """Pending invitations past their expiry, locked and skipped by other sweepers."""
        query = (
            select(Invitation)
            .where(
                Invitation.status == InvitationStatus.PENDING,
                col(Invitation.expires_at) <= now,
            )
            .order_by(col(Invitation.expires_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self._session.exec(query).all()

    def accounts_with_due_reminders(self, now: datetime, *, limit: int) -> list[int]:
        """Accounts with reminders due, but not those whose workspace is paused."""
        query = (
            select(Invitation.account_id)
            .join(Account, col(Account.id) == col(Invitation.account_id))
            .where(*_due_reminder(now), col(Account.slack_paused_at).is_(None))
            .distinct()
            .limit(limit)
        )
        return list(self._session.exec(query).all())

    def due_reminders(self, account_id: int, now: datetime, *, limit: int) -> Sequence[Invitation]:
        """The account's pending invitations whose reminder is due, oldest first, locked.
        Rows another transaction holds (an accept, a revoke) are skipped, not waited for: the
        sweep holds the account's lock, which such a transaction may be waiting for."""
        query = (
            select(Invitation)
            .where(Invitation.account_id == account_id, *_due_reminder(now))
            .order_by(col(Invitation.created_at), col(Invitation.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self._session.exec(query).all()

    def by_ids(self, invitation_ids: Sequence[int]) -> Sequence[Invitation]:
        query = select(Invitation).where(col(Invitation.id).in_(invitation_ids))
        return self._session.exec(query.order_by(col(Invitation.id))).all()

    def hold_dms(self, invitation_ids: Sequence[int]) -> set[int]:
        """Those of the invitations whose DM sending this transaction now holds, until it
        ends; an invitation another transaction holds is left out, not waited for. These are
        advisory locks, so a sweep or an accept locking the invitation's row is not held up.
        SQLite's writing transactions take turns already: there, each is held."""
        if self._session.get_bind().dialect.name != "postgresql":
            return set(invitation_ids)
        ids = func.unnest(postgresql.array(invitation_ids)).table_valued("id").render_derived()
        query = select(ids.c.id).where(func.pg_try_advisory_xact_lock(DM_LOCKS, ids.c.id))
        return set(self._session.exec(query))


def _due_reminder(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Invitation.status) == InvitationStatus.PENDING,
        col(Invitation.next_reminder_at) <= now,
        col(Invitation.expires_at) > now,
    )


class Contacts(_Repository[Contact]):
    def get(self, contact_id: int) -> Contact | None:
        return self._session.get(Contact, contact_id)

    def by_email(self, account_id: int, email: str) -> Contact | None:
        query = select(Contact).where(Contact.account_id == account_id, Contact.email == email)
        return self._session.exec(query).first()

    def remove(self, contact: Contact) -> None:
        self._session.delete(contact)
        self._session.flush()

    def all(self, account_id: int) -> Sequence[Contact]:
        query = select(Contact).where(Contact.account_id == account_id).order_by(col(Contact.email))
        return self._session.exec(query).all()


class AuditLog(_Repository[AuditEvent]):
    """Append-only: there is no way to change or delete an event through this class."""

    def recent(self, account_id: int, *, limit: int) -> Sequence[AuditEvent]:
        query = (
            select(AuditEvent)
            .where(AuditEvent.account_id == account_id)
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(limit)
        )
        return self._session.exec(query).all()

    def count_since(self, account_id: int, action: str, since: datetime) -> int:
        query = select(func.count()).where(
            AuditEvent.account_id == account_id,
            AuditEvent.action == action,
            col(AuditEvent.at) > since,
        )
        return int(self._session.exec(query).one())

    def all(self, account_id: int) -> Sequence[AuditEvent]:
        query = (
            select(AuditEvent)
            .where(AuditEvent.account_id == account_id)
            .order_by(col(AuditEvent.id))
        )
        return self._session.exec(query).all()


class OutboxRepository(_Repository[Outbox]):
    def due(self, now: datetime, *, limit: int) -> Sequence[Outbox]:
        """Undone messages whose time has come and that no one holds, locked for this claim."""
        return self._session.exec(_due(), params={"now": now, "limit": limit}).all()

    def get(self, outbox_id: int) -> Outbox | None:
        return self._session.get(Outbox, outbox_id)

    def undone_channel_messages(self, account_id: int, now: datetime) -> Sequence[Outbox]:
        """The account's channel messages not yet sent nor being sent, oldest first, locked."""
        query = (
            select(Outbox)
            .where(
                col(Outbox.account_id) == account_id,
                col(Outbox.kind).in_(CHANNEL_KINDS),
                col(Outbox.done_at).is_(None),
                or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) <= now),
            )
            .order_by(col(Outbox.id))
            .with_for_update()
        )
        return self._session.exec(query).all()

    def invitations_in_flight(self, invitation_ids: Sequence[int], now: datetime) -> set[int]:
        """Which of the invitations have a DM claimed by a sender right now."""
        query = select(Outbox.invitation_id).where(
            col(Outbox.invitation_id).in_(invitation_ids),
            Outbox.kind == OutboxKind.INVITATION,
            col(Outbox.done_at).is_(None),
            col(Outbox.claimed_until) > now,
        )
        return {invitation_id for invitation_id in self._session.exec(query) if invitation_id}

    def backlog(self) -> tuple[int, datetime | None]:
        """How many messages are not done, and when the oldest of them was written."""
        query = select(func.count(), func.min(Outbox.created_at)).where(
            col(Outbox.done_at).is_(None)
        )
        count, oldest = self._session.exec(query).one()
        return int(count), oldest

    def due_again(self, account_id: int, now: datetime) -> None:
        """The account's undone messages are due now, whatever their back-off said."""
        query = select(Outbox).where(
            col(Outbox.account_id) == account_id,
            col(Outbox.done_at).is_(None),
            col(Outbox.next_attempt_at) > now,
        )
        for row in self._session.exec(query):
            row.next_attempt_at = now
            self._session.add(row)

    def claimed_count(self, now: datetime) -> int:
        query = select(func.count()).where(
            col(Outbox.done_at).is_(None), col(Outbox.claimed_until) > now
        )
        return int(self._session.exec(query).one())


@functools.cache
def _due() -> SelectOfScalar[Outbox]:
    """The claim's query, built once: it runs after every change, and building it (two
    correlated subqueries) cost as much as running it."""
    now: BindParameter[datetime] = bindparam("now")
    return (
        select(Outbox)
        .where(
            col(Outbox.done_at).is_(None),
            col(Outbox.next_attempt_at) <= now,
            ~_kept_for_its_channel(),
            ~_waiting_for_slack(),
            ~_behind_an_earlier_portal_change(),
            or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) <= now),
        )
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )


def _kept_for_its_channel() -> ColumnElement[bool]:
    """A channel message of an account whose channel the bot cannot post to now."""
    blocked = select(Account.id).where(
        col(Account.id) == col(Outbox.account_id), col(Account.channel_problem).is_not(None)
    )
    return and_(col(Outbox.kind).in_(CHANNEL_KINDS), blocked.exists())


def _waiting_for_slack() -> ColumnElement[bool]:
    """A message to Slack of an account whose workspace has no working token now."""
    paused = select(Account.id).where(
        col(Account.id) == col(Outbox.account_id), col(Account.slack_paused_at).is_not(None)
    )
    return and_(col(Outbox.kind).not_in(PORTAL_CHANGE_KINDS), paused.exists())


def _behind_an_earlier_portal_change() -> ColumnElement[bool]:
    """A change for WHMCS while an earlier one for the same address of the account is not
    done: carried out of order, the older change would win (or a contact removed while its
    add is in flight would come back)."""
    earlier = aliased(Outbox)
    pending = select(earlier.id).where(
        col(earlier.account_id) == col(Outbox.account_id),
        col(earlier.kind).in_(PORTAL_CHANGE_KINDS),
        col(earlier.done_at).is_(None),
        col(earlier.id) < col(Outbox.id),
        col(earlier.payload)["email"].as_string() == col(Outbox.payload)["email"].as_string(),
    )
    return and_(col(Outbox.kind).in_(PORTAL_CHANGE_KINDS), pending.exists())


class ProcessedEvents(_Repository[ProcessedEvent]):
    """Event ids seen; the primary key makes a second insert of one id fail."""
