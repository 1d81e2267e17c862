"""docs/spec.md#95-api-tokens: tokens made and revoked on /accounts/tokens, and the JSON API that
knows an account only by `Authorization: Bearer TOKEN`; and docs/spec.md#98-the-tables: nothing
secret kept in clear."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from webclient import PASSWORD, auth

from shared_web import accounts
from shared_web.errors import ApiError

UNAUTHORIZED = ApiError.of(401).payload()
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def assert_unauthorized(answer):
    assert answer.status == 401
    assert answer.content_type == "application/json"
    assert answer.json() == UNAUTHORIZED
    assert answer.header("WWW-Authenticate") == "Bearer"


def token_rows(client):
    """The token table's rows: the cells' texts, the revoke form's action."""
    rows = []
    for row in client.get("/accounts/tokens").soup().select('[data-testid="token-table"] tbody tr'):
        cells = [" ".join(td.get_text(" ", strip=True).split()) for td in row.select("td")]
        form = row.select_one('form[data-testid="revoke-form"]')
        rows.append((cells, form["action"] if form else None))
    return rows


def revoke(client, action):
    """Post a revoke form (found on the tokens page) to `action`."""
    page = client.get("/accounts/tokens").soup()
    hidden = page.select_one('form[data-testid="token-form"] input[type="hidden"]')
    return client.request("POST", action, form={hidden["name"]: hidden["value"]})


# The tokens page.


def test_the_tokens_page_has_the_form_and_links_to_password_and_delete(client):
    client.sign_up("ann")
    answer = client.get("/accounts/tokens")
    form = answer.soup().select_one('form[data-testid="token-form"]')
    assert form["method"] == "post"
    assert [i["name"] for i in form.select("input") if i.get("type") != "hidden"] == ["name"]
    links = {a.get_text(strip=True): a["href"] for a in answer.soup().select("main a")}
    assert links["Change password"] == "/accounts/password"
    assert links["Delete account"] == "/accounts/delete"
    assert answer.testids("new-token") == []


def test_a_new_token_is_201_and_shown_once_as_43_url_safe_characters(client):
    client.sign_up("ann")
    answer = client.submit("/accounts/tokens", "token-form", {"name": "laptop"})
    assert answer.status == 201
    [element] = answer.testids("new-token")
    secret = element.get("value") or element.get_text(strip=True)
    assert TOKEN.fullmatch(secret)
    again = client.get("/accounts/tokens")
    assert again.testids("new-token") == []
    assert secret not in again.text


def test_each_token_is_listed_with_its_name_when_made_and_never_used(client):
    client.sign_up("ann")
    client.new_token("laptop")
    [(cells, action)] = token_rows(client)
    assert cells[0] == "laptop"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", cells[1])
    assert cells[2] == "never"
    assert re.fullmatch(r"/accounts/tokens/\d+/revoke", action)


def test_each_token_has_a_revoke_button_that_only_posts(client):
    client.signed_up("ann")
    form = client.get("/accounts/tokens").soup().select_one('form[data-testid="revoke-form"]')
    assert form["method"] == "post"
    assert form.select_one("button").get_text(strip=True) == "Revoke"
    answer = client.get(form["action"])
    assert (answer.status, answer.header("Allow")) == (405, "POST")
    assert len(token_rows(client)) == 1


def test_a_used_token_shows_when_it_was_last_used(client):
    client.sign_up("ann")
    token = client.new_token()
    assert client.get("/api/v1/predictions", headers=auth(token)).status == 200
    [(cells, _)] = token_rows(client)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", cells[2])


def test_last_used_is_written_at_most_once_a_minute(client):
    account = client.signed_up("ann")
    client.get("/api/v1/predictions", headers=account.headers)
    client.pass_time(timedelta(seconds=30))
    [(first, _)] = token_rows(client)
    client.get("/api/v1/predictions", headers=account.headers)
    [(second, _)] = token_rows(client)
    assert second[2] == first[2]  # 30 seconds later: not written again
    client.pass_time(timedelta(seconds=31))
    [(moved, _)] = token_rows(client)
    client.get("/api/v1/predictions", headers=account.headers)
    [(third, _)] = token_rows(client)
    assert third[2] != moved[2]  # over a minute later: written


@pytest.mark.parametrize(
    ("name", "message"),
    [("", accounts.REQUIRED), ("x" * 101, accounts.TOKEN_NAME_TOO_LONG)],
    ids=["empty", "101 characters"],
)
def test_a_bad_token_name_is_400_with_its_field_error(client, name, message):
    client.sign_up("ann")
    answer = client.submit("/accounts/tokens", "token-form", {"name": name})
    assert answer.status == 400
    assert answer.field_errors() == {"name": [message]}
    assert answer.testids("new-token") == []
    assert token_rows(client) == []


def test_a_token_name_of_100_characters_is_accepted(client):
    client.sign_up("ann")
    assert TOKEN.fullmatch(client.new_token("x" * 100))


def test_a_revoked_token_is_401(client):
    account = client.signed_up("ann")
    [(_, action)] = token_rows(client)
    answer = revoke(client, action)
    assert (answer.status, answer.header("Location")) == (303, "/accounts/tokens")
    assert token_rows(client) == []
    assert_unauthorized(client.get("/api/v1/predictions", headers=account.headers))


def test_revoking_someone_elses_token_or_an_unknown_one_is_404(client):
    other = client.fresh()
    other_account = other.signed_up("bob")
    [(_, action)] = token_rows(other)
    client.sign_up("ann")
    assert revoke(client, action).status == 404
    assert revoke(client, "/accounts/tokens/987654/revoke").status == 404
    assert other.get("/api/v1/predictions", headers=other_account.headers).status == 200


def test_the_revoke_form_carries_the_mount_prefix(mounted_client):
    mounted_client.signed_up("ann")
    [(_, action)] = token_rows(mounted_client)
    assert action.startswith(f"{mounted_client.prefix}/accounts/tokens/")
    assert revoke(mounted_client, action).header("Location") == (
        f"{mounted_client.prefix}/accounts/tokens"
    )


# The API: which routes need a token, and what counts as one.


NEED_A_TOKEN = [
    ("GET", "/api/v1/predictions", None),
    ("GET", "/api/v1/predictions/1", None),
    ("POST", "/api/v1/predictions/1/feedback", {"true_label": "setosa"}),
]


def call(client, method, path, payload, headers=None):
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post_json(path, payload, headers=headers)


@pytest.mark.parametrize(("method", "path", "payload"), NEED_A_TOKEN)
def test_list_read_and_feedback_without_a_token_are_401(client, method, path, payload):
    assert_unauthorized(call(client, method, path, payload))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer " + "x" * 43,
        "Bearer ",
        "Bearer",
        "Basic YW5uOmEtbG9uZy1hbmQtZ29vZC1wYXNzcGhyYXNl",
        "Token {token}",
        "{token}",
        "Bearer {token} {token}",
    ],
    ids=[
        "wrong token",
        "empty bearer",
        "bare scheme",
        "basic",
        "another scheme",
        "no scheme",
        "two tokens",
    ],
)
@pytest.mark.parametrize(("method", "path", "payload"), NEED_A_TOKEN)
def test_anything_but_a_valid_bearer_token_is_401(client, authorization, method, path, payload):
    account = client.signed_up("ann")
    headers = {"Authorization": authorization.format(token=account.token)}
    assert_unauthorized(call(client, method, path, payload, headers))


@pytest.mark.parametrize(
    "authorization",
    ["Bearer " + "x" * 43, "Basic YW5uOmEtbG9uZy1hbmQtZ29vZC1wYXNzcGhyYXNl"],
    ids=["wrong token", "basic"],
)
@pytest.mark.parametrize("path", ["/api/v1/predict", "/api/v1/predict/batch"])
def test_a_wrong_token_is_401_even_where_none_is_needed(
    client, valid_features, authorization, path
):
    payload = (
        {"features": valid_features}
        if path.endswith("predict")
        else {"instances": [valid_features]}
    )
    answer = client.post_json(path, payload, headers={"Authorization": authorization})
    assert_unauthorized(answer)
    assert client.count() == 0


def test_the_bearer_scheme_is_case_insensitive(client):
    account = client.signed_up("ann")
    answer = client.get("/api/v1/predictions", headers={"Authorization": f"bearer {account.token}"})
    assert answer.status == 200


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/model"])
def test_health_and_model_ignore_the_header(client, path):
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status == 200
    assert client.get(path, headers={"Authorization": "Basic abc"}).status == 200


def test_a_token_s_predictions_belong_to_its_account(client, valid_features):
    account = client.signed_up("ann")
    made = client.post_json(
        "/api/v1/predict", {"features": valid_features}, headers=account.headers
    ).json()
    batch = client.post_json(
        "/api/v1/predict/batch", {"instances": [valid_features] * 2}, headers=account.headers
    ).json()["predictions"]
    listed = client.get("/api/v1/predictions", headers=account.headers).json()
    assert [p["id"] for p in listed["results"]] == [batch[1]["id"], batch[0]["id"], made["id"]]
    assert client.get(f"/predictions/{made['id']}").status == 200  # and on the pages


def test_a_prediction_without_a_token_is_made_and_then_invisible(client, valid_features):
    account = client.signed_up("ann")
    answer = client.post_json("/api/v1/predict", {"features": valid_features})
    assert answer.status == 201
    made = answer.json()
    assert client.count() == 1
    assert client.get("/api/v1/predictions", headers=account.headers).json() == {
        "count": 0,
        "results": [],
    }
    assert client.get(f"/api/v1/predictions/{made['id']}", headers=account.headers).status == 404
    assert client.get(f"/predictions/{made['id']}").status == 404


def test_a_tokenless_batch_is_made_and_belongs_to_no_one(client, valid_features):
    account = client.signed_up("ann")
    answer = client.post_json("/api/v1/predict/batch", {"instances": [valid_features] * 3})
    assert answer.status == 201
    assert client.count() == 3
    assert client.get("/api/v1/predictions", headers=account.headers).json()["count"] == 0


def test_when_a_token_is_required_a_tokenless_predict_is_401(client, configure, valid_features):
    configure(API_TOKEN_REQUIRED=True)
    assert_unauthorized(client.post_json("/api/v1/predict", {"features": valid_features}))
    assert_unauthorized(client.post_json("/api/v1/predict/batch", {"instances": [valid_features]}))
    assert client.count() == 0
    account = client.signed_up("ann")
    answer = client.post_json(
        "/api/v1/predict", {"features": valid_features}, headers=account.headers
    )
    assert answer.status == 201


def test_when_a_token_is_required_health_and_model_still_need_none(client, configure):
    configure(API_TOKEN_REQUIRED=True)
    assert client.get("/api/v1/health").status == 200
    assert client.get("/api/v1/model").status == 200


def test_the_api_ignores_a_logged_in_session(client, valid_features):
    client.sign_up("ann")
    client.submit("/", "prediction-form", valid_features)  # ann's own, on the page
    assert_unauthorized(client.get("/api/v1/predictions"))
    assert_unauthorized(client.get("/api/v1/predictions/1"))


def test_a_token_is_the_account_whatever_session_the_cookies_hold(client, valid_features):
    ann = client.signed_up("ann")
    client.post_json("/api/v1/predict", {"features": valid_features}, headers=ann.headers)
    bob = client.fresh().signed_up("bob")
    listed = client.get("/api/v1/predictions", headers=bob.headers).json()  # cookies: ann's
    assert listed == {"count": 0, "results": []}


# The order of the checks: the token first.


def test_no_token_is_401_before_the_media_type_and_the_body(client):
    answer = client.request(
        "POST",
        client.url("/api/v1/predictions/1/feedback"),
        body=b"not json",
        content_type="text/plain",
    )
    assert_unauthorized(answer)
    answer = client.request(
        "POST",
        client.url("/api/v1/predictions/1/feedback"),
        body=b"{",
        content_type="application/json",
    )
    assert_unauthorized(answer)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{}", "text/plain"), (b"{", "application/json"), (b'{"features": {}}', "application/json")],
    ids=["415", "invalid json", "validation error"],
)
def test_a_wrong_token_is_401_before_the_request_rules(client, body, content_type):
    answer = client.request(
        "POST",
        client.url("/api/v1/predict"),
        body=body,
        content_type=content_type,
        headers=auth("x" * 43),
    )
    assert_unauthorized(answer)


def test_no_token_is_401_before_an_unknown_id_is_404(client):
    assert_unauthorized(client.get("/api/v1/predictions/999"))
    assert_unauthorized(client.get("/api/v1/predictions?limit=0"))


def test_a_401_answer_has_the_security_headers(client):
    from shared_web.headers import SECURITY_HEADERS

    answer = client.get("/api/v1/predictions")
    assert answer.status == 401
    assert {name: answer.header(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


def test_the_api_sets_no_cookie_for_a_logged_in_browser(client, valid_features):
    account = client.signed_up("ann")
    answers = [
        client.post_json("/api/v1/predict", {"features": valid_features}),
        client.post_json("/api/v1/predict", {"features": valid_features}, headers=account.headers),
        client.get("/api/v1/predictions", headers=account.headers),
        client.get("/api/v1/predictions"),
    ]
    assert [a.status for a in answers] == [201, 201, 200, 401]
    assert [a.headers_named("Set-Cookie") for a in answers] == [[], [], [], []]


# Deleting the account deletes its tokens.


def test_a_deleted_accounts_token_is_401(client):
    account = client.signed_up("ann")
    client.submit("/accounts/delete", "delete-form", {"password": PASSWORD})
    assert_unauthorized(client.get("/api/v1/predictions", headers=account.headers))


# docs/spec.md#98-the-tables: no password or token in clear.


def test_the_database_holds_no_password_or_token_in_clear(client, valid_features):
    account = client.signed_up("ann")
    client.post_json("/api/v1/predict", {"features": valid_features}, headers=account.headers)
    client.submit(
        "/accounts/password",
        "password-form",
        {
            "old_password": PASSWORD,
            "new_password1": "the-changed-passphrase",
            "new_password2": "the-changed-passphrase",
        },
    )
    dump = client.database_dump()
    assert "ann" in dump  # the dump does hold the tables
    assert PASSWORD not in dump
    assert "the-changed-passphrase" not in dump
    assert account.token not in dump
    assert hashlib.sha256(account.token.encode()).hexdigest() in dump  # kept as its SHA-256
    if not client.stores_session_ids_in_clear:
        assert client.session_cookie() not in dump


def test_the_401_body_is_compact_json(client):
    answer = client.get("/api/v1/predictions")
    assert (
        answer.body == json.dumps(UNAUTHORIZED, separators=(",", ":"), ensure_ascii=False).encode()
    )
