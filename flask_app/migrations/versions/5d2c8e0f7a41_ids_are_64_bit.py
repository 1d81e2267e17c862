"""Ids are 64 bits on PostgreSQL, as the routes allow (docs/spec.md#53-methods-and-ids).

An `Integer` id is 32 bits on PostgreSQL, so looking up an id between 2^31 and 2^63-1 failed
there ("integer out of range": a 503) instead of a 404. SQLite's INTEGER primary key is already
64 bits.

Revision ID: 5d2c8e0f7a41
Revises: b811d2146eed
Create Date: 2026-12-02 02:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5d2c8e0f7a41"
down_revision = "b811d2146eed"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.alter_column(
            "prediction", "id", type_=sa.BigInteger(), existing_type=sa.Integer(), nullable=False
        )
        op.execute("ALTER SEQUENCE prediction_id_seq AS bigint")


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER SEQUENCE prediction_id_seq AS integer")
        op.alter_column(
            "prediction", "id", type_=sa.Integer(), existing_type=sa.BigInteger(), nullable=False
        )
