"""The tables. Every timestamp is aware UTC; permission sets are JSON lists of keys."""

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class MemberRole(StrEnum):
    OWNER = "owner"
    USER = "user"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


def _enum(enum_type: type[StrEnum], default: StrEnum, *, length: int = 16) -> Any:
    """The enum's values (not its names) as a string column, checked by the database."""
    column_type = SAEnum(
        enum_type,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        create_constraint=True,
        length=length,
    )
    return Field(default=default, sa_column=Column(column_type, nullable=False))


def _timestamp(*, nullable: bool = False, index: bool = False) -> datetime:
    column: Column[datetime] = Column(UTCDateTime(), nullable=nullable, index=index)
    return Field(default=None, sa_column=column)  # type: ignore[no-any-return]


def _flag() -> bool:
    return Field(default=False, sa_column_kwargs={"server_default": text("false")})  # type: ignore[no-any-return]


def _permissions() -> list[str]:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # type: ignore[no-any-return]


class Account(SQLModel, table=True):
    """The billing account of one Slack workspace."""

    __table_args__ = (
        # One WHMCS client belongs to at most one account.
        Index("uq_account_whmcs_client", "whmcs_client_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    owner_user_id: str = Field(max_length=32)
    reminders_channel_id: str = Field(max_length=32)
    reminder_first_after_s: int | None = None
    reminder_repeat_every_s: int | None = None
    invite_expires_after_s: int | None = None
    created_at: datetime = _timestamp()
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Goes up with every recorded change, so a copy of what the account showed can be
    checked for freshness with one read."""
    whmcs_client_id: int | None = None
    """The WHMCS client this account is connected to (DESIGN §9), or None (built-in ledger)."""
    portal_sync_due_at: datetime | None = _timestamp(nullable=True, index=True)
    """When the connected account is next reconciled with WHMCS; claimed by one replica."""
    channel_problem: str | None = Field(default=None, max_length=32)
    """Why the bot cannot post to the reminders channel (a ``ChannelProblem``), or None while
    it can: the account's channel messages are not due until a person fixes it."""
    slack_enterprise_id: str | None = Field(default=None, max_length=32)
    """The Enterprise Grid organisation of the workspace, where Slack said it has one: an
    organisation-wide install's token serves the workspace."""
    slack_paused_at: datetime | None = _timestamp(nullable=True)
    """Since when the workspace has no working token (the app was uninstalled, its token
    revoked): its Slack messages and reminders wait until it is installed again."""


class Member(SQLModel, table=True):
    """A person's access to an account, once they hold or held it."""

    __table_args__ = (UniqueConstraint("account_id", "email", name="uq_member_account_email"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    email: str = Field(max_length=320)
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    role: MemberRole = _enum(MemberRole, MemberRole.USER)
    status: MemberStatus = _enum(MemberStatus, MemberStatus.ACTIVE)
    permissions: list[str] = _permissions()
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    whmcs_user_id: int | None = None
    syncing: bool = _flag()
    """A change made in Slack is on its way to the billing portal, not yet confirmed."""


class Invitation(SQLModel, table=True):
    """An offer of access to one email; nothing is in force until it is accepted."""

    __table_args__ = (
        Index(
            "uq_invitation_pending_email",
            "account_id",
            "email",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_invitation_due_reminder", "status", "next_reminder_at"),
        Index(
            "ix_invitation_account_reminder",
            "account_id",
            "next_reminder_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_invitation_due_expiry", "status", "expires_at"),
        UniqueConstraint("link_hash", name="uq_invitation_link_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    email: str = Field(max_length=320)
    permissions: list[str] = _permissions()
    status: InvitationStatus = _enum(InvitationStatus, InvitationStatus.PENDING)
    invited_by_user_id: str = Field(max_length=32)
    invitee_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = _timestamp()
    sent_at: datetime = _timestamp()
    expires_at: datetime = _timestamp()
    responded_at: datetime | None = _timestamp(nullable=True)
    next_reminder_at: datetime | None = _timestamp(nullable=True)
    reminder_count: int = 0
    last_reminded_at: datetime | None = _timestamp(nullable=True)
    dm_channel_id: str | None = Field(default=None, max_length=32)
    dm_ts: str | None = Field(default=None, max_length=32)
    syncing: bool = _flag()
    """The invitation is on its way to the billing portal, not yet confirmed."""
    link_hash: str | None = Field(default=None, max_length=64)
    """SHA-256 (hex) of the token in the emailed link (DESIGN §11), or None while no link
    lives: the token itself is never stored, and the hash goes when the invitation closes."""
    emailed_at: datetime | None = _timestamp(nullable=True)
    """When the invitee, not found in the workspace, was first owed an email."""
    inviter_name: str | None = Field(default=None, max_length=200)
    """The inviter's name in Slack when the link was made, shown by the email and its page."""


CONTACT_EMAIL_KINDS = ("general", "product", "domain", "invoice", "support", "affiliate")
"""WHMCS's six kinds of client email, in its order: a contact gets those listed on its row."""

_ALL_CONTACT_EMAILS = text(f"'{json.dumps(list(CONTACT_EMAIL_KINDS))}'")


class Contact(SQLModel, table=True):
    """Someone who receives the account's emails but needs no access."""

    __table_args__ = (UniqueConstraint("account_id", "email", name="uq_contact_account_email"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    added_by_user_id: str = Field(max_length=32)
    created_at: datetime = _timestamp()
    email_kinds: list[str] = Field(
        default_factory=lambda: list(CONTACT_EMAIL_KINDS),
        sa_column=Column(JSON, nullable=False, server_default=_ALL_CONTACT_EMAILS),
    )
    """The kinds of email (of ``CONTACT_EMAIL_KINDS``) this contact gets."""
    whmcs_contact_id: int | None = None
    syncing: bool = _flag()
    """A change made in Slack is on its way to the billing portal, not yet confirmed."""


class AuditEvent(SQLModel, table=True):
    """One change, recorded for good: rows are only ever inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_account_at", "account_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    at: datetime = _timestamp()
    actor_user_id: str = Field(max_length=32)
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=320)
    permissions_before: list[str] | None = Field(default=None, sa_column=Column(JSON))
    permissions_after: list[str] | None = Field(default=None, sa_column=Column(JSON))
    detail: str = Field(default="", max_length=500)


class OutboxKind(StrEnum):
    INVITATION = "invitation"
    INVITATION_CLOSED = "invitation_closed"
    OWNER_OUTCOME = "owner_outcome"
    MEMBER_PERMISSIONS = "member_permissions"
    MEMBER_REMOVED = "member_removed"
    REMINDER = "reminder"
    INVITEE_NUDGE = "invitee_nudge"
    EXPIRY_NOTICE = "expiry_notice"
    CHANNEL_PAUSED = "channel_paused"
    PORTAL_INVITE = "portal_invite"
    PORTAL_PERMISSIONS = "portal_permissions"
    PORTAL_REMOVE = "portal_remove"
    PORTAL_CONTACT_ADD = "portal_contact_add"
    PORTAL_CONTACT_REMOVE = "portal_contact_remove"
    PORTAL_NEWS = "portal_news"
    INVITATION_EMAIL = "invitation_email"


CHANNEL_KINDS = frozenset({OutboxKind.REMINDER, OutboxKind.EXPIRY_NOTICE})
"""Messages posted to the account's reminders channel: kept while the bot cannot post there."""

PORTAL_CHANGE_KINDS = frozenset(
    {
        OutboxKind.PORTAL_INVITE,
        OutboxKind.PORTAL_PERMISSIONS,
        OutboxKind.PORTAL_REMOVE,
        OutboxKind.PORTAL_CONTACT_ADD,
        OutboxKind.PORTAL_CONTACT_REMOVE,
    }
)
"""Changes carried to WHMCS: those for one address are carried one at a time, in order."""


class Outbox(SQLModel, table=True):
    """A message to Slack, written in the same transaction as the change it tells of,
    and sent afterwards: a database write never waits on Slack, and nothing is lost."""

    __table_args__ = (
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    kind: OutboxKind = _enum(OutboxKind, OutboxKind.INVITATION, length=32)
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    recipient_user_id: str | None = Field(default=None, max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _timestamp()
    next_attempt_at: datetime = _timestamp()
    claimed_until: datetime | None = _timestamp(nullable=True)
    attempts: int = 0
    done_at: datetime | None = _timestamp(nullable=True)
    outcome: str = Field(default="", max_length=200)


class PortalConnectCode(SQLModel, table=True):
    """The one-time code that proves the owner controls a WHMCS client's mailbox: only its
    hash is kept; it expires, is used once, and dies after a few wrong tries."""

    __tablename__ = "portal_connect_code"

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    whmcs_client_id: int
    code_hash: str = Field(max_length=128)
    expires_at: datetime = _timestamp()
    wrong_tries: int = 0


class ProcessedEvent(SQLModel, table=True):
    """Slack event ids already handled, so that Slack's retries are handled once."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _timestamp(index=True)


class SlackInstallation(SQLModel, table=True):
    """The latest installation of the app in one workspace, or in one Enterprise Grid
    organisation for an organisation-wide install; its tokens are encrypted."""

    __tablename__ = "slack_installation"

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(max_length=80, unique=True)
    """``T…`` for a workspace's install, ``E…:*`` for an organisation-wide one."""
    enterprise_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)
    is_enterprise_install: bool = _flag()
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """What slack-sdk's ``Installation`` holds, less its tokens."""
    tokens: str = Field(sa_column=Column(Text, nullable=False))
    """The bot, refresh and user tokens, as one Fernet token under ``SECRETS_KEY``."""
    installed_at: datetime = _timestamp()


class SlackOAuthState(SQLModel, table=True):
    """The ``state`` of an OAuth flow started by ``/slack/install``: used once, then gone."""

    __tablename__ = "slack_oauth_state"

    state: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = _timestamp(index=True)
