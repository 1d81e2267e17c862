"""Flask's own ways with accounts (docs/spec.md#9-accounts-sessions-and-access): the server-side
session table, `create-staff`, `clear-sessions`, the password check for an unknown username, and
the migration that made the tables."""

from datetime import timedelta

import pytest

pytest.importorskip("flask")

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, update
from webclient import PASSWORD

from flask_app import create_app, passwords
from flask_app.extensions import db
from flask_app.models import Session, User, utcnow
from flask_app.sessions import digest


def session_rows(app) -> list[Session]:
    with app.app_context():
        return list(db.session.scalars(select(Session)))


def test_the_table_keeps_only_the_digest_of_the_id_in_the_cookie(flask_client, flask_app):
    flask_client.sign_up("ann")
    sid = flask_client.session_cookie()
    [row] = session_rows(flask_app)
    assert row.id == digest(sid) != sid
    assert sid not in flask_client.database_dump()
    assert row.user_id is not None and row.data["_user_id"] == str(row.user_id)


def test_log_in_gives_a_new_session_id_and_deletes_the_old_row(flask_client, flask_app):
    flask_client.sign_up("ann")
    flask_client.log_out()
    flask_client.get("/accounts/login")  # an anonymous session, for the form's CSRF token
    before = flask_client.session_cookie()
    assert flask_client.log_in("ann").status == 303
    after = flask_client.session_cookie()
    assert after != before
    assert [row.id for row in session_rows(flask_app)] == [digest(after)]


def test_log_out_deletes_the_row_and_the_replayed_cookie_is_anonymous(flask_client, flask_app):
    flask_client.sign_up("ann")
    sid = flask_client.session_cookie()
    assert flask_client.log_out().status == 303
    assert session_rows(flask_app) == []
    replay = flask_client.fresh()
    replay.set_session_cookie(sid)
    assert replay.get("/accounts/tokens").status == 302
    assert not replay.get("/").testids("username")


def test_an_expired_session_is_not_used(flask_client, flask_app):
    flask_client.sign_up("ann")
    with flask_app.app_context():
        db.session.execute(update(Session).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert flask_client.get("/accounts/tokens").status == 302


def test_a_page_that_only_reads_the_session_writes_nothing(flask_client, flask_app):
    flask_client.sign_up("ann")
    flask_client.get("/")  # the first form after log-in stores the session's new CSRF token
    [before] = session_rows(flask_app)
    answer = flask_client.get("/history")
    assert answer.header("Set-Cookie") is None
    [after] = session_rows(flask_app)
    assert after.expires_at == before.expires_at


def test_the_cookie_lasts_14_days_and_is_http_only_and_same_site_lax(flask_client):
    answer = flask_client.sign_up("ann")
    [cookie] = [c for c in answer.headers_named("Set-Cookie") if c.startswith("session=")]
    assert "Max-Age=1209600" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_api_neither_reads_nor_sets_the_session(flask_client, flask_app):
    flask_client.sign_up("ann")
    answer = flask_client.get("/api/v1/predictions")  # the cookie goes with it, and is ignored
    assert answer.status == 401
    assert answer.header("Set-Cookie") is None


def test_clear_sessions_deletes_only_the_expired_rows(flask_client, flask_app):
    flask_client.sign_up("ann")
    flask_client.fresh().sign_up("bob")
    with flask_app.app_context():
        bob = db.session.scalar(select(User.id).where(User.username == "bob"))
        expired = Session.user_id == bob
        db.session.execute(update(Session).where(expired).values(expires_at=utcnow()))
        db.session.commit()
    result = flask_app.test_cli_runner().invoke(args=["clear-sessions"])
    assert result.exit_code == 0, result.output
    assert result.output == "Deleted 1 expired session.\n"
    assert [row.data["_user_id"] for row in session_rows(flask_app)] != []
    assert all(row.user_id != bob for row in session_rows(flask_app))


def test_a_password_change_ends_the_account_s_other_sessions(flask_client, flask_app):
    flask_client.sign_up("ann")
    laptop = flask_client.fresh()
    assert laptop.log_in("ann").status == 303
    old_sid = flask_client.session_cookie()
    changed = flask_client.submit(
        "/accounts/password",
        "password-form",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert changed.status == 303
    assert flask_client.session_cookie() != old_sid
    assert [row.id for row in session_rows(flask_app)] == [digest(flask_client.session_cookie())]
    assert laptop.get("/accounts/tokens").status == 302
    assert flask_client.get("/accounts/tokens").status == 200


def test_create_staff_asks_twice_and_makes_a_staff_account(flask_app):
    runner = flask_app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "boss"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output and PASSWORD not in result.output
    with flask_app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        assert boss.is_staff and boss.password_hash.startswith("pbkdf2:sha256:1$")


def test_create_staff_applies_the_sign_up_rules(flask_app):
    runner = flask_app.test_cli_runner()
    runner.invoke(args=["create-staff", "boss"], input=f"{PASSWORD}\n{PASSWORD}\n")
    taken = runner.invoke(args=["create-staff", "BOSS"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert taken.exit_code == 1
    assert "A user with that username already exists." in taken.output
    weak = runner.invoke(args=["create-staff", "chief"], input="1234\n1234\n")
    assert weak.exit_code == 1
    assert "This password is too short." in weak.output
    assert "This password is entirely numeric." in weak.output


def test_create_staff_on_a_database_without_its_tables_says_so_in_one_line(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    result = app.test_cli_runner().invoke(
        args=["create-staff", "boss"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: Database sqlite:///{tmp_path / 'empty.sqlite3'} is not usable (no such table: "
        "user): check that it runs, then run `flask --app flask_app db upgrade`."
    )


def test_the_hasher_runs_for_an_unknown_username_too(flask_client, monkeypatch):
    checked = []
    real_check = passwords.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(password)
        return real_check(pwhash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    flask_client.sign_up("ann")
    flask_client.log_out()
    assert flask_client.log_in("nobody", "some-password").status == 400
    assert flask_client.log_in("ann", "wrong-password").status == 400
    assert checked == ["some-password", "wrong-password"]


def test_the_migration_upgrades_and_downgrades_on_sqlite(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "api_token", "session", "rate_limit", "prediction"} <= tables
        columns = {c["name"] for c in inspect(db.engine).get_columns("prediction")}
        assert {"owner_id", "visitor"} <= columns
        downgrade(revision="5d2c8e0f7a41")
        inspector = inspect(db.engine)
        assert set(inspector.get_table_names()) == {"alembic_version", "prediction"}
        assert {c["name"] for c in inspector.get_columns("prediction")}.isdisjoint(
            {"owner_id", "visitor"}
        )
        upgrade()
        db.engine.dispose()
