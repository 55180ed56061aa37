"""failed identification checks per customer number (bot/identity_guard.py), agents' known browsers

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identification_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("identification_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identification_failures_number_hash"), ["number_hash"], unique=False)
    op.create_table(
        "agent_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("agent_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_devices_agent_id"), ["agent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agent_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_devices_agent_id"))
    op.drop_table("agent_devices")
    with op.batch_alter_table("identification_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identification_failures_number_hash"))
    op.drop_table("identification_failures")
