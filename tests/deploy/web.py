"""A small HTTPS client for the stack tests: no redirects followed, cookies kept, TLS of the
throw-away certificate accepted."""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from deploy.stack import tls_context


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


class Browserish:
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            _NoRedirect,
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.HTTPSHandler(context=tls_context()),
        )

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as answer:
                data = answer.read()
                status, answer_headers = answer.status, answer.headers
        except urllib.error.HTTPError as error:
            data, status, answer_headers = error.read(), error.code, error.headers
        if answer_headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return Reply(status, answer_headers, data)

    def get(self, url: str, **headers: str) -> Reply:
        return self.request("GET", url, headers=headers)

    def post_json(self, url: str, payload: Any) -> Reply:
        return self.request(
            "POST", url, json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )

    def post_form(self, url: str, fields: dict[str, str], origin: str) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": url,
        }
        return self.request("POST", url, body, headers)
