"""The database tables: predictions (docs/spec.md#71-the-table), and the accounts, API tokens,
sessions and limits of docs/spec.md#98-the-tables. Flask-Migrate's migrations in `migrations/`
create them; `store.py` and `accounts_store.py` run every query on them.

Deleting an account deletes its tokens, sessions and predictions: the foreign keys say
`ON DELETE CASCADE` (PostgreSQL applies it), and `accounts_store.delete_user` deletes the rows
itself as well, because SQLite applies it only with `PRAGMA foreign_keys=ON`, which the apps'
shared SQLite settings leave off (Django does not use it either).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared_web.accounts import TOKEN_NAME_MAX_LENGTH, USERNAME_MAX_LENGTH
from shared_web.limits import KEY_MAX_LENGTH
from shared_web.tokens import DIGEST_LENGTH

from .extensions import db

# 64 bits, as every id the routes accept (up to 2^63-1) must be one the database can look up;
# on SQLite only an INTEGER primary key numbers new rows by itself, and it is 64 bits there.
BigId = BigInteger().with_variant(Integer(), "sqlite")
UtcTime = DateTime(timezone=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time with its time zone: SQLite gives `DateTime(timezone=True)` back naive."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """An account (docs/spec.md#9-accounts-sessions-and-access); `UserMixin` gives Flask-Login
    what it asks of a user (`is_authenticated`, `get_id`)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(default=False)
    date_joined: Mapped[datetime] = mapped_column(UtcTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """An API token: only the SHA-256 of its secret is kept (docs/spec.md#95-api-tokens)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX_LENGTH))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcTime)


class Session(db.Model):  # type: ignore[name-defined,misc]
    """A browser session (`sessions.py`): the SHA-256 of the id its cookie holds, never the id,
    so that reading the table gives no one a way into a session (docs/spec.md#98-the-tables)."""

    __tablename__ = "session"

    id: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UtcTime, index=True)
    # The account logged in, so that a password change can end its other sessions.
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user.id", ondelete="CASCADE"), index=True
    )


class RateLimit(db.Model):  # type: ignore[name-defined,misc]
    """One counter of docs/spec.md#96-limits, e.g. `login:ADDRESS:USERNAME`."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcTime)
    count: Mapped[int]


class Prediction(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "prediction"  # what Flask-SQLAlchemy would derive from the class name

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(8))
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(12))
    features: Mapped[dict[str, float]] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(String(100))
    probabilities: Mapped[dict[str, float]] = mapped_column(JSON)
    # No feedback yet: NULL, not "" (a second feedback replaces the first).
    feedback_label: Mapped[str | None] = mapped_column(String(100))
    feedback_correct: Mapped[bool | None]
    feedback_comment: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UtcTime)
    # Whose it is (docs/spec.md#94-ownership): an account, or else an anonymous visitor's id
    # from their session; neither for the API without a token and for older rows.
    owner_id: Mapped[int | None] = mapped_column(
        BigInteger,
        ForeignKey("user.id", ondelete="CASCADE", name="fk_prediction_owner_id_user"),
        index=True,
    )
    visitor: Mapped[str | None] = mapped_column(String(32), index=True)

    def __repr__(self) -> str:
        return f"<Prediction {self.id} {self.label}>"
