"""provisioning runs (one per Salesforce Order: state machine, external ids, step times)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provisioning_runs",
        sa.Column("order_id", sa.String(length=18), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=18), nullable=True),
        sa.Column("whmcs_client_id", sa.String(length=20), nullable=True),
        sa.Column("whmcs_order_id", sa.String(length=20), nullable=True),
        sa.Column("service_ids", sa.String(length=1000), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("failure_reported", sa.Boolean(), nullable=False),
        sa.Column("sim_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("whmcs_order_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sim_activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("crm_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_provisioning_runs")),
    )


def downgrade() -> None:
    op.drop_table("provisioning_runs")
