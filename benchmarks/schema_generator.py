"""Generate a large application-like schema, for benchmarks and the statement-count test.

``generate_schema_sql(n)`` gives SQL that creates ``n`` tables in schema
``gen``: every table has a text id, a ``workspace_id``, a few data columns,
one CHECK, and references to earlier tables through ``<table>_id`` columns
(half of them declared as foreign keys, half only implied by their names), so
discovery, type alignment and the orphan audit all have work to do.
"""

from __future__ import annotations

import argparse


def table_name(i: int) -> str:
    return f"item{i:05d}s"


def generate_schema_sql(n_tables: int, rows_per_table: int = 0, schema: str = "gen", weak_names: bool = False) -> str:
    """``weak_names``: every fifth table also gets a column named like an earlier table without ``_id``
    and every tenth a ``created_by text`` column (names only the data can confirm: the containment
    probe's work), with a ``users`` table they point at."""
    lines = [f'CREATE SCHEMA IF NOT EXISTS "{schema}";']
    if weak_names:
        lines.append(f'CREATE TABLE "{schema}".users (id text PRIMARY KEY, email text NOT NULL);')
        if rows_per_table:
            lines.append(f"INSERT INTO \"{schema}\".users SELECT 'u' || g, 'u' || g || '@example.com' FROM generate_series(0, 9) AS g;")
    for i in range(n_tables):
        name = table_name(i)
        cols = [
            "id text PRIMARY KEY",
            "workspace_id uuid NOT NULL",
            "code text NOT NULL",
            "amount integer CHECK (amount >= 0)",
            "created_at timestamptz NOT NULL DEFAULT now()",
        ]
        refs = [j for j in (i - 1, i // 2, i // 3) if 0 <= j < i]
        for k, j in enumerate(dict.fromkeys(refs)):
            singular = table_name(j)[:-1]
            col = f"{singular}_id text"
            if k % 2 == 0:
                col += f' REFERENCES "{schema}"."{table_name(j)}" (id)'
            cols.append(col)
        weak = []
        if weak_names and i and i % 5 == 0:
            weak.append((table_name(i // 5)[:-1], f"'r' || (g % {max(rows_per_table, 1)})"))
        if weak_names and i and i % 10 == 0:
            weak.append(("created_by", "'u' || (g % 10)"))
        cols += [f"{c} text" for c, _ in weak]
        lines.append(f'CREATE TABLE "{schema}"."{name}" (\n  ' + ",\n  ".join(cols) + "\n);")
        if rows_per_table:
            ref_cols = [f"{table_name(j)[:-1]}_id" for j in dict.fromkeys(refs)]
            select_refs = "".join(f", 'r' || (g % {rows_per_table})" for _ in ref_cols) + "".join(f", {v}" for _, v in weak)
            ref_cols += [c for c, _ in weak]
            col_list = "".join(f", {c}" for c in ref_cols)
            lines.append(
                f'INSERT INTO "{schema}"."{name}" (id, workspace_id, code, amount{col_list}) '
                f"SELECT 'r' || g, md5('ws' || (g % 4))::uuid, 'C' || g, g{select_refs} "
                f"FROM generate_series(0, {rows_per_table - 1}) AS g;"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", type=int)
    parser.add_argument("--rows", type=int, default=0, help="rows per table")
    parser.add_argument("--weak-names", action="store_true", help="add columns only the data can confirm as references")
    args = parser.parse_args()
    print(generate_schema_sql(args.tables, args.rows, weak_names=args.weak_names))
