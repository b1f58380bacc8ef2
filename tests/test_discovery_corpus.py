"""Recall and precision of discovery on the test-schema corpus (tests/corpus), every schema
in a real database with its foreign keys dropped, against the references it really has.

The corpus has one schema per naming style (Prisma, Django, Rails, hand-written,
partitions, composite keys, multiple schemas, classic samples) in ``dev/``, and a
held-out part in ``holdout/`` written after the rules were. The figures per schema
are printed (``pytest -s``) and shown on failure; ``python benchmarks/discovery_corpus.py``
prints the same table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from discovery_corpus import load_corpus, score_schema, table, total  # noqa: E402

CORPUS = load_corpus()


@pytest.fixture(scope="module")
def corpus_run():
    """Every schema loaded once: its scores, and whether each true reference could be added as a foreign key."""
    from conftest import ScratchDatabases

    factory = ScratchDatabases()
    scores, truth_errors = [], {}
    try:
        for schema in CORPUS:
            env = factory.make(sql_text=schema.sql)
            scores += score_schema(schema, env.url)
            truth_errors[schema.name] = _add_truth_as_foreign_keys(env.url, schema)
    finally:
        factory.cleanup()
    return scores, truth_errors


def _add_truth_as_foreign_keys(url: str, schema) -> list[str]:
    """Add every true reference as a foreign key in a transaction that is rolled back; the ones that fail.

    NOT VALID where PostgreSQL allows it: some schemas hold orphans on purpose, as staging databases do.
    """
    errors = []
    with psycopg.connect(url) as conn:
        partitioned = {tuple(r) for r in conn.execute("SELECT relnamespace::regnamespace::text, relname FROM pg_class WHERE relkind = 'p'")}
        for s, t, cols, rs, rt, rcols in sorted(schema.truth):
            statement = sql.SQL("ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {} ({})" + ("" if (s, t) in partitioned else " NOT VALID")).format(
                sql.Identifier(s, t), sql.SQL(", ").join(map(sql.Identifier, cols)),
                sql.Identifier(rs, rt), sql.SQL(", ").join(map(sql.Identifier, rcols)))
            try:
                with conn.transaction():
                    conn.execute(statement)
            except psycopg.Error as exc:
                errors.append(f"{s}.{t}({', '.join(cols)}): {exc}")
        conn.rollback()
    return errors


@pytest.fixture(scope="module")
def corpus_scores(corpus_run):
    return corpus_run[0]


def test_the_corpus_covers_every_naming_style():
    names = {s.name for s in CORPUS}
    assert {"prisma_esign", "django_shop", "rails_tracker", "handwritten_label", "iot_partitions", "saas_multischema",
            "chinook", "pagila", "northwind"} <= names
    assert any(s.prisma for s in CORPUS)
    assert sum(len(s.truth) for s in CORPUS) >= 600


def test_zero_config_recall_and_precision_on_the_whole_corpus(corpus_scores):
    zero = [s for s in corpus_scores if s.mode == "zero-config"]
    overall = total(zero, "all schemas")
    report = table(zero + [overall])
    print("\n" + report)
    assert overall.recall() >= 0.95, report
    assert overall.precision() >= 0.95, report
    # What counts toward the verdict (the high band) is at least as precise.
    assert overall.precision("high") >= 0.95, report


def test_with_the_prisma_schema_every_relation_is_found(corpus_scores):
    prisma = [s for s in corpus_scores if s.mode == "prisma"]
    assert prisma
    overall = total(prisma, "prisma")
    report = table(prisma + [overall])
    print("\n" + report)
    assert overall.recall() == 1.0, report
    assert overall.precision() >= 0.98, report


@pytest.mark.parametrize("schema", CORPUS, ids=[f"{s.part}/{s.name}" for s in CORPUS])
def test_the_ground_truth_is_real_foreign_keys(corpus_run, schema):
    """Every true reference can be added as a foreign key: the truth names real keys of matching types."""
    assert corpus_run[1][schema.name] == []
