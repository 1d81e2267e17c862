"""Every query and write of accounts, API tokens, sessions and limits
(docs/spec.md#9-accounts-sessions-and-access); `store.py` holds the predictions'. No other module
runs SQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Result, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from shared_web.tokens import new_token

from .extensions import db
from .models import ApiToken, Prediction, RateLimit, Session, User, as_utc

TOKEN_USE_PRECISION = timedelta(minutes=1)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (the ORM gives back its `CursorResult`)."""
    return result.rowcount if isinstance(result, CursorResult) else 0


class UsernameTaken(Exception):
    """Another account has the username (a sign-up racing another with the same name)."""


# Accounts


def user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_named(username: str) -> User | None:
    """The account with exactly this username: log-in compares it as it was signed up."""
    return db.session.scalar(select(User).where(User.username == username))


def username_taken(username: str) -> bool:
    """Whether an account has this username in any letter case (`Ann` is taken by `ann`)."""
    same = func.lower(User.username) == func.lower(username)
    return db.session.scalar(select(select(User.id).where(same).exists())) or False


def add_user(username: str, password_hash: str, *, staff: bool = False) -> User:
    user = User(username=username, password_hash=password_hash, is_staff=staff)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise UsernameTaken(username) from None
    return user


def change_password(user: User, password_hash: str) -> None:
    """Set the new password and end every session of the account; the current one is saved
    under its new id when the request ends (`sessions.regenerate`)."""
    user.password_hash = password_hash
    db.session.execute(delete(Session).where(Session.user_id == user.id))
    db.session.commit()


def delete_user(user: User) -> None:
    """The account and everything it owns, in one transaction. The foreign keys cascade on
    PostgreSQL; SQLite applies them only with `PRAGMA foreign_keys=ON`, so each delete is said."""
    db.session.execute(delete(Prediction).where(Prediction.owner_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(Session).where(Session.user_id == user.id))
    db.session.delete(user)
    db.session.commit()


# API tokens


def tokens_of(user: User) -> list[ApiToken]:
    """The account's tokens, newest first."""
    newest_first = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(newest_first))


def add_token(user: User, name: str) -> str:
    """Make a token and return its secret; only its digest is stored."""
    secret, digest = new_token()
    db.session.add(ApiToken(user_id=user.id, name=name, digest=digest))
    db.session.commit()
    return secret


def revoke_token(user: User, token_id: int) -> bool:
    """Delete one of the account's tokens; False when it has no token with that id."""
    mine = (ApiToken.id == token_id) & (ApiToken.user_id == user.id)
    deleted = rowcount(db.session.execute(delete(ApiToken).where(mine)))
    db.session.commit()
    return deleted == 1


def token_user(digest: str, now: datetime) -> User | None:
    """The account of the token with this digest, noting that it was used; at most once a
    minute, so that reading through the API does not turn every request into a write."""
    found = db.session.execute(
        select(ApiToken, User).join(User).where(ApiToken.digest == digest)
    ).one_or_none()
    if found is None:
        return None
    token, owner = found
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= TOKEN_USE_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return owner


# Sessions (sessions.py): rows keyed by the SHA-256 of the id in the cookie


def session_data(digest: str, now: datetime) -> dict[str, Any] | None:
    """The data of a session that has not expired; None for an unknown or expired one."""
    alive = (Session.id == digest) & (Session.expires_at > now)
    return db.session.scalar(select(Session.data).where(alive))


def write_session(
    digest: str,
    data: dict[str, Any],
    expires_at: datetime,
    *,
    user_id: int | None,
    new: bool,
    replaces: str | None,
) -> bool:
    """Store a session; False when it has ended meanwhile (log-out or a password change in
    another request), which a write must not bring back."""
    if replaces is not None:
        db.session.execute(delete(Session).where(Session.id == replaces))
    values = {"data": data, "expires_at": expires_at, "user_id": user_id}
    if new:
        db.session.execute(insert(Session).values(id=digest, **values))
        stored = True
    else:
        updated = db.session.execute(update(Session).where(Session.id == digest).values(values))
        stored = rowcount(updated) == 1
    db.session.commit()
    return stored


def delete_session(digest: str) -> None:
    db.session.execute(delete(Session).where(Session.id == digest))
    db.session.commit()


def delete_expired_sessions(now: datetime) -> int:
    deleted = rowcount(db.session.execute(delete(Session).where(Session.expires_at <= now)))
    db.session.commit()
    return deleted


# Limits (limits.py): one counter per key, in fixed windows


def count_one(key: str, window: timedelta, now: datetime) -> tuple[int, datetime]:
    """Count one more for the key, in a new window once the last one is over; the count and the
    start of its window after it.

    One atomic UPDATE, so that workers and servers counting at once lose no count (the database
    locks the row); it is the transaction's first statement, a write, which SQLite's
    `busy_timeout` waits for. The first count of a key inserts its row, and if another request
    inserted it first, counts on that row.
    """
    over = RateLimit.window_start <= now - window
    counted = (
        update(RateLimit)
        .where(RateLimit.key == key)
        .values(
            count=case((over, 1), else_=RateLimit.count + 1),
            window_start=case((over, now), else_=RateLimit.window_start),
        )
        .returning(RateLimit.count, RateLimit.window_start)
        .execution_options(synchronize_session=False)
    )
    while (row := db.session.execute(counted).first()) is None:
        try:
            db.session.execute(insert(RateLimit).values(key=key, window_start=now, count=1))
            db.session.commit()
            return 1, now
        except IntegrityError:  # inserted by another request meanwhile: count on its row
            db.session.rollback()
    db.session.commit()
    return row.count, as_utc(row.window_start)


def clear_count(key: str) -> None:
    db.session.execute(delete(RateLimit).where(RateLimit.key == key))
    db.session.commit()
