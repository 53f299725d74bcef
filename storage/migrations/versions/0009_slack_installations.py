"""slack installations: the app installed per workspace through OAuth, its tokens encrypted,
the OAuth flows' state, and accounts paused while their workspace has no working token

Revision ID: 0009_slack_installations
Revises: 0008_billing_portal
Create Date: 2026-12-06 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009_slack_installations"
down_revision: str | None = "0008_billing_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slack_enterprise_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("slack_paused_at", UTCDateTime(), nullable=True))
    op.create_table(
        "slack_installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace", sa.String(length=80), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column(
            "is_enterprise_install", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("installed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace"),
    )
    op.create_table(
        "slack_oauth_state",
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    op.create_index("ix_slack_oauth_state_expires_at", "slack_oauth_state", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_oauth_state_expires_at", table_name="slack_oauth_state")
    op.drop_table("slack_oauth_state")
    op.drop_table("slack_installation")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("slack_paused_at")
        batch_op.drop_column("slack_enterprise_id")
