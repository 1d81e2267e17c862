"""docs/spec.md#41-layout and #6-headers-and-hosts: every page's layout, static files, headers,
cookies, hosts."""

from urllib.parse import urlsplit

import pytest

from shared_web.headers import SECURITY_HEADERS

PAGES = ["/", "/batch", "/history", "/model"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_layout_with_nav_stylesheet_and_favicon(client, path):
    answer = client.get(path)
    assert answer.status == 200
    assert answer.content_type == "text/html; charset=utf-8"
    soup = answer.soup()
    nav = [(a.get_text(strip=True), urlsplit(a["href"]).path) for a in soup.select("nav a")]
    assert nav == [
        ("Home", "/"),
        ("Batch", "/batch"),
        ("History", "/history"),
        ("Model", "/model"),
        ("Log in", "/accounts/login"),  # an anonymous visitor's (docs/spec.md#91-pages)
        ("Sign up", "/accounts/signup"),
    ]
    assert [link["href"] for link in soup.select('link[rel="stylesheet"]')] == ["/static/style.css"]
    assert [link["href"] for link in soup.select('link[rel="icon"]')] == ["/static/favicon.svg"]
    assert not soup.select("script") and not soup.select("[style]") and not soup.select("style")


@pytest.mark.parametrize("path", PAGES)
def test_the_footer_names_the_framework_and_its_version(client, path):
    [served_by] = client.get(path).testid_texts("served-by")
    framework = {"flask": "Flask", "django": "Django"}[client.name]
    assert served_by.startswith(f"Served by {framework} ")
    assert served_by.split()[-1][0].isdigit()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/static/style.css", "text/css"), ("/static/favicon.svg", "image/svg+xml")],
)
def test_static_files_are_served_by_the_app(client, path, content_type):
    answer = client.get(path)
    assert answer.status == 200
    assert answer.content_type.split(";")[0] == content_type
    assert len(answer.body) > 100


def test_options_on_a_static_file_is_not_offered(client):
    answer = client.request("OPTIONS", client.url("/static/style.css"))
    assert answer.status == 405
    assert answer.header("Allow") == "GET, HEAD"


def test_an_unknown_page_is_a_404_in_the_layout(client):
    answer = client.get("/no/such/page")
    assert answer.status == 404
    assert answer.testid_texts("error-title") == ["Page not found"]
    assert answer.soup().select("nav a")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/v1/health",
        "/no/such/page",
        "/api/v1/nothing",
        "/static/style.css",
        "/history.csv",
    ],
)
def test_every_response_has_the_security_headers(client, path):
    answer = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert answer.header(name) == value, name


def test_a_rejected_post_has_the_security_headers(client):
    answer = client.post_json("/api/v1/predict", {})
    assert answer.status == 400
    assert all(answer.header(name) == value for name, value in SECURITY_HEADERS.items())


def test_cookies_are_httponly_and_samesite_lax(client):
    cookies = client.get("/").headers_named("Set-Cookie")
    assert cookies, "the form page sets the cookie that backs its CSRF token"
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "secure" not in flags  # development: plain HTTP on localhost


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "bad host"])
def test_a_host_not_allowed_is_400(client, host):
    assert client.get("/", headers={"Host": host}).status == 400


def test_a_host_not_allowed_under_api_is_a_json_400(client):
    answer = client.get("/api/v1/health", headers={"Host": "evil.example"})
    assert answer.status == 400
    assert answer.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:5000", "LOCALHOST"])
def test_the_default_hosts_are_allowed(client, host):
    assert client.get("/api/v1/health", headers={"Host": host}).status == 200
