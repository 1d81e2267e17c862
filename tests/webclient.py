"""One test client interface over both apps, so that each contract test is written once.

`WebClient.request` takes the URL a browser would use (with the app's mount prefix, if any) and
returns an `Answer`: status, headers, body. `submit` fills and posts a form found on a page the way
a browser does, hidden CSRF field included, so tests never need to know a framework's token name.

A client is one browser: it keeps its cookies from request to request. `fresh()` is a second
browser on the same app (no cookies), optionally from another client address. The account
helpers (`sign_up`, `log_in`, `log_out`, `new_token`, `signed_up`) go through the pages of
docs/spec.md#91-pages as a person would; `auth(token)` is the API's `Authorization` header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bs4 import BeautifulSoup


@dataclass
class Answer:
    status: int
    header_list: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers_named(name)
        return values[0] if values else None

    def headers_named(self, name: str) -> list[str]:
        return [v for k, v in self.header_list if k.lower() == name.lower()]

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")

    def testids(self, testid: str) -> list[Any]:
        return self.soup().select(f'[data-testid="{testid}"]')

    def testid_texts(self, testid: str) -> list[str]:
        return [" ".join(e.get_text(" ", strip=True).split()) for e in self.testids(testid)]

    def field_errors(self) -> dict[str, list[str]]:
        """Each field's messages, by the field's name: docs/spec.md#44-forms puts them in
        `<div id="NAME_error">`, one `data-testid="field-error"` each."""
        errors: dict[str, list[str]] = {}
        for element in self.testids("field-error"):
            box = element.find_parent(id=lambda value: bool(value) and value.endswith("_error"))
            name = box["id"].removesuffix("_error") if box else "?"
            errors.setdefault(name, []).append(" ".join(element.get_text(" ", strip=True).split()))
        return errors

    @property
    def title(self) -> str:
        """The page's first heading."""
        heading = self.soup().select_one("h1")
        return heading.get_text(" ", strip=True) if heading else ""


@dataclass
class Upload:
    """A file for a multipart form field."""

    filename: str
    content: bytes
    content_type: str = "text/csv"


PASSWORD = "a-long-and-good-passphrase"
"""A password every rule of docs/spec.md#92-usernames-and-passwords accepts, for any username
the tests use."""


def auth(token: str) -> dict[str, str]:
    """The header the JSON API knows an account by (docs/spec.md#95-api-tokens)."""
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Account:
    """An account made through the sign-up page, with one API token made on /accounts/tokens."""

    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


def location_path(answer: Answer) -> tuple[str, dict[str, str]]:
    """A redirect's path and its decoded query: Flask-Login writes `next=%2Fhistory`, Django
    `next=/history`, and both are the same URL (docs/spec.md#91-pages)."""
    location = answer.header("Location")
    assert location is not None, answer.status
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


@dataclass
class WebClient:
    """What each framework's adapter provides (see conftest).

    `address` is the client's address as the server sees the connection (WSGI `REMOTE_ADDR`).
    """

    name: str
    prefix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    address: str = "127.0.0.1"

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        form: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        raise NotImplementedError

    def count(self) -> int:
        """How many predictions the app's database holds."""
        raise NotImplementedError

    # What each adapter adds for accounts (docs/spec.md#9-accounts-sessions-and-access).

    def fresh(self, address: str | None = None) -> WebClient:
        """Another browser on the same app and database: no cookies, its own address."""
        extra = {k: v for k, v in self.extra.items() if k != "client"}
        return type(self)(self.name, self.prefix, extra, address or self.address)

    session_cookie_name = "session"
    """Flask's `session`, Django's `sessionid` (docs/spec.md#82)."""

    def session_cookie(self) -> str | None:
        """The value of this browser's session cookie (`session` or `sessionid`), if any."""
        raise NotImplementedError

    def set_session_cookie(self, value: str) -> None:
        """Put a session cookie into this browser, as a replayed cookie would be."""
        raise NotImplementedError

    def make_staff(self, username: str, password: str = PASSWORD) -> None:
        """A staff account, made the framework's way on the command line (docs/spec.md#94)."""
        raise NotImplementedError

    def configure(self, **settings: Any) -> None:
        """Change settings of docs/spec.md#97-settings for the rest of the test (parsed values:
        `API_TOKEN_REQUIRED` a bool, `ANONYMOUS_RATE_LIMIT` a `Rate` or None,
        `TRUSTED_PROXY_HOPS` an int). Call it before `fresh()`."""
        raise NotImplementedError

    def database_dump(self) -> str:
        """Every row of every table of the app's database, as text."""
        raise NotImplementedError

    def pass_time(self, delta: timedelta) -> None:
        """Move the stored times that expire back by `delta`, as if `delta` had passed: the
        sessions' expiry, the limits' windows, the tokens' last use (docs/spec.md#98)."""
        raise NotImplementedError

    def set_model_version(self, ids: list[int], version: str) -> None:
        """Say that another model version made these stored predictions, as a roll-out leaves
        its predictions behind (docs/spec.md#104-a-new-model-without-downtime)."""
        raise NotImplementedError

    stores_session_ids_in_clear = False
    """Django's database sessions keep the session id as the row's key (docs/spec.md#98)."""

    def sign_up(self, username: str, password: str = PASSWORD, password2: str | None = None):
        return self.submit(
            "/accounts/signup",
            "signup-form",
            {"username": username, "password1": password, "password2": password2 or password},
        )

    def log_in(
        self,
        username: str,
        password: str = PASSWORD,
        next: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        page = "/accounts/login" if next is None else f"/accounts/login?{_query(next=next)}"
        values = {"username": username, "password": password}
        return self.submit(page, "login-form", values, headers=headers)

    def log_out(self) -> Answer:
        return self.submit("/", "logout-form", {})

    def new_token(self, name: str = "laptop") -> str:
        """Make a token on /accounts/tokens and read the secret the page shows once."""
        answer = self.submit("/accounts/tokens", "token-form", {"name": name})
        assert answer.status == 201, (answer.status, answer.testid_texts("field-error"))
        [element] = answer.testids("new-token")
        return str(element.get("value") or element.get_text(strip=True))

    def signed_up(self, username: str, password: str = PASSWORD) -> Account:
        """Sign up (this browser is then logged in as the account) and make a token."""
        answer = self.sign_up(username, password)
        assert answer.status == 303, (answer.status, answer.testid_texts("field-error"))
        return Account(username, password, self.new_token())

    def url(self, path: str) -> str:
        return self.prefix + path

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", self.url(path), **kwargs)

    def post_json(self, path: str, payload: Any, **kwargs: Any) -> Answer:
        body = json.dumps(payload).encode()
        return self.request(
            "POST", self.url(path), body=body, content_type="application/json", **kwargs
        )

    def submit(
        self,
        page: str,
        testid: str,
        values: dict[str, Any],
        *,
        drop: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """GET `page`, find the form `data-testid=testid`, fill `values` in, post it (with
        `headers`, e.g. `X-Forwarded-For`)."""
        answer = self.get(page)
        assert answer.status == 200, answer.status
        form = answer.soup().select_one(f'form[data-testid="{testid}"]')
        assert form is not None, f"no form {testid} on {page}"
        data: dict[str, Any] = {}
        for element in form.select("input[name], select[name], textarea[name]"):
            name = element["name"]
            if element.name == "select":
                chosen = element.select_one("option[selected]") or element.select_one("option")
                data[name] = chosen["value"] if chosen else ""
            elif element.get("type") != "file":
                data[name] = element.get("value", "")
        data.update(values)
        for name in drop:
            data.pop(name, None)
        # A form without an action posts back to its page, as a browser does.
        action = form.get("action") or self.url(page)
        return self.request(form.get("method", "get").upper(), action, form=data, headers=headers)


def _query(**values: str) -> str:
    return urlencode(values, safe="/")
