"""The same requests to both apps get the same answers: statuses, headers, JSON, pages.

Each scenario runs on a fresh database in each app, so ids agree too; times, CSRF tokens, new API
tokens and the "Served by" footer are set aside (see normalize.py). The answers docs/spec.md
section 8.1 allows to differ are listed by name in ALLOWED_DIFFERENCES, with what each app must
answer instead.

Predictions belong to someone (docs/spec.md#94-ownership): `owner(c)` signs the client up once,
so that its pages show what `seeded` made with its token, and gives the token's header for the
API's reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from normalize import comparable
from webclient import PASSWORD, Answer, Upload, WebClient, auth

from shared_web.limits import parse_rate

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
CSV_HEADER = "sepal_length,sepal_width,petal_length,petal_width\n"


def raw_post(
    client: WebClient, path: str, body: bytes, content_type: str | None = "application/json"
) -> Answer:
    return client.request("POST", client.url(path), body=body, content_type=content_type)


def owner(client: WebClient) -> dict[str, str]:
    """The client signed up as `ann` (once; it stays logged in), and its API token's header."""
    if "parity_token" not in client.extra:
        client.extra["parity_token"] = client.signed_up("ann").token
    return auth(client.extra["parity_token"])


def seeded(client: WebClient, rows: int = 3) -> None:
    answer = client.post_json(
        "/api/v1/predict/batch", {"instances": [SETOSA] * rows}, headers=owner(client)
    )
    assert answer.status == 201


def post_with_a_csrf_token(client: WebClient, path: str) -> Answer:
    """POST to `path` with the CSRF token of the form page, as a form of this app would."""
    form = client.get("/").soup().select_one('form[data-testid="prediction-form"]')
    assert form is not None
    hidden = {field["name"]: field["value"] for field in form.select('input[type="hidden"]')}
    return client.request("POST", client.url(path), form=hidden)


Scenario = Callable[[WebClient], list[Answer]]

API: dict[str, Scenario] = {
    "health": lambda c: [c.get("/api/v1/health")],
    "model": lambda c: [c.get("/api/v1/model")],
    "predict": lambda c: [
        c.post_json("/api/v1/predict", {"features": SETOSA}, headers=owner(c)),
        c.get("/api/v1/predictions/1", headers=owner(c)),
    ],
    "predict without a token": lambda c: [
        c.post_json("/api/v1/predict", {"features": SETOSA}),
        c.get("/api/v1/predictions/1", headers=owner(c)),
    ],
    "predict string": lambda c: [
        c.post_json("/api/v1/predict", {"features": {**SETOSA, "sepal_width": "3.5"}})
    ],
    "predict boolean": lambda c: [
        c.post_json("/api/v1/predict", {"features": {**SETOSA, "sepal_width": True}})
    ],
    "predict null": lambda c: [
        c.post_json("/api/v1/predict", {"features": {**SETOSA, "sepal_width": None}})
    ],
    "predict NaN": lambda c: [
        raw_post(
            c,
            "/api/v1/predict",
            json.dumps({"features": {**SETOSA, "sepal_width": float("nan")}}).encode(),
        )
    ],
    "predict infinity": lambda c: [
        raw_post(c, "/api/v1/predict", b'{"features": {"sepal_length": Infinity}}')
    ],
    "predict out of range": lambda c: [
        c.post_json("/api/v1/predict", {"features": {**SETOSA, "petal_width": 50}})
    ],
    "predict missing": lambda c: [
        c.post_json("/api/v1/predict", {"features": {"sepal_length": 5.1}})
    ],
    "predict unknown": lambda c: [c.post_json("/api/v1/predict", {"features": {**SETOSA, "x": 1}})],
    "predict wrong shape": lambda c: [
        c.post_json("/api/v1/predict", {"features": [1, 2, 3, 4]}),
        c.post_json("/api/v1/predict", {}),
    ],
    "predict extra key": lambda c: [
        c.post_json("/api/v1/predict", {"features": SETOSA, "more": 1})
    ],
    "broken json": lambda c: [
        raw_post(c, "/api/v1/predict", b'{"features": '),
        raw_post(c, "/api/v1/predict", b"[]"),
        raw_post(c, "/api/v1/predict", b""),
    ],
    "wrong content type": lambda c: [
        raw_post(c, "/api/v1/predict", b"{}", "text/plain"),
        raw_post(c, "/api/v1/predict", b"{}", None),
    ],
    "body over 1 MiB": lambda c: [
        raw_post(c, "/api/v1/predict", b'{"x": "' + b"x" * (2 << 20) + b'"}')
    ],
    "batch": lambda c: [
        c.post_json(
            "/api/v1/predict/batch", {"instances": [SETOSA, {**SETOSA, "petal_length": 5.0}]}
        )
    ],
    "batch of none": lambda c: [c.post_json("/api/v1/predict/batch", {"instances": []})],
    "batch of 1001": lambda c: [
        c.post_json("/api/v1/predict/batch", {"instances": [SETOSA] * 1001})
    ],
    "batch with a bad row": lambda c: [
        c.post_json(
            "/api/v1/predict/batch", {"instances": [SETOSA, {**SETOSA, "sepal_length": "x"}, 3]}
        )
    ],
    "history": lambda c: [
        seeded(c, 25),
        c.get("/api/v1/predictions", headers=owner(c)),
        c.get("/api/v1/predictions?limit=5&offset=20", headers=owner(c)),
    ][1:],
    "history bad params": lambda c: [
        c.get(f"/api/v1/predictions?{q}", headers=owner(c))
        for q in ("limit=0", "limit=101", "offset=-1", "limit=x", "limit=1&limit=2")
    ],
    "unknown ids": lambda c: [
        c.get("/api/v1/predictions/9", headers=owner(c)),
        c.get("/api/v1/predictions/x", headers=owner(c)),
        c.get("/api/v1/predictions/99999999999999999999", headers=owner(c)),
    ],
    "feedback": lambda c: [
        seeded(c, 1),
        c.post_json(
            "/api/v1/predictions/1/feedback",
            {"true_label": "virginica", "comment": "hm"},
            headers=owner(c),
        ),
        c.post_json(
            "/api/v1/predictions/1/feedback",
            {"true_label": "rose", "comment": 5},
            headers=owner(c),
        ),
        c.post_json("/api/v1/predictions/7/feedback", {"true_label": "setosa"}, headers=owner(c)),
    ][1:],
    "unauthorized": lambda c: [
        c.get("/api/v1/predictions"),
        c.get("/api/v1/predictions/1", headers={"Authorization": "Basic YW5uOnB3"}),
        c.post_json(
            "/api/v1/predictions/1/feedback", {"true_label": "setosa"}, headers=auth("x" * 43)
        ),
        c.post_json("/api/v1/predict", {"features": SETOSA}, headers=auth("x" * 43)),
        c.request("POST", c.url("/api/v1/predict"), body=b"{", content_type="text/plain"),
    ],
    "too many requests": lambda c: [
        c.configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute")),
        c.post_json("/api/v1/predict", {"features": SETOSA}),
        c.post_json("/api/v1/predict", {"features": SETOSA}),
        c.post_json("/api/v1/predict/batch", {"instances": [SETOSA]}),
    ][1:],
    "token required": lambda c: [
        c.configure(API_TOKEN_REQUIRED=True),
        c.post_json("/api/v1/predict", {"features": SETOSA}),
        c.post_json("/api/v1/predict", {"features": SETOSA}, headers=owner(c)),
    ][1:],
    "not found": lambda c: [c.get("/api/v1/nothing"), c.get("/api/other")],
    "method not allowed": lambda c: [
        c.get("/api/v1/predict"),
        c.post_json("/api/v1/model", {}),
        c.request("DELETE", c.url("/api/v1/predictions/1")),
    ],
    "options and head": lambda c: [
        c.request("OPTIONS", c.url("/api/v1/model")),
        c.request("HEAD", c.url("/api/v1/health")),
    ],
    "bad host": lambda c: [
        c.get("/api/v1/health", headers={"Host": "evil.example"}),
        c.get("/", headers={"Host": "evil.example"}),
    ],
}

PAGES: dict[str, Scenario] = {
    "form": lambda c: [c.get("/")],
    "form with an example": lambda c: [c.get("/?example=versicolor"), c.get("/?example=rose")],
    "form posted": lambda c: [
        c.submit("/", "prediction-form", {k: str(v) for k, v in SETOSA.items()})
    ],
    "form posted with errors": lambda c: [
        c.submit(
            "/",
            "prediction-form",
            {"sepal_length": "99", "sepal_width": "", "petal_length": "x", "petal_width": "1"},
        )
    ],
    "form without csrf": lambda c: [
        c.request("POST", c.url("/predict"), form={k: str(v) for k, v in SETOSA.items()})
    ],
    "result": lambda c: [seeded(c, 1), c.get("/predictions/1")][1:],
    "result of someone else": lambda c: [seeded(c, 1), c.fresh().get("/predictions/1")][1:],
    "feedback posted": lambda c: [
        seeded(c, 1),
        c.submit(
            "/predictions/1", "feedback-form", {"true_label": "versicolor", "comment": " close "}
        ),
        c.get("/predictions/1"),
    ][1:],
    "feedback with errors": lambda c: [
        seeded(c, 1),
        c.submit("/predictions/1", "feedback-form", {"true_label": "rose", "comment": "x" * 501}),
    ][1:],
    "batch page": lambda c: [c.get("/batch")],
    "batch upload": lambda c: [
        c.submit(
            "/batch",
            "batch-form",
            {"file": Upload("a.csv", (CSV_HEADER + "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n").encode())},
        )
    ],
    "batch upload errors": lambda c: (
        [
            c.submit("/batch", "batch-form", {"file": Upload("a.csv", content)})
            for content in (
                b"",
                b"\0\1",
                b"a,b\n1,2\n",
                (CSV_HEADER + "5.1,x,1.4,0.2\n").encode(),
                (CSV_HEADER + "1,1,1,1\n" * 1001).encode(),
            )
        ]
        + [c.submit("/batch", "batch-form", {})]
    ),
    "history pages": lambda c: [
        seeded(c, 45),
        c.get("/history"),
        c.get("/history?page=3"),
        c.get("/history?page=4"),
        c.get("/history?page=x"),
    ][1:],
    "empty history": lambda c: [c.get("/history")],
    "history csv": lambda c: [
        seeded(c, 3),
        c.post_json(
            "/api/v1/predictions/2/feedback",
            {"true_label": "setosa", "comment": "=1+1"},
            headers=owner(c),
        ),
        c.get("/history.csv"),
    ][2:],
    "model card": lambda c: [
        seeded(c, 2),
        c.post_json("/api/v1/predictions/1/feedback", {"true_label": "setosa"}, headers=owner(c)),
        c.get("/model"),
    ][2:],
    "page not found": lambda c: [
        c.get("/nothing"),
        c.get("/predictions/99"),
        c.get("/predictions/x"),
    ],
    "page method not allowed": lambda c: [
        c.get("/predict"),
        c.request("POST", c.url("/history"), form={}),
        post_with_a_csrf_token(c, "/history"),
    ],
    "static files": lambda c: [
        c.get("/static/style.css"),
        c.get("/static/favicon.svg"),
        c.get("/static/nothing.css"),
    ],
}


WRONG = "not-the-passphrase"


def someone(client: WebClient, username: str = "ann") -> None:
    """An account made in another browser of the same app."""
    assert client.fresh().sign_up(username).status == 303


def tokens_page(client: WebClient) -> list[Answer]:
    owner(client)
    return [client.get("/accounts/tokens")]


def failed_log_ins(client: WebClient, times: int) -> list[Answer]:
    someone(client)
    return [client.log_in("ann", WRONG) for _ in range(times)]


ACCOUNTS: dict[str, Scenario] = {
    "signup page": lambda c: [c.get("/accounts/signup")],
    "signed up": lambda c: [c.sign_up("ann"), c.get("/")],
    "signup errors": lambda c: [
        c.sign_up("", "", ""),
        c.sign_up("ann smith", "1234567", "1234567"),
        c.sign_up("margaret", "margaret99", "margaret99"),
        c.sign_up("ann", PASSWORD, PASSWORD + "!"),
    ],
    "username taken": lambda c: [someone(c), c.sign_up("Ann")][1:],
    "login page": lambda c: [c.get("/accounts/login"), c.get("/accounts/login?next=/history")],
    "logged in": lambda c: [someone(c), c.log_in("ann", next="/history"), c.get("/history")][1:],
    "login to elsewhere": lambda c: [
        someone(c),
        c.log_in("ann", next="//evil.example/"),
        c.fresh().log_in("ann", next="https://evil.example/"),
    ][1:],
    "failed login": lambda c: [
        *failed_log_ins(c, 1),
        c.log_in("nobody", WRONG),
        c.log_in("", ""),
    ],
    "locked out": lambda c: failed_log_ins(c, 6)[4:],
    "login required": lambda c: [
        c.get("/accounts/tokens"),
        c.get("/accounts/password"),
        c.get("/accounts/delete"),
    ],
    "logged out": lambda c: [
        c.sign_up("ann"),
        c.log_out(),
        c.get("/"),
        c.get("/accounts/logout"),
    ][1:],
    "tokens page": tokens_page,
    "token made": lambda c: [
        c.sign_up("ann"),
        c.submit("/accounts/tokens", "token-form", {"name": "laptop"}),
        c.submit("/accounts/tokens", "token-form", {"name": ""}),
        c.submit("/accounts/tokens", "token-form", {"name": "x" * 101}),
        c.get("/accounts/tokens"),
    ][1:],
    "token revoked": lambda c: [
        tokens_page(c),
        c.submit("/accounts/tokens", "revoke-form", {}),
        c.get("/accounts/tokens"),
        c.get("/api/v1/predictions", headers=owner(c)),
    ][1:],
    "account page method not allowed": lambda c: [
        c.request("PUT", c.url("/accounts/signup"), form={}),
        c.request("OPTIONS", c.url("/accounts/login")),
        c.get("/accounts/logout"),
    ],
    "password page": lambda c: [c.sign_up("ann"), c.get("/accounts/password")][1:],
    "password changed": lambda c: [
        c.sign_up("ann"),
        c.submit(
            "/accounts/password",
            "password-form",
            {"old_password": WRONG, "new_password1": "short", "new_password2": "other"},
        ),
        c.submit(
            "/accounts/password",
            "password-form",
            {
                "old_password": PASSWORD,
                "new_password1": "a-new-passphrase",
                "new_password2": "a-new-passphrase",
            },
        ),
        c.get("/"),
    ][1:],
    "account deleted": lambda c: [
        c.sign_up("ann"),
        c.get("/accounts/delete"),
        c.submit("/accounts/delete", "delete-form", {"password": WRONG}),
        c.submit("/accounts/delete", "delete-form", {"password": PASSWORD}),
        c.get("/"),
    ][1:],
}


@dataclass(frozen=True)
class Expected:
    """An error page's status, title and `Allow` header."""

    status: int
    title: str
    allow: str | None = None


@dataclass(frozen=True)
class AllowedDifference:
    why: str
    flask: Expected
    django: Expected


# Every difference docs/spec.md#81-differences-a-user-can-see allows between two answers, keyed by
# the scenario's name and the answer's position in it; any other difference fails the test.
ALLOWED_DIFFERENCES = {
    ("page method not allowed", 1): AllowedDifference(
        why="a POST without a CSRF token to a GET-only page: Flask routes the method first, "
        "Django's CSRF middleware checks the token before the view's require_safe",
        flask=Expected(405, "Method not allowed", allow="GET, HEAD"),
        django=Expected(403, "Form expired"),
    ),
    ("account page method not allowed", 0): AllowedDifference(
        why="a PUT without a CSRF token to a GET and POST page: the same as above; Django's "
        "CSRF middleware refuses an unsafe method before the view's require_http_methods",
        flask=Expected(405, "Method not allowed", allow="GET, HEAD, POST"),
        django=Expected(403, "Form expired"),
    ),
}


def assert_documented(difference: AllowedDifference, flask: Answer, django: Answer) -> None:
    """Each app gives its own documented answer; apart from those, the answers are alike."""
    for answer, expected in ((flask, difference.flask), (django, difference.django)):
        assert (answer.status, answer.header("Allow")) == (expected.status, expected.allow)
        assert answer.testid_texts("error-title") == [expected.title]
    flask_view, django_view = comparable(flask), comparable(django)
    for view in (flask_view, django_view):
        del view["status"], view["headers"]["Allow"], view["page"]
    assert flask_view == django_view


def compare(flask: WebClient, django: WebClient, name: str, scenario: Scenario) -> None:
    flask_answers = scenario(flask)
    django_answers = scenario(django)
    assert len(flask_answers) == len(django_answers)
    for index, (flask_answer, django_answer) in enumerate(
        zip(flask_answers, django_answers, strict=True)
    ):
        if (name, index) in ALLOWED_DIFFERENCES:
            assert_documented(ALLOWED_DIFFERENCES[name, index], flask_answer, django_answer)
        else:
            assert comparable(flask_answer) == comparable(django_answer)


@pytest.mark.parametrize("name", API)
def test_the_api_answers_alike(apps, name):
    compare(*apps, name, API[name])


@pytest.mark.parametrize("name", PAGES)
def test_the_pages_answer_alike(apps, name):
    compare(*apps, name, PAGES[name])


@pytest.mark.parametrize("name", ACCOUNTS)
def test_the_account_pages_answer_alike(apps, name):
    compare(*apps, name, ACCOUNTS[name])


def test_every_allowed_difference_names_a_scenario():
    for name, _ in ALLOWED_DIFFERENCES:
        assert name in API | PAGES | ACCOUNTS, name


def test_mounted_apps_answer_alike(flask_mounted_client, django_mounted_client, db):
    def scenario(c):
        return [
            c.get("/"),
            c.submit("/", "prediction-form", {k: str(v) for k, v in SETOSA.items()}),
            c.get("/predictions/1"),
            c.get("/history"),
        ]

    flask_answers, django_answers = scenario(flask_mounted_client), scenario(django_mounted_client)
    for flask_answer, django_answer in zip(flask_answers, django_answers, strict=True):
        flask_view, django_view = comparable(flask_answer), comparable(django_answer)
        assert flask_view["status"] == django_view["status"]
        assert flask_view.get("page", {}).get("forms") is not None or flask_view["status"] == 303
        for key in ("headers", "page"):
            if key in flask_view:
                assert _unmounted(flask_view[key], "/flask") == _unmounted(
                    django_view[key], "/django"
                )


def _unmounted(value, prefix):
    return json.loads(json.dumps(value).replace(f'"{prefix}/', '"/'))
