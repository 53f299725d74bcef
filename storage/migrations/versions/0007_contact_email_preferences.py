"""contact email preferences: which of WHMCS's six kinds of email each contact gets

Revision ID: 0007_contact_email_preferences
Revises: 0006_channel_problems
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_contact_email_preferences"
down_revision: str | None = "0006_channel_problems"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Existing contacts keep getting every email, as they did before preferences existed.
ALL_KINDS = """'["general", "product", "domain", "invoice", "support", "affiliate"]'"""


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_kinds", sa.JSON(), server_default=sa.text(ALL_KINDS), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("email_kinds")
