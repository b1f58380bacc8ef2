"""The History page with AppTest against real PostgreSQL: trends and a diff after three audits with a fault
injected, the viewer/operator split, and every write (save, accept, revoke, sign off) landing in the store."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from streamlit.testing.v1 import AppTest

from apms_ops.connections import Environment
from apms_ops.history import HistoryStore, run_audit
from apms_ops.review import run_review
from apms_ops.ui import report
from conftest import ROOT, admin_connection

DASHBOARD = ROOT / "dashboard.py"
PAGE = "pages/9_audit-history.py"
PASSCODE = "correct horse battery"
ORPHANS = ("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
           "SELECT 'orphan-' || g, workspace_id, 'missing-version', 'ORPHAN_' || g, 'orphan' FROM "
           "(SELECT workspace_id FROM config_versions ORDER BY id LIMIT 1) w, generate_series(1, 3) g")


@pytest.fixture
def history_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", url)
    monkeypatch.setenv("APMS_OPS_OPERATOR_PASSCODE", PASSCODE)
    return url


@pytest.fixture
def staging_copy(scratch, tmp_path, monkeypatch, history_url):
    """A staging copy named "staging" in the app's secrets, with three saved audits and orphans injected before the third."""
    env = scratch.make("staging")
    path = tmp_path / "secrets.toml"
    path.write_text(tomli_w.dumps({"connections": {"staging": {"url": env.url}}}))
    monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    env = Environment("staging", env.url, source="secrets")
    store = HistoryStore(history_url)
    run_audit(env, store, run_by="scheduler")
    run_audit(env, store, run_by="scheduler")
    with admin_connection(env.url) as conn:
        conn.execute(ORPHANS)
    run_audit(env, store, run_by="scheduler")
    yield env, store
    store.engine.dispose()


def history_page() -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def frame_with(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def sign_in(at: AppTest, name: str = "Olga Operator") -> AppTest:
    at.text_input(key="history.operator.name").input(name)
    at.text_input(key="history.operator.passcode").input(PASSCODE)
    next(b for b in at.button if b.label == "Sign in as operator").click().run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def test_viewer_sees_the_fault_as_a_trend_and_a_diff(staging_copy):
    at = history_page()
    assert [s.value for s in at.subheader] == ["Verdict timeline", "Trends — staging", "Compare two runs", "Accepted findings", "Sign-off"]
    assert len(at.get("vega_lite_chart")) == 5  # the timeline and four trends (orphans included: there are some)

    trend = frame_with(at, "FK coverage (%)")
    assert list(trend["Run"]) == ["#1", "#2", "#3"]
    assert list(trend["Verdict"]) == ["HOLD", "HOLD", "NO-GO"]
    assert list(trend["Orphans"]) == [0, 0, 3]
    assert list(trend["FK present"]) == [1, 1, 1] and list(trend["CHECKs"]) == [21, 21, 21]
    assert list(trend["ACTIVE violations"]) == [0, 0, 0]

    assert any(m.value == "Run #2 (**HOLD**) → run #3 (**NO-GO**): worse." for m in at.markdown)
    checks = frame_with(at, "Status before")
    assert {"Change": "worse", "Check": "C1.orphans", "Status before": "PASS", "Status after": "FAIL", "Actual before": "0",
            "Actual after": "3"}.items() <= checks.to_dict("records")[0].items()
    findings = frame_with(at, "Fingerprint")
    assert list(findings["Change"]) == ["new"] and "master_roles" in findings["Finding"][0]
    assert {"Worse": "1", "Better": "0", "New findings": "1", "Resolved findings": "0"}.items() <= {m.label: m.value for m in at.metric}.items()

    # A viewer sees everything but no button that writes.
    assert any("You see the results, not the buttons" in i.value for i in at.info)
    labels = {b.label for b in at.button}
    assert not labels & {"Save this run", "Accept finding", "Revoke", "Sign off"}
    assert len(at.get("download_button")) >= 2  # the report of the review shown and of the run compared to

    # Comparing the other way round: the fault is resolved.
    at.selectbox(key="history.diff.3.a").set_value(3)
    at.selectbox(key="history.diff.3.b").set_value(1).run()
    assert not at.exception
    assert any(m.value.startswith("Run #3 (**NO-GO**) → run #1 (**HOLD**): better") for m in at.markdown)


def test_operator_saves_accepts_revokes_and_signs_off(staging_copy):
    env, store = staging_copy
    at = sign_in(history_page())
    assert any("Operator: **Olga Operator**" in m.value for m in at.markdown)

    at.button(key="history.save").click().run()
    assert not at.exception
    [latest] = store.list_reviews("staging", limit=1)
    assert (latest["id"], latest["source"], latest["run_by"], latest["verdict"]) == (4, "dashboard", "Olga Operator", "NO_GO")
    assert any(s.value == "Saved as run #4." for s in at.success)
    # The comparison moves on to the newest two runs, whatever was compared before.
    assert any(m.value.startswith("Run #3 (**NO-GO**) → run #4 (**NO-GO**)") for m in at.markdown)

    # Accept the missing CHECK: it stays FAIL, the verdict of the next saved run leaves it out.
    finding = next(o for o in at.selectbox(key="history.accept.finding").options if o.startswith("C1.check_constraints"))
    at.selectbox(key="history.accept.finding").set_value(finding)
    at.text_area(key="history.accept.reason").input("The next migration adds it; tracked in the release plan.")
    submit(at, "Accept finding")
    [acc] = store.list_acceptances("staging")
    assert (acc["check_id"], acc["accepted_by"], acc["environment"]) == ("C1.check_constraints", "Olga Operator", "staging")
    assert any(s.value.startswith(f"Acceptance #{acc['id']} recorded: the verdict leaves the finding out from now on")
               for s in at.success)
    accepted = frame_with(at, "Reason")
    assert list(accepted["Accepted by"]) == ["Olga Operator"]
    review = run_review(env, acceptances=store.active_acceptances("staging"))
    assert review.check("C1.check_constraints").status == "FAIL"
    assert "R10" not in {r.rule for r in review.reasons}

    # The accepted finding is no longer offered: the review shown applies today's acceptances.
    options = at.selectbox(key="history.accept.finding").options
    assert finding not in options
    # Without a reason nothing is stored and the page says why.
    at.selectbox(key="history.accept.finding").set_value(options[0])
    submit(at, "Accept finding")
    assert any("needs a reason" in e.proto.body for e in at.error)
    assert len(store.list_acceptances("staging", include_inactive=True)) == 1

    at.selectbox(key="history.revoke.id").set_value(acc["id"])
    submit(at, "Revoke")
    assert store.get_acceptance(acc["id"])["revoked_by"] == "Olga Operator"

    at.radio(key="history.signoff.decision").set_value("NO_GO")
    assert at.text_input(key="history.signoff.migration").value == "20251229010228_add_master_tables_final_v2"
    at.text_area(key="history.signoff.comment").input("Orphans appeared since last week: fix them first.")
    submit(at, "Sign off")
    latest = store.latest_sign_off("staging")
    assert (latest["decision"], latest["signed_by"], latest["review_run_id"]) == ("NO_GO", "Olga Operator", 4)
    assert any(m.value.startswith("Latest: **NO\\-GO by Olga Operator") for m in at.markdown)

    # The report the Overview and this page offer carries the sign-off.
    text = report.report_text(run_review(env), "markdown")
    assert "**Sign-off:** **NO-GO** by Olga Operator" in text and "Orphans appeared since last week" in text


def test_empty_history_and_a_database_that_is_down(tmp_path, monkeypatch, history_url):
    path = tmp_path / "secrets.toml"
    path.write_text(tomli_w.dumps({"connections": {"prod": {"url": "postgresql://postgres@127.0.0.1:1/nowhere"}}}))
    monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = history_page()
    assert any("Database unreachable" in e.proto.title for e in at.error)
    notes = [c.value for c in at.caption]
    assert any("No saved runs yet" in n for n in notes)
    assert any("No saved runs of prod yet" in n for n in notes)
    assert any("Two saved runs" in n for n in notes)
    assert not at.success, "an empty history is not good news: no check mark"
    assert not at.get("vega_lite_chart")


def test_the_report_helper_works_without_a_history_store(staging_env, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", f"sqlite:///{blocker / 'sub' / 'h.sqlite3'}")
    text = report.report_text(run_review(staging_env), "markdown")
    assert text.startswith("# Validation report: staging — HOLD")
    assert "The history store could not be read" in text
    assert report.file_name(run_review(staging_env), "html").endswith(".html")
    assert Path(report.file_name(run_review(staging_env), "markdown", 7)).name.startswith("apms-ops-report-staging-run7-")
