"""Relations: the references around one table as a picture — declared, expected but missing, inferred — with orphan counts."""

import pandas as pd
import streamlit as st

from apms_ops.ui import links, navigation, relations, state, widgets

navigation.require_router()

review = state.page_review()

widgets.page_header("Relations", review, "References around the table you pick. Solid: a foreign key. **Red dashed: the "
                    "design expects a reference no foreign key enforces.** Grey dashed: inferred from column names, with "
                    "its confidence. Every edge shows its column and the orphaned rows found under it.",
                    json_key="relations.json")
edges = relations.reference_edges(review)
if not edges:
    widgets.empty_state("No references declared, expected by the profile or implied by column names.")
    st.stop()

choices = relations.tables_by_interest(edges)
wanted = links.param(links.TABLE)
pick, depth_col, kinds_col = st.columns([3, 1, 2], vertical_alignment="bottom")
focus = pick.selectbox("Table", choices, index=choices.index(wanted) if wanted in choices else 0, key=f"relations.table.{wanted}",
                       help="Tables with the most missing references first")
depth = depth_col.segmented_control("Depth", [1, 2], default=int(links.param(links.DEPTH) or 1)
                                    if links.param(links.DEPTH) in ("1", "2") else 1, key="relations.depth") or 1
kinds = kinds_col.segmented_control("Show", list(relations.KIND_LABELS), default=list(relations.KIND_LABELS),
                                    format_func=relations.KIND_SHORT.get, selection_mode="multi", key="relations.kinds",
                                    help="FK: a declared foreign key · missing: expected by the design, no foreign key · "
                                         "inferred: suggested by column names")
links.set_param(links.TABLE, focus)
links.set_param(links.DEPTH, str(depth) if depth != 1 else None)

shown = relations.neighbourhood(edges, focus, depth, tuple(kinds or ()))
if not shown:
    widgets.empty_state(f"No references of the kinds shown touch {focus}.")
else:
    drawn = relations.drawable(shown)
    st.graphviz_chart(relations.dot(drawn, focus), width="content")
    if len(drawn) < len(shown):
        st.caption(f"The picture draws {len(drawn)} of {len(shown)} references (missing ones first); the table lists all.")
    elif len(shown) > relations.DENSE:
        st.caption(f"{len(shown)} references make a dense picture: depth 1, or fewer kinds, draws it larger.")
    rows = pd.DataFrame(relations.edge_rows(shown))
    rows["Orphans"] = rows["Orphans"].astype("Int64")
    st.caption(f"{len(shown)} references around **{widgets.md_escape(focus)}** · link: `{links.absolute(links.RELATIONS_PAGE, table=focus, depth=depth if depth != 1 else None)}`")
    widgets.status_table(rows, key="relations.edges.csv", file_name=f"references-{focus}.csv", status_columns=(),
                         column_config={"Orphans": st.column_config.NumberColumn(format="%d")})
