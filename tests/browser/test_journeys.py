"""Browser journeys in Debian's chromium driven by Playwright, against a real server on
127.0.0.1 serving the demo cohort (SQLite; the API suite covers PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tracker import create_app
from tracker.config import TestConfig
from tracker.demo import DEMO_PASSWORD, PHYSIO_EMAIL
from tracker.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/tracker-screenshots"))

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and os.environ.get("CI", "").lower() != "true",
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("browser") / "demo.db"
    app = create_app({**TestConfig.settings(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    # A phone-sized screen: the pages must work there.
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: object, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")


def test_patient_signs_in_and_sees_the_charts(server: str, page: object) -> None:
    sign_in(page, server, "alex@demo.example")
    page.wait_for_url(f"{server}/progress")
    assert page.locator("h1").inner_text() == "My progress"
    images = page.locator(".charts img")
    assert images.count() == 5
    for index in range(5):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") >= 320
    # The page fits a phone: nothing wider than the screen but the scrollable tables.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "patient-progress.png"), full_page=True)


def test_physio_acknowledges_the_foot_drop_alert(server: str, page: object) -> None:
    sign_in(page, server, PHYSIO_EMAIL)
    page.wait_for_url(f"{server}/dashboard")
    rows = page.locator("table.caseload tbody tr")
    assert rows.first.inner_text().startswith("Jordan Lee")  # worst first: two urgent alerts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "physio-caseload.png"), full_page=True)
    page.click("text=Jordan Lee")
    page.wait_for_selector("h1:has-text('Jordan Lee')")
    alert = page.locator("li.alert", has_text="New foot drop")
    assert alert.locator(".status").inner_text().lower() == "open"
    alert.locator("input[name=note]").first.fill("Phoned; urgent spinal referral booked")
    alert.locator("button:has-text('Acknowledge')").click()
    page.wait_for_selector("p.flash")
    alert = page.locator("li.alert", has_text="New foot drop")
    assert alert.locator(".status").inner_text().lower() == "acknowledged"
    page.screenshot(path=str(SCREENSHOTS / "physio-patient.png"), full_page=True)
