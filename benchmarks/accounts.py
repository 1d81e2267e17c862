"""One account per benchmarked app, made through its pages as a person makes one.

Since accounts (docs/spec.md#94-ownership), `/history` shows only the visitor's own predictions:
the history workload reads one account's history, so the filling requests carry the account's
API token and wrk sends its session cookie.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from bs4 import BeautifulSoup

PASSWORD = "benchmark passphrase"


@dataclass(frozen=True)
class Account:
    cookie: str  # the `Cookie` header of its logged-in session
    token: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def sign_up(app_url: str, username: str = "bench") -> Account:
    """Sign up, then make an API token, through the app's own forms."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPCookieProcessor(jar))
    values = {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    _submit(opener, f"{app_url}/accounts/signup", "signup-form", values)
    page = _submit(opener, f"{app_url}/accounts/tokens", "token-form", {"name": "benchmark"})
    shown = page.select_one('[data-testid="new-token"]')
    if shown is None:
        raise RuntimeError(f"{app_url}/accounts/tokens showed no new token")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Account(cookie, shown.get_text(strip=True))


def _submit(
    opener: urllib.request.OpenerDirector, page: str, testid: str, values: dict[str, str]
) -> BeautifulSoup:
    with opener.open(page, timeout=60) as answer:
        form = BeautifulSoup(answer.read(), "html.parser").select_one(f'[data-testid="{testid}"]')
    if form is None:
        raise RuntimeError(f"no form {testid} on {page}")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")} | values
    request = urllib.request.Request(
        urllib.parse.urljoin(page, form["action"]),
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Origin": "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(page))},
    )
    try:
        with opener.open(request, timeout=60) as answer:
            return BeautifulSoup(answer.read(), "html.parser")
    except urllib.error.HTTPError as answer:
        if answer.code >= 400:
            raise RuntimeError(f"{page}: {answer.code} {answer.read()[:300]!r}") from None
        return BeautifulSoup(b"", "html.parser")
