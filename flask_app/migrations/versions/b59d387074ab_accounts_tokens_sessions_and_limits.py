"""Accounts, API tokens, server-side sessions and limits; each prediction gets an owner.

docs/spec.md#98-the-tables. The prediction table gains `owner_id` (the account) and `visitor`
(an anonymous visitor's id); the rows stored before belong to no one. SQLite cannot add a
foreign key to an existing table, so the prediction table is changed in a batch (Alembic copies
it into a new table); PostgreSQL alters it in place.

Revision ID: b59d387074ab
Revises: 5d2c8e0f7a41
Create Date: 2026-12-02 05:43:58.022576
"""

import sqlalchemy as sa
from alembic import op

revision = "b59d387074ab"
down_revision = "5d2c8e0f7a41"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OWNER_KEY = "fk_prediction_owner_id_user"


def upgrade():
    op.create_table(
        "user",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("date_joined", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_table(
        "session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_session_expires_at", "session", ["expires_at"])
    op.create_index("ix_session_user_id", "session", ["user_id"])
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("prediction") as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("visitor", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_prediction_owner_id", ["owner_id"])
        batch_op.create_index("ix_prediction_visitor", ["visitor"])
        batch_op.create_foreign_key(OWNER_KEY, "user", ["owner_id"], ["id"], ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("prediction") as batch_op:
        batch_op.drop_constraint(OWNER_KEY, type_="foreignkey")
        batch_op.drop_index("ix_prediction_visitor")
        batch_op.drop_index("ix_prediction_owner_id")
        batch_op.drop_column("visitor")
        batch_op.drop_column("owner_id")
    op.drop_table("rate_limit")
    op.drop_index("ix_session_user_id", table_name="session")
    op.drop_index("ix_session_expires_at", table_name="session")
    op.drop_table("session")
    op.drop_index("ix_api_token_user_id", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("user")
