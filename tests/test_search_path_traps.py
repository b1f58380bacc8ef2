"""A reviewed database cannot run its code in the review: operator, function and search_path traps.

The database's owner plants an operator ``public.=`` for text and uuid that says
every pair is equal, ``||`` and ILIKE operators, functions shadowing built-ins the
tool calls, and ``ALTER DATABASE ... SET search_path = public, pg_catalog`` so that
they come first. Each trap bumps a counter through dblink (its own connection,
so the count survives read-only and rolled-back transactions). A full review, the
invariant tests and the dashboard's loaders must leave the counter at 0, and their
figures must be those of a copy of the same database without the traps.
"""

from __future__ import annotations

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from apms_ops.invariants import run_invariants
from apms_ops.review import run_review
from apms_ops.samples import orphan_samples
from conftest import ROOT, admin_connection

ORPHAN = ("INSERT INTO master_roles (id, workspace_id, config_version_id, code, name) "
          "SELECT 'trap-orphan', workspace_id, 'no-such-version', 'TRAP_ORPHAN', 'orphan' FROM config_versions ORDER BY id LIMIT 1;")

COUNTER = """
CREATE EXTENSION IF NOT EXISTS dblink SCHEMA public;
CREATE TABLE public.trap_calls (n integer NOT NULL);
INSERT INTO public.trap_calls VALUES (0);
"""

# Built-ins the tool calls, shadowed in public: (signature, return type, the call that answers honestly).
SHADOWED = [
    ("md5(t text)", "text", "pg_catalog.md5(t)"),
    ("upper(t text)", "text", "pg_catalog.upper(t)"),
    ("substr(t text, a integer, b integer)", "text", "pg_catalog.substr(t, a, b)"),
    ("current_database()", "name", "pg_catalog.current_database()"),
    ("current_setting(t text)", "text", "pg_catalog.current_setting(t)"),
    ("set_config(a text, b text, c boolean)", "text", "pg_catalog.set_config(a, b, c)"),
    ("pg_backend_pid()", "integer", "pg_catalog.pg_backend_pid()"),
    ("now()", "timestamptz", "pg_catalog.now()"),
    ("format_type(o oid, m integer)", "text", "pg_catalog.format_type(o, m)"),
    ("pg_get_indexdef(o oid)", "text", "pg_catalog.pg_get_indexdef(o)"),
    ("pg_get_constraintdef(o oid)", "text", "pg_catalog.pg_get_constraintdef(o)"),
    ("pg_get_expr(e pg_node_tree, o oid)", "text", "pg_catalog.pg_get_expr(e, o)"),
    ("has_function_privilege(a text, b text)", "boolean", "pg_catalog.has_function_privilege(a, b)"),
    ("pg_advisory_xact_lock(k bigint)", "void", "pg_catalog.pg_advisory_xact_lock(k)"),
    ("to_jsonb(r anyelement)", "jsonb", "pg_catalog.to_jsonb(r)"),
]


def traps(url: str, database: str) -> str:
    """The owner's traps; every one bumps the counter through its own connection, then lies or answers."""
    bump = f"PERFORM public.dblink_exec('{url}', 'UPDATE public.trap_calls SET n = n + 1');"
    parts = [
        "CREATE FUNCTION public.trap_bump() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog "
        f"AS $$ BEGIN {bump} END $$;",
    ]
    # Equality that says yes to everything: orphans vanish, a partial index's predicate reads differently.
    for kind in ("text", "uuid"):
        parts.append(f"CREATE FUNCTION public.trap_eq_{kind}(a {kind}, b {kind}) RETURNS boolean LANGUAGE plpgsql "
                     f"SET search_path = pg_catalog AS $$ BEGIN PERFORM public.trap_bump(); RETURN true; END $$;")
        parts.append(f"CREATE OPERATOR public.= (LEFTARG = {kind}, RIGHTARG = {kind}, FUNCTION = public.trap_eq_{kind});")
    parts.append("CREATE FUNCTION public.trap_cat(a text, b text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog "
                 "AS $$ BEGIN PERFORM public.trap_bump(); RETURN a || b; END $$;")
    parts.append("CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trap_cat);")
    parts.append("CREATE FUNCTION public.trap_ilike(a text, b text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog "
                 "AS $$ BEGIN PERFORM public.trap_bump(); RETURN a ~~* b; END $$;")
    parts.append("CREATE OPERATOR public.~~* (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trap_ilike);")
    for signature, returns, honest in SHADOWED:
        body = f"PERFORM public.trap_bump(); {'PERFORM' if returns == 'void' else 'RETURN'} {honest};"
        parts.append(f"CREATE FUNCTION public.{signature} RETURNS {returns} LANGUAGE plpgsql SET search_path = pg_catalog "
                     f"AS $$ BEGIN {body} END $$;")
    parts.append(f'ALTER DATABASE "{database}" SET search_path = public, pg_catalog;')
    return "\n".join(parts)


def calls(url: str) -> int:
    with admin_connection(url) as conn:
        return conn.execute("SELECT n FROM public.trap_calls").fetchone()[0]


@pytest.fixture
def trapped(scratch):
    """(trapped environment, clean environment): the same data, the traps only in the first."""
    clean = scratch.make("staging", ORPHAN + COUNTER)
    env = scratch.make("staging", ORPHAN + COUNTER)
    with admin_connection(env.url) as conn:
        conn.execute(traps(env.url, env.name))
    # The traps work: an ordinary session of this database runs them (and the counter counts).
    with psycopg.connect(env.url) as conn:
        assert conn.execute("SELECT 'a'::text = 'b'::text").fetchone()[0] is True
    assert calls(env.url) == 1
    with admin_connection(env.url) as conn:
        conn.execute("UPDATE public.trap_calls SET n = 0")
    return env, clean


def figures(review) -> dict:
    return {c.id: (c.status, c.target, c.actual, len(c.findings)) for c in review.checks}


def test_a_full_review_runs_no_code_of_the_database_and_its_figures_hold(trapped):
    env, clean = trapped
    review = run_review(env, "apms", with_facts=True)
    assert calls(env.url) == 0
    expected = run_review(clean, "apms", with_facts=True)
    assert figures(review) == figures(expected)
    assert review.verdict == expected.verdict == "NO_GO"  # the planted orphan, found
    orphans = review.check("C1.orphans")
    assert orphans.status == "FAIL" and orphans.actual == 1
    assert [f["table"] for f in orphans.findings] == ["master_roles"]
    # The partial unique index's predicate reads as it does without the traps (no false NO-GO).
    assert review.check("C1.partial_unique_index").status == "PASS"
    for key in ("partial_unique_indexes", "check_constraints", "references"):
        assert review.facts[key] == expected.facts[key], key


def test_catalog_definitions_read_the_same_under_a_hostile_search_path(trapped):
    from apms_ops.catalog import read_snapshot
    from apms_ops.connections import read_only_session

    env, clean = trapped
    with read_only_session(env) as conn:
        trapped_snapshot = read_snapshot(conn)
    with read_only_session(clean) as conn:
        clean_snapshot = read_snapshot(conn)
    assert calls(env.url) == 0
    assert [(i.name, i.definition, i.predicate) for i in trapped_snapshot.indexes] == \
        [(i.name, i.definition, i.predicate) for i in clean_snapshot.indexes]
    assert [c.definition for c in trapped_snapshot.constraints] == [c.definition for c in clean_snapshot.constraints]


def test_invariant_tests_run_no_code_of_the_database(trapped):
    env, clean = trapped
    runs = {r.test: r.outcome for r in run_invariants(env, profile="apms", record=False)}
    assert calls(env.url) == 0
    assert runs == {r.test: r.outcome for r in run_invariants(clean, profile="apms", record=False)}
    assert runs["freeze_by_reference"] == "PASS"


def test_the_dashboards_loaders_run_no_code_of_the_database(trapped, tmp_path, monkeypatch):
    env, _ = trapped
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.trapped]\nurl = "{env.url}"\nprofile = "apms"\n')
    monkeypatch.setenv("APMS_OPS_SECRETS", str(secrets))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    for page in ("pages/6_orphans-isolation.py", "pages/5_workspace-versions.py", "pages/7_migration-history.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    sample = orphan_samples(env, [("master_roles", "config_version_id", "config_versions.id")], profile="apms")
    assert [r["id"] for r in sample["master_roles.config_version_id -> config_versions.id"]["rows"]] == ["trap-orphan"]
    assert calls(env.url) == 0
