"""The "Download report" button and the latest sign-off, for any page (Overview, History).

The report is the CLI's ``report``: the review, plus from the history store the
latest invariant runs, the latest sign-off, the audit history, the acceptances
and the changes since the last saved run. When the store cannot be read the
report is still offered, without those parts, and says so::

    from apms_ops.ui import report
    report.download_report(review, key="overview.report")   # format picker + button
    report.latest_sign_off(review.environment)              # a caption line, or nothing
"""

from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from apms_ops.history import HistoryStore, default_history_url
from apms_ops.reports import EXTENSIONS, MEDIA_TYPES, render
from apms_ops.reports.document import VERDICT_WORDS, when
from apms_ops.review import Review

FORMAT_LABELS = {"markdown": "Markdown", "html": "HTML", "json": "JSON", "junit": "JUnit XML"}


@st.cache_resource(show_spinner=False)
def _store(url: str) -> HistoryStore:
    return HistoryStore(url)


HISTORY_FAILURE_KEY = "apms_ops.history_failure"  # the store's failure in the current run, reset by the sidebar


def store() -> HistoryStore:
    """The configured history store; one (and one connection pool) per URL for the whole server.

    A store that failed once in this run fails again at once: a locked store costs
    its busy timeout once per page, not once per panel.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    failed = st.session_state.get(HISTORY_FAILURE_KEY) if get_script_run_ctx() is not None else None
    if failed is not None:
        raise failed
    try:
        return _store(default_history_url())
    except Exception as exc:
        note_history_failure(exc)
        raise


def note_history_failure(exc: Exception) -> None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is not None:  # only within a page run: the sidebar clears it at the start of the next
        st.session_state[HISTORY_FAILURE_KEY] = exc


def reading(read):
    """``read(store())``, remembering a failure of the store for the rest of this run."""
    from apms_ops.errors import HistoryError

    try:
        return read(store())
    except HistoryError as exc:
        note_history_failure(exc)
        raise


def report_extras(review: Review, run_id: int | None = None) -> tuple[dict, str | None]:
    """(extras for ``render``, why they are missing or None)."""
    try:
        return reading(lambda s: s.report_extras(review, run_id=run_id)), None
    except Exception as exc:  # noqa: BLE001 - the report without history beats no report
        from apms_ops.ui.widgets import safe_message

        return {}, safe_message(exc)


def report_text(review: Review, fmt: str, run_id: int | None = None) -> str:
    """The report of ``review`` in ``fmt``, with what the history store adds."""
    extras, problem = report_extras(review, run_id)
    text = render(review, fmt, **extras)
    if problem and fmt == "markdown":
        text += f"\n*The history store could not be read ({problem}): invariant runs, sign-off and changes are missing.*\n"
    return text


def file_name(review: Review, fmt: str, run_id: int | None = None) -> str:
    stamp = (datetime.fromisoformat(review.started_at) if review.started_at else datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M")
    safe_env = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in review.environment) or "environment"
    run = f"-run{run_id}" if run_id else ""
    return f"apms-ops-report-{safe_env}{run}-{stamp}.{EXTENSIONS[fmt]}"


def download_report(review: Review, *, key: str, run_id: int | None = None, formats: tuple[str, ...] = ("markdown", "html"),
                    label: str = "Download report") -> None:
    """A format picker and a button that builds the report on click (``run_id``: the review is that saved run)."""
    fmt = formats[0]
    if len(formats) > 1:
        fmt = st.segmented_control("Report format", formats, default=formats[0], format_func=FORMAT_LABELS.get,
                                   key=f"{key}.format", label_visibility="collapsed") or formats[0]
    st.download_button(label, lambda: report_text(review, fmt, run_id).encode("utf-8"), file_name=file_name(review, fmt, run_id),
                       mime=MEDIA_TYPES[fmt], key=f"{key}.button", icon=":material/description:", on_click="ignore",
                       help="The validation report: summary per group, discoveries, go/no-go criteria, next steps, "
                            "remediation SQL, invariant runs and the latest sign-off")


def sign_off_line(sign_off: dict | None) -> str | None:
    """``NO-GO by quinn at 2026-01-05 10:00 UTC for migration m: comment`` (plain text), or None."""
    if not sign_off:
        return None
    decision = VERDICT_WORDS.get(sign_off["decision"], sign_off["decision"])
    line = f"{decision} by {sign_off['signed_by']} at {when(sign_off['signed_at'])}"
    if sign_off.get("migration"):
        line += f" for migration {sign_off['migration']}"
    if sign_off.get("comment"):
        line += f": {sign_off['comment']}"
    return line


def latest_sign_off(environment: str) -> None:
    """The latest sign-off of ``environment`` as a caption (nothing when there is none or the store fails)."""
    from apms_ops.ui.widgets import md_escape

    try:
        line = sign_off_line(reading(lambda s: s.latest_sign_off(environment)))
    except Exception:  # noqa: BLE001 - a missing caption is not worth an error panel on the Overview
        return
    if line:
        st.caption(f"Latest sign-off: **{md_escape(line)}**")
