"""The whole dashboard in a real browser: ``streamlit run`` on a free port, headless Chromium.

Two environments (the staging state and the intended design) from a secrets file. The tests
walk what a lead does in a review meeting — switch environment, navigate, reload, open a
finding's permalink in a fresh browser — and check that the environment and the verdict hold
each time; that the Overview's verdict, reasons, caveats and next actions are above the fold
at 1440x900; that no page of the staging state is taller than 4,000 px; that Ctrl+P of the
Overview is one page; that the HTML report opens in a new tab. Every page is saved as a
screenshot at 1440x900 and 1280x720 under ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import tomli_w
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from apms_ops.connections import Environment
from apms_ops.history import HistoryStore, run_audit
from apms_ops.invariants import run_invariants
from apms_ops.ui import navigation
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from harness import CHROMIUM, CHROMIUM_ARGS, running_dashboard  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = ((1440, 900), (1280, 720))
MAX_PAGE_HEIGHT = 4000
WAIT_MS = 60_000
FOLD_PARTS = ("verdict", "reasons", "caveats", "actions")


@pytest.fixture(scope="module")
def dashboard_url(staging_url, fixed_url, tmp_path_factory):
    """``streamlit run dashboard.py`` with two environments and a history with something to show; always terminated.

    The history, as a team has it after a week: two scheduled audits of each environment, a
    sign-off, and the invariant tests run on both (staging: three NOT_ENFORCED; fixed: isolation).
    """
    tmp = tmp_path_factory.mktemp("browser")
    secrets = tmp / "secrets.toml"
    secrets.write_text(tomli_w.dumps({"connections": {"staging": {"url": staging_url}, "fixed": {"url": fixed_url}}}))
    history = f"sqlite:///{tmp / 'history.sqlite3'}"
    store = HistoryStore(history)
    try:
        for env in (Environment("staging", staging_url, source="secrets", allow_invariants=True),
                    Environment("fixed", fixed_url, source="secrets", allow_invariants=True)):
            run_audit(env, store, run_by="scheduler")
            run_audit(env, store, run_by="scheduler")
            run_invariants(env, run_by="lead", store=store)
        store.sign_off("staging", "HOLD", migration="20251229010228_add_master_tables_final_v2",
                       comment="Add the foreign keys and the CHECK first", signed_by="lead")
    finally:
        store.engine.dispose()
    with running_dashboard({"APMS_OPS_SECRETS": str(secrets), "APMS_OPS_HISTORY_URL": history}) as url:
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


def open_page(page, url: str) -> None:
    page.goto(url)
    page.locator(".apms-verdict-badge, [data-testid='stAlertContentError']").first.wait_for(timeout=WAIT_MS)
    settle(page)


def shown(page) -> tuple[str | None, str | None]:
    """(environment in the URL, verdict of the sidebar badge)."""
    env = re.search(r"[?&]env=([^&#]+)", page.url)
    badge = page.locator(".apms-verdict-badge")
    return (env[1] if env else None), (badge.get_attribute("data-verdict") if badge.count() else None)


def content_height(page) -> int:
    return page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")


def full_screenshot(page, path: Path, viewport: tuple[int, int]) -> int:
    """The screen as it opens, then the whole page (Streamlit scrolls inside the window: grow the window)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path.with_name(path.stem + "_fold.png")))
    height = content_height(page)
    page.set_viewport_size({"width": viewport[0], "height": min(height + 40, 8000)})
    page.wait_for_timeout(300)  # let the grown window repaint its canvases (charts, tables)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    return height


def sidebar_nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    settle(page)


def pick_environment(page, name: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=name, exact=True).click()
    settle(page)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_every_page_fits_and_is_saved_as_a_screenshot(dashboard_url, browser, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith((dashboard_url, "data:", "blob:")) else None)
    heights = {}
    for n, spec in enumerate(navigation.available_pages(ROOT), start=1):
        open_page(page, f"{dashboard_url}/{'' if spec.default else spec.url_path}?env=staging")
        assert shown(page) == ("staging", "HOLD"), spec.title
        assert page.locator('[data-testid="stException"]').count() == 0, f"{spec.title}: a traceback is shown"
        if spec.section == "Review":
            assert page.locator("h1").first.inner_text().strip(), f"{spec.title}: no page title"
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0, f"{spec.title}: error panel"
        assert page.get_by_role("button", name="Deploy").count() == 0, "Streamlit's Deploy button beside the verdict"
        heights[spec.url_path] = full_screenshot(page, SCREENSHOTS / f"{viewport[0]}x{viewport[1]}" / f"{n:02d}_{spec.url_path}.png",
                                                 viewport)
    too_tall = {k: v for k, v in heights.items() if v > MAX_PAGE_HEIGHT}
    assert not too_tall, f"pages taller than {MAX_PAGE_HEIGHT} px: {too_tall}"
    assert external == [], sorted(set(external))
    context.close()


def test_environment_and_verdict_hold_through_switch_navigate_reload_and_a_permalink(dashboard_url, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    open_page(page, dashboard_url + "/")
    assert shown(page) == ("staging", "HOLD")

    pick_environment(page, "fixed")
    assert shown(page) == ("fixed", "GO")
    assert page.locator(".apms-verdict").get_attribute("data-verdict") == "GO"
    for title in ("FK coverage", "Findings", "Relations", "History"):
        sidebar_nav(page, title)
        assert shown(page) == ("fixed", "GO"), f"after navigating to {title}: {page.url}"
    page.reload()
    page.locator(".apms-verdict-badge").wait_for(timeout=WAIT_MS)
    settle(page)
    assert shown(page) == ("fixed", "GO") and "/audit-history" in page.url

    # A finding's permalink, taken from the Overview's next actions, opened in a fresh browser.
    pick_environment(page, "staging")
    sidebar_nav(page, "Overview")
    assert shown(page) == ("staging", "HOLD")
    page.get_by_role("link", name="Open the finding").click()
    settle(page)
    page.locator(".st-key-apms-finding").wait_for(timeout=WAIT_MS)
    permalink = page.url
    assert "/findings?" in permalink and "check=C1.check_constraints" in permalink and "finding=" in permalink
    assert shown(page) == ("staging", "HOLD")
    context.close()

    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
    page = fresh.new_page()
    open_page(page, permalink)
    page.locator(".st-key-apms-finding").wait_for(timeout=WAIT_MS)
    assert shown(page) == ("staging", "HOLD") and page.url == permalink
    assert page.locator("h1").first.inner_text().strip() == "CHECK constraints"
    card = page.locator(".st-key-apms-finding").bounding_box()
    assert card["y"] < 900, f"the linked finding starts {card['y']:.0f} px down: below the fold"
    card = page.locator(".st-key-apms-finding").inner_text()
    assert "status <> 'ACTIVE' OR activated_at IS NOT NULL" in card and "ALTER TABLE" in card
    assert "Page not found" not in page.inner_text("body")
    open_page(page, f"{dashboard_url}/fk-coverage?env=fixed")
    assert shown(page) == ("fixed", "GO")
    fresh.close()


def test_a_shared_link_opened_first_on_a_fresh_server_shows_its_page_under_the_router(staging_url, fixed_url, browser, tmp_path):
    # Before dashboard.py has run once, Streamlit resolves the URL against the files of pages/
    # and may run the page alone: no "Page not found", and the shared sidebar is there.
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(tomli_w.dumps({"connections": {"staging": {"url": staging_url}, "fixed": {"url": fixed_url}}}))
    env = {"APMS_OPS_SECRETS": str(secrets), "APMS_OPS_HISTORY_URL": f"sqlite:///{tmp_path / 'history.sqlite3'}"}
    with running_dashboard(env) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        open_page(page, f"{url}/fk-coverage?env=fixed")
        assert shown(page) == ("fixed", "GO")
        assert "/fk-coverage" in page.url
        assert page.locator("h1").first.inner_text().strip() == "Foreign key coverage"
        assert "Page not found" not in page.inner_text("body")
        context.close()


@pytest.mark.parametrize("env", ["staging", "fixed"])
def test_the_overview_fits_verdict_reasons_caveats_and_actions_above_the_fold(dashboard_url, browser, env):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    open_page(page, f"{dashboard_url}/?env={env}")
    for part in FOLD_PARTS:
        box = page.locator(f".st-key-apms-overview-{part}").bounding_box()
        assert box is not None, part
        assert box["y"] >= 0 and box["y"] + box["height"] <= 900, f"{env}: {part} ends at {box['y'] + box['height']:.0f} px"
    (SCREENSHOTS / "1440x900").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "1440x900" / f"overview_fold_{env}.png"))
    context.close()


def test_the_overview_prints_on_one_page(dashboard_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    open_page(page, f"{dashboard_url}/?env=staging")
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    labels = page.locator('[data-testid="stMetricLabel"]')
    for i in range(labels.count()):
        box = labels.nth(i).bounding_box()
        assert box["height"] < 30, f"tile label {labels.nth(i).inner_text()!r} breaks over lines in print"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1047, "height": 718})  # A4 landscape less the 10 mm margins, in CSS pixels
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "print_overview.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / "print_overview.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"Ctrl+P of the Overview gives {pages} pages"
    context.close()


def test_the_html_report_opens_in_a_new_tab_and_json_downloads(dashboard_url, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    open_page(page, f"{dashboard_url}/?env=staging")
    with context.expect_page(timeout=WAIT_MS) as opened:
        page.locator("a.apms-report-link").click()
    report = opened.value
    report.wait_for_load_state()
    assert report.title() == "Validation report: staging — HOLD"
    assert "Foreign keys are missing" in report.inner_text("body")

    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="JSON").first.click()
    result = json.loads(Path(download.value.path()).read_text())
    assert result["verdict"] == "HOLD" and len(result["facts"]["references"]) == 46
    context.close()
