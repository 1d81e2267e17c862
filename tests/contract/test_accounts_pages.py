"""docs/spec.md#91-pages and #92-usernames-and-passwords: sign up, log in, log out, change the
password, delete the account; the nav and messages; pages that need a login."""

from datetime import timedelta

import pytest
from webclient import PASSWORD, location_path

from shared_web import accounts

NEW_PASSWORD = "another-long-passphrase"


def nav_links(answer):
    """The nav's links other than the username: (text, href)."""
    return [
        (a.get_text(strip=True), a["href"])
        for a in answer.soup().select("nav a")
        if a.get("data-testid") != "username"
    ]


def logged_in_as(client):
    """The username the nav shows, or None for an anonymous visitor."""
    names = client.get("/").testid_texts("username")
    return names[0] if names else None


def form_fields(answer, testid):
    form = answer.soup().select_one(f'form[data-testid="{testid}"]')
    assert form is not None, testid
    visible = [
        element["name"]
        for element in form.select("input[name], select[name], textarea[name]")
        if element.get("type") != "hidden"
    ]
    return form, visible


def predict_on_the_form(client, valid_features):
    answer = client.submit("/", "prediction-form", valid_features)
    assert answer.status == 303
    return answer


# Every account page: in the layout, named by its heading.


@pytest.mark.parametrize(
    ("path", "heading", "logged_in"),
    [
        ("/accounts/signup", "Sign up", False),
        ("/accounts/login", "Log in", False),
        ("/accounts/tokens", "API tokens", True),
        ("/accounts/password", "Change password", True),
        ("/accounts/delete", "Delete account", True),
    ],
)
def test_every_account_page_is_in_the_layout_and_named(client, path, heading, logged_in):
    if logged_in:
        client.sign_up("ann")
    answer = client.get(path)
    assert answer.status == 200
    assert answer.content_type == "text/html; charset=utf-8"
    assert answer.title == heading
    assert answer.soup().title.get_text(strip=True) == f"{heading} · iris model"
    assert answer.testids("served-by")


@pytest.mark.parametrize("path", ["/accounts/signup", "/accounts/login"])
def test_account_pages_answer_head_without_a_body(client, path):
    answer = client.request("HEAD", client.url(path))
    assert (answer.status, answer.body) == (200, b"")


@pytest.mark.parametrize(
    ("path", "testid", "logged_in"),
    [
        ("/accounts/signup", "signup-form", False),
        ("/accounts/login", "login-form", False),
        ("/accounts/tokens", "token-form", True),
        ("/accounts/password", "password-form", True),
        ("/accounts/delete", "delete-form", True),
    ],
)
def test_every_account_form_needs_its_csrf_token(client, path, testid, logged_in):
    if logged_in:
        client.sign_up("bob")
    client.fresh().sign_up("ann")
    form = client.get(path).soup().select_one(f'form[data-testid="{testid}"]')
    [token] = form.select('input[type="hidden"]:not([name="next"])')
    values = {"username": "ann", "password": PASSWORD, "name": "x", "old_password": PASSWORD}
    answer = client.submit(path, testid, values, drop=(token["name"],))
    assert answer.status == 403
    assert answer.testid_texts("error-title") == ["Form expired"]
    assert logged_in_as(client) == ("bob" if logged_in else None)


# Sign up.


def test_the_signup_form_asks_for_a_username_and_the_password_twice(client):
    answer = client.get("/accounts/signup")
    form, fields = form_fields(answer, "signup-form")
    assert (form["method"], form["action"]) == ("post", "/accounts/signup")
    assert fields == ["username", "password1", "password2"]
    assert len(form.select('input[type="hidden"]')) == 1  # the CSRF token
    assert accounts.PASSWORD_HELP in answer.text


def test_signing_up_logs_the_visitor_in_and_redirects_303_home(client):
    answer = client.sign_up("ann")
    assert answer.status == 303
    assert answer.header("Location") == "/"
    assert logged_in_as(client) == "ann"


def test_signing_up_gives_a_new_session_id(client, valid_features):
    predict_on_the_form(client, valid_features)  # the visitor now has a session in both apps
    before = client.session_cookie()
    assert before is not None
    assert client.sign_up("ann").status == 303
    assert client.session_cookie() not in (None, before)


LONG = "a" * 151


@pytest.mark.parametrize(
    ("username", "password1", "password2", "errors"),
    [
        ("", PASSWORD, PASSWORD, {"username": [accounts.REQUIRED]}),
        (LONG, PASSWORD, PASSWORD, {"username": [accounts.USERNAME_TOO_LONG]}),
        ("ann smith", PASSWORD, PASSWORD, {"username": [accounts.USERNAME_INVALID]}),
        ("ann/smith", PASSWORD, PASSWORD, {"username": [accounts.USERNAME_INVALID]}),
        ("ann", "", "", {"password1": [accounts.REQUIRED], "password2": [accounts.REQUIRED]}),
        ("ann", "short-1", "short-1", {"password2": [accounts.PASSWORD_TOO_SHORT]}),
        (
            "ann",
            "1234567",
            "1234567",
            {"password2": [accounts.PASSWORD_TOO_SHORT, accounts.PASSWORD_NUMERIC]},
        ),
        ("ann", "8675309123", "8675309123", {"password2": [accounts.PASSWORD_NUMERIC]}),
        ("margaret", "margaret99", "margaret99", {"password2": [accounts.PASSWORD_TOO_SIMILAR]}),
        ("ann.smith", "smith123", "smith123", {"password2": [accounts.PASSWORD_TOO_SIMILAR]}),
        ("ann", PASSWORD, PASSWORD + "!", {"password2": [accounts.PASSWORD_MISMATCH]}),
    ],
    ids=[
        "no username",
        "151 characters",
        "a space",
        "a slash",
        "no password",
        "too short",
        "short and numeric",
        "numeric",
        "like the username",
        "like a part of the username",
        "passwords differ",
    ],
)
def test_a_bad_signup_is_400_with_each_message_under_its_field(
    client, username, password1, password2, errors
):
    answer = client.sign_up(username, password1, password2)
    assert answer.status == 400
    assert answer.field_errors() == errors
    assert answer.testids("signup-form")
    assert logged_in_as(client) is None


def test_a_bad_field_is_marked_invalid_and_points_at_its_messages(client):
    answer = client.sign_up("ann smith", PASSWORD, PASSWORD + "!")
    soup = answer.soup()
    for name in ("username", "password2"):
        field = soup.select_one(f'input[name="{name}"]')
        assert (field["aria-invalid"], field["aria-describedby"]) == ("true", f"{name}_error")
    assert not soup.select_one('input[name="password1"]').has_attr("aria-invalid")
    assert soup.select_one('input[name="username"]')["value"] == "ann smith"
    assert not soup.select_one('input[name="password1"]').has_attr("value")  # never sent back


def test_a_username_of_150_characters_is_accepted(client):
    assert client.sign_up("a" * 150).status == 303


def test_a_username_is_taken_whatever_its_letter_case(client):
    assert client.fresh().sign_up("ann").status == 303
    answer = client.sign_up("Ann")
    assert answer.status == 400
    assert answer.field_errors() == {"username": [accounts.USERNAME_TAKEN]}


def test_a_logged_in_visitor_may_sign_up_another_account_and_is_then_logged_in_as_it(client):
    client.sign_up("ann")
    assert client.sign_up("bob").status == 303
    assert logged_in_as(client) == "bob"


# Log in.


def test_the_login_form_carries_next_from_the_query(client):
    answer = client.get("/accounts/login?next=/history")
    form, fields = form_fields(answer, "login-form")
    assert form["method"] == "post"
    assert fields == ["username", "password"]
    assert form.select_one('input[type="hidden"][name="next"]')["value"] == "/history"


def test_logging_in_redirects_303_home_with_a_new_session_id(client, valid_features):
    client.fresh().sign_up("ann")
    predict_on_the_form(client, valid_features)
    before = client.session_cookie()
    answer = client.log_in("ann")
    assert answer.status == 303
    assert answer.header("Location") == "/"
    assert client.session_cookie() not in (None, before)
    assert logged_in_as(client) == "ann"


def test_the_session_id_from_before_log_in_is_not_logged_in(client, valid_features):
    client.fresh().sign_up("ann")
    predict_on_the_form(client, valid_features)
    before = client.session_cookie()
    client.log_in("ann")
    replayed = client.fresh()
    replayed.set_session_cookie(before)
    assert logged_in_as(replayed) is None


def test_the_session_cookie_is_httponly_lax_and_lasts_fourteen_days(client):
    answer = client.sign_up("ann")
    [cookie] = [
        c
        for c in answer.headers_named("Set-Cookie")
        if c.startswith(f"{client.session_cookie_name}=")
    ]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "max-age=1209600"} <= flags
    assert "secure" not in flags  # development: plain HTTP on localhost


@pytest.mark.parametrize("target", ["/history", "/history?page=1", "/accounts/tokens"])
def test_logging_in_follows_next_to_a_path_of_this_site(client, target):
    client.fresh().sign_up("ann")
    answer = client.log_in("ann", next=target)
    assert answer.status == 303
    assert answer.header("Location") == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/history",
        "https://evil.example/",
        "http://localhost/history",
        "/\\evil.example",
        "\\\\evil.example",
        "history",
        "javascript:alert(1)",
        "",
    ],
)
def test_logging_in_ignores_a_next_that_is_not_a_path_of_this_site(client, target):
    client.fresh().sign_up("ann")
    answer = client.log_in("ann", next=target)
    assert answer.status == 303
    assert answer.header("Location") == "/"


@pytest.mark.parametrize(
    ("username", "password"),
    [("ann", "a-wrong-passphrase"), ("nobody", PASSWORD), ("ANN", PASSWORD)],
    ids=["wrong password", "unknown username", "username in another case"],
)
def test_a_failed_login_is_400_with_the_same_one_message(client, username, password):
    client.fresh().sign_up("ann")
    answer = client.log_in(username, password)
    assert answer.status == 400
    assert answer.testid_texts("form-error") == [accounts.LOGIN_FAILED]
    assert answer.field_errors() == {}
    assert answer.testids("login-form")
    assert logged_in_as(client) is None


def test_a_login_with_empty_fields_is_400_with_field_errors(client):
    answer = client.log_in("", "")
    assert answer.status == 400
    assert answer.field_errors() == {
        "username": [accounts.REQUIRED],
        "password": [accounts.REQUIRED],
    }


# Log out.


def test_logging_out_ends_the_session_and_redirects_303_home(client):
    client.sign_up("ann")
    answer = client.log_out()
    assert answer.status == 303
    assert answer.header("Location") == "/"
    assert logged_in_as(client) is None


def test_log_out_goes_home_whatever_next_says(client):
    client.sign_up("ann")
    page = client.get("/")
    form = page.soup().select_one('form[data-testid="logout-form"]')
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    answer = client.request("POST", client.url("/accounts/logout?next=/history"), form=fields)
    assert answer.status == 303
    assert answer.header("Location") == "/"


def test_a_form_token_from_before_log_in_is_refused_after_it(client):
    """Log-in gives a new CSRF token too: one someone saw or planted before is void."""
    client.fresh().sign_up("ann")
    login_page = client.get("/accounts/login")
    hidden = login_page.soup().select('form[data-testid="login-form"] input[type="hidden"]')
    [old] = [field for field in hidden if field["name"] != "next"]
    before = client.request(
        "POST", client.url("/accounts/logout"), form={old["name"]: old["value"]}
    )
    assert before.status == 303  # the token works while it is the session's
    assert client.log_in("ann").status == 303
    answer = client.request(
        "POST", client.url("/accounts/logout"), form={old["name"]: old["value"]}
    )
    assert answer.status == 403
    assert logged_in_as(client) == "ann"


@pytest.mark.parametrize("page", ["/accounts/tokens", "/accounts/password", "/accounts/delete"])
def test_account_pages_are_never_cached(client, page):
    client.sign_up("ann")
    cache_control = client.get(page).header("Cache-Control") or ""
    assert "no-store" in cache_control


def test_the_page_with_a_new_token_is_never_cached(client):
    client.sign_up("ann")
    answer = client.submit("/accounts/tokens", "token-form", {"name": "laptop"})
    assert answer.status == 201
    assert "no-store" in (answer.header("Cache-Control") or "")


def test_get_on_logout_is_405(client):
    client.sign_up("ann")
    answer = client.get("/accounts/logout")
    assert answer.status == 405
    assert answer.header("Allow") == "POST"
    assert logged_in_as(client) == "ann"


def test_logging_out_needs_the_csrf_token(client):
    client.sign_up("ann")
    token = (
        client.get("/").soup().select_one('form[data-testid="logout-form"] input[type="hidden"]')
    )
    answer = client.submit("/", "logout-form", {}, drop=(token["name"],))
    assert answer.status == 403
    assert answer.testid_texts("error-title") == ["Form expired"]
    assert logged_in_as(client) == "ann"


def test_a_session_cookie_replayed_after_log_out_is_anonymous(client):
    client.sign_up("ann")
    cookie = client.session_cookie()
    client.log_out()
    replayed = client.fresh()
    replayed.set_session_cookie(cookie)
    assert logged_in_as(replayed) is None
    assert replayed.get("/accounts/tokens").status == 302


def test_log_out_deletes_the_session_on_the_server(client, valid_features):
    client.sign_up("ann")
    cookie = client.session_cookie()
    client.log_out()
    replayed = client.fresh()
    replayed.set_session_cookie(cookie)
    predict_on_the_form(replayed, valid_features)  # something to keep: a session is saved
    assert replayed.session_cookie() not in (None, cookie)


# docs/spec.md#93-sessions-and-cookies: 14 days from the session's last change.


def test_a_session_is_still_good_before_fourteen_days(client):
    client.sign_up("ann")
    client.pass_time(timedelta(days=13, hours=23))
    assert logged_in_as(client) == "ann"


def test_an_expired_session_is_never_used(client):
    client.sign_up("ann")
    client.pass_time(timedelta(days=14, seconds=1))
    assert logged_in_as(client) is None
    assert client.get("/accounts/tokens").status == 302


# The nav.


def test_an_anonymous_visitor_is_offered_log_in_and_sign_up(client):
    answer = client.get("/")
    assert nav_links(answer)[-2:] == [
        ("Log in", "/accounts/login"),
        ("Sign up", "/accounts/signup"),
    ]
    assert answer.testids("username") == []
    assert answer.testids("logout-form") == []


def test_a_logged_in_visitor_sees_their_name_api_tokens_and_log_out(client):
    client.sign_up("ann")
    answer = client.get("/")
    assert nav_links(answer) == [
        ("Home", "/"),
        ("Batch", "/batch"),
        ("History", "/history"),
        ("Model", "/model"),
        ("API tokens", "/accounts/tokens"),
    ]
    assert answer.testid_texts("username") == ["ann"]
    [logout] = answer.soup().select('nav form[data-testid="logout-form"]')
    assert (logout["method"], logout["action"]) == ("post", "/accounts/logout")
    assert logout.select_one("button").get_text(strip=True) == "Log out"


def test_the_nav_links_of_a_logged_in_visitor_carry_the_mount_prefix(mounted_client):
    prefix = mounted_client.prefix
    mounted_client.sign_up("ann")
    answer = mounted_client.get("/")
    assert (
        answer.soup().select_one('nav form[data-testid="logout-form"]')["action"]
        == f"{prefix}/accounts/logout"
    )
    assert ("API tokens", f"{prefix}/accounts/tokens") in nav_links(answer)


# Pages that need a login.

LOGIN_REQUIRED = ["/accounts/tokens", "/accounts/password", "/accounts/delete"]


@pytest.mark.parametrize("path", LOGIN_REQUIRED)
def test_a_page_that_needs_a_login_redirects_302_to_log_in_with_next(client, path):
    answer = client.get(path)
    assert answer.status == 302
    assert location_path(answer) == ("/accounts/login", {"next": path})


@pytest.mark.parametrize("path", LOGIN_REQUIRED)
def test_the_login_redirect_carries_the_mount_prefix(mounted_client, path):
    prefix = mounted_client.prefix
    answer = mounted_client.get(path)
    assert answer.status == 302
    assert location_path(answer) == (f"{prefix}/accounts/login", {"next": f"{prefix}{path}"})


def test_logging_in_from_the_redirect_goes_back_to_the_page(client):
    client.fresh().sign_up("ann")
    _, query = location_path(client.get("/accounts/tokens"))
    answer = client.log_in("ann", next=query["next"])
    assert answer.header("Location") == "/accounts/tokens"
    assert client.get("/accounts/tokens").status == 200


def test_mounted_log_in_follows_next_and_otherwise_goes_home_inside_the_mount(mounted_client):
    prefix = mounted_client.prefix
    mounted_client.fresh().sign_up("ann")
    assert mounted_client.log_in("ann", next=f"{prefix}/history").header("Location") == (
        f"{prefix}/history"
    )
    assert mounted_client.fresh().log_in("ann").header("Location") == f"{prefix}/"


def test_mounted_sign_up_redirects_home_inside_the_mount(mounted_client):
    answer = mounted_client.sign_up("ann")
    assert (answer.status, answer.header("Location")) == (303, f"{mounted_client.prefix}/")


# Change the password.


def change_password(client, old=PASSWORD, new1=NEW_PASSWORD, new2=None):
    return client.submit(
        "/accounts/password",
        "password-form",
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_the_password_form_asks_for_the_old_and_twice_the_new(client):
    client.sign_up("ann")
    answer = client.get("/accounts/password")
    form, fields = form_fields(answer, "password-form")
    assert form["method"] == "post"
    assert fields == ["old_password", "new_password1", "new_password2"]
    assert accounts.PASSWORD_HELP in answer.text


def test_a_password_change_keeps_this_session_with_a_new_id_and_says_so(client):
    client.sign_up("ann")
    before = client.session_cookie()
    answer = change_password(client)
    assert (answer.status, answer.header("Location")) == (303, "/")
    assert client.session_cookie() not in (None, before)
    home = client.get("/")
    assert home.testid_texts("message") == [accounts.PASSWORD_CHANGED]
    assert home.testid_texts("username") == ["ann"]
    assert client.get("/").testid_texts("message") == []  # shown once


def test_a_password_change_ends_every_other_session(client):
    client.sign_up("ann")
    other = client.fresh()
    assert other.log_in("ann").status == 303
    change_password(client)
    assert logged_in_as(other) is None
    assert other.get("/accounts/password").status == 302


def test_after_a_password_change_only_the_new_password_logs_in(client):
    client.sign_up("ann")
    change_password(client)
    assert client.fresh().log_in("ann", PASSWORD).status == 400
    assert client.fresh().log_in("ann", NEW_PASSWORD).status == 303


def test_a_wrong_old_password_is_400_and_changes_nothing(client):
    client.sign_up("ann")
    answer = change_password(client, old="not-the-passphrase")
    assert answer.status == 400
    assert answer.field_errors() == {"old_password": [accounts.OLD_PASSWORD_WRONG]}
    assert client.fresh().log_in("ann", PASSWORD).status == 303


@pytest.mark.parametrize(
    ("new1", "new2", "errors"),
    [
        ("short-1", "short-1", {"new_password2": [accounts.PASSWORD_TOO_SHORT]}),
        ("31415926535", "31415926535", {"new_password2": [accounts.PASSWORD_NUMERIC]}),
        ("margaret99", "margaret99", {"new_password2": [accounts.PASSWORD_TOO_SIMILAR]}),
        (NEW_PASSWORD, NEW_PASSWORD + "!", {"new_password2": [accounts.PASSWORD_MISMATCH]}),
        ("", "", {"new_password1": [accounts.REQUIRED], "new_password2": [accounts.REQUIRED]}),
    ],
    ids=["too short", "numeric", "like the username", "differ", "empty"],
)
def test_a_bad_new_password_is_400_with_its_messages(client, new1, new2, errors):
    client.sign_up("margaret")
    answer = change_password(client, new1=new1, new2=new2)
    assert answer.status == 400
    assert answer.field_errors() == errors


# Delete the account.


def delete_account(client, password=PASSWORD):
    return client.submit("/accounts/delete", "delete-form", {"password": password})


def test_the_delete_form_asks_for_the_password(client):
    client.sign_up("ann")
    form, fields = form_fields(client.get("/accounts/delete"), "delete-form")
    assert form["method"] == "post"
    assert fields == ["password"]


def test_deleting_the_account_ends_the_session_and_says_so(client):
    client.sign_up("ann")
    answer = delete_account(client)
    assert (answer.status, answer.header("Location")) == (303, "/")
    home = client.get("/")
    assert home.testid_texts("message") == [accounts.ACCOUNT_DELETED]
    assert home.testids("username") == []
    assert client.fresh().log_in("ann").status == 400


def test_deleting_the_account_frees_its_username(client):
    client.sign_up("ann")
    delete_account(client)
    assert client.fresh().sign_up("ann").status == 303


def test_a_wrong_password_does_not_delete_the_account(client):
    client.sign_up("ann")
    answer = delete_account(client, "not-the-passphrase")
    assert answer.status == 400
    assert answer.field_errors() == {"password": [accounts.PASSWORD_WRONG]}
    assert logged_in_as(client) == "ann"
    assert client.fresh().log_in("ann").status == 303


def test_a_message_shows_in_the_mounted_app_too(mounted_client):
    mounted_client.sign_up("ann")
    answer = delete_account(mounted_client)
    assert answer.header("Location") == f"{mounted_client.prefix}/"
    assert mounted_client.get("/").testid_texts("message") == [accounts.ACCOUNT_DELETED]
