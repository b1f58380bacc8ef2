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


def generate_schema_sql(n_tables: int, rows_per_table: int = 0, schema: str = "gen") -> str:
    lines = [f'CREATE SCHEMA IF NOT EXISTS "{schema}";']
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
        lines.append(f'CREATE TABLE "{schema}"."{name}" (\n  ' + ",\n  ".join(cols) + "\n);")
        if rows_per_table:
            ref_cols = [f"{table_name(j)[:-1]}_id" for j in dict.fromkeys(refs)]
            select_refs = "".join(f", 'r' || (g % {rows_per_table})" for _ in ref_cols)
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
    args = parser.parse_args()
    print(generate_schema_sql(args.tables, args.rows))
