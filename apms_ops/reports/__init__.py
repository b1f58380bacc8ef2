"""Render a review: JSON (the stable contract), Markdown (the validation report) and a plain table."""

from __future__ import annotations

import json

from apms_ops.reports.markdown import render_markdown
from apms_ops.reports.table import render_table
from apms_ops.review import Review

FORMATS = ("json", "markdown", "table")


def render(review: Review, fmt: str, **extras) -> str:
    if fmt == "json":
        return json.dumps(review.to_dict(include_facts=extras.get("include_facts", False)), indent=2, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(review, **extras)
    if fmt == "table":
        return render_table(review)
    raise ValueError(f"unknown format {fmt!r}")
