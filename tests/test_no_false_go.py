"""Never a false all-clear: GO only when the database was compared with something and matched,
and a run limited by --only never reads as a full one, in any format, in history or on the dashboard."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tomli_w

from apms_ops.checks import REGISTRY
from apms_ops.history import HistoryStore
from apms_ops.review import run_review
from apms_ops.verdict import GO, HOLD, NO_GO
from test_cli import cli

CORPUS = Path(__file__).resolve().parent / "corpus" / "dev"
PARTIAL = f"partial review: 2 of {len(REGISTRY)} checks"


def rules(review) -> list[str]:
    return [r.rule for r in review.reasons]


def test_an_empty_database_is_not_go(scratch):
    env = scratch.make()  # a typo in the database name lands on an empty one
    for profile in ("none", "auto"):
        review = run_review(env, profile)
        assert review.verdict == HOLD and "R17" in rules(review), profile
        assert "nothing to verify" in review.reasons[0].text


def test_a_database_without_the_profiles_tables_is_not_go(scratch):
    env = scratch.make(sql_text="CREATE TABLE invoices (id integer PRIMARY KEY, total numeric)")
    review = run_review(env, "apms")
    assert review.verdict == NO_GO
    assert {"R1", "R17"} <= set(rules(review))


def test_no_design_and_unresolved_reference_columns_is_at_most_hold(scratch):
    env = scratch.make(sql_text="""
        CREATE TABLE customers (id integer PRIMARY KEY);
        CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers, "stripeChargeId" text);""")
    review = run_review(env, "none")
    assert review.verdict == HOLD and rules(review) == ["R18"]
    assert "orders.stripeChargeId" in review.reasons[0].text
    # Once someone accepts it as another system's id, nothing is left unverified.
    (finding,) = review.check("C1.reference_columns").findings
    accepted = run_review(env, "none", acceptances={finding["fingerprint"]: {"reason": "Stripe's id", "accepted_by": "qa"}})
    assert accepted.verdict == GO


def test_a_prisma_app_without_foreign_keys_is_not_go_with_no_configuration(scratch):
    env = scratch.make(sql_text=(CORPUS / "prisma_esign" / "schema.sql").read_text())
    review = run_review(env, "none")
    assert review.verdict != GO
    fk = review.check("C1.foreign_keys")
    assert (fk.status, fk.actual) == ("WARN", 0) and fk.target >= 27
    assert "R9" in rules(review)


def test_relation_mode_prisma_says_so_and_audits_every_relation(scratch):
    env = scratch.make(sql_text=(CORPUS / "prisma_esign" / "schema.sql").read_text())
    review = run_review(env, "none", prisma_schema=str(CORPUS / "prisma_esign" / "schema.prisma"))
    fk = review.check("C1.foreign_keys")
    assert fk.status == "INFO" and (fk.target, fk.actual) == (27, 0)
    assert 'relationMode = "prisma": the database holds no foreign keys by design' in fk.detail
    assert "27 relations are enforced only by application code" in fk.detail
    assert {f["problem"] for f in fk.findings} == {'enforced only by application code (relationMode = "prisma")'}
    assert not any(f.get("sql") for f in fk.findings)
    assert review.design["relation_mode"] == "prisma" and review.design["expected_references"] == 27
    # Every relation is audited: the webhook call pointing at a webhook that does not exist is an orphan.
    orphans = review.check("C1.orphans")
    assert [(f["table"], f["column"], f["orphans"]) for f in orphans.findings] == [("WebhookCall", "webhookId", 1)]
    assert review.verdict == NO_GO and rules(review)[0] == "R3"


def test_check_with_a_prisma_schema_from_the_command_line_and_from_a_profile(scratch, tmp_path):
    env = scratch.make(sql_text=(CORPUS / "prisma_esign" / "schema.sql").read_text())
    prisma = CORPUS / "prisma_esign" / "schema.prisma"
    proc = cli("check", "--dsn", env.url, "--profile", "none", "--prisma-schema", str(prisma), "--format", "json")
    data = json.loads(proc.stdout)
    assert data["design"]["prisma_schema"] == str(prisma) and data["profile"] == "prisma"
    assert next(c for c in data["checks"] if c["id"] == "C1.foreign_keys")["target"] == 27
    (tmp_path / "app.toml").write_text(tomli_w.dumps({"prisma_schema": str(prisma), "profile": {"name": "esign"}}))
    data = json.loads(cli("check", "--dsn", env.url, "--profile", str(tmp_path / "app.toml"), "--format", "json").stdout)
    assert data["profile"] == "esign" and data["design"]["relation_mode"] == "prisma"


# ---------------------------------------------------------------- partial runs


@pytest.fixture(scope="module")
def partial_outputs(fixed_url, tmp_path_factory):
    """One partial run (--only C2) rendered in every format, and saved."""
    cwd = tmp_path_factory.mktemp("partial")
    out = {fmt: cli("check", "--dsn", fixed_url, "--profile", "apms", "--only", "C2", "--format", fmt, cwd=cwd)
           for fmt in ("json", "markdown", "html", "junit", "table")}
    out["saved"] = cli("check", "--dsn", fixed_url, "--profile", "apms", "--only", "C2", "--save", "--format", "json", cwd=cwd)
    out["history"] = cli("history", "list", cwd=cwd)
    out["store"] = f"sqlite:///{cwd / 'cli-history.sqlite3'}"
    return out


def test_a_partial_run_says_so_in_json(partial_outputs):
    data = json.loads(partial_outputs["json"].stdout)
    assert data["verdict"] == GO and data["partial"] is True
    assert data["not_run"] == [c.id for c in REGISTRY if c.group != "C2"]
    assert [c["id"] for c in data["checks"]] == ["C2.id_types", "C2.reference_types"]


@pytest.mark.parametrize("fmt", ["markdown", "html", "table"])
def test_a_partial_run_says_so_in_every_text_format(partial_outputs, fmt):
    assert PARTIAL in partial_outputs[fmt].stdout.lower()


def test_a_partial_run_says_so_in_junit(partial_outputs):
    suite = ET.fromstring(partial_outputs["junit"].stdout)
    assert PARTIAL in suite.get("name")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["partial"] == PARTIAL and "C1.foreign_keys" in props["not_run"]


def test_a_full_run_is_not_marked_partial(fixed_url):
    data = json.loads(cli("check", "--dsn", fixed_url, "--profile", "apms", "--format", "json").stdout)
    assert (data["partial"], data["not_run"]) == (False, [])
    assert "partial review" not in cli("check", "--dsn", fixed_url, "--profile", "apms", "--format", "markdown").stdout


def test_a_saved_partial_run_is_marked_in_history(partial_outputs):
    assert partial_outputs["saved"].returncode == 0, partial_outputs["saved"].stderr
    assert "(partial review: --only)" in partial_outputs["history"].stdout
    (run,) = HistoryStore(partial_outputs["store"]).list_reviews()
    assert run["partial"] is True
    saved = HistoryStore(partial_outputs["store"]).get_review(run["id"])
    assert saved.partial and saved.partial_label == PARTIAL


def test_the_dashboard_marks_a_saved_partial_run(fixed_url, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from apms_ops.connections import Environment
    from conftest import ROOT

    store_url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("APMS_OPS_HISTORY_URL", store_url)
    path = tmp_path / "secrets.toml"
    path.write_text(tomli_w.dumps({"connections": {"fixed": {"url": fixed_url, "profile": "apms"}}}))
    monkeypatch.setenv("APMS_OPS_SECRETS", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = HistoryStore(store_url)
    store.save_review(run_review(Environment("fixed", fixed_url), "apms", only=["C2"]), run_by="ci", source="cli")
    store.save_review(run_review(Environment("fixed", fixed_url), "apms"), run_by="ci", source="cli")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/9_audit-history.py").run()
    assert not at.exception, at.exception
    timeline = next(df.value for df in at.dataframe if "Scope" in df.value.columns)
    assert sorted(timeline["Scope"]) == ["full", "partial review (--only)"]
    store.engine.dispose()
