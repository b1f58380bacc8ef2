"""The release pages with AppTest on real databases: the Migrations timeline, Drift, Migration lint, and the
FK coverage page's migration folders."""

from __future__ import annotations

import io
import zipfile

import pytest
import tomli_w
from streamlit.testing.v1 import AppTest

from apms_ops.ui.migrations import FOLDER_KEY, MIGRATIONS_DIR_ENV
from conftest import ROOT, admin_connection
from prisma_folders import write_folder

DASHBOARD = ROOT / "dashboard.py"


@pytest.fixture
def configure(tmp_path, monkeypatch):
    def write(**connections: str):
        path = tmp_path / "secrets.toml"
        path.write_text(tomli_w.dumps({"connections": {name: {"url": url} for name, url in connections.items()}}))
        monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.delenv(MIGRATIONS_DIR_ENV, raising=False)
    return write


def app() -> AppTest:
    return AppTest.from_file(str(DASHBOARD), default_timeout=180).run()


def page_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "code")
             for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv(index=False) for df in at.dataframe]
    return "\n".join(parts)


@pytest.fixture
def app_folder(tmp_path, staging_url):
    """The app's folder: the five migrations staging has (one edited), and one pending."""
    names = ["20251101093000_init", "20251105141500_add_workflow_instances", "20251118101000_add_user_display_name",
             "20251210083000_add_workflow_completed_at", "20251229010228_add_master_tables_final_v2"]
    # The seed recorded sha256(name) as each checksum: a file holding exactly the name matches it.
    scripts = {n: n for n in names}
    scripts["20251210083000_add_workflow_completed_at"] = "-- edited after it ran\n"
    scripts["20260110000000_holiday_region"] = "ALTER TABLE master_holidays ADD COLUMN region text NOT NULL;\n"
    return write_folder(tmp_path / "prisma" / "migrations", scripts)


def test_migrations_page_shows_the_folder_as_a_timeline(configure, staging_url, app_folder):
    configure(staging=staging_url)
    at = app()
    at.switch_page("pages/7_migration-history.py").run()
    at.text_input(key=FOLDER_KEY).input(str(app_folder)).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Pending"] == "1" and shown["Checksum drift"] == "1" and shown["Failed"] == "0"
    assert at.get("vega_lite_chart"), "no timeline"
    text = page_text(at)
    assert "20260110000000_holiday_region" in text and "20251210083000_add_workflow_completed_at" in text

    at.text_input(key=FOLDER_KEY).input(str(app_folder / "nope")).run()
    assert not at.exception and any("migrations folder not found" in e.proto.body for e in at.error)


def test_migration_lint_page_lints_the_pending_ones(configure, staging_url, app_folder):
    configure(staging=staging_url)
    at = app()
    at.switch_page("pages/13_pending-migration-lint.py").run()
    at.text_input(key=FOLDER_KEY).input(str(app_folder)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect[0].value == ["20260110000000_holiday_region"]
    text = page_text(at)
    assert 'data-verdict="NO_GO"' in text
    assert "L9.not_null_column_without_default" in text and "master_holidays" in text


def test_drift_page_compares_two_environments(configure, staging_url, fixed_url):
    configure(staging=staging_url, fixed=fixed_url)
    at = app()
    at.switch_page("pages/12_environment-drift.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.proto.body for e in at.error]
    shown = {m.label: m.value for m in at.metric}
    # staging lacks 45 foreign keys and one CHECK the fixed design has.
    assert shown["Differences"] == "46"
    assert "master_roles_config_version_id_fkey" in page_text(at)


def test_fk_page_offers_the_fixes_as_prisma_folders(configure, staging_url):
    configure(staging=staging_url)
    at = app()
    at.switch_page("pages/4_fk-coverage.py").run()
    assert not at.exception, [e.value for e in at.exception]
    button = next(b for b in at.get("download_button") if "zip" in str(b.proto.label).lower())
    assert button is not None
    from apms_ops.connections import Environment
    from apms_ops.migrations.writer import zip_folders
    from apms_ops.remediation_plan import STEP_LOCK_TIMEOUT, build_plan

    names = zipfile.ZipFile(io.BytesIO(zip_folders(build_plan(Environment("s", staging_url), "apms"),
                                                   lock_timeout=STEP_LOCK_TIMEOUT))).namelist()
    assert len(names) == 47 and all(n.endswith("/migration.sql") and "_apms_ops_" in n for n in names)


def test_fk_page_says_orphans_stop_the_fixes(configure, scratch):
    env = scratch.make("staging", "INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
                                  "SELECT 'orphan', workspace_id, 'gone', 'ORPHAN', 'x' FROM config_versions LIMIT 1")
    configure(staging=env.url)
    at = app()
    at.switch_page("pages/4_fk-coverage.py").run()
    assert not at.exception
    assert any("Orphaned rows stop the deployable fixes" in w.value for w in at.warning)
    with admin_connection(env.url) as conn:
        assert conn.execute("SELECT count(*) FROM master_roles WHERE id = 'orphan'").fetchone()[0] == 1


def test_a_deployment_that_names_the_folder_gets_it_in_every_review(configure, staging_url, app_folder, monkeypatch):
    configure(staging=staging_url)
    monkeypatch.setenv(MIGRATIONS_DIR_ENV, str(app_folder))
    at = app()
    assert not at.exception
    text = page_text(at)
    assert "Migrations in the folder are not applied" in text and "20260110000000" in text
    assert "An applied migration was edited afterwards" in text
