"""Create the prediction table.

Revision ID: b811d2146eed
Revises:
Create Date: 2026-11-25 14:40:37.356465
"""

import sqlalchemy as sa
from alembic import op

revision = "b811d2146eed"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prediction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("model_name", sa.String(length=100), nullable=False),
        sa.Column("model_version", sa.String(length=12), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("probabilities", sa.JSON(), nullable=False),
        sa.Column("feedback_label", sa.String(length=100), nullable=True),
        sa.Column("feedback_correct", sa.Boolean(), nullable=True),
        sa.Column("feedback_comment", sa.Text(), nullable=False),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("prediction")
