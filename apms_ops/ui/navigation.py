"""The dashboard's pages, in menu order, and the guard that keeps every page under the router.

Each page is a file in ``pages/`` named ``<n>_<url_path>.py``: its address is its
file name. A page whose file does not exist is left out, so a page being written
elsewhere can land without touching the router.

Why the names matter: while a server has not yet run ``dashboard.py`` once,
Streamlit resolves a visitor's URL against the files of ``pages/`` and runs the
matching file on its own — without the router, its sidebar and the
environment in the URL. A shared link opened first after a restart would show
"Page not found" (a name the folder does not have) or a page without the
sidebar. With addresses equal to file names the page is found, and
``require_router`` (the first call of every page) runs ``dashboard.py`` in
its place.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageSpec:
    """One page; its address is its file name (links and bookmarks rely on it: keep it stable)."""

    path: str          # relative to the directory of dashboard.py: pages/<n>_<url_path>.py
    title: str
    icon: str
    section: str
    default: bool = False

    @property
    def url_path(self) -> str:
        """``pages/4_fk-coverage.py`` -> ``fk-coverage``: the name Streamlit itself gives the file."""
        return Path(self.path).stem.split("_", 1)[1]


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/1_deploy-overview.py", "Overview", ":material/verified:", "Review", default=True),
    PageSpec("pages/10_findings.py", "Findings", ":material/checklist:", "Review"),
    PageSpec("pages/11_relations.py", "Relations", ":material/hub:", "Review"),
    PageSpec("pages/2_schema-integrity.py", "Schema integrity", ":material/schema:", "Review"),
    PageSpec("pages/3_type-alignment.py", "Type alignment", ":material/join_inner:", "Review"),
    PageSpec("pages/4_fk-coverage.py", "FK coverage", ":material/link:", "Review"),
    PageSpec("pages/5_workspace-versions.py", "Workspaces", ":material/workspaces:", "Review"),
    PageSpec("pages/6_orphans-isolation.py", "Orphans & isolation", ":material/link_off:", "Review"),
    PageSpec("pages/7_migration-history.py", "Migrations", ":material/history_edu:", "Review"),
    PageSpec("pages/12_environment-drift.py", "Drift", ":material/compare_arrows:", "Release"),
    PageSpec("pages/13_pending-migration-lint.py", "Migration lint", ":material/rule:", "Release"),
    PageSpec("pages/8_invariant-tests.py", "Invariant tests", ":material/science:", "Operate"),
    PageSpec("pages/9_audit-history.py", "History", ":material/history:", "Operate"),
)


_router = threading.local()  # one script run per thread: is this run inside dashboard.py's router?


@contextmanager
def routed():
    """Around ``page.run()`` in ``dashboard.py``: pages run inside it are under the router."""
    _router.active = True
    try:
        yield
    finally:
        _router.active = False


def require_router() -> None:
    """The first call of every page: when Streamlit ran the page file on its own (a fresh
    server's first visit, see the module docstring), run ``dashboard.py`` in its place.

    In place, not by a rerun: a rerun would drop the click or the input that started
    this run.
    """
    if getattr(_router, "active", False):
        return
    import runpy

    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return  # not in a Streamlit run (an import in a test): nothing to route
    # What st.navigation itself sets on its first call: the pages folder no longer decides.
    PagesManager.uses_pages_directory = False
    runpy.run_path(str(ctx.pages_manager.main_script_path), run_name="__main__")
    st.stop()


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
