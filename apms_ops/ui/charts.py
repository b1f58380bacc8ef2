"""Altair charts of the pages' tables (functions of DataFrames from ``tables``).

A chart is here only when it answers a question a table answers less well: where foreign
key coverage is missing, per table. Trends over time are on the History page (``ui.history``).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

COVERAGE_SCALE = alt.Scale(domain=["As designed", "Differs", "Missing"], range=["#2e9e55", "#e0a100", "#d64545"])
FK_CHART_TABLES = 40


def fk_coverage_chart(per_table: pd.DataFrame, limit: int = FK_CHART_TABLES) -> tuple[alt.Chart, int]:
    """Per table, the references the design wants: with a foreign key as designed (green), one that differs
    (amber) and none (red), most missing first.

    Returns the chart and how many tables it leaves out (a 2,000-table schema
    would make an unreadable chart; the table under it lists every one).
    """
    wanted = per_table[per_table["Wanted"] > 0]
    shown = wanted.head(limit)
    order = list(shown["Table"])
    long = shown.melt(id_vars=["Table"], value_vars=["As designed", "Differs", "Missing"], var_name="Foreign key",
                      value_name="References")
    long["Order"] = long["Foreign key"].map({"As designed": 0, "Differs": 1, "Missing": 2})
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("Table:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            x=alt.X("References:Q", stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("Foreign key:N", scale=COVERAGE_SCALE, legend=alt.Legend(orient="top", title=None)),
            order=alt.Order("Order:Q"),
            tooltip=["Table", "Foreign key", "References"],
        )
        .properties(height=alt.Step(21))
    )
    return chart, max(0, len(wanted) - len(shown))
