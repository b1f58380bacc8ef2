"""Altair charts of the pages' tables (functions of DataFrames from ``tables``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

# The status palette of the tables, as solid colors for marks.
STATUS_SCALE = alt.Scale(
    domain=["PASS", "FAIL", "WARN", "ERROR", "INFO", "SKIP"],
    range=["#2e9e55", "#d64545", "#e0a100", "#9b3fa3", "#4a7fd0", "#9e9e9e"],
)
KIND_SCALE = alt.Scale(domain=["Declared", "Expected", "Implied"], range=["#2e9e55", "#4a7fd0", "#b0b8c4"])
VERSION_SCALE = alt.Scale(domain=["ACTIVE", "DRAFT", "ARCHIVED"], range=["#2e9e55", "#e0a100", "#9e9e9e"])
STATE_SCALE = alt.Scale(domain=["applied", "failed", "rolled back"], range=["#2e9e55", "#d64545", "#e0a100"])
FK_CHART_TABLES = 40


def status_chart(counts: pd.DataFrame) -> alt.Chart:
    """Checks per group, stacked by status."""
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("Group:N", title=None, sort=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("sum(Checks):Q", title="Checks", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("Status:N", scale=STATUS_SCALE, legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["Group", "Status", "Checks"],
        )
        .properties(height=alt.Step(26))
    )


def fk_coverage_chart(per_table: pd.DataFrame, limit: int = FK_CHART_TABLES) -> tuple[alt.Chart, int]:
    """Declared vs expected vs implied references per table, the tables with most missing FKs first.

    Returns the chart and how many tables it leaves out (a 2,000-table schema
    would make an unreadable chart; the table under it lists every one).
    """
    shown = per_table.head(limit)
    order = list(shown["Table"])
    long = shown.melt(id_vars=["Table", "Missing"], value_vars=["Declared", "Expected", "Implied"], var_name="Kind", value_name="References")
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("Table:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("Kind:N", sort=["Declared", "Expected", "Implied"]),
            x=alt.X("References:Q", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("Kind:N", scale=KIND_SCALE, legend=alt.Legend(orient="top", title=None)),
            tooltip=["Table", "Kind", "References", "Missing"],
        )
        .properties(height=alt.Step(10))
    )
    return chart, max(0, len(per_table) - len(shown))


def type_pair_chart(pairs: pd.DataFrame) -> alt.Chart:
    """References per (column type → referenced type) pair, colored by alignment."""
    return (
        alt.Chart(pairs)
        .mark_bar()
        .encode(
            y=alt.Y("Pair:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("References:Q", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("Status:N", scale=STATUS_SCALE, legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["Pair", "Status", "References"],
        )
        .properties(height=alt.Step(24))
    )


def versions_chart(versions: pd.DataFrame) -> alt.Chart:
    """Configuration versions per workspace, stacked by status."""
    return (
        alt.Chart(versions)
        .mark_bar()
        .encode(
            x=alt.X("Workspace:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(Versions):Q", title="Versions", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("Status:N", scale=VERSION_SCALE, legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["Workspace", "Status", "Versions"],
        )
        .properties(height=260)
    )


def migrations_chart(rows: pd.DataFrame) -> alt.Chart:
    """Duration of every migration, in the order of the table (latest first), colored by state."""
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("Migration:N", sort=list(rows["Migration"]), title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X("Duration (ms):Q"),
            color=alt.Color("State:N", scale=STATE_SCALE, legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["Migration", "State", "Started", "Finished", "Duration (ms)"],
        )
        .properties(height=alt.Step(24))
    )
