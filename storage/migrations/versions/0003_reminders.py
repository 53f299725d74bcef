"""reminders: new outbox kinds, per-account due-reminder index

Revision ID: 0003_reminders
Revises: aaab832e5d54
Create Date: 2026-11-29 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_reminders"
down_revision: str | None = "aaab832e5d54"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "invitation",
    "invitation_closed",
    "owner_outcome",
    "member_permissions",
    "member_removed",
)
NEW_KINDS = (*OLD_KINDS, "reminder", "invitee_nudge", "expiry_notice")


def _kinds(kinds: Sequence[str]) -> sa.Enum:
    return sa.Enum(*kinds, name="outboxkind", native_enum=False, create_constraint=True, length=32)


def _set_kinds(old: Sequence[str], new: Sequence[str]) -> None:
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        batch_op.drop_constraint("outboxkind", type_="check")
        batch_op.alter_column(
            "kind", existing_type=_kinds(old), type_=_kinds(new), existing_nullable=False
        )


def upgrade() -> None:
    _set_kinds(OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitation_account_reminder",
            ["account_id", "next_reminder_at"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_invitation_account_reminder")
    _set_kinds(NEW_KINDS, OLD_KINDS)
