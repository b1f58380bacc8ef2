"""The runbook files run with psql on both demo states and agree with the engine."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

RUNBOOK = sorted((Path(__file__).resolve().parent.parent / "sql" / "runbook").glob("*.sql"))


def psql(url: str, path: Path) -> str:
    proc = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("path", RUNBOOK, ids=[p.name for p in RUNBOOK])
def test_runbook_file_runs_on_staging_and_fixed(path, staging_url, fixed_url):
    psql(staging_url, path)
    psql(fixed_url, path)


def test_runbook_counts_match_the_engine(staging_url, fixed_url):
    c1 = next(p for p in RUNBOOK if p.name.startswith("01_"))
    staging_fks = [line for line in psql(staging_url, c1).splitlines() if "FOREIGN KEY" in line]
    fixed_fks = [line for line in psql(fixed_url, c1).splitlines() if "FOREIGN KEY" in line]
    assert (len(staging_fks), len(fixed_fks)) == (1, 46)
    types = next(p for p in RUNBOOK if p.name.startswith("03_"))
    rows = [line.split("|") for line in psql(staging_url, types).splitlines() if "->" not in line and line.count("|") == 4]
    assert len(rows) == 46 and all(r[4] == "t" for r in rows)
    orphans = next(p for p in RUNBOOK if p.name.startswith("02_"))
    lines = [line for line in psql(staging_url, orphans).splitlines() if "->" in line]
    assert len(lines) == 46 and all(line.endswith("|0") for line in lines)
