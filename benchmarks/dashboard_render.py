"""Time from navigation to a rendered Overview (verdict visible) in headless Chromium.

Two databases: the staging demo (the embedded demo server, nothing configured)
and a generated 2,000-table schema (a scratch database on the local server,
created from ``generate_schema_sql(2000)`` and dropped afterwards). For each, a
fresh ``streamlit run dashboard.py`` is started and measured:

* cold: the first visit after the server starts (module imports, the review, the render);
* cached: later visits from new browser sessions (the review comes from ``st.cache_data``);
* review only: ``run_review`` in this process, for comparison.

Usage: ``.venv/bin/python benchmarks/dashboard_render.py [--tables 2000] [--visits 5]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from apms_ops.connections import Environment, demo_environment, dispose_engines  # noqa: E402
from apms_ops.review import run_review  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS, running_dashboard, scratch_database  # noqa: E402
from schema_generator import generate_schema_sql  # noqa: E402

TIMEOUT_MS = 300_000


def time_to_verdict(context, url: str) -> tuple[float, float, str]:
    """Seconds from navigation to the verdict banner, and to the end of the script run; the verdict."""
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        banner = page.locator(".apms-verdict")
        banner.wait_for(state="visible", timeout=TIMEOUT_MS)
        visible = time.perf_counter() - started
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS)
        settled = time.perf_counter() - started
        return visible, settled, banner.get_attribute("data-verdict")
    finally:
        page.close()


def visits(browser, url: str, n: int, *, same_browser: bool) -> list[tuple[float, float, str]]:
    """``n`` visits, each a new Streamlit session: in new browsers (empty HTTP cache) or in one (cache warm)."""
    out = []
    shared = browser.new_context(viewport={"width": 1440, "height": 1000}) if same_browser else None
    try:
        for _ in range(n):
            context = shared or browser.new_context(viewport={"width": 1440, "height": 1000})
            try:
                out.append(time_to_verdict(context, url))
            finally:
                if shared is None:
                    context.close()
    finally:
        if shared is not None:
            shared.close()
    return out


def median(values) -> float:
    return statistics.median(list(values))


def measure(label: str, extra_env: dict[str, str], env: Environment | None, n: int, browser, script: Path | None = None) -> dict:
    print(f"{label}:", flush=True)
    review_s, engine_verdict, tables = None, None, None
    if env is not None:
        started = time.perf_counter()
        review = run_review(env, with_facts=True)
        review_s = time.perf_counter() - started
        engine_verdict, tables = review.verdict, len((review.facts or {}).get("tables") or [])
        dispose_engines()
    with running_dashboard(extra_env, script) as url:
        cold = visits(browser, url + "/", 1, same_browser=False)[0]
        new_browser = visits(browser, url + "/", n, same_browser=False)
        same_browser = visits(browser, url + "/", n, same_browser=True)
    result = {
        "label": label, "verdict": cold[2], "engine_verdict": engine_verdict, "review_s": review_s, "tables": tables,
        "cold": cold[0], "cold_settled": cold[1],
        "cached_new_browser": median(v for v, _, _ in new_browser), "cached_same_browser": median(v for v, _, _ in same_browser),
        "settled_same_browser": median(s for _, s, _ in same_browser),
    }
    review_text = f"review alone {review_s:.2f} s ({tables} tables); " if review_s is not None else ""
    print(f"  verdict {result['verdict']} (engine: {engine_verdict}); {review_text}cold {cold[0]:.2f} s to verdict "
          f"({cold[1]:.2f} s settled); cached: new browser {result['cached_new_browser']:.2f} s, same browser "
          f"{result['cached_same_browser']:.2f} s ({result['settled_same_browser']:.2f} s settled) [medians of {n}]", flush=True)
    return result


BASELINE_APP = """import streamlit as st
st.markdown('<div class="apms-verdict" data-verdict="GO">GO</div>', unsafe_allow_html=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=2000, help="tables in the generated schema (default 2000)")
    parser.add_argument("--visits", type=int, default=5, help="cached visits to time per database (default 5)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="apms-ops-bench-"))
    no_secrets = str(tmp / "no-secrets.toml")  # nothing configured but what each case sets
    baseline = tmp / "baseline_app.py"
    baseline.write_text(BASELINE_APP)
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            results.append(measure("baseline: a one-element Streamlit app", {"APMS_OPS_SECRETS": no_secrets}, None,
                                   args.visits, browser, script=baseline))
            demo = demo_environment("demo-staging")
            results.append(measure("staging demo (nothing configured: demo-staging)",
                                   {"APMS_OPS_SECRETS": no_secrets}, demo, args.visits, browser))
            with scratch_database(f"apmsops_bench_{os.getpid()}_gen{args.tables}", generate_schema_sql(args.tables)) as url:
                results.append(measure(f"generated {args.tables}-table schema (DATABASE_URL)",
                                       {"APMS_OPS_SECRETS": no_secrets, "DATABASE_URL": url, "APMS_OPS_ENV_NAME": f"gen{args.tables}"},
                                       Environment(f"gen{args.tables}", url), args.visits, browser))
        finally:
            browser.close()
            baseline.unlink(missing_ok=True)
            tmp.rmdir()

    print("\nTime from navigation to a rendered Overview (verdict visible), headless Chromium, seconds:")
    print(f"{'case':<52} {'verdict':<8} {'review':>7} {'cold':>7} {'new br.':>8} {'same br.':>9}")
    for r in results:
        review = f"{r['review_s']:.2f}" if r["review_s"] is not None else "-"
        print(f"{r['label']:<52} {r['verdict']:<8} {review:>7} {r['cold']:>7.2f} {r['cached_new_browser']:>8.2f} {r['cached_same_browser']:>9.2f}")
    print("review: run_review alone, in-process. cold: first visit after the server starts (review not cached).\n"
          "new br./same br.: median of later visits, each a new session with the review cached, from a new browser\n"
          "(empty HTTP cache: the page's scripts are downloaded again) or from the same browser (scripts cached).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
