"""Whose predictions a page request sees and makes (docs/spec.md#94-ownership): the logged-in
account's, else the anonymous visitor's, known by a random id in their session. The API knows an
account by its token instead (`api.py`).

A visitor gets their id at their first prediction; logging in or signing up gives the account
every prediction of that id that has no owner yet. That happens on Flask-Login's `user_logged_in`
signal, so that every way of logging in does it.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, session
from flask_login import current_user, user_logged_in

from . import store
from .models import User
from .store import Viewer

VISITOR_KEY = "visitor"


def page_viewer() -> Viewer:
    """Who is asking for a page."""
    if current_user.is_authenticated:
        return Viewer(user_id=current_user.id, staff=current_user.is_staff)
    return Viewer(visitor=session.get(VISITOR_KEY))


def page_owner() -> Viewer:
    """Who is making a prediction on a page: an anonymous visitor gets their id now, at their
    first (32 hex digits)."""
    if not current_user.is_authenticated and VISITOR_KEY not in session:
        session[VISITOR_KEY] = secrets.token_hex(16)
    return page_viewer()


def claim_visitor_predictions(app: Flask, user: User, **extra: Any) -> None:
    visitor = session.get(VISITOR_KEY)
    if visitor is not None:
        store.claim_visitor_predictions(visitor, user.id)


def init_app(app: Flask) -> None:
    user_logged_in.connect(claim_visitor_predictions, app)
