"""shared_web's account rules (docs/spec.md#92-usernames-and-passwords), API tokens
(#95-api-tokens) and limits (#96-limits): the parts both apps plug into their frameworks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared_web.accounts import (
    PASSWORD_NUMERIC,
    PASSWORD_TOO_SHORT,
    PASSWORD_TOO_SIMILAR,
    USERNAME_INVALID,
    USERNAME_TOO_LONG,
    password_problems,
    username_problems,
)
from shared_web.limits import (
    Rate,
    SettingError,
    client_address,
    login_key,
    parse_flag,
    parse_hops,
    parse_rate,
    retry_after,
)
from shared_web.tokens import bearer_token, new_token, token_digest


@pytest.mark.parametrize("username", ["ann", "ann.smith@example.org", "a+b-c_d", "Zoë", "x" * 150])
def test_a_username_of_letters_digits_and_at_dot_plus_minus_underscore_is_good(username):
    assert username_problems(username) == []


@pytest.mark.parametrize("username", ["ann smith", "ann/smith", "<ann>", "ann!", ""])
def test_any_other_character_makes_a_username_invalid(username):
    assert username_problems(username) == [USERNAME_INVALID]


def test_a_username_over_150_characters_is_too_long():
    assert username_problems("x" * 151) == [USERNAME_TOO_LONG]


def test_a_good_password_breaks_no_rule():
    assert password_problems("correct horse battery", "ann") == []


def test_a_short_all_digit_password_breaks_two_rules_in_order():
    assert password_problems("1234567", "ann") == [PASSWORD_TOO_SHORT, PASSWORD_NUMERIC]


@pytest.mark.parametrize(
    ("password", "username"), [("annsmith1", "ann.smith"), ("Smithers", "ann.smith")]
)
def test_a_password_like_the_username_or_a_part_of_it_is_too_similar(password, username):
    assert password_problems(password, username) == [PASSWORD_TOO_SIMILAR]


def test_a_new_token_is_43_url_safe_characters_and_stored_as_its_sha256():
    secret, digest = new_token()
    assert len(secret) == 43 and secret.replace("-", "").replace("_", "").isalnum()
    assert digest == token_digest(secret) and len(digest) == 64
    assert new_token()[0] != secret


@pytest.mark.parametrize(
    ("header", "token"),
    [(None, None), ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic YTpi", ""),
     ("Bearer", ""), ("Bearer a b", ""), ("abc", "")],
)  # fmt: skip
def test_only_a_bearer_header_carries_a_token_and_any_other_is_a_wrong_one(header, token):
    assert bearer_token(header) == token


def test_a_rate_reads_a_count_per_unit_and_empty_means_no_limit():
    assert parse_rate("120/minute") == Rate(120, timedelta(minutes=1))
    assert parse_rate(" 5 / day ") == Rate(5, timedelta(days=1))
    assert parse_rate("") is None
    assert parse_rate(None) is None


@pytest.mark.parametrize("value", ["120", "0/minute", "10/week", "ten/minute", "-1/second"])
def test_a_rate_that_cannot_be_read_names_the_setting_and_the_form(value):
    with pytest.raises(SettingError, match="ANONYMOUS_RATE_LIMIT must look like 120/minute"):
        parse_rate(value)


@pytest.mark.parametrize(
    ("value", "flag"), [(None, False), ("", False), ("TRUE", True), (" false ", False)]
)
def test_a_flag_is_true_or_false_and_unset_or_empty_is_false(value, flag):
    assert parse_flag(value) is flag


def test_a_flag_that_is_neither_names_the_setting():
    with pytest.raises(SettingError, match="API_TOKEN_REQUIRED must be true or false, not 'yes'"):
        parse_flag("yes")


def test_trusted_hops_default_when_unset_and_refuse_anything_but_a_whole_number():
    assert parse_hops(None, 1) == 1
    assert parse_hops("2", 0) == 2
    with pytest.raises(SettingError, match="TRUSTED_PROXY_HOPS"):
        parse_hops("one", 0)


def test_with_no_proxy_trusted_the_client_address_is_the_connections():
    assert client_address("10.0.0.1", "203.0.113.9", 0) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_saw_is_the_last_one_it_appended():
    forged_then_real = "198.51.100.7, 203.0.113.9"
    assert client_address("127.0.0.1", forged_then_real, 1) == "203.0.113.9"
    assert client_address("127.0.0.1", forged_then_real, 2) == "198.51.100.7"


def test_fewer_forwarded_addresses_than_trusted_hops_fall_back_to_the_connection():
    assert client_address("127.0.0.1", "203.0.113.9", 2) == "127.0.0.1"
    assert client_address("127.0.0.1", None, 1) == "127.0.0.1"


def test_the_login_counter_is_per_address_and_case_insensitive_username():
    assert login_key("Ann", "10.0.0.1") == login_key("ann", "10.0.0.1")
    assert login_key("ann", "10.0.0.1") != login_key("ann", "10.0.0.2")


def test_retry_after_is_the_whole_seconds_left_and_at_least_one():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    window = timedelta(minutes=15)
    assert retry_after(start, window, start + timedelta(seconds=0.5)) == 900
    assert retry_after(start, window, start + timedelta(minutes=14, seconds=59.2)) == 1
    assert retry_after(start, window, start + timedelta(minutes=20)) == 1
