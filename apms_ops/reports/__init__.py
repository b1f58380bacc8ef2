"""Render a review: JSON (the stable contract), Markdown and HTML (the validation report), JUnit XML and a plain table.

Markdown and HTML take the same extras from the history store
(``HistoryStore.report_extras``): invariant_runs, sign_off, history, changes and
acceptances; JSON adds them beside the review's own keys.
"""

from __future__ import annotations

import json

from apms_ops.reports.html import render_html
from apms_ops.reports.junit import render_junit
from apms_ops.reports.markdown import render_markdown
from apms_ops.reports.table import render_table
from apms_ops.review import Review

FORMATS = ("json", "markdown", "table", "html", "junit")
REPORT_FORMATS = ("markdown", "html", "json", "junit")
MEDIA_TYPES = {"markdown": "text/markdown", "html": "text/html", "json": "application/json", "junit": "application/xml",
               "table": "text/plain"}
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "junit": "xml", "table": "txt"}
EXTRA_KEYS = ("invariant_runs", "sign_off", "history", "changes", "acceptances", "run_id")


def render(review: Review, fmt: str, **extras) -> str:
    if fmt == "json":
        data = review.to_dict(include_facts=extras.get("include_facts", False))
        data.update({k: extras[k] for k in EXTRA_KEYS if extras.get(k) is not None})
        return json.dumps(data, indent=2, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(review, **extras)
    if fmt == "html":
        return render_html(review, **extras)
    if fmt == "junit":
        return render_junit(review, **extras)
    if fmt == "table":
        return render_table(review)
    raise ValueError(f"unknown format {fmt!r}")
