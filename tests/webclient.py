"""One test client interface over both apps, so that each contract test is written once.

`WebClient.request` takes the URL a browser would use (with the app's mount prefix, if any) and
returns an `Answer`: status, headers, body. `submit` fills and posts a form found on a page the way
a browser does, hidden CSRF field included, so tests never need to know a framework's token name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Upload:
    """A file for a multipart form field."""

    filename: str
    content: bytes
    content_type: str = "text/csv"


@dataclass
class WebClient:
    """What each framework's adapter provides (see conftest)."""

    name: str
    prefix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

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
        self, page: str, testid: str, values: dict[str, Any], *, drop: tuple[str, ...] = ()
    ) -> Answer:
        """GET `page`, find the form `data-testid=testid`, fill `values` in, post it."""
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
        return self.request(form.get("method", "get").upper(), form["action"], form=data)
