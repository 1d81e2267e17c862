"""A small HTTP client for tests that talk to a running server (gunicorn, or nginx in front):
cookies kept, redirects not followed, forms posted the way a browser posts them, hidden CSRF
field included, and the account steps of docs/spec.md#9-accounts-sessions-and-access (sign up,
log in, make an API token) done through the pages, as a person does them."""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup

PASSWORD = "a long test passphrase"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")


class Browserish:
    """One visitor: its own cookies (so its own session), like one browser."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        handlers: list[Any] = [
            _NoRedirect,
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        ]
        if tls is not None:
            handlers.append(urllib.request.HTTPSHandler(context=tls))
        self.opener = urllib.request.build_opener(*handlers)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                data = answer.read()
                status, answer_headers = answer.status, answer.headers
        except urllib.error.HTTPError as error:
            data, status, answer_headers = error.read(), error.code, error.headers
        if answer_headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return Reply(status, answer_headers, data)

    def get(self, url: str, **headers: str) -> Reply:
        return self.request("GET", url, headers=headers)

    def post_json(self, url: str, payload: Any, token: str | None = None) -> Reply:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", url, json.dumps(payload).encode(), headers)

    def post_form(self, url: str, fields: dict[str, str], origin: str, **headers: str) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": url,
            **headers,
        }
        return self.request("POST", url, body, headers)

    def submit(self, page: str, testid: str, values: dict[str, str], **headers: str) -> Reply:
        """GET `page`, fill the form `data-testid=testid` with `values`, and post it."""
        reply = self.get(page)
        assert reply.status == 200, (page, reply.status)
        form = reply.soup().select_one(f'form[data-testid="{testid}"]')
        assert form is not None, f"no form {testid} on {page}"
        fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
        fields.update(values)
        parts = urllib.parse.urlsplit(page)
        origin = f"{parts.scheme}://{parts.netloc}"
        return self.post_form(urllib.parse.urljoin(page, form["action"]), fields, origin, **headers)

    def sign_up(self, app_url: str, username: str, password: str = PASSWORD) -> Reply:
        values = {"username": username, "password1": password, "password2": password}
        reply = self.submit(f"{app_url}/accounts/signup", "signup-form", values)
        assert reply.status == 303, reply.body[:500]
        return reply

    def log_in(self, app_url: str, username: str, password: str = PASSWORD) -> Reply:
        values = {"username": username, "password": password}
        return self.submit(f"{app_url}/accounts/login", "login-form", values)

    def new_token(self, app_url: str, name: str = "tests") -> str:
        """Make an API token for the logged-in account; its secret, shown once."""
        reply = self.submit(f"{app_url}/accounts/tokens", "token-form", {"name": name})
        assert reply.status == 201, reply.body[:500]
        shown = reply.soup().select_one('[data-testid="new-token"]')
        assert shown is not None
        return shown.get_text(strip=True)
