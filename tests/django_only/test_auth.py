"""Django-only behaviour of accounts, sessions and access (docs/spec.md#9-accounts-sessions-and-access):
what Django itself does for the spec (its hasher, its session table, its session auth hash,
`createsuperuser`), the settings of section 9.7, and the tables' counting and token rules.
The behaviour both apps share is tested in tests/contract."""

from datetime import timedelta
from unittest import mock

import pytest

pytest.importorskip("django")

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import IntegrityError, OperationalError
from django.utils import timezone
from test_project import run_python
from webclient import PASSWORD, auth

from django_app.accounts.models import ApiToken, RateLimit, RateLimitManager
from django_app.predictions.models import PredictionQuerySet

pytestmark = pytest.mark.django_db


def history_ids(client):
    page = client.get("/history")
    return [
        int(a.get_text())
        for a in page.soup().select('[data-testid="history-table"] a[href*="/predictions/"]')
    ]


def api_prediction(client, features, headers=None):
    answer = client.post_json("/api/v1/predict", {"features": features}, headers=headers)
    assert answer.status == 201, answer.body
    return answer.json()["id"]


# Passwords: Django's hasher and ModelBackend.


def test_the_hasher_runs_for_an_unknown_username_as_for_a_wrong_password(django_client):
    """docs/spec.md#92: ModelBackend hashes the password of an unknown username all the same
    (`User().set_password`), so the answer's time does not tell the two mistakes apart."""
    django_client.signed_up("ann")
    browser = django_client.fresh()
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
        assert browser.log_in("ann", "a-wrong-passphrase").status == 400
        assert encode.call_count == 1  # checking the stored hash
        encode.reset_mock()
        assert browser.log_in("nobody", "a-wrong-passphrase").status == 400
        assert encode.call_count == 1  # hashing for no account at all
        assert encode.call_args.args[1] == "a-wrong-passphrase"


def test_passwords_are_stored_only_as_the_hasher_s_hash(django_client):
    django_client.sign_up("ann")
    stored = get_user_model().objects.get(username="ann").password
    assert stored.startswith(f"{get_hasher().algorithm}$")
    assert PASSWORD not in stored
    assert PASSWORD not in django_client.database_dump()


class Terminal:
    """What `createsuperuser` asks of its stdin before it prompts (Django's tests do the same)."""

    def isatty(self):
        return True


def test_createsuperuser_asks_twice_and_applies_the_password_rules(capsys):
    """The password typed twice; a bad one is refused with the spec's messages, and asked again
    (Django offers to bypass the rules; the answer here is no)."""
    typed = ["12345678", "12345678", PASSWORD, PASSWORD]
    with (
        mock.patch("getpass.getpass", side_effect=typed),
        mock.patch("builtins.input", return_value="n") as asked,
    ):
        call_command(
            "createsuperuser", username="root", email="", interactive=True, stdin=Terminal()
        )
    assert "This password is entirely numeric." in capsys.readouterr().err
    assert asked.call_args.args[0].startswith("Bypass password validation")
    root = get_user_model().objects.get(username="root")
    assert (root.is_staff, root.check_password(PASSWORD)) == (True, True)


def test_createsuperuser_makes_a_staff_account_that_sees_every_prediction(
    django_client, valid_features, monkeypatch
):
    """docs/spec.md#94: staff see the predictions of every account, of anonymous visitors, and
    of the API without a token."""
    anonymous = api_prediction(django_client, valid_features)
    ann = django_client.fresh().signed_up("ann")
    owned = api_prediction(django_client, valid_features, auth(ann.token))
    visitor = django_client.fresh()
    made = visitor.submit("/", "prediction-form", valid_features).header("Location")
    visitors = int(made.rsplit("/", 1)[1])
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", username="root", email="", verbosity=0)
    assert get_user_model().objects.get(username="root").is_staff

    root = django_client.fresh()
    assert root.log_in("root").status == 303
    assert history_ids(root) == [visitors, owned, anonymous]
    listed = root.get("/api/v1/predictions", headers=auth(root.new_token())).json()
    assert [p["id"] for p in listed["results"]] == [visitors, owned, anonymous]


# Sessions: Django's database backend and session auth hash (docs/spec.md#93).


def test_log_out_deletes_the_session_row_and_a_replayed_cookie_is_anonymous(
    django_client, valid_features
):
    django_client.signed_up("ann")
    django_client.submit("/", "prediction-form", valid_features)
    cookie = django_client.session_cookie()
    assert Session.objects.filter(session_key=cookie).exists()

    assert django_client.log_out().status == 303
    assert not Session.objects.filter(session_key=cookie).exists()
    replayed = django_client.fresh()
    replayed.set_session_cookie(cookie)
    page = replayed.get("/history")
    assert page.testids("username") == []
    assert history_ids(replayed) == []


def test_log_in_gives_a_new_session_id_that_keeps_the_visitor_id(django_client, valid_features):
    django_client.sign_up("ann")
    django_client.log_out()
    made = django_client.submit("/", "prediction-form", valid_features).header("Location")
    before = django_client.session_cookie()
    visitor = SessionStore(session_key=before)["visitor"]
    assert django_client.log_in("ann").status == 303
    after = django_client.session_cookie()
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert SessionStore(session_key=after)["visitor"] == visitor
    assert history_ids(django_client) == [int(made.rsplit("/", 1)[1])]


def test_a_password_change_ends_every_other_session_of_the_account(django_client):
    django_client.sign_up("ann")
    other = django_client.fresh()
    assert other.log_in("ann").status == 303
    assert other.get("/").testid_texts("username") == ["ann"]
    before = django_client.session_cookie()

    changed = django_client.submit(
        "/accounts/password",
        "password-form",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-passphrase",
            "new_password2": "a-new-passphrase",
        },
    )
    assert changed.status == 303
    assert django_client.session_cookie() != before
    page = django_client.get("/")
    assert page.testid_texts("username") == ["ann"]
    assert page.testid_texts("message") == [
        "Your password was changed; your other sessions have ended."
    ]
    assert other.get("/").testids("username") == []


def test_the_503_page_does_not_read_the_session(django_client):
    """With the database gone the layout cannot ask the session who is logged in: the 503 page
    shows the anonymous nav instead of failing again (docs/spec.md#13)."""
    django_client.sign_up("ann")
    broken = OperationalError("unable to open database file")
    with (
        mock.patch.object(SessionStore, "load", side_effect=broken),
        mock.patch.object(PredictionQuerySet, "version_stats", side_effect=broken),
    ):
        answer = django_client.get("/model")
    assert answer.status == 503
    assert answer.testid_texts("error-title") == ["Service unavailable"]
    assert answer.testids("username") == []


# The counts behind the limits (docs/spec.md#96-limits).


def test_a_rate_limit_counts_in_a_fixed_window_from_its_first_request():
    window = timedelta(minutes=15)
    first = RateLimit.objects.hit("k", window)
    assert first.count == 1
    assert [RateLimit.objects.hit("k", window).count for _ in range(2)] == [2, 3]
    assert RateLimit.objects.get(key="k").window_start == first.window_start

    RateLimit.objects.filter(key="k").update(window_start=timezone.now() - window)
    again = RateLimit.objects.hit("k", window)
    assert again.count == 1
    assert again.window_start > first.window_start


def test_a_rate_limit_row_made_by_another_worker_first_is_counted_on():
    real = RateLimitManager._count
    calls = []

    def another_worker_first(self, key, window):
        calls.append(key)
        if len(calls) == 1:
            RateLimit.objects.create(key=key, window_start=timezone.now(), count=1)
            raise IntegrityError("UNIQUE constraint failed: accounts_ratelimit.key")
        return real(self, key, window)

    with mock.patch.object(RateLimitManager, "_count", another_worker_first):
        assert RateLimit.objects.hit("k", timedelta(minutes=1)).count == 2
    assert calls == ["k", "k"]


def test_a_successful_log_in_clears_the_failures(django_client):
    django_client.signed_up("ann")
    browser = django_client.fresh()
    for _ in range(4):
        assert browser.log_in("Ann", "a-wrong-passphrase").status == 400
    assert RateLimit.objects.get().count == 4  # one key, whatever the username's case
    assert browser.log_in("ann").status == 303
    assert not RateLimit.objects.exists()


# API tokens (docs/spec.md#95-api-tokens).


def test_a_token_is_stored_as_its_sha_256_only(django_client):
    secret = django_client.signed_up("ann").token
    token = ApiToken.objects.get()
    assert len(secret) == 43
    assert token.digest != secret
    assert len(token.digest) == 64
    assert secret not in django_client.database_dump()


def test_last_used_is_written_at_most_once_a_minute(django_client):
    headers = auth(django_client.signed_up("ann").token)
    assert ApiToken.objects.get().last_used_at is None
    django_client.get("/api/v1/predictions", headers=headers)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    django_client.get("/api/v1/predictions", headers=headers)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=1))
    django_client.get("/api/v1/predictions", headers=headers)
    assert ApiToken.objects.get().last_used_at > first


def test_a_token_of_an_inactive_account_is_refused(django_client):
    headers = auth(django_client.signed_up("ann").token)
    get_user_model().objects.update(is_active=False)
    answer = django_client.get("/api/v1/predictions", headers=headers)
    assert (answer.status, answer.header("WWW-Authenticate")) == (401, "Bearer")


# The batch INSERT beneath the ORM keeps the owner too (docs/spec.md#72).


def test_a_batch_stores_its_owner_and_visitor(model):
    from django_app.predictions.models import Prediction

    ann = get_user_model().objects.create_user("ann", password=PASSWORD)
    outcomes = model.predict_rows([model.manifest.examples[0]["features"]] * 3)
    owned = Prediction.objects.create_predictions(outcomes, "api", model, owner=ann)
    visiting = Prediction.objects.create_predictions(outcomes, "csv", model, visitor="ab" * 16)
    assert {row.owner_id for row in owned} == {ann.pk}
    assert set(Prediction.objects.visible_to(ann)) == set(owned)
    assert set(Prediction.objects.visible_to(None, "ab" * 16)) == set(visiting)


# Settings (docs/spec.md#97-settings): a bad value stops the app with one line.

SETTINGS = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "print(settings.API_TOKEN_REQUIRED, settings.ANONYMOUS_RATE_LIMIT, settings.TRUSTED_PROXY_HOPS,"
    " getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))\n"
)


def test_the_settings_of_section_9_default_for_development():
    result = run_python(
        SETTINGS, API_TOKEN_REQUIRED=None, ANONYMOUS_RATE_LIMIT=None, TRUSTED_PROXY_HOPS=None
    )
    assert result.stdout.split() == ["False", "None", "0", "None"], result.stderr


def test_the_settings_of_section_9_are_read_from_the_environment():
    result = run_python(
        SETTINGS,
        API_TOKEN_REQUIRED="true",
        ANONYMOUS_RATE_LIMIT="120/minute",
        TRUSTED_PROXY_HOPS="2",
    )
    assert result.stdout.strip() == (
        "True Rate(limit=120, window=datetime.timedelta(seconds=60)) 2 "
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    ), result.stderr


def test_production_trusts_one_proxy_by_default():
    result = run_python(
        SETTINGS, APP_ENV="production", SECRET_KEY="k" * 50, TRUSTED_PROXY_HOPS=None
    )
    assert result.stdout.split()[2] == "1", result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("API_TOKEN_REQUIRED", "yes", "API_TOKEN_REQUIRED must be true or false, not 'yes'."),
        ("ANONYMOUS_RATE_LIMIT", "lots", "ANONYMOUS_RATE_LIMIT must look like 120/minute"),
        ("TRUSTED_PROXY_HOPS", "-1", "TRUSTED_PROXY_HOPS must be a whole number of 0 or more"),
    ],
)
def test_a_bad_setting_stops_the_app_with_one_line(name, value, message):
    result = run_python("import django; django.setup()", **{name: value})
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"django.core.exceptions.ImproperlyConfigured: {message}")
    )


def test_the_token_is_checked_before_the_body_s_size(django_client):
    """docs/spec.md#95: the token (401) before the request rules, 413 among them; the 1 MiB
    middleware leaves /api/ to the views for that reason."""
    body = b"{" + b" " * (1 << 20) + b"}"
    path = "/api/v1/predictions/1/feedback"
    answer = django_client.request("POST", path, body=body, content_type="application/json")
    assert (answer.status, answer.header("WWW-Authenticate")) == (401, "Bearer")
    headers = auth(django_client.signed_up("ann").token)
    answer = django_client.request(
        "POST", "/api/v1/predict", body=body, content_type="application/json", headers=headers
    )
    assert (answer.status, answer.json()["error"]["code"]) == (413, "payload_too_large")


def test_the_admin_log_in_counts_against_the_same_limit():
    """Django's admin has a log-in page of its own; its form is the limited one too, so that a
    staff account's password cannot be guessed there past the limit (docs/spec.md#96-limits)."""
    from django.test import Client

    get_user_model().objects.create_superuser("root", "", PASSWORD)
    browser = Client(HTTP_HOST="localhost")
    wrong = {"username": "root", "password": "not the password", "next": "/admin/"}
    statuses = [browser.post("/admin/login/", wrong).status_code for _ in range(5)]
    assert statuses == [200] * 5  # the admin's own answer to a wrong password
    right = browser.post("/admin/login/", {**wrong, "password": PASSWORD})
    assert right.status_code == 429
    assert 1 <= int(right.headers["Retry-After"]) <= 900
