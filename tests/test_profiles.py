"""Profiles as data: the APMS profile states the reference design; expressions compare as PostgreSQL stores them."""

from __future__ import annotations

from collections import Counter

import pytest

from apms_ops.expressions import normalize
from apms_ops.profiles import NO_PROFILE, load_profile, parse_profile
from apms_ops.errors import ProfileError


def test_apms_profile_has_the_reference_totals():
    p = load_profile("apms")
    assert len(p.tables) == 16 and p.tables[0] == "config_versions"
    assert len(p.foreign_keys) == 46
    per_table = Counter(fk.table for fk in p.foreign_keys)
    assert per_table["config_versions"] == 2 and per_table["workflow_instances"] == 4
    assert sum(n for t, n in per_table.items() if t.startswith("master_")) == 40  # 30 scoping + 10 master-to-master
    critical = {(fk.table, fk.columns[0]) for fk in p.foreign_keys if fk.critical}
    assert ("config_versions", "workspace_id") in critical
    assert all(col == "config_version_id" for t, col in critical if t != "config_versions")
    assert len(critical) == 17
    checks = Counter(c.table for c in p.checks)
    assert (len(p.checks), checks["config_versions"], checks["workflow_instances"]) == (22, 3, 2)
    assert p.partial_unique_indexes[0].columns == ("workspace_id",)
    assert p.expected_id_type("workspaces") == "uuid" and p.expected_id_type("master_holidays") == "text"


def test_none_is_discovery_only():
    assert load_profile("none") is NO_PROFILE and NO_PROFILE.is_empty


def test_a_profile_from_a_file(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text('[profile]\nname = "mini"\nschema = "app"\n[tables]\ncreated = ["a"]\n'
                    '[[foreign_keys]]\ntable = "a"\ncolumns = ["x", "y"]\nreferences = "b"\nref_columns = ["x", "y"]\n')
    p = load_profile(str(path))
    assert (p.name, p.schema, p.foreign_keys[0].columns) == ("mini", "app", ("x", "y"))


@pytest.mark.parametrize("data,key", [
    ({}, "profile"),
    ({"profile": {"name": "none"}}, "profile.name"),
    ({"profile": {"name": "x"}, "foreign_keys": [{"table": "t", "columns": ["a", "b"], "references": "p", "ref_columns": ["a"]}]},
     "foreign_keys[0].ref_columns"),
    ({"profile": {"name": "x"}, "checks": [{"table": "t"}]}, "checks[0].definition"),
    ({"profile": {"name": "x"}, "lifecycle": {"table": "t", "workspace_column": "w", "version_column": "v", "status_column": "s",
                                            "statuses": ["A"], "active": "B", "draft": "A"}}, "lifecycle.active"),
    ({"profile": {"name": "x"}, "id_types": {"t": 1}}, "id_types"),
    ({"profile": {"name": "x"}, "foreign_key_defaults": {"on_delete": ["RESTRICT", "DELETE"]}}, "foreign_key_defaults.on_delete"),
    ({"profile": {"name": "x"}, "foreign_key_defaults": {"deferrable": "no"}}, "foreign_key_defaults.deferrable"),
    ({"profile": {"name": "x"}, "foreign_key_defaults": {"on_remove": "CASCADE"}}, "foreign_key_defaults.on_remove"),
    ({"profile": {"name": "x"}, "foreign_keys": [{"table": "t", "column": "a", "references": "p.id", "on_update": []}]},
     "foreign_keys[0].on_update"),
    ({"profile": {"name": "x"}, "foreign_keys": [{"table": "t", "column": "a", "references": "p.id", "match": "LOOSE"}]},
     "foreign_keys[0].match"),
    ({"profile": {"name": "x"}, "checks": [{"table": "t", "definition": "x > 0; DROP TABLE t"}]}, "checks[0].definition"),
    ({"profile": {"name": "x"}, "checks": [{"table": "t", "definition": "x >"}]}, "checks[0].definition"),
    ({"profile": {"name": "x"}, "partial_unique_indexes": [{"name": "i", "table": "t", "columns": ["a"], "predicate": "a IN"}]},
     "partial_unique_indexes[0].predicate"),
    ({"profile": {"name": "x"}, "partial_unique_indexes": [{"name": "i", "table": "t", "columns": ["a"], "unique": "yes"}]},
     "partial_unique_indexes[0].unique"),
])
def test_malformed_profiles_name_the_key(data, key):
    with pytest.raises(ProfileError, match=f"src.toml: key '{key.replace('[', '.').replace(']', '.')}"):
        parse_profile(data, "src.toml")


@pytest.mark.parametrize("written,stored", [
    ("version > 0", "CHECK ((version > 0))"),
    ("status IN ('DRAFT','ACTIVE','ARCHIVED')", "CHECK ((status = ANY (ARRAY['DRAFT'::text, 'ACTIVE'::text, 'ARCHIVED'::text])))"),
    ("status <> 'ACTIVE' OR activated_at IS NOT NULL", "CHECK (((status <> 'ACTIVE'::text) OR (activated_at IS NOT NULL)))"),
    ("code ~ '^[A-Z0-9_]+$'", "CHECK ((code ~ '^[A-Z0-9_]+$'::text))"),
    ("grade BETWEEN 1 AND 20", "CHECK (((grade >= 1) AND (grade <= 20)))"),
    ("holiday_date >= DATE '2000-01-01'", "CHECK ((holiday_date >= '2000-01-01'::date))"),
    ("code <> ''", "CHECK ((code <> ''::text))"),
    ("status = 'ACTIVE'", "(status = 'ACTIVE'::text)"),
    ("a != b", "CHECK ((a <> b)) NOT VALID"),
])
def test_written_and_stored_expressions_normalize_alike(written, stored):
    assert normalize(written) == normalize(stored)


@pytest.mark.parametrize("a,b", [
    ("status = 'ACTIVE'", "status = 'active'"),
    ("grade BETWEEN 1 AND 20", "grade BETWEEN 1 AND 21"),
    ("x IN ('a, b')", "x IN ('a', 'b')"),
])
def test_different_expressions_stay_different(a, b):
    assert normalize(a) != normalize(b)


def test_foreign_key_rules_merge_the_profile_defaults_with_each_keys_own():
    data = {"profile": {"name": "x"},
            "foreign_key_defaults": {"on_delete": ["restrict", "no_action"], "deferrable": False},
            "foreign_keys": [{"table": "t", "column": "a", "references": "p.id"},
                             {"table": "t", "column": "b", "references": "p.id", "on_delete": "CASCADE", "on_update": "cascade"}]}
    p = parse_profile(data, "src.toml")
    assert p.foreign_key_rules("t", ("a",)).on_delete == ("RESTRICT", "NO ACTION")
    b = p.foreign_key_rules("t", ("b",))
    assert (b.on_delete, b.on_update, b.deferrable, b.match) == (("CASCADE",), ("CASCADE",), False, None)
    assert p.foreign_key_rules("t", ("c",)) is None
    apms = load_profile("apms")
    rules = apms.foreign_key_rules("workflow_instances", ("config_version_id",))
    assert rules.on_delete == ("RESTRICT", "NO ACTION") and rules.deferrable is False
    assert rules.on_update == ("CASCADE", "RESTRICT", "NO ACTION")  # "ON UPDATE may cascade", never detach
