"""One decision per object: every check emits the rows it judged, its status is the worst of
them, and every page table shows the check's own status for each row (never a status of its own)."""

from __future__ import annotations

import pytest

from apms_ops.checks import REGISTRY
from apms_ops.review import run_review
from apms_ops.ui import tables

ORDER = ("FAIL", "ERROR", "WARN")

# page table -> (check whose rows it shows, the columns that name a row, the row keys they come from)
PAGE_TABLES = {
    "table_presence_rows": ("C1.tables", ["Table"], ["table"]),
    "extension_rows": ("C1.extensions", ["Extension"], ["extension"]),
    "check_constraint_rows": ("C1.check_constraints", ["Table", "Constraint"], ["table", "constraint"]),
    "missing_check_rows": ("C1.check_constraints", ["Table", "Definition"], ["table", "definition"]),
    "partial_index_rows": ("C1.partial_unique_index", ["Index"], ["index"]),
    "id_type_rows": ("C2.id_types", ["Table"], ["table"]),
    "reference_type_rows": ("C2.reference_types", ["Table", "Column", "References"], ["table", "column", "references"]),
    "missing_fk_rows": ("C1.foreign_keys", ["Table", "Column", "References"], ["table", "column", "references"]),
    "orphan_rows": ("C1.orphans", ["Table", "Column", "References"], ["table", "column", "references"]),
    "cross_workspace_rows": ("C5.isolation", ["Table", "Column", "References"], ["table", "column", "references"]),
    "workspace_rows": ("C4.one_active_per_workspace", ["Id"], ["workspace"]),
}

FAULTY = """
    ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_pkey;
    ALTER TABLE master_priorities DROP CONSTRAINT master_priorities_rank_check;
    ALTER TABLE master_priorities ADD CONSTRAINT master_priorities_rank_check CHECK (rank BETWEEN 1 AND 9);
    ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
    ALTER TABLE master_roles ADD CONSTRAINT master_roles_config_version_id_fkey
          FOREIGN KEY (config_version_id) REFERENCES config_versions (id) NOT VALID;
    ALTER TABLE master_sla_policies DROP CONSTRAINT master_sla_policies_priority_id_fkey;
    DROP INDEX config_versions_one_active_per_workspace;
    CREATE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id) WHERE status = 'ACTIVE';
"""


@pytest.fixture(scope="module")
def reviews(fixed_url, staging_url):
    from apms_ops.connections import Environment

    from conftest import RUN_TAG, create_database, drop_database

    name = f"{RUN_TAG}_faulty_rows"
    url = create_database(name, "fixed", FAULTY, from_template=True)
    out = {name: run_review(Environment(name, url), "apms", with_facts=True) for name, url in
           (("fixed", fixed_url), ("staging", staging_url), ("faulty", url))}
    yield out
    drop_database(name)


@pytest.mark.parametrize("which", ["fixed", "staging", "faulty"])
def test_every_check_judges_rows_and_its_status_is_the_worst_of_them(reviews, which):
    review = reviews[which]
    for check in review.checks:
        if check.id != "C6.health":
            assert check.rows, f"{check.id} emitted no judged rows"
        assert all({"object", "status", "reason"} <= set(r) and r["reason"] for r in check.rows), check.id
        worst = next((s for s in ORDER if any(r["status"] == s for r in check.rows)), None)
        if worst is not None:
            assert check.status == worst, (check.id, check.status, worst)
        else:
            assert check.status in ("PASS", "INFO", "SKIP"), (check.id, check.status)
    assert {c.id for c in review.checks} == {c.id for c in REGISTRY}


@pytest.mark.parametrize("which", ["fixed", "staging", "faulty"])
@pytest.mark.parametrize("function", sorted(PAGE_TABLES))
def test_page_tables_show_the_checks_own_status_for_every_row(reviews, which, function):
    review = reviews[which]
    check_id, columns, keys = PAGE_TABLES[function]
    frame = getattr(tables, function)(review)
    def plain(value):
        return None if value in (None, tables.DASH) else value

    rows = {tuple(plain(r.get(k)) for k in keys): r["status"] for r in review.check(check_id).rows}
    for _, shown in frame.iterrows():
        key = tuple(plain(shown[c]) for c in columns)
        assert key in rows, (function, key)
        assert shown["Status"].split(" ")[0] == rows[key], (function, key)


def test_a_table_without_its_primary_key_is_fail_on_the_check_and_on_the_page(reviews):
    review = reviews["faulty"]
    assert review.check("C2.id_types").status == "FAIL"
    ids = tables.id_type_rows(review)
    holidays = ids[ids["Table"] == "master_holidays"].iloc[0]
    assert holidays["Status"] == "FAIL" and "no single-column primary key" in holidays["Reason"]
    assert review.verdict == "NO_GO"


def test_not_valid_and_differing_definitions_are_named_on_the_pages(reviews):
    review = reviews["faulty"]
    fks = tables.missing_fk_rows(review)
    not_valid = fks[fks["Column"] == "config_version_id"]
    assert list(not_valid["Status"]) == ["WARN"] and "NOT VALID" in not_valid.iloc[0]["Reason"]
    missing = fks[fks["Table"] == "master_sla_policies"]
    assert list(missing["Status"]) == ["FAIL"] and "VALIDATE CONSTRAINT" in missing.iloc[0]["SQL"]
    checks = tables.missing_check_rows(review)
    assert list(checks["Status"]) == ["FAIL"] and "constant 5 vs 9" in checks.iloc[0]["Reason"]
    assert "DROP CONSTRAINT" in checks.iloc[0]["SQL"]
    index = tables.partial_index_rows(review)
    assert index.iloc[0]["Status"] == "FAIL" and "not unique" in index.iloc[0]["Reason"]
    critical = review.check("C1.critical_foreign_keys")
    assert critical.status == "WARN" and "NOT VALID" in critical.detail
