"""Each app used in Chromium the way a person uses it: the form, the result, history, the model
card, the batch upload, keyboard-only use, an account; and both side by side. Screenshots of every page go to
docs/screenshots/."""

from __future__ import annotations

import re

from browser_helpers import screenshot
from playwright.sync_api import Browser, Page, expect

SETOSA = {
    "Sepal length (cm)": "5.1",
    "Sepal width (cm)": "3.5",
    "Petal length (cm)": "1.4",
    "Petal width (cm)": "0.2",
}
PASSWORD = "a long browser passphrase"
CSV = b"sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.0,2.9,4.5,1.5\n6.7,3.0,5.2,2.3\n"


def fill_form(page: Page, values: dict[str, str]) -> None:
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


def test_the_form_predicts_and_shows_the_label_and_one_bar_per_class(
    page: Page, app: str, framework: str
):
    page.goto(app + "/")
    screenshot(page, f"{framework}-form")
    fill_form(page, SETOSA)
    page.get_by_role("button", name="Predict").click()
    expect(page).to_have_url(re.compile(rf"{app}/predictions/\d+$"))
    expect(page.get_by_test_id("predicted-label")).to_have_text("setosa")
    bars = page.get_by_test_id("probability")
    expect(bars).to_have_count(3)
    for bar in bars.all():
        expect(bar.locator("meter")).to_be_visible()
    screenshot(page, f"{framework}-result")


def test_the_browser_itself_refuses_a_value_out_of_range(page: Page, app: str):
    page.goto(app + "/")
    fill_form(page, {**SETOSA, "Petal width (cm)": "99"})
    page.get_by_label("Petal width (cm)", exact=True).press("Enter")
    expect(page).to_have_url(app + "/")
    expect(page.locator("input:invalid")).to_have_count(1)


def test_a_bad_value_gets_the_servers_message_beside_it_and_keeps_the_others(
    page: Page, app: str, framework: str
):
    page.goto(app + "/")
    page.get_by_test_id("prediction-form").evaluate("form => { form.noValidate = true; }")
    fill_form(page, {**SETOSA, "Petal width (cm)": "99"})
    page.get_by_role("button", name="Predict").click()
    field = page.locator(".field", has=page.get_by_label("Petal width (cm)", exact=True))
    expect(field.get_by_test_id("field-error")).to_have_text("Must be a number from 0 to 5.")
    expect(page.get_by_test_id("field-error")).to_have_count(1)
    expect(page.get_by_label("Sepal length (cm)", exact=True)).to_have_value("5.1")
    expect(page.get_by_label("Petal width (cm)", exact=True)).to_have_value("99")
    screenshot(page, f"{framework}-form-error")


def test_history_lists_the_new_prediction_and_its_link_opens_it(
    page: Page, app: str, framework: str
):
    page.goto(app + "/?example=virginica")
    page.get_by_role("button", name="Predict").click()
    prediction_url = page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    first = page.get_by_test_id("history-table").locator("tbody tr").first
    expect(first).to_contain_text("virginica")
    screenshot(page, f"{framework}-history")
    first.get_by_role("link").click()
    expect(page).to_have_url(prediction_url)


def test_feedback_is_sent_and_shown(page: Page, app: str):
    page.goto(app + "/?example=versicolor")
    page.get_by_role("button", name="Predict").click()
    page.get_by_label("The true class").select_option("virginica")
    page.get_by_label("Comment (optional)").fill("Looked like a virginica to me.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("virginica")


def test_the_model_card_shows_the_confusion_matrix(page: Page, app: str, framework: str):
    page.goto(app + "/model")
    matrix = page.get_by_test_id("confusion-matrix")
    expect(matrix.locator("tbody tr")).to_have_count(3)
    expect(matrix.locator("tbody th")).to_have_text(["setosa", "versicolor", "virginica"])
    screenshot(page, f"{framework}-model")


def test_a_csv_upload_shows_a_table_of_predictions(page: Page, app: str, framework: str):
    page.goto(app + "/batch")
    page.get_by_label("CSV file").set_input_files(
        {"name": "flowers.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    page.get_by_role("button", name="Upload and predict").click()
    rows = page.get_by_test_id("batch-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("virginica")
    screenshot(page, f"{framework}-batch")


def test_keyboard_only_tab_through_the_form_and_submit_with_enter(page: Page, app: str):
    page.goto(app + "/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "sepal_length":
            break
    for value in SETOSA.values():
        assert page.evaluate("document.activeElement.type") == "number"
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("predicted-label")).to_have_text("setosa")


def test_every_page_loads_its_stylesheet_and_favicon_without_errors(page: Page, app: str):
    for path in (
        "/",
        "/batch",
        "/history",
        "/model",
        "/accounts/login",
        "/accounts/signup",
        "/nowhere",
    ):
        page.goto(app + path)
        color = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
        assert color == "rgb(31, 78, 121)", f"the stylesheet did not apply on {path}"


def test_side_by_side_both_panes_work(page: Page, site: str):
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(site + "/")
    expect(page.get_by_test_id("accounts-note")).to_contain_text("Sign up")
    expect(page.get_by_test_id("pane-flask")).to_contain_text("Flask")
    expect(page.get_by_test_id("pane-django")).to_contain_text("Django")
    for name in ("flask", "django"):
        frame = page.frame_locator(f'iframe[name="{name}"]')
        expect(frame.get_by_test_id("prediction-form")).to_be_visible()
    screenshot(page, "side-by-side")
    for name in ("flask", "django"):
        frame = page.frame_locator(f'iframe[name="{name}"]')
        frame.get_by_role("link", name="setosa").click()
        frame.get_by_role("button", name="Predict").click()
        expect(frame.get_by_test_id("predicted-label")).to_have_text("setosa")
        footer = frame.get_by_test_id("served-by")
        expect(footer).to_contain_text("Flask" if name == "flask" else "Django")
    screenshot(page, "side-by-side-results")


def sign_up(page: Page, app: str, username: str) -> None:
    page.goto(app + "/accounts/signup")
    form = page.get_by_test_id("signup-form")
    form.locator('[name="username"]').fill(username)
    form.locator('[name="password1"]').fill(PASSWORD)
    form.locator('[name="password2"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(app + "/")


def test_an_account_keeps_its_predictions_through_log_out_and_log_in_and_no_one_else_sees_them(
    page: Page, browser: Browser, app: str, framework: str
):
    username = "ann"  # each app has its own database: one ann in each
    sign_up(page, app, username)
    expect(page.get_by_test_id("username")).to_have_text(username)
    page.get_by_role("link", name="setosa").click()
    page.get_by_role("button", name="Predict").click()
    expect(page.get_by_test_id("predicted-label")).to_have_text("setosa")
    prediction_url = page.url

    page.get_by_test_id("logout-form").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(app + "/")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(app + "/history")
    expect(page.get_by_test_id("history-table")).to_contain_text("No predictions yet")

    page.goto(app + "/accounts/login")
    screenshot(page, f"{framework}-login")
    form = page.get_by_test_id("login-form")
    form.locator('[name="username"]').fill(username)
    form.locator('[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    rows = page.get_by_test_id("history-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("setosa")

    page.get_by_role("link", name="API tokens").click()
    page.get_by_test_id("token-form").locator('[name="name"]').fill("my laptop")
    page.get_by_test_id("token-form").get_by_role("button").click()
    expect(page.get_by_test_id("new-token")).to_have_text(re.compile(r"^[A-Za-z0-9_-]{43}$"))
    screenshot(page, f"{framework}-tokens")

    stranger = browser.new_context()
    try:
        other = stranger.new_page()
        answer = other.goto(prediction_url)
        assert answer is not None and answer.status == 404
        expect(other.get_by_test_id("error-title")).to_have_text("Page not found")
    finally:
        stranger.close()
