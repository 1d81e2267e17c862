"""What two answers must share to count as alike: everything but times, CSRF tokens, the secret of
a new API token, request ids and the "Served by" footer (docs/spec.md#81-differences-a-user-can-see) and what
each server words its own way (docs/spec.md#82-what-each-server-words-its-own-way): among them
the CSRF field's name, and the `/` of a `next=` query written as is (Django) or as `%2F`
(Flask-Login, docs/spec.md#91-pages). Cookies are not compared: their names and when each app
sets them are each framework's own (#82, #93); tests/contract checks their flags in each app.
The other differences section 8.1 allows are listed in test_parity.py's ALLOWED_DIFFERENCES."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from webclient import Answer

from shared_web.headers import SECURITY_HEADERS

COMPARED_HEADERS = [*SECURITY_HEADERS, "Allow", "Location"]
CSRF_FIELDS = {"csrf_token", "csrfmiddlewaretoken"}
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
PAGE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")


def _text(value: str) -> str:
    value = ISO_TIME.sub("<time>", value)
    return " ".join(PAGE_TIME.sub("<time>", value).split())


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, str):
        return _text(value)
    return value


def _attrs(element: Any) -> dict[str, str]:
    return {k: " ".join(v) if isinstance(v, list) else v for k, v in element.attrs.items()}


def page_structure(answer: Answer) -> dict[str, Any]:
    """Title, headings, forms and their fields, data-testid elements, links, texts."""
    soup = answer.soup()
    for element in soup.select('[data-testid="served-by"]'):
        element.decompose()
    for element in soup.select('[data-testid="new-token"]'):  # shown once, random
        if element.has_attr("value"):
            element["value"] = "<token>"
        else:
            element.string = "<token>"
    forms = []
    for form in soup.select("form"):
        fields = []
        for field in form.select("input, select, textarea, button"):
            if field.get("name") in CSRF_FIELDS:
                continue
            options = [
                (o.get("value"), o.has_attr("selected"), o.get_text())
                for o in field.select("option")
            ]
            fields.append((field.name, _attrs(field), options))
        forms.append({**_attrs(form), "fields": fields})
    return {
        "title": _text(soup.title.get_text()) if soup.title else None,
        "headings": [(h.name, _text(h.get_text())) for h in soup.select("h1, h2, h3")],
        "forms": forms,
        "testids": [
            (e["data-testid"], e.name, _attrs(e), _text(e.get_text(" ")))
            for e in soup.select("[data-testid]")
        ],
        "links": [(a.get("href"), _text(a.get_text())) for a in soup.select("a")],
        "labels": [(label.get("for"), _text(label.get_text())) for label in soup.select("label")],
        "tables": [
            [_text(cell.get_text(" ")) for cell in table.select("th, td")]
            for table in soup.select("table")
        ],
        "text": _text(soup.body.get_text(" ")) if soup.body else "",
    }


def _decoded_query(location: str) -> str:
    """`/accounts/login?next=%2Fhistory` and `?next=/history` as one (docs/spec.md#91-pages)."""
    parts = urlsplit(location)
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True), safe="/")
    return urlunsplit(parts._replace(query=query))


def comparable(answer: Answer) -> dict[str, Any]:
    """Status, content type, the spec's headers (section 6.1, `Allow`, `Location`, and
    `X-Request-ID`, which must be there but is each app's own: a new id per request, section
    10.2), and the body as its type is compared."""
    content_type = answer.content_type or ""
    assert answer.header("X-Request-ID"), "every answer has an X-Request-ID (spec 10.2)"
    result: dict[str, Any] = {
        "status": answer.status,
        "content_type": content_type,
        "headers": {name: answer.header(name) for name in COMPARED_HEADERS},
    }
    if result["headers"]["Location"]:
        result["headers"]["Location"] = _decoded_query(result["headers"]["Location"])
    if 300 <= answer.status < 400:
        # A redirect's body is each framework's own (docs/spec.md#82-what-each-server-words-its-
        # own-way): empty from Django, a "Redirecting..." note from Werkzeug's redirect().
        return result
    if content_type.startswith("application/json") and answer.body:
        result["json"] = _json(answer.json())
    elif content_type.startswith("text/html") and answer.body:
        result["page"] = page_structure(answer)
    elif content_type.startswith("text/csv"):
        result["csv"] = _text(answer.text)
        result["headers"]["Content-Disposition"] = answer.header("Content-Disposition")
    else:
        # Static files: the same bytes and media type; each server words its charset its own way.
        result["content_type"] = content_type.split(";")[0]
        result["body"] = answer.body
    return result
