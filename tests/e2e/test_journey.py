"""The whole workflow in a real Chromium against the platform on a real Ray cluster.

sign in -> upload a PMML model -> read its variables -> test it from the generated form ->
deploy it -> running -> call it from the test panel -> pause -> resume -> upload a dataset ->
run a predict job -> succeeded, preview its output -> delete the service. Every main page is
saved as a screenshot (build/screenshots) to be looked at.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import CSV_DIR, PMML_DIR
from tests.e2e.browser import signed_in_page
from tests.e2e.conftest import screenshot
from tests.e2e.ui import attach, by_id, choose, confirm, expect_state, field, fill
from tests.live.helpers import upload

pytestmark = [pytest.mark.ray, pytest.mark.browser]

FLOWER = {"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2}


def fill_flower(page) -> None:
    for name, value in FLOWER.items():
        fill(page, f"field-{name}", value)


def test_the_whole_journey(live_platform, browser) -> None:
    page = signed_in_page(browser, live_platform.url, live_platform.admin_token)

    # Upload a PMML model and land on its page.
    page.goto("/models")
    screenshot(page, "01-models-empty")
    by_id(page, "upload-model").click()
    attach(page, "upload-file", PMML_DIR / "DecisionTreeIris.pmml")
    fill(page, "upload-name", "ui-iris")
    screenshot(page, "02-upload-dialog")
    by_id(page, "upload-submit").click()
    page.wait_for_url(re.compile(r"/models/ui-iris"))
    expect(page.get_by_text("DecisionTree", exact=False).first).to_be_visible()
    screenshot(page, "03-model-overview")

    # Its variables.
    page.goto("/models/ui-iris?tab=variables")
    inputs = by_id(page, "variables-inputs")
    for name in FLOWER:
        expect(inputs).to_contain_text(name)
    screenshot(page, "04-model-variables")

    # Test it from the form generated from its schema.
    page.goto("/models/ui-iris?tab=test")
    fill_flower(page)
    by_id(page, "test-run").click()
    expect(by_id(page, "test-result")).to_contain_text("setosa", timeout=60_000)
    screenshot(page, "05-model-test")

    # Deploy it and wait for running.
    page.goto("/models/ui-iris")
    by_id(page, "deploy-model").click()
    page.wait_for_url(re.compile(r"/services/new"))
    fill(page, "deploy-name", "ui-iris")
    screenshot(page, "06-deploy-form")
    by_id(page, "deploy-submit").click()
    page.wait_for_url(re.compile(r"/services/ui-iris"))
    expect(by_id(page, "service-key")).to_be_visible()
    expect_state(page, "service-state", "running", timeout_s=180)
    screenshot(page, "07-service-overview")

    # Call the live service from its test panel. The ingress may take a moment to route a
    # service Serve calls running; until then the panel shows the platform's 503 and a user
    # presses the button again.
    page.goto("/services/ui-iris?tab=test")
    fill_flower(page)
    for _attempt in range(30):
        by_id(page, "test-run").click()
        try:
            expect(by_id(page, "test-result")).to_contain_text("setosa", timeout=5_000)
            break
        except AssertionError:
            expect(by_id(page, "test-error")).to_contain_text("ui-iris")
            page.wait_for_timeout(1000)
    expect(by_id(page, "test-result")).to_contain_text("setosa")
    screenshot(page, "08-service-test")

    # Pause, then resume.
    page.goto("/services/ui-iris")
    by_id(page, "service-pause").click()
    expect_state(page, "service-state", "paused", timeout_s=120)
    by_id(page, "service-resume").click()
    expect_state(page, "service-state", "running", timeout_s=180)

    # Upload a dataset.
    page.goto("/datasets")
    by_id(page, "upload-dataset").click()
    attach(page, "dataset-file", CSV_DIR / "Iris.csv")
    fill(page, "dataset-name", "ui-iris-rows")
    by_id(page, "dataset-submit").click()
    page.wait_for_url(re.compile(r"/datasets/ui-iris-rows"))
    expect(by_id(page, "dataset-preview")).to_contain_text("setosa")
    screenshot(page, "09-dataset")

    # A predict job, run, succeeded, its output previewed.
    page.goto("/jobs/new")
    fill(page, "job-name", "ui-score")
    by_id(page, "job-next").click()
    choose(page, "job-model", "ui-iris")
    choose(page, "job-input", "ui-iris-rows")
    screenshot(page, "10-job-wizard")
    by_id(page, "job-next").click()
    by_id(page, "job-submit").click()
    page.wait_for_url(re.compile(r"/jobs/ui-score"))
    by_id(page, "run-now").click()
    runs = by_id(page, "runs-table")
    expect(runs.locator('[data-state="succeeded"]').first).to_be_visible(timeout=300_000)
    runs.locator('[data-testid^="run-details-"]').first.click()
    expect(by_id(page, "run-output-preview")).to_contain_text("setosa", timeout=30_000)
    screenshot(page, "11-job-run")

    # Delete the service.
    page.goto("/services/ui-iris")
    by_id(page, "service-delete").click()
    confirm(page)
    page.wait_for_url(re.compile(r"/services/?$"), timeout=60_000)
    screenshot(page, "12-services")
    page.goto("/cluster")
    screenshot(page, "13-cluster")


def test_a_rejected_upload_shows_the_platforms_reason(live_platform, browser, tmp_path) -> None:
    bogus = tmp_path / "broken.pmml"
    bogus.write_text("<PMML><this is not xml")
    with httpx.Client(base_url=live_platform.url, headers=live_platform.headers) as http:
        reason = http.post("/api/v1/models", files={"file": (bogus.name, bogus.read_bytes())},
                           data={"name": "ui-broken"}).json()["error"]["message"]
    page = signed_in_page(browser, live_platform.url, live_platform.admin_token)
    page.goto("/models")
    by_id(page, "upload-model").click()
    attach(page, "upload-file", bogus)
    fill(page, "upload-name", "ui-broken")
    by_id(page, "upload-submit").click()
    expect(by_id(page, "upload-error")).to_contain_text(reason)
    screenshot(page, "20-upload-rejected")


def test_a_viewer_sees_no_deploy_or_upload(live_platform, browser) -> None:
    upload(live_platform, "ui-viewed", PMML_DIR / "DecisionTreeIris.pmml")
    with httpx.Client(base_url=live_platform.url, headers=live_platform.headers) as http:
        secret = http.post("/api/v1/tokens", json={"name": "ui-viewer", "role": "viewer"}).json()["token"]
    page = signed_in_page(browser, live_platform.url, secret)
    page.goto("/models/ui-viewed")
    expect(page.get_by_text("ui-viewed").first).to_be_visible()
    expect(by_id(page, "deploy-model")).to_have_count(0)
    page.goto("/models")
    expect(page.get_by_role("link", name="ui-viewed")).to_be_visible()
    expect(by_id(page, "upload-model")).to_have_count(0)
    page.goto("/services")
    expect(by_id(page, "deploy-service")).to_have_count(0)


def test_switching_to_chinese_changes_the_labels(live_platform, browser) -> None:
    page = signed_in_page(browser, live_platform.url, live_platform.admin_token)
    page.goto("/models")
    navigation = by_id(page, "nav")
    expect(navigation).to_contain_text("Models")
    choose(page, "language", "简体中文")
    expect(navigation).to_contain_text("模型")
    expect(navigation).not_to_contain_text("Models")
    screenshot(page, "21-models-chinese")
    page.reload()
    expect(navigation).to_contain_text("模型")


def test_a_revoked_token_goes_back_to_sign_in(live_platform, browser) -> None:
    with httpx.Client(base_url=live_platform.url, headers=live_platform.headers) as http:
        created = http.post("/api/v1/tokens", json={"name": "ui-short-lived", "role": "editor"}).json()
        page = signed_in_page(browser, live_platform.url, created["token"])
        assert http.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    page.goto("/datasets")
    page.wait_for_url(re.compile(r"/signin"), timeout=30_000)
    screenshot(page, "22-signed-out")
    expect(by_id(page, "signin-error")).to_be_visible()
    assert field(page, "token").input_value() == ""


@pytest.mark.parametrize("path", ["/models", "/models/ui-viewed?tab=test", "/services", "/services/new",
                                  "/datasets", "/jobs", "/jobs/new", "/cluster"])
def test_pages_fit_800_pixels_wide(live_platform, browser, path) -> None:
    upload(live_platform, "ui-viewed", PMML_DIR / "DecisionTreeIris.pmml")
    page = signed_in_page(browser, live_platform.url, live_platform.admin_token, width=800)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    screenshot(page, f"narrow{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
