"""The dashboard, page by page, with AppTest against real PostgreSQL databases.

Every test points the app at its own secrets file (``APMS_OPS_SECRETS``) and history store
(the session's, see conftest) so a developer's ``.streamlit/secrets.toml`` or
``DATABASE_URL`` never leaks in. A real browser walks the app in ``test_browser.py``.
"""

from __future__ import annotations

import ast

import json
import re
import socket
import threading
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest
import tomli_w
from psycopg import sql
from streamlit.testing.v1 import AppTest

from apms_ops.connections import Environment
from apms_ops.errors import ConfigError, DatabaseError, ProfileError
from apms_ops.history import HistoryStore
from apms_ops.review import Review, run_review
from apms_ops.ui import navigation, relations, tables, widgets
from conftest import ROOT, SOON, admin_connection

DASHBOARD = ROOT / "dashboard.py"
REVIEW_PAGES = [p.path for p in navigation.PAGES if p.section == "Review"]
OVERVIEW, FINDINGS, RELATIONS = (navigation.path_of(u) for u in ("deploy-overview", "findings", "relations"))
FK_PAGE, ORPHANS_PAGE = navigation.path_of("fk-coverage"), navigation.path_of("orphans-isolation")
TIMEOUT = 120


# ---------------------------------------------------------------- helpers


@pytest.fixture
def configure(tmp_path, monkeypatch):
    """``configure(name=url, ...)``: the app's environments, exactly these (none: the embedded demo).

    A value may also be a dict: the whole ``[connections.<name>]`` table."""

    def write(**connections) -> Path:
        path = tmp_path / "secrets.toml"
        tables_ = {name: (value if isinstance(value, dict) else {"url": value}) for name, value in connections.items()}
        path.write_text(tomli_w.dumps({"connections": tables_}))
        monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        return path

    return write


@pytest.fixture
def history(tmp_path, monkeypatch):
    """This test's own history store, empty."""
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", url)
    store = HistoryStore(url)
    yield store
    store.engine.dispose()


def app(**query) -> AppTest:
    """A fresh browser session, opened on a URL with ``query`` (``env=..., check=...``)."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def texts(at: AppTest) -> str:
    """Everything a reader can see as text on the current run (main area and sidebar)."""
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += error_panels(at)
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        parts.append(df.value.to_csv(index=False))
    for t in at.table:
        parts.append(t.value.to_csv())
    return "\n".join(parts)


def says(at: AppTest, text: str) -> bool:
    """``text`` is on the page, as plain text or as Markdown-escaped data."""
    shown = texts(at)
    return text in shown or widgets.md_escape(text) in shown


def error_panels(at: AppTest) -> list[str]:
    """Each error panel as "title: body"."""
    return [f"{e.proto.title}: {e.proto.body}" for e in at.error]


def banner_verdict(at: AppTest) -> str | None:
    for m in at.markdown:
        if 'class="apms-verdict"' in m.value:
            return m.value.split('data-verdict="', 1)[1].split('"', 1)[0]
    return None


def sidebar_verdict(at: AppTest) -> str | None:
    for m in at.sidebar.markdown:
        if "apms-verdict-badge" in m.value:
            return m.value.split('data-verdict="', 1)[1].split('"', 1)[0]
    return None


def sidebar_badge(at: AppTest) -> str:
    return next(m.value for m in at.sidebar.markdown if "apms-verdict-badge" in m.value)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def page_links(at: AppTest) -> dict[str, str]:
    """label -> "page?query" of every in-app link."""
    return {p.proto.label: f"{p.proto.page}?{p.proto.query_string}" for p in at.get("page_link")}


def markdown_with(at: AppTest, start: str) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(start))


def graph(at: AppTest) -> str:
    [chart] = at.get("graphviz_chart")
    return chart.proto.spec


# ---------------------------------------------------------------- every page, staging and fixed


def test_every_page_renders_on_staging(configure, staging_url):
    configure(staging=staging_url)
    at = app()
    for page in [p.path for p in navigation.available_pages(ROOT)]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page in REVIEW_PAGES:
            assert not at.error, (page, [e.value for e in at.error])
            assert at.title, page
            assert sidebar_verdict(at) == "HOLD", page
            assert at.get("download_button"), f"{page}: no download"
        assert at.query_params.get("env") == "staging", f"{page}: the environment left the URL"


def test_overview_holds_a_review_meeting_on_staging(configure, staging_url, staging_env, history):
    configure(staging=staging_url)
    engine = run_review(staging_env, with_facts=True)
    at = app()
    assert not at.exception
    assert banner_verdict(at) == sidebar_verdict(at) == engine.verdict == "HOLD"

    # The reasons in words, the rule id second.
    why = markdown_with(at, "- **HOLD** · ")
    for reason in engine.reasons:
        assert f"- **HOLD** · {widgets.md_escape(reason.text)} `{reason.rule}`" in why

    # The caveats: no invariant test has run here, and C1.migrations_folder (no folder given) and C6.health are not checked.
    caveats = markdown_with(at, "- :orange[:material/warning:]")
    assert "Invariant tests have not run on staging" in caveats and f"Not checked here: {widgets.md_escape('C1.migrations_folder')}" in caveats
    assert "C6.health" in caveats
    assert any(m.value == "**Caveats (1 to read, 1 note)**" for m in at.markdown)
    assert "0 reasons" not in sidebar_badge(at) and "2 reasons · 1 caveat" in sidebar_badge(at)
    assert "**Since the last saved run:** No saved run yet to compare with." in texts(at)

    # The next actions: one fix per reason, its SQL to copy, a link to its findings.
    fks, check = engine.check("C1.foreign_keys"), engine.check("C1.check_constraints")
    assert any(m.value.startswith("**1. Foreign key coverage: 45 to fix** · clears `R9` (HOLD)") for m in at.markdown)
    links_ = page_links(at)
    assert links_["Open the 45 findings"] == "findings?env=staging&check=C1.foreign_keys"
    fp = check.findings[0]["fingerprint"]
    assert links_["Open the finding"] == f"findings?env=staging&check=C1.check_constraints&finding={fp}"
    code = [c.value for c in at.code]
    assert "\n\n".join(f["sql"] for f in fks.findings) in code
    assert check.findings[0]["sql"] in code

    # Below: the figures, every check on one line with a link to its page, the report.
    shown = metrics(at)
    assert shown["FK coverage"] == f"{fks.actual} / {fks.target}" == "1 / 46"
    assert (shown["Tables created"], shown["CHECKs"], shown["Orphaned rows"], shown["ACTIVE violations"]) == ("16 / 16", "21 / 22", "0", "0")
    assert markdown_with(at, "- :orange-badge[HOLD] [Foreign key coverage](./findings?env=staging&check=C1.foreign_keys)")
    lines = "\n".join(m.value for m in at.markdown if m.value.startswith("- :"))
    for c in engine.checks:
        assert f"](./findings?env=staging&check={c.id}) `{c.id}`" in lines
    assert "20251229010228_add_master_tables_final_v2" in texts(at)
    assert any("Open the HTML report" in h.proto.body and "Validation report: staging" in h.proto.body for h in at.get("html"))
    assert not charts(at), "no decorative chart on the Overview"


def test_go_with_caveats_says_so_on_fixed(configure, fixed_url, fixed_env, history):
    configure(fixed=fixed_url)
    history.save_invariant_run({"tag": "apmsops-test", "environment": "fixed", "database": "x", "test": "isolation",
                                "outcome": "NOT_ENFORCED", "detail": "a cross-workspace row was stored", "duration_ms": 9.0,
                                "run_by": "tester", "steps": [], "started_at": datetime.now(timezone.utc)})
    at = app()
    assert not at.exception
    assert run_review(fixed_env).verdict == "GO"
    assert banner_verdict(at) == sidebar_verdict(at) == "GO"
    banner = next(m.value for m in at.markdown if 'class="apms-verdict"' in m.value)
    assert "No rule fired — read the 1 caveat before deploying." in banner
    assert "0 reasons · 1 caveat" in sidebar_badge(at)
    assert says(at, "NOT_ENFORCED by the database: isolation")
    assert says(at, "Invariant tests not run yet: freeze_by_reference, one_active_per_workspace, lifecycle, referential.")
    assert says(at, "Nothing to fix: no verdict rule fired.")
    assert metrics(at)["FK coverage"] == "46 / 46" and metrics(at)["CHECKs"] == "22 / 22"


def test_overview_applies_todays_acceptances_and_shows_them(configure, staging_url, staging_env, history):
    """Accepting every FK and CHECK finding turns staging's HOLD into GO at once; the checks keep their FAIL
    status, and every accepted finding is a caveat with who, until when, and the verdict it would cause."""
    secrets = configure(staging=staging_url)
    # Critical foreign keys are among these findings: the policy must allow accepting them.
    secrets.write_text(secrets.read_text() + "\n[apms_ops]\naccept_critical_findings = true\n")
    assert banner_verdict(app()) == "HOLD"
    review = run_review(staging_env, "auto")
    for check_id in ("C1.foreign_keys", "C1.critical_foreign_keys", "C1.check_constraints"):
        for f in review.check(check_id).findings:
            history.accept(f["fingerprint"], check_id, "tracked in the next migration", SOON, environment="staging",
                           finding=f, accepted_by="lead")
    at = app()
    assert banner_verdict(at) == "GO"
    assert "FAIL" in texts(at)  # the figures still miss their targets
    caveats = markdown_with(at, "- :orange[:material/warning:]")
    assert caveats.count(widgets.md_escape(f"by lead until {SOON} 00:00 UTC")) == 3  # one line per check, not one per finding
    assert widgets.md_escape("Accepted: 45 findings (C1.foreign_keys) by lead") in caveats
    assert widgets.md_escape("without them: HOLD (R9)") in caveats and widgets.md_escape("without it: HOLD (R10)") in caveats
    assert widgets.md_escape("Accepted: config_versions: status <> 'ACTIVE'") in caveats
    assert "[finding](./findings?env=staging&check=C1.check_constraints&finding=" in caveats
    assert "[findings](./findings?env=staging&check=C1.foreign_keys)" in caveats
    assert "0 reasons · 4 caveats" in sidebar_badge(at)  # three acceptances, and no invariant test has run


def test_overview_says_what_changed_since_the_last_run_and_the_sign_off(configure, scratch, history):
    env = scratch.make(seed="staging")
    configure(copy=env.url)
    history.save_review(run_review(Environment("copy", env.url)), run_by="scheduler", source="audit")
    history.sign_off("copy", "HOLD", migration="m1", comment="fix the FKs first", signed_by="lead")
    with admin_connection(env.url) as conn:
        conn.execute("ALTER TABLE config_versions ADD CONSTRAINT cv_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id)")
    at = app()
    assert "**Since the last saved run and the sign-off** (" in texts(at)
    assert says(at, "run #1, ") and says(at, "; signed HOLD by lead, ")
    assert says(at, "Better: Foreign key coverage (C1.foreign_keys) 1 → 2.")
    assert says(at, "Findings: 0 new, 1 resolved, 0 changed.")
    assert metrics(at)["FK coverage"] == "2 / 46"


# ---------------------------------------------------------------- links that hold


def test_environment_and_profile_stay_in_the_url(configure, staging_url, fixed_url):
    configure(staging=staging_url, fixed=fixed_url)
    at = app()
    assert at.sidebar.selectbox(key="apms_ops.environment").options == ["staging", "fixed"]
    assert at.query_params == {"env": "staging"}
    assert banner_verdict(at) == "HOLD" and metrics(at)["FK coverage"] == "1 / 46"

    at.sidebar.selectbox(key="apms_ops.environment").select("fixed").run()
    assert not at.exception
    assert at.query_params == {"env": "fixed"}
    assert banner_verdict(at) == "GO" and metrics(at)["FK coverage"] == "46 / 46"
    assert "Environment **fixed**" in texts(at)

    # Streamlit clears the query string when it navigates; the page puts the environment back.
    at.query_params.clear()
    at.switch_page(FK_PAGE).run()
    assert at.query_params == {"env": "fixed"}
    assert metrics(at)["FK coverage"] == "46 / 46" and sidebar_verdict(at) == "GO"

    at.sidebar.selectbox(key="apms_ops.profile").select("none").run()
    assert at.query_params == {"env": "fixed", "profile": "none"}
    at.query_params.clear()
    at.switch_page(OVERVIEW).run()
    assert at.query_params == {"env": "fixed", "profile": "none"}
    assert "profile **none**" in texts(at)

    # The same link in a new session (a reload, a colleague): the same environment, profile and verdict.
    again = app(env="fixed", profile="none")
    assert at.query_params == again.query_params
    assert again.sidebar.selectbox(key="apms_ops.environment").value == "fixed"
    assert again.sidebar.selectbox(key="apms_ops.profile").value == "none"
    assert banner_verdict(again) == banner_verdict(at)
    assert banner_verdict(app(env="fixed")) == "GO" and banner_verdict(app(env="staging")) == "HOLD"


def test_a_link_to_an_environment_not_configured_here_shows_no_other_verdict(configure, staging_url):
    configure(staging=staging_url)
    at = app(env="production")
    assert not at.exception
    assert banner_verdict(at) is None and sidebar_verdict(at) is None, "never the verdict of another environment"
    [panel] = error_panels(at)
    assert panel.startswith("Configuration problem: the link asks for environment 'production', which is not configured here")
    assert at.query_params["env"] == "production", "the link stays as it was"
    picker = at.sidebar.selectbox(key="apms_ops.environment")
    assert picker.value is None, "the picker names no environment either"
    picker.select("staging").run()
    assert banner_verdict(at) == "HOLD" and at.query_params == {"env": "staging"}


def test_a_finding_permalink_opens_its_check_page_with_the_finding(configure, staging_url, staging_env):
    configure(staging=staging_url)
    finding = run_review(staging_env).check("C1.check_constraints").findings[0]
    at = app(env="staging", check="C1.check_constraints", finding=finding["fingerprint"])
    at.switch_page(FINDINGS).run()  # the link's path: /findings
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["CHECK constraints"]
    shown = texts(at)
    for part in ("**What it asks** — The expected CHECK constraints exist",
                 "**Why it matters** — Rows that break the rule can be written",
                 "**How to fix** — Add the missing CHECK constraint(s)"):
        assert part in shown
    assert finding["sql"] in [c.value for c in at.code], "the fix, unfolded for the linked finding"
    table = next(df.value for df in at.dataframe if "Fingerprint" in df.value.columns)
    assert list(table["Fingerprint"]) == [finding["fingerprint"]]
    assert f"check=C1.check_constraints&finding={finding['fingerprint']}" in shown  # its permalink, to copy
    assert at.query_params == {"env": "staging", "check": "C1.check_constraints", "finding": finding["fingerprint"]}
    assert page_links(at)["All findings"] == "findings?env=staging"

    gone = app(env="staging", check="C1.check_constraints", finding="0123456789abcdef")
    gone.switch_page(FINDINGS).run()
    assert any("The linked finding `0123456789abcdef` is not open in the current review of **staging**" in w.value
               for w in gone.warning)


def test_the_findings_page_groups_checks_by_what_they_do_to_the_verdict(configure, staging_url):
    configure(staging=staging_url)
    at = app()
    at.switch_page(FINDINGS).run()
    assert not at.exception
    assert metrics(at) == {"NO-GO": "0", "HOLD": "3", "Accepted": "0", "Not checked": "2", "Passed": "13"}
    links_ = page_links(at)
    assert links_["Foreign key coverage · 1 / 46 · 45 open"] == "findings?env=staging&check=C1.foreign_keys"
    assert links_["Application health endpoint · —"] == "findings?env=staging&check=C6.health"
    assert [e.label for e in at.expander] == ["Passed (13)"]

    at.query_params["check"] = "C1.orphans"
    at.run()
    assert [t.value for t in at.title] == ["Orphaned records"]
    assert any(s.value.startswith("No findings: the check ran") for s in at.success)
    judged = next(df.value for df in at.dataframe if "Object" in df.value.columns)
    assert len(judged) == 46 and set(judged["Status"]) == {"PASS"}, "every reference it audited, as it judged it"


def test_relations_draws_missing_references_red_and_dashed(configure, staging_url, fixed_url):
    configure(staging=staging_url, fixed=fixed_url)
    at = app()
    at.switch_page(RELATIONS).run()
    assert not at.exception
    dot = graph(at)
    assert at.selectbox(key="relations.table.None").value == "config_versions"  # the most missing references
    assert at.query_params == {"env": "staging", "table": "config_versions"}
    edge = '"master_roles" -> "config_versions" [label="config_version_id\\n0 orphans", color="#d1242f"'
    assert edge in dot and "style=dashed" in dot
    assert '"config_versions" -> "workspaces"' in dot and "style=solid" in dot  # the one FK staging has
    assert '"master_approval_steps" -> "master_roles"' not in dot  # depth 1: only references touching the table
    deeper = app(env="staging", table="config_versions", depth="2")
    deeper.switch_page(RELATIONS).run()
    assert '"master_approval_steps" -> "master_roles"' in graph(deeper)

    fixed = app(env="fixed", table="master_roles")
    fixed.switch_page(RELATIONS).run()
    assert "style=dashed" not in graph(fixed) and "#d1242f" not in graph(fixed)


def test_relations_show_inferred_references_with_orphans(configure, scratch):
    env = scratch.make(sql_text=NOT_APMS)
    configure(shop=env.url)
    at = app()
    at.switch_page(RELATIONS).run()
    assert not at.exception
    dot = graph(at)
    # Discovery's confidence band on the edge, its evidence in the tooltip and the table.
    assert '"orders" -> "customers" [label="customer_id\\ninferred: high\\n1 orphan", color="#8c959f", fontcolor="#d1242f"' in dot
    assert 'tooltip="orders.customer_id -> customers.id: inferred from names (same name; types match (integer))"' in dot
    edges = next(df.value for df in at.dataframe if "Kind" in df.value.columns)
    first = edges.to_dict("records")[0]
    assert (first["Kind"], first["Confidence"], first["Orphans"]) == ("inferred from names", "high", 1)
    assert first["Evidence"] == "same name; types match (integer)"


def test_the_fk_page_is_one_table_with_the_fix_of_the_selected_row(configure, staging_url, staging_env):
    configure(staging=staging_url)
    engine = run_review(staging_env, with_facts=True)
    at = app()
    at.switch_page(FK_PAGE).run()
    assert not at.exception
    assert metrics(at)["FK coverage"] == "1 / 46"
    assert charts(at), "coverage per table"
    missing = next(df.value for df in at.dataframe if "Fingerprint" in df.value.columns)
    assert len(missing) == 45 and "SQL" not in missing.columns
    assert [e.label for e in at.expander] == ["Per table: wanted, as designed, differing, missing (17 tables)",
                                              "One migration for every finding (SQL)"]
    assert engine.facts["remediation_sql"].strip() in [c.value.strip() for c in at.code]
    finding = engine.check("C1.foreign_keys").findings[3]
    at.query_params["finding"] = finding["fingerprint"]
    at.run()
    assert finding["sql"] in [c.value for c in at.code]
    assert f"finding={finding['fingerprint']}" in texts(at)


def test_refresh_reads_the_database_again(configure, scratch):
    env = scratch.make(seed="staging")
    configure(staging_copy=env.url)
    at = app()
    assert metrics(at)["FK coverage"] == "1 / 46"
    with admin_connection(env.url) as conn:
        conn.execute("ALTER TABLE config_versions ADD CONSTRAINT cv_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id)")
    at.run()
    assert metrics(at)["FK coverage"] == "1 / 46", "cached until refreshed"
    at.sidebar.button(key="apms_ops.refresh").click().run()
    assert not at.exception
    assert metrics(at)["FK coverage"] == "2 / 46"
    assert "Last refresh:" in texts(at)


def test_nothing_configured_uses_the_embedded_demo(monkeypatch, tmp_path):
    monkeypatch.setenv("APMS_OPS_SECRETS", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = app()
    assert not at.exception
    assert at.sidebar.selectbox(key="apms_ops.environment").options == ["demo-staging", "demo-fixed"]
    assert banner_verdict(at) == "HOLD"
    assert metrics(at)["FK coverage"] == "1 / 46"
    assert "source: demo" in texts(at)
    assert "keeps running after the dashboard stops: `python -m apms_ops demo stop` stops it." in texts(at)


def test_the_console_says_once_that_the_demo_outlives_the_dashboard(monkeypatch, capsys):
    from apms_ops.ui import state

    monkeypatch.setattr(state, "_demo_announced", False)
    state._announce_demo()
    state._announce_demo()
    out = capsys.readouterr().out
    assert out.count("It keeps running after the dashboard stops; stop it with: python -m apms_ops demo stop") == 1


def test_database_url_alone_is_an_environment(monkeypatch, tmp_path, staging_url):
    monkeypatch.setenv("APMS_OPS_SECRETS", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("DATABASE_URL", staging_url)
    at = app()
    assert at.sidebar.selectbox(key="apms_ops.environment").options == ["database_url"]
    assert banner_verdict(at) == "HOLD"


# ---------------------------------------------------------------- failures are panels, and contained


@pytest.fixture
def attempts(monkeypatch):
    """How many reviews the app asked for."""
    from apms_ops.ui import state

    calls: list[int] = []
    real = state.run_review
    monkeypatch.setattr(state, "run_review", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_database_that_is_down_is_asked_once_per_session_until_retry(configure, attempts):
    configure(down="postgresql://reviewer:s3cret-pw@127.0.0.1:1/apms")
    at = app()
    assert len(attempts) == 1
    for page in REVIEW_PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert error_panels(at)[0].startswith("Database unreachable (down)"), error_panels(at)
        shown = texts(at)
        assert "cannot connect to 127.0.0.1:1" in shown
        assert "s3cret-pw" not in shown, "the password must never be shown"
        assert "Traceback" not in shown
    assert len(attempts) == 1, "the failure is remembered: no page waits for it again"
    at.button(key="apms_ops.retry.page").click().run()
    assert len(attempts) == 2 and error_panels(at)[0].startswith("Database unreachable (down)")
    at.sidebar.button(key="apms_ops.retry.sidebar").click().run()
    assert len(attempts) == 3


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung database or proxy)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


def test_a_database_that_never_answers_costs_one_timeout_per_session(configure, staging_url, silent_server, attempts):
    configure(hung={"url": f"postgresql://reviewer@127.0.0.1:{silent_server}/apms", "connect_timeout": 1}, staging=staging_url)
    at = app()
    assert len(attempts) == 1
    assert error_panels(at)[0].startswith("Database unreachable (hung)")
    assert "timeout expired" in texts(at)
    for page in (FINDINGS, FK_PAGE, OVERVIEW):
        at.switch_page(page).run()
        assert error_panels(at)[0].startswith("Database unreachable (hung)")
    assert len(attempts) == 1, "clicks do not wait for the connect timeout again"
    # Other environments are not affected.
    at.sidebar.selectbox(key="apms_ops.environment").select("staging").run()
    assert banner_verdict(at) == "HOLD" and len(attempts) == 2


def test_one_broken_connection_entry_disables_that_environment_only(configure, staging_url):
    configure(staging=staging_url, legacy={"url": "mysql://someone@host/db"})
    at = app()
    assert not at.exception
    assert at.sidebar.selectbox(key="apms_ops.environment").options == ["staging"]
    [warning] = [w.value for w in at.sidebar.warning]
    assert warning.startswith("**legacy** is disabled: ") and "legacy" in warning and "not a PostgreSQL URL" in warning
    assert banner_verdict(at) == "HOLD"

    linked = app(env="legacy")
    assert banner_verdict(linked) is None
    assert "the link asks for environment 'legacy', which is disabled: " in error_panels(linked)[0]


def test_a_secrets_file_that_cannot_be_read_gives_a_configuration_panel(tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text("[connections.bad\nurl = 'postgresql://someone@host/db'\n")
    monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = app()
    assert not at.exception
    assert any(p.startswith("Configuration problem") and "not valid TOML" in p for p in error_panels(at))


def test_every_entry_broken_gives_a_configuration_panel(configure):
    configure(bad={"url": "mysql://someone@host/db"})
    at = app()
    assert not at.exception
    assert any(p.startswith("Configuration problem") and "every configured environment is disabled" in p for p in error_panels(at))


NOT_APMS = """
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, total numeric CHECK (total >= 0));
INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
INSERT INTO orders VALUES (10, 1, 5), (11, 2, 7), (12, 99, 3);
"""


def test_a_database_that_is_not_apms_renders_every_page(configure, scratch):
    env = scratch.make(sql_text=NOT_APMS)
    configure(shop=env.url)
    at = app()
    assert not at.exception
    assert "profile **none**" in texts(at)
    assert metrics(at)["FK coverage"] == "0 / 1"  # orders.customer_id, implied by its name
    assert metrics(at)["ACTIVE violations"] == "n/a"
    assert banner_verdict(at) == "NO_GO"  # the orphan order 12
    assert "NO-GO" in next(m.value for m in at.markdown if 'class="apms-verdict"' in m.value)
    assert "Discovery only: no profile describes this database" in texts(at)
    for page in REVIEW_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, error_panels(at))
    at.switch_page(navigation.path_of("workspace-versions")).run()
    assert "needs a profile with [lifecycle] and [workspaces]" in texts(at)
    at.switch_page(navigation.path_of("migration-history")).run()
    assert "No migration history to show" in texts(at)
    at.query_params["reference"] = "orders.customer_id → customers.id"
    at.switch_page(ORPHANS_PAGE).run()
    sample = [df.value for df in at.dataframe if "customer_id" in df.value.columns and "id" in df.value.columns]
    assert sample and list(sample[-1]["id"]) == ["12"], "the orphaned order, sampled"


def test_orphans_are_counted_and_sampled_under_their_missing_fk(configure, scratch):
    env = scratch.make(seed="staging", sql_text=(
        "INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
        "SELECT 'orphan-role', workspace_id, 'no-such-version', 'GHOST', 'Ghost' FROM config_versions LIMIT 1;"
    ))
    configure(broken=env.url)
    at = app()
    assert banner_verdict(at) == "NO_GO"
    assert metrics(at)["Orphaned rows"] == "1"
    assert any(m.value.startswith("**1. Orphaned records: master\\_roles.config\\_version\\_id") for m in at.markdown)
    at.switch_page(FK_PAGE).run()
    assert not at.exception
    missing = next(df.value for df in at.dataframe if "Fingerprint" in df.value.columns)
    first = missing.iloc[0]
    assert (first["Table"], first["Column"], first["Orphans"]) == ("master_roles", "config_version_id", 1)
    at.query_params["finding"] = first["Fingerprint"]
    at.run()
    sample = [df.value for df in at.dataframe if "config_version_id" in df.value.columns and "code" in df.value.columns]
    assert sample and list(sample[0]["id"]) == ["orphan-role"]
    at.switch_page(ORPHANS_PAGE).run()
    counts = next(df.value for df in at.dataframe if "Orphans" in df.value.columns)
    assert counts.iloc[0]["Table"] == "master_roles" and counts.iloc[0]["Orphans"] == 1
# ---------------------------------------------------------------- the read-only role the README grants


def _role(admin_url: str, db: str, name: str, grants: list[str]) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'reader-pw'").format(sql.Identifier(name)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(db), sql.Identifier(name)))
    with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + db, autocommit=True) as conn:
        for grant in grants:
            conn.execute(sql.SQL(grant).format(role=sql.Identifier(name)))


def _drop_role(admin_url: str, db: str, name: str) -> None:
    with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + db, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(sql.Identifier(db), sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


README_GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
]


def test_the_documented_read_only_role_sees_the_same_review(configure, scratch):
    from conftest import ADMIN_URL, RUN_TAG

    env = scratch.make(seed="staging")
    db = env.url.rsplit("/", 1)[1]
    full, bare = f"{RUN_TAG}_reader", f"{RUN_TAG}_nogrant"
    _role(ADMIN_URL, db, full, README_GRANTS)
    _role(ADMIN_URL, db, bare, ["GRANT USAGE ON SCHEMA public TO {role}"])
    host = env.url.split("@", 1)[1]
    try:
        reader = Environment("reader", f"postgresql://{full}:reader-pw@{host}")
        as_admin, as_reader = run_review(env), run_review(reader)
        assert [(c.id, c.status, c.actual) for c in as_reader.checks] == [(c.id, c.status, c.actual) for c in as_admin.checks]
        assert as_reader.verdict == "HOLD"

        # Without SELECT the catalog still reads, the data audits cannot: a panel and ERROR rows, no traceback.
        configure(nogrant=f"postgresql://{bare}:reader-pw@{host}")
        at = app()
        assert not at.exception
        assert "permission denied" in texts(at)
        at.switch_page("pages/6_orphans-isolation.py").run()
        assert not at.exception
        assert "reader-pw" not in texts(at)
    finally:
        from apms_ops.connections import dispose_engines

        dispose_engines()
        _drop_role(ADMIN_URL, db, full)
        _drop_role(ADMIN_URL, db, bare)


# ---------------------------------------------------------------- pure parts and repository files


def test_every_page_is_listed_named_after_its_address_and_runs_under_the_router():
    # A fresh server resolves its first URL against the files of pages/ and may run a page
    # file alone: the file name must be the address, and the page must hand back to the router.
    assert [p.url_path for p in navigation.available_pages(ROOT)] == [p.url_path for p in navigation.PAGES]
    assert len({p.url_path for p in navigation.PAGES}) == len(navigation.PAGES)
    assert sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")) == sorted(p.path for p in navigation.PAGES)
    for spec in navigation.PAGES:
        from streamlit.source_util import page_icon_and_name

        assert page_icon_and_name(ROOT / spec.path)[1] == spec.url_path, spec.path
        tree = ast.parse((ROOT / spec.path).read_text())
        first_call = next(node for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))
        assert ast.unparse(first_call) == "navigation.require_router()", f"{spec.path}: call navigation.require_router() first"


def test_navigation_includes_pages_that_exist(tmp_path):
    (tmp_path / "pages").mkdir()
    for spec in navigation.PAGES[:3]:
        (tmp_path / spec.path).write_text("")
    assert [p.url_path for p in navigation.available_pages(tmp_path)] == ["deploy-overview", "findings", "relations"]


def test_streamlit_config_hides_the_deploy_button_and_sends_no_statistics():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["browser"]["gatherUsageStats"] is False
    assert "connections" not in config, "secrets belong in secrets.toml"


def test_review_json_round_trips(staging_env):
    review = run_review(staging_env, with_facts=True)
    data = json.loads(widgets.review_json(review))
    again = Review.from_dict(data)
    assert again.verdict == "HOLD" and again.facts["references"] == review.facts["references"]
    assert tables.fk_ratio(again) == "1 / 46"


@pytest.mark.parametrize("error, title", [
    (RuntimeError("x"), "Unexpected error"),
    (DatabaseError("cannot connect to h:1: Connection refused"), "Database unreachable"),
    (DatabaseError("permission denied for table t", "42501"), "Permission denied"),
    (DatabaseError('relation "t" does not exist', "42P01"), "Table missing"),
    (DatabaseError("password authentication failed for user u", "28P01"), "Authentication failed"),
    (DatabaseError('database "d" does not exist', "3D000"), "Database does not exist"),
    (ConfigError("bad"), "Configuration problem"),
    (ProfileError("bad"), "Profile problem"),
])
def test_errors_are_classified(error, title):
    assert widgets.classify(error)[0] == title


def test_messages_are_masked():
    env = Environment("x", "postgresql://u:topsecret@h:5/db")
    assert "topsecret" not in widgets.safe_message(RuntimeError("failed for postgresql://u:topsecret@h:5/db"), env)
    assert "topsecret" not in widgets.safe_message(RuntimeError("password topsecret was wrong"), env)


def test_markdown_from_data_is_escaped():
    assert widgets.md_escape("a_b *c* $x$ <b>") == r"a\_b \*c\* \$x\$ \<b\>"


def test_environment_key_never_holds_the_url():
    from apms_ops.ui.state import environment_key

    env = Environment("x", "postgresql://u:topsecret@h:5/db")
    key = environment_key(env)
    assert key.startswith("x:") and "topsecret" not in key and "h:5" not in key
    assert key != environment_key(Environment("x", "postgresql://u:other@h:5/db"))


# SQL in a page: a query (SELECT ... FROM), a DDL/DML statement, or the driver itself.
SQL_IN_PAGE = re.compile(r"\bSELECT\b[^\n]*\bFROM\b|\b(INSERT INTO|UPDATE \w+ SET|DELETE FROM|ALTER TABLE|CREATE TABLE)\b"
                         r"|sqlalchemy|psycopg|read_only_session|run_review\(|HistoryStore\(")


def test_dashboard_pages_hold_no_sql_and_no_decisions():
    for spec in navigation.PAGES:
        source = (ROOT / spec.path).read_text()
        assert not SQL_IN_PAGE.search(source), (spec.path, SQL_IN_PAGE.search(source))
        assert "decide(" not in source and "verdict ==" not in source, spec.path


@pytest.mark.parametrize("value, shown", [
    ("2025-12-29T03:01:58.123+00:00", "2025-12-29 03:01 UTC"),
    ("2025-12-29T04:01:58+01:00", "2025-12-29 03:01 UTC"),
    (datetime(2025, 12, 29, 3, 1, 58), "2025-12-29 03:01 UTC"),
    (None, "—"),
])
def test_every_moment_is_written_one_way(value, shown):
    assert tables.moment(value) == shown


@pytest.mark.parametrize("ms, shown", [(None, "—"), (350.4, "350 ms"), (1800.0, "1.8 s"), (11300.0, "11.3 s"),
                                       (125_000.0, "2 min 5 s")])
def test_durations_read_as_durations(ms, shown):
    assert tables.duration(ms) == shown


def test_table_counts_say_what_they_count(staging_env):
    review = run_review(staging_env, with_facts=True)
    figures = {f.label: f.value for f in tables.table_counts(review)}
    assert figures == {"Created by the migration": "16 / 16", "Pre-existing, referenced": "4", "Not in the profile": "0",
                       "In the database": "20"}
    assert tables.id_type_caption(review).startswith("C2.id_types judges the 19 tables the profile gives an id type")
    review.facts["tables"][0]["estimated_rows"], review.facts["tables"][1]["estimated_rows"] = 0, -1
    rows = tables.table_presence_rows(review).set_index("Table")["Estimated rows"]
    first, second = (t["table"] for t in review.facts["tables"][:2])
    assert rows[first] == 0, "an empty table is estimated at 0 rows, not 'None'"
    assert rows.isna()[second], "never analyzed: no estimate (shown as —)"


def test_relations_neighbourhood_and_dot_quote_names():
    edges = [relations.Edge("a", "b_id", "b", "id", relations.DECLARED, 0),
             relations.Edge("b", "c_id", "c", "id", relations.MISSING, 3),
             relations.Edge("c", "d_id", 'd"x', "id", relations.INFERRED, None, confidence="high")]
    assert relations.neighbourhood(edges, "a", 1) == edges[:1]
    assert relations.neighbourhood(edges, "a", 2) == edges[:2]
    assert relations.neighbourhood(edges, "b", 1, (relations.DECLARED,)) == edges[:1]
    dot = relations.dot(edges, "c")
    assert '"d\\"x"' in dot and 'label="d_id\\ninferred: high\\norphans ?"' in dot
    assert '"b" -> "c" [label="c_id\\n3 orphans", color="#d1242f", fontcolor="#d1242f", style=dashed' in dot
    assert relations.tables_by_interest(edges)[:2] == ["b", "c"]
    assert relations.drawable(edges, 2) == [edges[1], edges[2]], "missing first, then inferred"


@pytest.mark.parametrize("raw, expected, problem", [
    ("", 300, False), ("120", 120, False), ("0", 0, False), ("abc", 300, True), ("-5", 300, True), ("1e3", 300, True),
])
def test_a_cache_lifetime_from_the_environment_is_read_or_reported_never_a_crash(monkeypatch, raw, expected, problem):
    from apms_ops.ui import settings

    monkeypatch.setattr(settings, "PROBLEMS", [])
    monkeypatch.setenv("APMS_OPS_REVIEW_TTL", raw)
    assert settings.seconds("APMS_OPS_REVIEW_TTL", 300) == expected
    assert bool(settings.PROBLEMS) == problem
    if problem:
        assert settings.PROBLEMS == [f"APMS_OPS_REVIEW_TTL={raw!r} is not a number of seconds: using 300"]


def test_a_bad_cache_lifetime_is_shown_in_the_sidebar(configure, staging_url, monkeypatch):
    from apms_ops.ui import settings

    configure(staging=staging_url)
    monkeypatch.setattr(settings, "PROBLEMS", ["APMS_OPS_REVIEW_TTL='abc' is not a number of seconds: using 300"])
    at = app()
    assert not at.exception
    assert any("APMS_OPS_REVIEW_TTL='abc'" in w.value for w in at.sidebar.warning)
