"""invitation emails: the hash of an invitation's emailed link, when it was emailed, who
invited (as the email names them), and the outbox kind that sends the email (DESIGN §11)

Revision ID: 0010_invitation_emails
Revises: 0009_slack_installations
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from storage.types import UTCDateTime

revision: str = "0010_invitation_emails"
down_revision: str | None = "0009_slack_installations"
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
    "portal_invite",
    "portal_permissions",
    "portal_remove",
    "portal_contact_add",
    "portal_contact_remove",
    "portal_news",
)
NEW_KINDS = (*OLD_KINDS, "invitation_email")


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
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("emailed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("inviter_name", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint("uq_invitation_link_hash", ["link_hash"])


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invitation_link_hash", type_="unique")
        batch_op.drop_column("inviter_name")
        batch_op.drop_column("emailed_at")
        batch_op.drop_column("link_hash")
    with op.batch_alter_table("outbox", recreate="always") as batch_op:
        _set_kinds(batch_op, NEW_KINDS, OLD_KINDS)
