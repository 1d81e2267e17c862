"""docs/spec.md#96-limits: failed log-ins per username and client address, predictions without a
token per client address, and which address counts (`TRUSTED_PROXY_HOPS`)."""

from datetime import timedelta

import pytest
from webclient import PASSWORD

from shared_web import accounts
from shared_web.errors import ERROR_PAGES, ApiError
from shared_web.limits import parse_rate

WRONG = "not-the-passphrase"


def retry_after(answer, most):
    value = answer.header("Retry-After")
    assert value is not None and value.isdigit(), value
    assert 1 <= int(value) <= most, value
    return int(value)


def assert_locked_out(answer):
    assert answer.status == 429
    assert answer.content_type == "text/html; charset=utf-8"
    assert answer.testid_texts("error-title") == ["Too many attempts"]
    assert ERROR_PAGES[429][1] in " ".join(answer.soup().get_text(" ").split())
    assert answer.testids("login-form") == []
    retry_after(answer, 15 * 60)


def fail(client, times, username="ann", headers=None):
    """`times` failed log-ins, each the 400 form."""
    for _ in range(times):
        answer = client.log_in(username, WRONG, headers=headers)
        assert answer.status == 400, answer.status
        assert answer.testid_texts("form-error") == [accounts.LOGIN_FAILED]


def log_in(client, username, password=PASSWORD, headers=None):
    return client.log_in(username, password, headers=headers)


@pytest.fixture
def ann(client):
    """An account named ann, made in another browser."""
    assert client.fresh().sign_up("ann").status == 303


# Failed log-ins.


def test_five_failures_get_the_form_and_the_sixth_attempt_is_429(client, ann):
    fail(client, 5)
    assert_locked_out(log_in(client, "ann", WRONG))


def test_retry_after_counts_down_from_the_first_failure(client, ann):
    fail(client, 5)
    assert retry_after(log_in(client, "ann"), 900) > 840
    client.pass_time(timedelta(minutes=14))
    assert retry_after(log_in(client, "ann"), 60) > 0


def test_fifteen_minutes_after_the_first_failure_the_count_starts_again(client, ann):
    fail(client, 5)
    client.pass_time(timedelta(minutes=15, seconds=1))
    fail(client, 5)
    assert_locked_out(log_in(client, "ann"))


def test_fifteen_minutes_after_the_first_failure_the_right_password_logs_in(client, ann):
    fail(client, 5)
    assert_locked_out(log_in(client, "ann"))
    client.pass_time(timedelta(minutes=15, seconds=1))
    assert log_in(client, "ann").status == 303


def test_once_locked_out_even_the_right_password_is_429(client, ann):
    fail(client, 5)
    assert_locked_out(log_in(client, "ann"))
    assert client.get("/").testids("username") == []


def test_a_locked_out_username_is_locked_out_for_a_fresh_browser_from_the_same_address(client, ann):
    fail(client, 5)
    assert_locked_out(log_in(client.fresh(), "ann"))


def test_an_unknown_username_is_limited_too(client):
    fail(client, 5, "nobody")
    assert_locked_out(log_in(client, "nobody", WRONG))


def test_the_count_ignores_the_username_s_letter_case(client, ann):
    fail(client, 3, "ANN")
    fail(client, 2, "Ann")
    assert_locked_out(log_in(client, "ann"))


@pytest.mark.parametrize("spelled", [" ann", "ann ", "\tann", "ａｎｎ"])
def test_the_count_is_of_the_username_as_the_form_reads_it(client, ann, spelled):
    """Spaces trimmed and Unicode folded, as the log-in itself reads it: otherwise each way of
    writing the same name would get 5 tries of its own."""
    fail(client, 5)
    assert_locked_out(log_in(client, spelled))


def test_a_successful_log_in_clears_the_count(client, ann):
    fail(client, 4)
    assert log_in(client, "ann").status == 303
    client.log_out()
    fail(client, 5)  # counted from zero again
    assert_locked_out(log_in(client, "ann", WRONG))


def test_another_username_is_not_limited(client, ann):
    assert client.fresh().sign_up("bob").status == 303
    fail(client, 5)
    fail(client, 1, "bob")
    assert log_in(client, "bob").status == 303


def test_another_address_is_not_limited(client, ann):
    fail(client, 5)
    elsewhere = client.fresh(address="10.0.0.2")
    fail(elsewhere, 1)
    assert log_in(elsewhere, "ann").status == 303


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, ann):
    for number in range(5):
        fail(client, 1, headers={"X-Forwarded-For": f"10.0.0.{number}"})
    assert_locked_out(log_in(client, "ann", headers={"X-Forwarded-For": "10.0.0.99"}))


def test_with_one_trusted_proxy_the_forwarded_address_counts(client, configure, ann):
    configure(TRUSTED_PROXY_HOPS=1)
    fail(client, 5, headers={"X-Forwarded-For": "10.0.0.1"})
    assert_locked_out(log_in(client, "ann", headers={"X-Forwarded-For": "10.0.0.1"}))
    # The client may write anything to the left; the proxy's entry is the rightmost one.
    assert_locked_out(log_in(client, "ann", headers={"X-Forwarded-For": "1.2.3.4, 10.0.0.1"}))
    assert log_in(client, "ann", headers={"X-Forwarded-For": "10.0.0.2"}).status == 303


def test_with_one_trusted_proxy_the_connection_s_address_alone_does_not_count(
    client, configure, ann
):
    configure(TRUSTED_PROXY_HOPS=1)
    fail(client, 5, headers={"X-Forwarded-For": "10.0.0.1"})
    same_proxy_other_client = client.fresh()
    answer = log_in(same_proxy_other_client, "ann", headers={"X-Forwarded-For": "10.0.0.2"})
    assert answer.status == 303


# Predictions without a token.

TOO_MANY = ApiError.of(429).payload()


def assert_too_many(answer, most):
    assert answer.status == 429
    assert answer.content_type == "application/json"
    assert answer.json() == TOO_MANY
    retry_after(answer, most)


def test_past_the_anonymous_limit_a_tokenless_predict_is_429(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("2/minute"))
    for _ in range(2):
        assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
    assert_too_many(client.post_json("/api/v1/predict", {"features": valid_features}), 60)
    assert client.count() == 2


def test_the_anonymous_limit_starts_again_with_the_next_window(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    body = {"features": valid_features}
    assert client.post_json("/api/v1/predict", body).status == 201
    assert_too_many(client.post_json("/api/v1/predict", body), 60)
    client.pass_time(timedelta(seconds=61))
    assert client.post_json("/api/v1/predict", body).status == 201
    assert client.post_json("/api/v1/predict", body).status == 429


def test_predict_and_batch_share_the_anonymous_limit(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("2/hour"))
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
    batch = {"instances": [valid_features] * 3}
    assert client.post_json("/api/v1/predict/batch", batch).status == 201
    assert_too_many(client.post_json("/api/v1/predict/batch", batch), 3600)
    assert client.count() == 4


def test_every_request_counts_valid_or_not(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("2/minute"))
    assert client.post_json("/api/v1/predict", {"features": {}}).status == 400
    assert client.post_json("/api/v1/predict", {"nothing": 1}).status == 400
    assert_too_many(client.post_json("/api/v1/predict", {"features": valid_features}), 60)


def test_the_limit_comes_before_the_request_rules(client, configure):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    assert client.post_json("/api/v1/predict", {"features": {}}).status == 400
    assert_too_many(
        client.request("POST", client.url("/api/v1/predict"), body=b"{", content_type="text/plain"),
        60,
    )


def test_a_wrong_token_is_401_before_the_limit(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
    answer = client.post_json(
        "/api/v1/predict",
        {"features": valid_features},
        headers={"Authorization": "Bearer " + "x" * 43},
    )
    assert answer.status == 401


def test_a_predict_with_a_token_is_not_limited(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    account = client.signed_up("ann")
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 429
    for _ in range(3):
        answer = client.post_json(
            "/api/v1/predict", {"features": valid_features}, headers=account.headers
        )
        assert answer.status == 201


def test_the_anonymous_limit_is_per_client_address(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 429
    elsewhere = client.fresh(address="10.0.0.2")
    assert elsewhere.post_json("/api/v1/predict", {"features": valid_features}).status == 201


def test_the_anonymous_limit_reads_x_forwarded_for_only_behind_a_trusted_proxy(
    client, configure, valid_features
):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    forged = {"X-Forwarded-For": "10.0.0.3"}
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
    answer = client.post_json("/api/v1/predict", {"features": valid_features}, headers=forged)
    assert answer.status == 429


def test_behind_one_trusted_proxy_each_forwarded_address_has_its_own_limit(
    client, configure, valid_features
):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"), TRUSTED_PROXY_HOPS=1)
    first, second = {"X-Forwarded-For": "10.0.0.1"}, {"X-Forwarded-For": "10.0.0.2"}
    body = {"features": valid_features}
    assert client.post_json("/api/v1/predict", body, headers=first).status == 201
    assert client.post_json("/api/v1/predict", body, headers=first).status == 429
    assert client.post_json("/api/v1/predict", body, headers=second).status == 201


def test_the_pages_are_not_limited(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    for _ in range(3):
        assert client.submit("/", "prediction-form", valid_features).status == 303


def test_without_a_limit_tokenless_predictions_are_not_limited(client, valid_features):
    for _ in range(10):
        assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201


def test_the_read_routes_are_not_limited(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    for _ in range(3):
        assert client.get("/api/v1/health").status == 200
        assert client.get("/api/v1/model").status == 200
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
