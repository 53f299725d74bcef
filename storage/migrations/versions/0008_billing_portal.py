"""billing portal: accounts connected to a WHMCS client, their users, invitations and contacts
kept in step with it, one-time connect codes, and the outbox kinds that carry changes there

Revision ID: 0008_billing_portal
Revises: 0007_contact_email_preferences
Create Date: 2026-11-29 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from storage.types import UTCDateTime

revision: str = "0008_billing_portal"
down_revision: str | None = "0007_contact_email_preferences"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "invitation",
    "invitation_closed",
    "owner_outcome",
    "member_permissions",
    "member_removed",
    "reminder",
    "invitee_nudge",
    "expiry_notice",
    "channel_paused",
)
NEW_KINDS = (
    *OLD_KINDS,
    "portal_invite",
    "portal_permissions",
    "portal_remove",
    "portal_contact_add",
    "portal_contact_remove",
    "portal_news",
)


def _kinds(kinds: Sequence[str]) -> sa.Enum:
    return sa.Enum(*kinds, name="outboxkind", native_enum=False, create_constraint=True, length=32)


def _set_kinds(batch_op: BatchOperations, old: Sequence[str], new: Sequence[str]) -> None:
    batch_op.drop_constraint("outboxkind", type_="check")
    batch_op.alter_column(
        "kind", existing_type=_kinds(old), type_=_kinds(new), existing_nullable=False
    )


def _syncing() -> sa.Column[bool]:
    return sa.Column("syncing", sa.Boolean(), server_default=sa.text("false"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        _set_kinds(batch_op, OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("whmcs_client_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("portal_sync_due_at", UTCDateTime(), nullable=True))
        batch_op.create_index("uq_account_whmcs_client", ["whmcs_client_id"], unique=True)
        batch_op.create_index("ix_account_portal_sync_due_at", ["portal_sync_due_at"], unique=False)
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("whmcs_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(_syncing())
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(_syncing())
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("whmcs_contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(_syncing())
    op.create_table(
        "portal_connect_code",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("whmcs_client_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("portal_connect_code")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("syncing")
        batch_op.drop_column("whmcs_contact_id")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("syncing")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("syncing")
        batch_op.drop_column("whmcs_user_id")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index("ix_account_portal_sync_due_at")
        batch_op.drop_index("uq_account_whmcs_client")
        batch_op.drop_column("portal_sync_due_at")
        batch_op.drop_column("whmcs_client_id")
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        _set_kinds(batch_op, NEW_KINDS, OLD_KINDS)
