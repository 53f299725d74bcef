"""channel problems: reminders kept while the bot cannot post to the account's channel

Revision ID: 0006_channel_problems
Revises: 0005_account_version
Create Date: 2026-11-29 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0006_channel_problems"
down_revision: str | None = "0005_account_version"
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
)
NEW_KINDS = (*OLD_KINDS, "channel_paused")


def _kinds(kinds: Sequence[str]) -> sa.Enum:
    return sa.Enum(*kinds, name="outboxkind", native_enum=False, create_constraint=True, length=32)


def _set_kinds(batch_op: BatchOperations, old: Sequence[str], new: Sequence[str]) -> None:
    batch_op.drop_constraint("outboxkind", type_="check")
    batch_op.alter_column(
        "kind", existing_type=_kinds(old), type_=_kinds(new), existing_nullable=False
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        _set_kinds(batch_op, OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_problem", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("channel_problem")
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        _set_kinds(batch_op, NEW_KINDS, OLD_KINDS)
