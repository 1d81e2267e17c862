"""Server-side sessions in the app's own `session` table (docs/spec.md#93-sessions-and-cookies).

Flask keeps its session in a signed cookie by default: the data lives in the browser, so log-out
cannot end it on the server and a password change cannot end the account's other sessions. This
`SessionInterface` keeps the data in the database instead, and the cookie holds only a random
id (`secrets.token_urlsafe(32)`); the table keeps the id's SHA-256, so that reading the table
gives no one a way into a session. A session lasts `PERMANENT_SESSION_LIFETIME` (14 days) from
its last change: a request that changes it writes the row and sets the cookie again, and a
request that only reads it writes nothing. An expired or unknown id opens a new, empty session.

Why not Flask-Session: its SQLAlchemy backend (flask_session/sqlalchemy/sqlalchemy.py, 0.8)
defines its table on the app's `db.Model` and creates it with `__table__.create(checkfirst=True)`
while the app is being built, which fights Flask-Migrate (`flask db upgrade` owns the schema)
and the start-up rules (the database need not be usable when the app starts); it commits the
app's own `db.session`, and so whatever else a request had pending; and it keeps the session id
in clear, with no column for the account, so a password change could not end the other sessions.

The JSON API has no session: it knows an account by its token only (docs/spec.md#95-api-tokens),
so requests under /api/ neither read the table nor get a cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import click
from flask import Flask, Request, Response, session
from flask.cli import with_appcontext
from flask.sessions import SecureCookieSession, SessionInterface
from sqlalchemy.exc import SQLAlchemyError

from shared_web.errors import is_api_path

from . import accounts_store
from .errors import log_unusable_database
from .models import utcnow

USER_KEY = "_user_id"  # where Flask-Login keeps the logged-in account's id


class ServerSession(SecureCookieSession):
    """Flask's session dict (which notes when it is `modified`) with the id behind it.

    `sid` is the id the cookie holds; `new` says its row does not exist yet; `replaces` is the
    id of the row to delete when this one is saved (after `regenerate`).
    """

    def __init__(self, data: dict[str, Any] | None = None, sid: str | None = None) -> None:
        super().__init__(data)
        self.sid = sid or secrets.token_urlsafe(32)
        self.new = sid is None
        self.replaces: str | None = None
        self.unavailable = False

    def regenerate(self) -> None:
        """A new id for the same data; the old row is deleted when the session is saved."""
        if not self.new:
            self.replaces = self.sid
        self.sid = secrets.token_urlsafe(32)
        self.new = True
        self.modified = True


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if is_api_path(request.path):
            return None  # Flask's null session: nothing to read, and no cookie to set
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid:
            return ServerSession()
        try:
            data = accounts_store.session_data(digest(sid), utcnow())
        except SQLAlchemyError as error:
            # An anonymous, unsaved session: the views that need the database answer 503.
            log_unusable_database(error)
            unavailable = ServerSession()
            unavailable.unavailable = True
            return unavailable
        return ServerSession() if data is None else ServerSession(data, sid)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        if session.accessed:
            response.vary.add("Cookie")
        if not session.modified or session.unavailable:
            return
        cookie = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        name = self.get_cookie_name(app)
        try:
            if session:
                stored = accounts_store.write_session(
                    digest(session.sid),
                    dict(session),
                    utcnow() + app.permanent_session_lifetime,
                    user_id=int(session[USER_KEY]) if USER_KEY in session else None,
                    new=session.new,
                    replaces=digest(session.replaces) if session.replaces else None,
                )
            else:  # emptied, as log-out does: the row goes, and the cookie with it
                stored_before = session.replaces or (None if session.new else session.sid)
                if stored_before is None:
                    return
                accounts_store.delete_session(digest(stored_before))
                stored = False
        except SQLAlchemyError as error:
            log_unusable_database(error)
            return
        if stored:
            max_age = app.permanent_session_lifetime
            response.set_cookie(name, session.sid, max_age=max_age, **cookie)  # type: ignore[arg-type]
        else:
            response.delete_cookie(name, **cookie)  # type: ignore[arg-type]


def regenerate() -> None:
    """Give the current session a new id, keeping its data (log-in, sign-up, password change):
    an id someone planted or saw before cannot follow the visitor into their account."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    assert isinstance(current, ServerSession)
    current.regenerate()


@click.command("clear-sessions")
@with_appcontext
def clear_sessions() -> None:
    """Delete the expired sessions (run it daily, e.g. from cron)."""
    count = accounts_store.delete_expired_sessions(utcnow())
    click.echo(f"Deleted {count} expired session{'s' if count != 1 else ''}.")


def init_app(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface()
    app.cli.add_command(clear_sessions)
