"""The history store on SQLite and on PostgreSQL: saved runs, trends, diffs, acceptances and sign-offs."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from apms_ops import history
from apms_ops.errors import ConfigError, HistoryError
from apms_ops.history import HistoryStore, diff_reviews, run_audit
from apms_ops.reports import render
from apms_ops.review import run_review
from conftest import SOON, admin_connection

CHECK_FINDING = "C1.check_constraints"


def orphan_sql(table: str, n: int, start: int = 1) -> str:
    """``n`` rows of ``table`` pointing at a configuration version that does not exist."""
    extra = {"master_holidays": (", holiday_date", ", DATE '2025-01-01'")}.get(table, ("", ""))
    return "".join(
        f"INSERT INTO {table} (id, workspace_id, config_version_id, code, name{extra[0]}) "
        f"SELECT 'orphan_{table}_{i}', workspace_id, 'missing-version', 'ORPHAN_{i}', 'orphan {i}'{extra[1]} "
        f"FROM config_versions ORDER BY id LIMIT 1;"
        for i in range(start, start + n)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, scratch):
    """A fresh, empty history store: a SQLite file, or a scratch PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    else:
        url = scratch.make().url  # an empty database: the store creates its own schema
    s = HistoryStore(url)
    yield s
    s.engine.dispose()


def test_schema_is_migrated_to_the_latest_version(store):
    with store.engine.connect() as conn:
        versions = conn.execute(sa.select(history.schema_version.c.version).order_by(history.schema_version.c.version)).scalars().all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("acceptances", schema=history._store_schema(conn))}
    assert versions == list(range(1, len(history.MIGRATIONS) + 1))
    assert "revoked_by" in columns


def test_a_v1_store_is_migrated_in_place(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    HistoryStore(url).engine.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # make it look like a store written before v2
        conn.execute(sa.text("DROP INDEX ix_review_findings_fingerprint"))
        conn.execute(sa.text("ALTER TABLE acceptances DROP COLUMN revoked_by"))
        conn.execute(sa.text("DELETE FROM schema_version WHERE version > 1"))
    HistoryStore._migrated.discard(url)
    HistoryStore(url)
    with engine.connect() as conn:
        assert "revoked_by" in {c["name"] for c in sa.inspect(conn).get_columns("acceptances")}
        assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar() == len(history.MIGRATIONS)


def test_review_round_trip(store, staging_env):
    review = run_review(staging_env)
    run_id = store.save_review(review, run_by="alice", source="cli")
    back = store.get_review(run_id)
    assert (back.verdict, back.environment, back.profile) == ("HOLD", "staging", "apms")
    assert [(c.id, c.status, c.target, c.actual) for c in back.checks] == [(c.id, c.status, c.target, c.actual) for c in review.checks]
    assert [f["fingerprint"] for f in back.check("C1.foreign_keys").findings] == [f["fingerprint"] for f in review.check("C1.foreign_keys").findings]
    [listed] = store.list_reviews("staging")
    assert (listed["id"], listed["run_by"], listed["source"], listed["verdict"]) == (run_id, "alice", "cli", "HOLD")
    assert listed["started_at"].tzinfo is not None
    assert store.find_finding(review.check("C1.foreign_keys").findings[0]["fingerprint"])["check_id"] == "C1.foreign_keys"
    assert store.environments() == ["staging"]


def test_trend_and_diff_over_three_runs_with_orphans_injected(store, scratch):
    env = scratch.make("staging")
    env = type(env)("staging-copy", env.url, source="dsn")
    _, first = run_audit(env, store, run_by="cron")
    with admin_connection(env.url) as conn:
        conn.execute(orphan_sql("master_roles", 2))
    _, second = run_audit(env, store, run_by="cron")
    with admin_connection(env.url) as conn:
        conn.execute(orphan_sql("master_roles", 2, start=3) + orphan_sql("master_holidays", 1))
    _, third = run_audit(env, store, run_by="cron")

    trend = store.trends("staging-copy")
    assert [t["run_id"] for t in trend] == [first, second, third]
    assert [t["verdict"] for t in trend] == ["HOLD", "NO_GO", "NO_GO"]
    assert [t["orphans"] for t in trend] == [0, 2, 5]
    roles = "master_roles.config_version_id -> config_versions.id"
    holidays = "master_holidays.config_version_id -> config_versions.id"
    assert [t["orphans_by_reference"] for t in trend] == [
        {holidays: 0, roles: 0}, {holidays: 0, roles: 2}, {holidays: 1, roles: 4}]
    assert {(t["fk_present"], t["fk_target"]) for t in trend} == {(1, 46)}
    assert trend[0]["fk_coverage"] == pytest.approx(1 / 46)
    assert [t["check_constraints"] for t in trend] == [21, 21, 21]
    assert [t["active_violations"] for t in trend] == [0, 0, 0]

    d = store.diff(first, second)
    assert d["verdict_change"] == "worse" and (d["a"]["run_id"], d["b"]["run_id"]) == (first, second)
    assert [c["check_id"] for c in d["worse"]] == ["C1.orphans"]
    assert d["worse"][0]["before"]["status"] == "PASS" and d["worse"][0]["after"]["status"] == "FAIL"
    assert [(f["check_id"], f["finding"]["table"], f["finding"]["orphans"]) for f in d["new_findings"]] == [("C1.orphans", "master_roles", 2)]
    assert d["better"] == [] and d["resolved_findings"] == []

    d = store.diff(second, third)
    assert d["verdict_change"] == "same"
    assert [c["check_id"] for c in d["worse"]] == ["C1.orphans"]  # same status, further from the target
    assert [f["finding"]["table"] for f in d["new_findings"]] == ["master_holidays"]
    assert [(f["finding"]["table"], f["measures"]) for f in d["changed_findings"]] == [("master_roles", {"orphans": (2, 4)})]

    d = store.diff(third, first)  # backwards: everything the fault brought is resolved
    assert d["verdict_change"] == "better" and [c["check_id"] for c in d["better"]] == ["C1.orphans"]
    assert sorted(f["finding"]["table"] for f in d["resolved_findings"]) == ["master_holidays", "master_roles"]


def test_trend_figures_are_none_when_a_check_did_not_run(store, staging_env):
    store.save_review(run_review(staging_env, only=["C2"]))
    [row] = store.trends("staging")
    assert (row["fk_present"], row["orphans"], row["check_constraints"], row["active_violations"]) == (None, None, None, None)


def test_active_acceptance_leaves_the_finding_out_of_the_verdict_and_the_status_stays_fail(store, staging_env):
    baseline = run_review(staging_env)
    assert {r.rule for r in baseline.reasons} == {"R9", "R10"}
    finding = baseline.check(CHECK_FINDING).findings[0]
    acc_id = store.accept(finding["fingerprint"], CHECK_FINDING, "added by the next migration",
                          datetime.now(timezone.utc) + timedelta(days=30), environment="staging", finding=finding, accepted_by="olga")

    accepted = run_review(staging_env, acceptances=store.active_acceptances("staging"))
    check = accepted.check(CHECK_FINDING)
    assert check.status == "FAIL"  # honest: the figure still misses the target
    assert check.findings[0]["accepted"] is True and check.findings[0]["acceptance"]["accepted_by"] == "olga"
    assert {r.rule for r in accepted.reasons} == {"R9"} and accepted.verdict == "HOLD"
    assert run_review(staging_env, acceptances=store.active_acceptances("other")).check(CHECK_FINDING).open_findings

    # Time passes: the acceptance expires and the finding counts again.
    with store.engine.begin() as conn:
        conn.execute(history.acceptances.update().where(history.acceptances.c.id == acc_id)
                     .values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    assert store.active_acceptances("staging") == {}
    again = run_review(staging_env, acceptances=store.active_acceptances("staging"))
    assert {r.rule for r in again.reasons} == {"R9", "R10"}
    assert not again.check(CHECK_FINDING).findings[0].get("accepted")
    [row] = store.list_acceptances("staging", include_inactive=True)
    assert row["state"] == "expired"


def test_acceptance_for_every_environment_revocation_and_validation(store, staging_env):
    finding = run_review(staging_env).check(CHECK_FINDING).findings[0]
    later = datetime.now(timezone.utc) + timedelta(days=7)
    acc_id = store.accept(finding["fingerprint"], CHECK_FINDING, "known everywhere", later)
    assert set(store.active_acceptances("staging")) == set(store.active_acceptances("prod")) == {finding["fingerprint"]}
    assert store.active_acceptances("staging", now=later + timedelta(seconds=1)) == {}

    revoked = store.revoke(acc_id, revoked_by="rita")
    assert (revoked["state"], revoked["revoked_by"]) == ("revoked", "rita")
    assert store.active_acceptances("staging") == {}
    with pytest.raises(ConfigError, match="already revoked"):
        store.revoke(acc_id)
    with pytest.raises(ConfigError, match="in the past"):
        store.accept(finding["fingerprint"], CHECK_FINDING, "too late", "2001-01-01")
    with pytest.raises(ConfigError, match="reason"):
        store.accept(finding["fingerprint"], CHECK_FINDING, "  ", later)

    # A new acceptance of the same finding replaces the active one.
    one = store.accept(finding["fingerprint"], CHECK_FINDING, "first", later, environment="staging")
    two = store.accept(finding["fingerprint"], CHECK_FINDING, "second", later, environment="staging")
    assert store.active_acceptances("staging")[finding["fingerprint"]]["id"] == two
    assert store.get_acceptance(one)["state"] == "revoked"


def test_acceptances_toml_export_and_import(store, tmp_path, staging_env):
    review = run_review(staging_env)
    fk = review.check("C1.foreign_keys").findings[0]
    cc = review.check(CHECK_FINDING).findings[0]
    store.accept(fk["fingerprint"], "C1.foreign_keys", "kept in application code on purpose", SOON, finding=fk, accepted_by="ann")
    store.accept(cc["fingerprint"], CHECK_FINDING, 'quote " and newline\nkept', SOON, environment="staging", finding=cc, accepted_by="bo")

    text = store.export_acceptances()
    data = tomllib.loads(text)
    assert len(data["acceptance"]) == 2
    by_check = {e["check"]: e for e in data["acceptance"]}
    assert "environment" not in by_check["C1.foreign_keys"]  # every environment
    assert by_check[CHECK_FINDING]["environment"] == "staging"
    assert by_check[CHECK_FINDING]["reason"] == 'quote " and newline\nkept'
    assert "sql" not in by_check["C1.foreign_keys"]["finding"]

    other = HistoryStore(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert other.import_acceptances(text) == {"added": 2, "unchanged": 0, "expired": 0}
    assert other.import_acceptances(text) == {"added": 0, "unchanged": 2, "expired": 0}
    assert set(other.active_acceptances("staging")) == {fk["fingerprint"], cc["fingerprint"]}
    assert {a["accepted_by"] for a in other.list_acceptances()} == {"ann", "bo"}
    assert other.export_acceptances().split("\n", 2)[2] == text.split("\n", 2)[2]

    expired = '[[acceptance]]\nfingerprint = "abc"\ncheck = "C1.orphans"\nreason = "old"\nexpires_at = 2001-01-01\n'
    assert other.import_acceptances(expired) == {"added": 0, "unchanged": 0, "expired": 1}
    with pytest.raises(ConfigError, match="acceptance 1: missing reason"):
        other.import_acceptances('[[acceptance]]\nfingerprint = "abc"\ncheck = "C1.orphans"\nexpires_at = ' + SOON + '\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        other.import_acceptances("[[acceptance]\n")


def test_sign_off_latest_and_shown_in_the_report(store, staging_env):
    assert store.latest_sign_off("staging") is None
    review = run_review(staging_env)
    run_id = store.save_review(review)
    store.sign_off("staging", "HOLD", migration="20251229010228_add_master_tables_final_v2", comment="first look", signed_by="pat")
    store.sign_off("staging", "no-go", migration="20251229010228_add_master_tables_final_v2",
                   comment="wait for the foreign keys <b>now</b>", signed_by="quinn")
    latest = store.latest_sign_off("staging")
    assert (latest["decision"], latest["signed_by"], latest["review_run_id"], latest["review_verdict"]) == ("NO_GO", "quinn", run_id, "HOLD")
    assert [s["signed_by"] for s in store.list_sign_offs("staging")] == ["quinn", "pat"]
    with pytest.raises(ConfigError, match="must be one of"):
        store.sign_off("staging", "maybe")
    with pytest.raises(ConfigError, match="not 'prod'"):
        store.sign_off("prod", "GO", review_run_id=run_id)

    extras = store.report_extras(review)
    text = render(review, "markdown", **extras)
    assert "**Latest sign-off:** **NO-GO** by quinn" in text
    decision = text.split("## Decision", 1)[1].split("\n## ", 1)[0]
    assert "**Sign-off:** **NO-GO** by quinn" in decision and "for migration `20251229010228_add_master_tables_final_v2`" in decision
    assert "while this review says **HOLD**" in decision
    assert "&lt;b>now&lt;/b>" in decision  # a comment cannot become markup


def test_diff_of_reviews_ignores_measure_only_changes_for_identity(staging_env):
    a = run_review(staging_env)
    b = run_review(staging_env)
    d = diff_reviews(a, b)
    assert d["verdict_change"] == "same" and not (d["better"] or d["worse"] or d["new_findings"] or d["resolved_findings"])
    assert d["unchanged_findings"] == sum(len(c.findings) for c in a.checks)


def test_store_errors_are_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(HistoryError, match="cannot create folder"):
        HistoryStore(f"sqlite:///{blocker / 'sub' / 'h.sqlite3'}")
    with pytest.raises(HistoryError) as exc:
        HistoryStore("postgresql://postgres@127.0.0.1:1/nowhere")
    assert "\n" not in str(exc.value)
