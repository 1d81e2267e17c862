"""docs/spec.md#94-ownership: each account, and each anonymous visitor's session, sees and changes
only its own predictions, on the pages and through the API; staff see all; any other id is a 404.
"""

import csv
import io

import pytest
from webclient import PASSWORD, auth

from shared_web.errors import ApiError

NOT_FOUND = ApiError.of(404).payload()


def form_prediction(client, features, **changes):
    """A prediction made on the page form; its id from the redirect."""
    answer = client.submit("/", "prediction-form", {**features, **changes})
    assert answer.status == 303, answer.status
    return int(answer.header("Location").rsplit("/", 1)[1])


def api_prediction(client, features, headers=None):
    answer = client.post_json("/api/v1/predict", {"features": features}, headers=headers)
    assert answer.status == 201, answer.body
    return answer.json()["id"]


def history_ids(client):
    page = client.get("/history")
    assert page.status == 200
    links = page.soup().select('[data-testid="history-table"] tbody a[href*="/predictions/"]')
    return [int(a.get_text()) for a in links]


def without_csrf_tokens(answer):
    """The page with its hidden fields' values (a CSRF token, new on each page) blanked."""
    soup = answer.soup()
    for element in soup.select('input[type="hidden"]'):
        element["value"] = ""
    return answer.status, str(soup)


def csv_ids(client):
    answer = client.get("/history.csv")
    assert answer.status == 200
    return [int(row[0]) for row in list(csv.reader(io.StringIO(answer.text)))[1:]]


def page_feedback(client, prediction_id, true_label="virginica"):
    """POST the feedback form of `prediction_id` with this browser's own CSRF token."""
    form = client.get("/").soup().select_one('form[data-testid="prediction-form"]')
    hidden = {i["name"]: i["value"] for i in form.select('input[type="hidden"]')}
    return client.request(
        "POST",
        client.url(f"/predictions/{prediction_id}/feedback"),
        form={**hidden, "true_label": true_label, "comment": ""},
    )


def staff(client):
    """A staff account (made on the command line), logged in in a browser of its own."""
    client.make_staff("root")
    browser = client.fresh()
    assert browser.log_in("root").status == 303
    return browser, auth(browser.new_token())


@pytest.fixture
def ann_and_bob(client, valid_features):
    """ann (this client) and bob (a second browser), each with a page and an API prediction."""
    ann = client.signed_up("ann")
    bob_browser = client.fresh()
    bob = bob_browser.signed_up("bob")
    ids = {
        "ann": [
            form_prediction(client, valid_features),
            api_prediction(client, valid_features, ann.headers),
        ],
        "bob": [
            form_prediction(bob_browser, valid_features),
            api_prediction(bob_browser, valid_features, bob.headers),
        ],
    }
    return ann, bob_browser, bob, ids


def test_each_account_s_history_and_csv_hold_only_its_own(client, ann_and_bob):
    _, bob_browser, _, ids = ann_and_bob
    assert history_ids(client) == ids["ann"][::-1]
    assert csv_ids(client) == ids["ann"][::-1]
    assert history_ids(bob_browser) == ids["bob"][::-1]
    assert csv_ids(bob_browser) == ids["bob"][::-1]


def test_another_account_s_prediction_page_is_a_404(client, ann_and_bob):
    _, bob_browser, _, ids = ann_and_bob
    for prediction_id in ids["ann"]:
        answer = bob_browser.get(f"/predictions/{prediction_id}")
        assert answer.status == 404
        assert answer.testid_texts("error-title") == ["Page not found"]
    assert client.get(f"/predictions/{ids['ann'][0]}").status == 200


def test_feedback_on_another_account_s_prediction_page_is_a_404_and_stores_nothing(
    client, ann_and_bob
):
    ann, bob_browser, _, ids = ann_and_bob
    assert page_feedback(bob_browser, ids["ann"][0]).status == 404
    read = client.get(f"/api/v1/predictions/{ids['ann'][0]}", headers=ann.headers)
    assert read.json()["feedback"] is None


def test_the_api_lists_reads_and_takes_feedback_on_the_token_s_own_only(client, ann_and_bob):
    ann, _, bob, ids = ann_and_bob
    listed = client.get("/api/v1/predictions", headers=ann.headers).json()
    assert (listed["count"], [p["id"] for p in listed["results"]]) == (2, ids["ann"][::-1])
    for prediction_id in ids["bob"]:
        read = client.get(f"/api/v1/predictions/{prediction_id}", headers=ann.headers)
        assert (read.status, read.json()) == (404, NOT_FOUND)
        feedback = client.post_json(
            f"/api/v1/predictions/{prediction_id}/feedback",
            {"true_label": "setosa"},
            headers=ann.headers,
        )
        assert (feedback.status, feedback.json()) == (404, NOT_FOUND)
    read = client.get(f"/api/v1/predictions/{ids['bob'][0]}", headers=bob.headers)
    assert read.json()["feedback"] is None


def test_someone_else_s_id_answers_as_an_id_that_does_not_exist(client, ann_and_bob):
    ann, _, _, ids = ann_and_bob
    theirs = client.get(f"/api/v1/predictions/{ids['bob'][0]}", headers=ann.headers)
    missing = client.get("/api/v1/predictions/987654", headers=ann.headers)
    assert (theirs.status, theirs.body) == (missing.status, missing.body)
    theirs_page = client.get(f"/predictions/{ids['bob'][0]}")
    missing_page = client.get("/predictions/987654")
    assert without_csrf_tokens(theirs_page) == without_csrf_tokens(missing_page)


def test_an_anonymous_visitor_sees_only_their_own_session_s_predictions(client, valid_features):
    mine = [form_prediction(client, valid_features) for _ in range(2)]
    other = client.fresh()
    theirs = form_prediction(other, valid_features)
    assert history_ids(client) == mine[::-1]
    assert csv_ids(client) == mine[::-1]
    assert history_ids(other) == [theirs]
    assert client.get(f"/predictions/{mine[0]}").status == 200
    assert client.get(f"/predictions/{theirs}").status == 404
    assert page_feedback(client, mine[0]).status == 303
    assert page_feedback(client, theirs).status == 404


def test_an_account_does_not_see_an_anonymous_visitor_s_predictions(client, valid_features):
    theirs = form_prediction(client.fresh(), valid_features)
    client.sign_up("ann")
    assert history_ids(client) == []
    assert client.get(f"/predictions/{theirs}").status == 404


def test_signing_up_moves_the_visitor_s_predictions_to_the_account(client, valid_features):
    mine = [form_prediction(client, valid_features) for _ in range(2)]
    someone_elses = form_prediction(client.fresh(), valid_features)
    account = client.signed_up("ann")
    assert history_ids(client) == mine[::-1]
    listed = client.get("/api/v1/predictions", headers=account.headers).json()
    assert [p["id"] for p in listed["results"]] == mine[::-1]
    assert client.get(f"/predictions/{someone_elses}").status == 404


def test_logging_in_moves_the_visitor_s_predictions_to_the_account(client, valid_features):
    owner = client.fresh()
    account = owner.signed_up("ann")
    earlier = api_prediction(owner, valid_features, account.headers)
    mine = form_prediction(client, valid_features)
    assert client.log_in("ann").status == 303
    assert history_ids(client) == [mine, earlier]
    assert history_ids(owner) == [mine, earlier]  # the account's, in every session of it
    read = client.get(f"/api/v1/predictions/{mine}", headers=account.headers)
    assert read.status == 200


def test_after_log_out_the_predictions_stay_with_the_account(client, valid_features):
    client.sign_up("ann")
    mine = form_prediction(client, valid_features)
    client.log_out()
    assert history_ids(client) == []
    assert client.get(f"/predictions/{mine}").status == 404
    client.log_in("ann")
    assert history_ids(client) == [mine]


def test_a_session_cookie_replayed_after_log_out_sees_nothing(client, valid_features):
    client.sign_up("ann")
    mine = form_prediction(client, valid_features)
    cookie = client.session_cookie()
    client.log_out()
    replayed = client.fresh()
    replayed.set_session_cookie(cookie)
    assert history_ids(replayed) == []
    assert csv_ids(replayed) == []
    assert replayed.get(f"/predictions/{mine}").status == 404


def test_staff_see_and_give_feedback_on_every_prediction_including_unowned(
    client, ann_and_bob, valid_features
):
    _, _, _, ids = ann_and_bob
    anonymous = form_prediction(client.fresh(), valid_features)
    unowned = api_prediction(client.fresh(), valid_features)
    everything = sorted([*ids["ann"], *ids["bob"], anonymous, unowned], reverse=True)
    browser, headers = staff(client)
    assert history_ids(browser) == everything
    assert csv_ids(browser) == everything
    listed = browser.get("/api/v1/predictions", headers=headers).json()
    assert (listed["count"], [p["id"] for p in listed["results"]]) == (6, everything)
    assert browser.get(f"/predictions/{unowned}").status == 200
    assert page_feedback(browser, ids["ann"][0]).status == 303
    feedback = browser.post_json(
        f"/api/v1/predictions/{unowned}/feedback", {"true_label": "setosa"}, headers=headers
    )
    assert feedback.status == 200


def test_unowned_predictions_are_seen_by_no_one_but_staff(client, valid_features):
    unowned = api_prediction(client, valid_features)
    ann = client.signed_up("ann")
    assert history_ids(client) == []
    assert client.get(f"/api/v1/predictions/{unowned}", headers=ann.headers).status == 404
    assert history_ids(client.fresh()) == []


def test_a_staff_account_s_own_predictions_are_its_own(client, valid_features):
    browser, headers = staff(client)
    made = api_prediction(browser, valid_features, headers)
    client.signed_up("ann")
    assert history_ids(client) == []
    assert history_ids(browser) == [made]


def test_deleting_an_account_deletes_its_predictions_and_no_one_else_s(client, ann_and_bob):
    _, bob_browser, bob, ids = ann_and_bob
    answer = client.submit("/accounts/delete", "delete-form", {"password": PASSWORD})
    assert answer.status == 303
    assert client.count() == 2
    listed = bob_browser.get("/api/v1/predictions", headers=bob.headers).json()
    assert [p["id"] for p in listed["results"]] == ids["bob"][::-1]


def test_the_model_card_counts_everyone_s_predictions_and_feedback(client, ann_and_bob, model):
    ann, bob_browser, bob, ids = ann_and_bob
    client.post_json(
        f"/api/v1/predictions/{ids['ann'][0]}/feedback",
        {"true_label": "setosa"},
        headers=ann.headers,
    )
    bob_browser.post_json(
        f"/api/v1/predictions/{ids['bob'][0]}/feedback",
        {"true_label": "virginica"},
        headers=bob.headers,
    )
    for browser in (client, client.fresh()):
        table = browser.get("/model").soup().select_one('[data-testid="versions-table"]')
        assert [td.get_text() for td in table.select("tbody td")] == [
            model.version,
            "4",
            "2",
            "50.0%",
        ]
