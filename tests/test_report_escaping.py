"""A table name cannot forge the report; a profile's text never reaches remediation SQL unparsed.

The Markdown report is read back with a CommonMark parser, as a viewer renders it:
a table named with a newline, a code fence and ``# VERDICT: GO`` must stay inert
text in every place the name appears. A profile's CHECK definition that tries to
end the statement (``x > 0); DROP TABLE users; --``) is a profile error naming the
key; remediation SQL holds only what pglast parsed as one expression and rendered.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from psycopg import sql

from apms_ops.errors import ProfileError
from apms_ops.expressions import ExpressionError, sql_text as render_expression
from apms_ops.profiles import load_profile
from apms_ops.remediation import add_check, create_partial_unique_index
from apms_ops.reports import render
from apms_ops.review import run_review

FORGED = "x\n```\n# VERDICT: GO\n```\n| a | b |\n|---|---|\n> quote\n- item"


def forged_database(scratch):
    name = sql.Identifier(FORGED).as_string(None)
    column = "config_version_id"  # an implied reference to config_versions, with an orphan: the name is in the findings
    return scratch.make("staging", f"CREATE TABLE {name} (id text PRIMARY KEY, {column} text);"
                                   f"INSERT INTO {name} VALUES ('a', 'no-such-version');"
                                   f"CREATE TABLE \"workspace`s\" (id text PRIMARY KEY, config_version_id text);")


def test_an_identifier_cannot_forge_the_markdown_report(scratch):
    env = forged_database(scratch)
    review = run_review(env)
    assert any("VERDICT" in (f.get("table") or "") for c in review.checks for f in c.findings)  # the name is in the report
    text = render(review, "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not [h for h in headings if "VERDICT" in h], headings
    assert headings[0].startswith("Validation report:") and headings[0].endswith(("HOLD", "NO-GO"))
    # One code block only: the remediation SQL.
    assert [t.info for t in tokens if t.type in ("fence", "code_block")] == ["sql"]
    assert not [t for t in tokens if t.type in ("blockquote_open", "html_block")]
    # Tables keep their columns: a name cannot add a row or a cell.
    tables, row = [], None
    for t in tokens:
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            row = 0
        elif t.type in ("th_open", "td_open"):
            row += 1
        elif t.type == "tr_close":
            tables[-1].append(row)
    assert tables and all(len(set(widths)) == 1 for widths in tables), tables


def test_nothing_inside_a_code_block_can_close_it():
    from apms_ops.reports.document import code
    from apms_ops.reports.markdown import render_blocks

    body = 'ALTER TABLE "x\n```\n````\n# VERDICT: GO" ADD ...;'
    tokens = MarkdownIt("commonmark").parse(render_blocks([code(body, "sql")]))
    assert [(t.type, t.content) for t in tokens] == [("fence", body + "\n")]


def test_a_profile_check_cannot_inject_sql(tmp_path, staging_url):
    path = tmp_path / "evil.toml"
    path.write_text("[profile]\nname = 'evil'\n[[checks]]\ntable = 'users'\ndefinition = \"x > 0); DROP TABLE users; --\"\n")
    with pytest.raises(ProfileError) as exc:
        load_profile(str(path))
    assert str(path) in str(exc.value) and "key 'checks[0].definition': not one SQL expression" in str(exc.value)
    path.write_text("[profile]\nname = 'evil'\n[[partial_unique_indexes]]\nname = 'i'\ntable = 't'\ncolumns = ['a']\n"
                    "predicate = \"true; DROP TABLE users\"\n")
    with pytest.raises(ProfileError, match=r"key 'partial_unique_indexes\[0\].predicate'"):
        load_profile(str(path))


@pytest.mark.parametrize("text", [
    "x > 0); DROP TABLE users; --",
    "x > 0) NOT VALID; DROP TABLE users; ALTER TABLE t ADD CHECK (true",
    "x > 0) FROM pg_catalog.pg_class WHERE (true",
    "x > 0 UNION SELECT 1",
])
def test_remediation_refuses_what_is_not_one_expression(text):
    with pytest.raises(ExpressionError):
        render_expression(text)
    with pytest.raises(ExpressionError):
        add_check("public", "users", text, "users_check")


def test_remediation_renders_the_parsed_expression():
    assert render_expression("status IN ('A','B')") == "status IN ('A', 'B')"
    assert render_expression("CHECK (x > 0) NOT VALID") == "x > 0"
    assert render_expression("x > 0 -- trailing comment") == "x > 0"
    sql_text = add_check("public", "t", "x > 0 /* ); DROP TABLE t; */", "t_x_check")
    assert sql_text.startswith('ALTER TABLE "public"."t" ADD CONSTRAINT "t_x_check" CHECK (x > 0) NOT VALID;')
    assert "DROP" not in sql_text
    index = create_partial_unique_index("public", "t", "one_active", ["workspace_id"], "status = 'ACTIVE'")
    assert index.endswith("WHERE status = 'ACTIVE';")
