"""Accounts (docs/spec.md#91-pages): sign-up, log-in and log-out, API tokens, password change
and account deletion, under /accounts; and `flask --app flask_app create-staff USERNAME`.

Flask-Login keeps the logged-in account's id in the session (`sessions.py` keeps the session on
the server). Every log-in (sign-up included) and a password change give the session a new id;
log-out ends it on the server. A valid form answers 303, an invalid one 400 with the form again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from shared_web.accounts import (
    ACCOUNT_DELETED,
    LOGIN_FAILED,
    PASSWORD_CHANGED,
    USERNAME_TAKEN,
    password_problems,
    username_problems,
)
from shared_web.api_input import MAX_ID

from . import accounts_store, limits, sessions
from .errors import unusable_database
from .extensions import login_manager
from .forms import (
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    SignupForm,
    TokenForm,
    username_text,
)
from .models import User
from .passwords import authenticate, hash_password

# `cli_group=None`: the blueprint's command is `flask create-staff`, not `flask auth create-staff`.
bp = Blueprint("auth", __name__, url_prefix="/accounts", cli_group=None)

Page = str | tuple[str, int]


@bp.after_request
def never_cache(response: BaseResponse) -> BaseResponse:
    """Account pages are one person's, and the tokens page shows a secret: no cache, no
    browser history copy may keep them (Django's `never_cache` does the same)."""
    response.cache_control.no_store = True
    return response


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the account whose id the session holds."""
    return accounts_store.user(int(user_id))


def log_in(user: User) -> None:
    """Log in with a new session id and a new CSRF token, so that neither an id nor a token
    someone planted or saw before can follow the visitor into the account. Flask-Login's `user_logged_in` signal then gives the account
    the visitor's predictions (`ownership.py`)."""
    login_user(user)
    sessions.regenerate()
    # A CSRF token seen before log-in is void from now on: Flask-WTF makes a new one for the
    # next form it renders.
    session.pop("csrf_token", None)


def path_of_this_site(target: str | None) -> str | None:
    """`next` when it is a path of this site: one leading `/`, no scheme, no host, and nothing
    a browser would read as one (`//host`, `/\\host`, control characters)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def home() -> BaseResponse:
    return redirect(url_for("pages.index"), 303)


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Page | BaseResponse:
    form = SignupForm()
    if not form.validate_on_submit():
        return render_template("auth/signup.html", form=form), 400 if form.is_submitted() else 200
    try:
        user = accounts_store.add_user(form.username.data, hash_password(form.password1.data))
    except accounts_store.UsernameTaken:  # signed up by another request since the form's check
        form.username.errors = [USERNAME_TAKEN]
        return render_template("auth/signup.html", form=form), 400
    log_in(user)
    return home()


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page | BaseResponse:
    form = LoginForm(next=request.args.get("next", ""))  # a POST sends it back in the form
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    username, password = form.username.data, form.password.data
    limits.count_login_attempt(username)
    user = authenticate(username, password)
    if user is None:
        form.form_errors.append(LOGIN_FAILED)
        return render_template("auth/login.html", form=form), 400
    limits.forget_failed_logins(username)
    log_in(user)
    return redirect(path_of_this_site(form.next.data) or url_for("pages.index"), 303)


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session on the server: emptied, its row is deleted and its cookie with it."""
    logout_user()
    session.clear()
    return home()


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> Page:
    form = TokenForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return tokens_page(form), status
    secret = accounts_store.add_token(current_user, form.name.data)
    return tokens_page(TokenForm(formdata=None), new_token=secret), 201


def tokens_page(form: TokenForm, new_token: str | None = None) -> str:
    return render_template(
        "auth/tokens.html",
        form=form,
        tokens=accounts_store.tokens_of(current_user),
        new_token=new_token,
    )


@bp.post(f"/tokens/<int(max={MAX_ID}):token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> BaseResponse:
    if not accounts_store.revoke_token(current_user, token_id):
        raise NotFound  # anyone else's token is as unknown as a missing one
    return redirect(url_for("auth.tokens"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Page | BaseResponse:
    form = PasswordChangeForm(current_user)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/password.html", form=form), status
    sessions.regenerate()
    accounts_store.change_password(current_user, hash_password(form.new_password1.data))
    flash(PASSWORD_CHANGED)
    return home()


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete() -> Page | BaseResponse:
    form = DeleteAccountForm(current_user)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/delete.html", form=form), status
    accounts_store.delete_user(current_user)
    logout_user()
    session.clear()
    sessions.regenerate()  # a new, empty session, for the message below
    flash(ACCOUNT_DELETED)
    return home()


@bp.cli.command("create-staff")
@click.argument("username")
def create_staff(username: str) -> None:
    """Make a staff account, which sees and gives feedback on every prediction
    (docs/spec.md#94-ownership); the rules of sign-up apply.

    The password is asked for twice, hidden (or read from standard input), never taken as an
    option: a command line is seen by every user of the machine and kept in shell histories.
    """
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    username = username_text(username) or ""
    try:
        problems = username_problems(username)
        if not problems and accounts_store.username_taken(username):
            problems = [USERNAME_TAKEN]
        problems += password_problems(password, "" if problems else username)
        if problems:
            raise click.ClickException("\n".join(problems))
        accounts_store.add_user(username, hash_password(password), staff=True)
    except SQLAlchemyError as error:
        raise click.ClickException(unusable_database(error)) from None
    click.echo(f"Staff account {username} created.")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
