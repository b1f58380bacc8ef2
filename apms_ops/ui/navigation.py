"""The dashboard's pages, in menu order. A page whose file does not exist is left out,
so a page being written elsewhere can land without touching the router.

The pages live in ``app_pages/``, not ``pages/``: with a ``pages/`` folder beside the
entry script Streamlit resolves the first session's URL against that folder's file
names before ``st.navigation`` runs, so a shared link opened on a freshly started
server showed "Page not found" (and a file-derived name equal to a ``url_path`` ran
the page without the shared sidebar).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageSpec:
    """One page; ``url_path`` is its address (links and bookmarks rely on it: keep it stable)."""

    path: str          # relative to the directory of dashboard.py
    title: str
    icon: str
    url_path: str
    section: str
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/1_overview.py", "Overview", ":material/verified:", "deploy-overview", "Review", default=True),
    PageSpec("app_pages/10_findings.py", "Findings", ":material/checklist:", "findings", "Review"),
    PageSpec("app_pages/11_relations.py", "Relations", ":material/hub:", "relations", "Review"),
    PageSpec("app_pages/2_schema_integrity.py", "Schema integrity", ":material/schema:", "schema-integrity", "Review"),
    PageSpec("app_pages/3_type_alignment.py", "Type alignment", ":material/join_inner:", "type-alignment", "Review"),
    PageSpec("app_pages/4_fk_coverage.py", "FK coverage", ":material/link:", "fk-coverage", "Review"),
    PageSpec("app_pages/5_workspaces.py", "Workspaces", ":material/workspaces:", "workspace-versions", "Review"),
    PageSpec("app_pages/6_orphans_isolation.py", "Orphans & isolation", ":material/link_off:", "orphans-isolation", "Review"),
    PageSpec("app_pages/7_migrations.py", "Migrations", ":material/history_edu:", "migration-history", "Review"),
    PageSpec("app_pages/8_invariant_tests.py", "Invariant tests", ":material/science:", "invariant-tests", "Operate"),
    PageSpec("app_pages/9_history.py", "History", ":material/history:", "audit-history", "Operate"),
)


def path_of(url_path: str) -> str:
    """The file of the page at ``url_path`` (for ``st.page_link``)."""
    return next(p.path for p in PAGES if p.url_path == url_path)


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
