"""Links that hold: the environment and profile in every URL, and permalinks to every check and finding.

Streamlit clears the query string when it navigates to another page, so the
sidebar writes ``env`` (and ``profile`` when it is not ``auto``) back on every
run (``keep_in_url``). Links the pages draw carry them too, plus what they point
at::

    /findings?env=staging&check=C1.foreign_keys&finding=3f0c2a9e51d4b7a8
    /relations?env=staging&table=config_versions&depth=2

``page_link`` draws an in-app link (same tab, same session); ``absolute`` gives
the full URL to paste into a chat or a ticket.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

ENV, PROFILE, CHECK, FINDING, TABLE, DEPTH = "env", "profile", "check", "finding", "table", "depth"
REFERENCE, CROSS = "reference", "cross"  # a reference selected on the Orphans & isolation page
PAGE_KEY = "apms_ops.page_url_path"
FINDINGS_PAGE = "findings"
RELATIONS_PAGE = "relations"


def keep_in_url(environment: str, profile: str) -> None:
    """Write the environment and profile into the URL when they are not there already."""
    if st.query_params.get(ENV) != environment:
        st.query_params[ENV] = environment
    if profile and profile != "auto":
        if st.query_params.get(PROFILE) != profile:
            st.query_params[PROFILE] = profile
    elif PROFILE in st.query_params:
        del st.query_params[PROFILE]


def base_params() -> dict[str, str]:
    """The environment and profile of the current URL (what every link carries)."""
    return {k: st.query_params[k] for k in (ENV, PROFILE) if st.query_params.get(k)}


def param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value or None


def set_param(name: str, value: str | None) -> None:
    """Point the URL at what the page now shows (a selected finding), or drop the parameter."""
    if value:
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def remember_page(url_path: str) -> None:
    """The router says which page runs, so absolute links can find the app's base URL."""
    st.session_state[PAGE_KEY] = url_path or ""


def query(**params) -> dict[str, str]:
    """The current environment and profile plus ``params`` (None values left out)."""
    return {**base_params(), **{k: str(v) for k, v in params.items() if v not in (None, "")}}


def href(url_path: str, **params) -> str:
    """A relative link to a page of this app (``findings?env=...``), for Markdown and HTML."""
    q = urlencode(query(**params))
    return f"./{url_path}" + (f"?{q}" if q else "")


def app_base() -> str | None:
    """The app's URL without the current page (``http://host:8501/``), or None where the browser's URL is unknown."""
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - no browser (tests, scripts)
        return None
    if not url:
        return None
    current = st.session_state.get(PAGE_KEY, "")
    if current and url.rstrip("/").endswith("/" + current):
        url = url.rstrip("/")[: -len(current)]
    return url if url.endswith("/") else url + "/"


def absolute(url_path: str, **params) -> str:
    """The full URL of a page with the current environment and profile: a link to share."""
    q = urlencode(query(**params))
    base = app_base() or "/"
    return f"{base}{url_path}" + (f"?{q}" if q else "")


def finding_url(check_id: str, fingerprint: str | None = None) -> str:
    """The permalink of a check, or of one of its findings."""
    return absolute(FINDINGS_PAGE, **{CHECK: check_id, FINDING: fingerprint})


def page_link(path: str, label: str, *, icon: str | None = None, help: str | None = None, **params) -> None:
    """An in-app link to the page in ``path`` (``pages/...py``) keeping the environment and profile."""
    st.page_link(path, label=label, icon=icon, help=help, query_params=query(**params))
