"""The whole dashboard once in a real browser: ``streamlit run`` on a free port, headless Chromium.

Opens the app on the staging database (``DATABASE_URL``), clicks through every
page in the sidebar, checks the verdict and the charts, downloads the full
result, and saves a screenshot per page under ``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from apms_ops.ui import navigation
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from harness import CHROMIUM, CHROMIUM_ARGS, running_dashboard  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Pages that draw an Altair chart on the staging demo.
CHART_PAGES = {"deploy-overview", "type-alignment", "fk-coverage", "workspace-versions", "migration-history"}
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def dashboard_url(staging_url, tmp_path_factory):
    """``streamlit run dashboard.py`` on a free port with DATABASE_URL set; always terminated."""
    tmp = tmp_path_factory.mktemp("browser")
    with running_dashboard({
        "DATABASE_URL": staging_url,
        "APMS_OPS_ENV_NAME": "staging",
        "APMS_OPS_SECRETS": str(tmp / "no-secrets.toml"),  # only DATABASE_URL: no developer secrets leak in
    }) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def settle(page) -> None:
    """Wait until the script run is over (the app root's script state, which the frontend keeps current)."""
    try:  # a run may not have started yet right after a click
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=3000)
    except PlaywrightTimeout:
        pass
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=WAIT_MS)


def test_every_page_in_the_browser(dashboard_url, browser, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 2000}, accept_downloads=True)
    page.goto(dashboard_url + "/")

    banner = page.locator(".apms-verdict")
    banner.wait_for(timeout=WAIT_MS)
    assert banner.get_attribute("data-verdict") == "HOLD"
    assert "HOLD" in banner.inner_text()
    assert "Foreign keys are missing: 1 of 46" in page.inner_text("body")

    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="JSON").first.click()
    result = json.loads(Path(download.value.path()).read_text())
    assert result["verdict"] == "HOLD" and len(result["facts"]["references"]) == 46

    pages = navigation.available_pages(ROOT)
    for n, spec in enumerate(pages, start=1):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=spec.title, exact=True).click()
        if not spec.default:
            page.wait_for_url(f"**/{spec.url_path}*", timeout=WAIT_MS)
        page.locator(".apms-verdict-badge").wait_for(timeout=WAIT_MS)
        settle(page)
        assert page.locator(".apms-verdict-badge").get_attribute("data-verdict") == "HOLD", spec.title
        assert "HOLD" in page.locator(".apms-verdict-badge").inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0, f"{spec.title}: a traceback is shown"
        if spec.section == "Review":
            assert page.locator("h1").first.inner_text().strip(), f"{spec.title}: no page title"
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0, f"{spec.title}: error panel"
        if spec.url_path in CHART_PAGES:
            page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(timeout=WAIT_MS)
        page.screenshot(path=str(SCREENSHOTS / f"{n}_{spec.url_path}.png"), full_page=True)
        assert (SCREENSHOTS / f"{n}_{spec.url_path}.png").stat().st_size > 10_000
    page.close()


def test_deep_link_opens_a_page_with_its_sidebar(dashboard_url, browser):
    # Runs after the click-through above: the very first session of a fresh server
    # resolves URLs against pages/ before st.navigation has run (see navigation.PageSpec).
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{dashboard_url}/fk-coverage")
    page.locator(".apms-verdict-badge").wait_for(timeout=WAIT_MS)
    page.get_by_text("1 / 46", exact=True).first.wait_for(timeout=WAIT_MS)
    settle(page)
    assert page.locator("h1").first.inner_text().strip() == "Foreign key coverage"
    assert "Environment" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Page not found" not in page.inner_text("body")
    page.close()
