"""The dashboard, page by page, with AppTest against real PostgreSQL databases.

Every test points the app at its own secrets file (``APMS_OPS_SECRETS``) so a
developer's ``.streamlit/secrets.toml`` or ``DATABASE_URL`` never leaks in.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
import tomli_w
from psycopg import sql
from streamlit.testing.v1 import AppTest

from apms_ops.connections import Environment
from apms_ops.errors import ConfigError, DatabaseError, ProfileError
from apms_ops.review import Review, run_review
from apms_ops.ui import navigation, tables, widgets
from conftest import ROOT, SOON, admin_connection

DASHBOARD = ROOT / "dashboard.py"
REVIEW_PAGES = [p.path for p in navigation.PAGES if p.section == "Review"]
TIMEOUT = 120


# ---------------------------------------------------------------- helpers


@pytest.fixture
def configure(tmp_path, monkeypatch):
    """``configure(name=url, ...)``: the app's environments, exactly these (none: the embedded demo)."""

    def write(**connections: str) -> Path:
        path = tmp_path / "secrets.toml"
        path.write_text(tomli_w.dumps({"connections": {name: {"url": url} for name, url in connections.items()}}))
        monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        return path

    return write


def app() -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
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
    return "\n".join(parts)


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


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


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


def test_overview_shows_the_engines_figures_on_staging(configure, staging_url, staging_env):
    configure(staging=staging_url)
    engine = run_review(staging_env, with_facts=True)
    at = app()
    assert not at.exception
    assert engine.verdict == "HOLD"
    assert banner_verdict(at) == "HOLD"
    shown = metrics(at)
    fk = engine.check("C1.foreign_keys")
    assert shown["FK coverage"] == f"{fk.actual} / {fk.target}" == "1 / 46"
    assert shown["Tables"] == "16 / 16"
    assert shown["CHECKs"] == "21 / 22"
    assert shown["Orphaned rows"] == str(engine.check("C1.orphans").actual) == "0"
    assert shown["ACTIVE violations"] == "0"
    why = next(m.value for m in at.markdown if m.value.startswith("**Why:**"))
    assert [r.rule for r in engine.reasons] == ["R9", "R10"]
    for reason in engine.reasons:
        assert widgets.md_escape(reason.text) in why
    # The C1 and C2 tables are the engine's results, row for row.
    c1, c2 = at.dataframe[0].value, at.dataframe[1].value
    assert list(c1["Id"]) == [c.id for c in engine.checks if c.group == "C1"]
    assert list(c1["Status"]) == [c.status for c in engine.checks if c.group == "C1"]
    assert list(c1["Actual"]) == [tables.text(c.actual) for c in engine.checks if c.group == "C1"]
    assert list(c2["Status"]) == ["PASS", "PASS"]
    assert "20251229010228_add_master_tables_final_v2" in texts(at)
    assert charts(at), "the overview draws its status chart"


def test_overview_shows_go_on_fixed(configure, fixed_url, fixed_env):
    configure(fixed=fixed_url)
    at = app()
    assert not at.exception
    assert run_review(fixed_env).verdict == "GO"
    assert banner_verdict(at) == sidebar_verdict(at) == "GO"
    assert metrics(at)["FK coverage"] == "46 / 46"
    assert metrics(at)["CHECKs"] == "22 / 22"


def test_pages_show_the_engines_facts_on_staging(configure, staging_url, staging_env):
    configure(staging=staging_url)
    engine = run_review(staging_env, with_facts=True)
    at = app()

    at.switch_page("pages/2_schema_integrity.py").run()
    assert "status <> 'ACTIVE' OR activated_at IS NOT NULL" in texts(at)
    assert "config_versions_one_active_per_workspace" in texts(at)

    at.switch_page("pages/3_type_alignment.py").run()
    refs = at.dataframe[1].value
    assert len(refs) == len(engine.facts["references"]) == 46
    assert set(refs["Status"]) == {"PASS"}
    at.multiselect(key="types.tables").select("workflow_instances").run()
    assert set(at.dataframe[1].value["Table"]) == {"workflow_instances"}

    at.switch_page("pages/4_fk_coverage.py").run()
    assert metrics(at)["FK coverage"] == "1 / 46"
    assert charts(at), "FK coverage chart"
    code = [c.value for c in at.code]
    missing = [f for f in engine.check("C1.foreign_keys").findings]
    assert len(missing) == 45
    for finding in missing:
        assert finding["sql"] in code  # one block per missing FK
        assert "NOT VALID;" in finding["sql"] and "VALIDATE CONSTRAINT" in finding["sql"]
    assert engine.facts["remediation_sql"].strip() in [c.strip() for c in code]  # and all of it as one migration

    at.switch_page("pages/5_workspaces.py").run()
    workspaces = at.dataframe[1].value
    assert len(workspaces) == 4 and set(workspaces["ACTIVE"]) == {1}
    assert charts(at), "versions per workspace chart"

    at.switch_page("pages/7_migrations.py").run()
    history = at.dataframe[1].value
    assert list(history["Migration"])[0] == "20251229010228_add_master_tables_final_v2"
    assert set(history["State"]) == {"applied"}


# ---------------------------------------------------------------- environments, refresh


def test_switching_environment_changes_what_is_shown(configure, staging_url, fixed_url):
    configure(staging=staging_url, fixed=fixed_url)
    at = app()
    assert at.sidebar.selectbox(key="apms_ops.environment").options == ["staging", "fixed"]
    assert banner_verdict(at) == "HOLD" and metrics(at)["FK coverage"] == "1 / 46"

    at.sidebar.selectbox(key="apms_ops.environment").select("fixed").run()
    assert not at.exception
    assert banner_verdict(at) == "GO" and metrics(at)["FK coverage"] == "46 / 46"
    assert "Environment **fixed**" in texts(at)

    # The choice holds across pages.
    at.switch_page("pages/4_fk_coverage.py").run()
    assert metrics(at)["FK coverage"] == "46 / 46"
    assert sidebar_verdict(at) == "GO"


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


def test_database_url_alone_is_an_environment(monkeypatch, tmp_path, staging_url):
    monkeypatch.setenv("APMS_OPS_SECRETS", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("DATABASE_URL", staging_url)
    at = app()
    assert at.sidebar.selectbox(key="apms_ops.environment").options == ["database_url"]
    assert banner_verdict(at) == "HOLD"


# ---------------------------------------------------------------- failures are panels


def test_database_down_gives_an_error_panel_on_every_page(configure, monkeypatch):
    from apms_ops.ui import state

    attempts = []
    real = state.run_review
    monkeypatch.setattr(state, "run_review", lambda *a, **k: attempts.append(1) or real(*a, **k))
    configure(down="postgresql://reviewer:s3cret-pw@127.0.0.1:1/apms")
    at = app()
    for page in REVIEW_PAGES:
        attempts.clear()
        at.switch_page(page).run()
        assert len(attempts) == 1, f"{page}: one attempt per run, not one per widget"
        assert not at.exception, page
        assert at.error, f"{page}: no error panel"
        assert error_panels(at)[0].startswith("Database unreachable (down)"), error_panels(at)
        shown = texts(at)
        assert "cannot connect to 127.0.0.1:1" in shown
        assert "s3cret-pw" not in shown, "the password must never be shown"
        assert "Traceback" not in shown


def test_broken_secrets_file_gives_a_configuration_panel(tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text("[connections.bad]\nurl = 'mysql://someone@host/db'\n")
    monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = app()
    assert not at.exception
    assert any(p.startswith("Configuration problem") for p in error_panels(at))


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
    for page in REVIEW_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, error_panels(at))
    at.switch_page("pages/5_workspaces.py").run()
    assert "needs a profile with [lifecycle] and [workspaces]" in texts(at)
    at.switch_page("pages/7_migrations.py").run()
    assert "No migration history to show" in texts(at)
    at.switch_page("pages/6_orphans_isolation.py").run()
    sample = [df.value for df in at.dataframe if "customer_id" in df.value.columns]
    assert sample and list(sample[0]["id"]) == ["12"], "the orphaned order, sampled"


def test_orphans_are_counted_and_sampled_under_their_missing_fk(configure, scratch):
    env = scratch.make(seed="staging", sql_text=(
        "INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
        "SELECT 'orphan-role', workspace_id, 'no-such-version', 'GHOST', 'Ghost' FROM config_versions LIMIT 1;"
    ))
    configure(broken=env.url)
    at = app()
    assert banner_verdict(at) == "NO_GO"
    assert metrics(at)["Orphaned rows"] == "1"
    at.switch_page("pages/4_fk_coverage.py").run()
    assert not at.exception
    expander = [e for e in at.expander if e.label.startswith("master_roles.config_version_id")]
    assert expander and "1 orphans" in expander[0].label
    sample = [df.value for df in at.dataframe if "config_version_id" in df.value.columns]
    assert sample and list(sample[0]["id"]) == ["orphan-role"]
    at.switch_page("pages/6_orphans_isolation.py").run()
    counts = at.dataframe[1].value
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
        at.switch_page("pages/6_orphans_isolation.py").run()
        assert not at.exception
        assert "reader-pw" not in texts(at)
    finally:
        from apms_ops.connections import dispose_engines

        dispose_engines()
        _drop_role(ADMIN_URL, db, full)
        _drop_role(ADMIN_URL, db, bare)


# ---------------------------------------------------------------- pure parts


def test_navigation_includes_pages_that_exist(tmp_path):
    (tmp_path / "pages").mkdir()
    for spec in navigation.PAGES[:7]:
        (tmp_path / spec.path).write_text("")
    assert [p.url_path for p in navigation.available_pages(tmp_path)][-1] == "migration-history"
    (tmp_path / "pages" / "9_history.py").write_text("")
    assert [p.url_path for p in navigation.available_pages(tmp_path)][-1] == "audit-history"
    assert len({p.url_path for p in navigation.PAGES}) == len(navigation.PAGES)


def test_url_paths_do_not_clash_with_file_page_names():
    from streamlit.source_util import page_icon_and_name

    for spec in navigation.PAGES:
        assert spec.url_path != page_icon_and_name(Path(spec.path))[1], spec.path


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


def test_dashboard_pages_hold_no_sql():
    for spec in navigation.PAGES:
        path = ROOT / spec.path
        if path.is_file() and spec.section == "Review":
            source = path.read_text().upper()
            assert not any(word in source for word in ("SELECT ", "SQLALCHEMY", "PSYCOPG", "READ_ONLY_SESSION")), spec.path



def test_overview_applies_todays_acceptances(configure, staging_url, staging_env, tmp_path, monkeypatch):
    """Accepting every FK and CHECK finding turns staging's HOLD into GO on the Overview, at once;
    the checks keep their FAIL status."""
    from apms_ops.history import HistoryStore

    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", url)
    secrets = configure(staging=staging_url)
    # Critical foreign keys are among these findings: the policy must allow accepting them.
    secrets.write_text(secrets.read_text() + "\n[apms_ops]\naccept_critical_findings = true\n")
    at = app()
    assert banner_verdict(at) == "HOLD"

    store = HistoryStore(url)
    review = run_review(staging_env, "auto")
    for check_id in ("C1.foreign_keys", "C1.critical_foreign_keys", "C1.check_constraints"):
        for f in review.check(check_id).findings:
            store.accept(f["fingerprint"], check_id, "tracked in the next migration", SOON, environment="staging", finding=f)
    at = app()
    assert banner_verdict(at) == "GO"
    assert "FAIL" in texts(at)  # the figures still miss their targets
