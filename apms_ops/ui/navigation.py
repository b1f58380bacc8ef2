"""The dashboard's pages, in menu order. A page whose file does not exist is left out,
so a page being written elsewhere can land without touching the router."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageSpec:
    """One page. ``url_path`` must differ from the name Streamlit derives from the file
    (``5_workspaces.py`` -> ``workspaces``): with ``pages/`` beside the entry script a
    clash makes a run execute the page alone, without the shared sidebar."""

    path: str          # relative to the directory of dashboard.py
    title: str
    icon: str
    url_path: str
    section: str
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/1_overview.py", "Overview", ":material/verified:", "deploy-overview", "Review", default=True),
    PageSpec("pages/2_schema_integrity.py", "Schema integrity", ":material/schema:", "schema-integrity", "Review"),
    PageSpec("pages/3_type_alignment.py", "Type alignment", ":material/join_inner:", "type-alignment", "Review"),
    PageSpec("pages/4_fk_coverage.py", "FK coverage", ":material/link:", "fk-coverage", "Review"),
    PageSpec("pages/5_workspaces.py", "Workspaces", ":material/workspaces:", "workspace-versions", "Review"),
    PageSpec("pages/6_orphans_isolation.py", "Orphans & isolation", ":material/link_off:", "orphans-isolation", "Review"),
    PageSpec("pages/7_migrations.py", "Migrations", ":material/history_edu:", "migration-history", "Review"),
    PageSpec("pages/10_drift.py", "Drift", ":material/compare_arrows:", "environment-drift", "Release"),
    PageSpec("pages/11_migration_lint.py", "Migration lint", ":material/rule:", "pending-migration-lint", "Release"),
    PageSpec("pages/8_invariant_tests.py", "Invariant tests", ":material/science:", "invariant-tests", "Operate"),
    PageSpec("pages/9_history.py", "History", ":material/history:", "audit-history", "Operate"),
)


def available_pages(root: Path) -> list[PageSpec]:
    """The pages whose file exists under ``root``."""
    return [p for p in PAGES if (root / p.path).is_file()]


def navigation_pages(root: Path) -> dict[str, list]:
    """``{section: [st.Page, ...]}`` for ``st.navigation``."""
    import streamlit as st

    sections: dict[str, list] = {}
    for spec in available_pages(root):
        page = st.Page(str(root / spec.path), title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.default)
        sections.setdefault(spec.section, []).append(page)
    return sections
