"""The database table (docs/spec.md#71-the-table): one row per prediction, holding all that the
prediction object shows. Flask-Migrate's migrations in `migrations/` create it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Prediction(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "prediction"  # what Flask-SQLAlchemy would derive from the class name

    # 64 bits, as every id the routes accept (up to 2^63-1) must be one the database can look up;
    # on SQLite only an INTEGER primary key numbers new rows by itself, and it is 64 bits there.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
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
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Prediction {self.id} {self.label}>"
