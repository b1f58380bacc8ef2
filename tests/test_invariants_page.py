"""The Invariant tests page with AppTest against the seeded databases: operators run, viewers watch, the history records."""

from __future__ import annotations

import pytest
import tomli_w
from streamlit.testing.v1 import AppTest

from apms_ops.history import HistoryStore
from apms_ops.operators import PASSCODE_ENV
from conftest import ROOT
from test_invariants import content_checksums

DASHBOARD = ROOT / "dashboard.py"
PAGE = "pages/8_invariant-tests.py"
TIMEOUT = 120
PASSCODE = "correct horse battery"


@pytest.fixture
def configure(tmp_path, monkeypatch):
    """``configure(connections={...}, apms_ops={...})``: exactly these secrets, a fresh history store."""
    history_url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", history_url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv(PASSCODE_ENV, raising=False)

    def write(connections: dict, apms_ops: dict | None = None) -> HistoryStore:
        path = tmp_path / "secrets.toml"
        path.write_text(tomli_w.dumps({"connections": connections, **({"apms_ops": apms_ops} if apms_ops else {})}))
        monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
        return HistoryStore(history_url)

    return write


def open_page() -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("invariants.run")]


def sign_in(at: AppTest, name: str, passcode: str) -> AppTest:
    at.text_input(key="invariants.operator.name").input(name)
    at.text_input(key="invariants.operator.passcode").input(passcode)
    next(b for b in at.button if b.label == "Sign in as operator").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "title", "subheader") for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def test_operator_runs_a_test_and_sees_outcome_and_steps(configure, staging_url):
    history = configure({"staging": {"url": staging_url}}, {"operator_passcode": PASSCODE})
    before = content_checksums(staging_url)
    at = open_page()
    assert run_buttons(at) == []  # not signed in yet
    sign_in(at, "Alice Nguyen", PASSCODE)
    assert run_buttons(at) == ["invariants.run_all", "invariants.run.freeze_by_reference", "invariants.run.one_active_per_workspace",
                               "invariants.run.lifecycle", "invariants.run.isolation", "invariants.run.referential"]
    assert "Operator: **Alice Nguyen**" in texts(at)

    at.button(key="invariants.run.lifecycle").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Configuration lifecycle — NOT_ENFORCED" in texts(at)
    assert "an ACTIVE version with activated\\_at NULL was stored" in texts(at)
    steps = at.dataframe[0].value
    outcomes = dict(zip(steps["Step"], steps["Outcome"]))
    assert outcomes["an ACTIVE version without activated_at is rejected"] == "NOT_ENFORCED"
    assert outcomes["an illegal status is rejected"] == "PASS"
    assert outcomes["roll back the test transaction"] == "PASS"
    assert outcomes["after-check on a fresh read-only connection"] == "PASS"
    assert set(steps.loc[steps["Step"] == "an illegal status is rejected", "SQLSTATE"]) == {"23514"}

    recorded = history.list_invariant_runs(environment="staging")
    assert [(r["test"], r["outcome"], r["run_by"]) for r in recorded] == [("lifecycle", "NOT_ENFORCED", "Alice Nguyen")]
    shown = at.dataframe[-1].value  # the history table
    assert list(shown["Test"]) == ["lifecycle"] and list(shown["Run by"]) == ["Alice Nguyen"]
    assert content_checksums(staging_url) == before


def test_run_all_shows_every_outcome_and_leaves_nothing(configure, staging_url):
    history = configure({"staging": {"url": staging_url}}, {"operator_passcode": PASSCODE})
    before = content_checksums(staging_url)
    at = sign_in(open_page(), "Bob", PASSCODE)
    at.button(key="invariants.run_all").click().run()
    assert not at.exception and not at.error
    shown = texts(at)
    for title, outcome in [("Freeze by reference", "PASS"), ("One ACTIVE version per workspace", "PASS"),
                           ("Configuration lifecycle", "NOT_ENFORCED"), ("Workspace isolation", "NOT_ENFORCED"),
                           ("References to config versions", "NOT_ENFORCED")]:
        assert f"{title} — {outcome}" in shown
    assert len(history.list_invariant_runs(environment="staging")) == 5
    assert content_checksums(staging_url) == before
    # The history filters by test.
    at.selectbox(key="invariants.history.test").select("isolation").run()
    table = at.dataframe[-1].value
    assert list(table["Test"]) == ["isolation"] and list(table["Outcome"]) == ["NOT_ENFORCED"]


def test_viewer_sees_results_but_no_button(configure, staging_url):
    history = configure({"staging": {"url": staging_url}}, {"operator_passcode": PASSCODE})
    at = sign_in(open_page(), "Carol", PASSCODE)
    at.button(key="invariants.run.one_active_per_workspace").click().run()
    # Someone else, not signed in: the latest run and the history, no button.
    viewer = open_page()
    assert run_buttons(viewer) == []
    shown = texts(viewer)
    assert "enter the operator passcode" in shown
    assert "One ACTIVE version per workspace — PASS" in shown
    assert list(viewer.dataframe[-1].value["Run by"]) == ["Carol"]
    assert [r["run_by"] for r in history.list_invariant_runs()] == ["Carol"]


def test_wrong_passcode_gives_no_button(configure, staging_url):
    configure({"staging": {"url": staging_url}}, {"operator_passcode": PASSCODE})
    at = sign_in(open_page(), "Mallory", "guess")
    assert run_buttons(at) == []
    assert "wrong passcode" in texts(at)


def test_passcode_from_the_environment(configure, staging_url, monkeypatch):
    configure({"staging": {"url": staging_url}})
    monkeypatch.setenv(PASSCODE_ENV, PASSCODE)
    at = sign_in(open_page(), "Dan", PASSCODE)
    assert "invariants.run_all" in run_buttons(at)


def test_no_operator_configured_means_viewer_outside_the_demo(configure, fixed_url):
    configure({"fixed": {"url": fixed_url}})
    at = open_page()
    assert run_buttons(at) == []
    assert "only the embedded demo can be tested" in texts(at)
    assert "No invariant test has run on fixed yet." in texts(at)


def test_protected_environment_has_no_button_even_for_operators(configure, staging_url):
    configure({"production": {"url": staging_url, "protected": True}}, {"operator_passcode": PASSCODE})
    at = sign_in(open_page(), "Alice", PASSCODE)
    assert run_buttons(at) == []
    assert "production is protected" in texts(at) and "allow_invariants = true" in texts(at)


def test_page_is_in_the_navigation():
    from apms_ops.ui import navigation

    assert PAGE in [p.path for p in navigation.available_pages(ROOT)]
    assert (ROOT / PAGE).read_text().upper().count("SELECT ") == 0


def test_anyone_may_test_the_embedded_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("APMS_OPS_SECRETS", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv(PASSCODE_ENV, raising=False)
    at = open_page()
    assert "invariants.run_all" in run_buttons(at)  # no sign-in: the demo is open to everyone
    url = next(c for c in at.caption if "statement_timeout" in c.value).value.split("`")[1]  # demo-staging, no password
    before = content_checksums(url)
    at.button(key="invariants.run.one_active_per_workspace").click().run()
    assert not at.exception and "One ACTIVE version per workspace — PASS" in texts(at)
    assert list(at.dataframe[-1].value["Run by"]) == ["demo user"]
    assert content_checksums(url) == before
