"""The schema's references as a picture (Graphviz DOT for ``st.graphviz_chart``, drawn in the
browser: no system binary): around one table, to depth 1 or 2.

Edges go from the referencing table to the referenced one:

- a declared foreign key: solid (orange and marked when it is NOT VALID);
- a reference the profile expects but no foreign key enforces: red, dashed;
- a reference only inferred from names: grey, dashed, with its confidence;

and every edge carries its column and the orphan count the review found under it.
Pure functions of the review's facts; no Streamlit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from apms_ops.review import Review

DECLARED, MISSING, INFERRED = "declared", "missing", "inferred"
KIND_LABELS = {DECLARED: "foreign key", MISSING: "expected, no foreign key", INFERRED: "inferred from names"}
DENSE = 25  # references beyond which a picture is drawn small
MAX_DRAWN = 150  # references drawn at most; the table under the picture lists all
KIND_SHORT = {DECLARED: "FK", MISSING: "missing", INFERRED: "inferred"}
COLORS = {DECLARED: "#1f2328", MISSING: "#d1242f", INFERRED: "#8c959f", "not_valid": "#bc4c00"}


@dataclass(frozen=True)
class Edge:
    child: str
    column: str
    parent: str
    parent_column: str
    kind: str
    orphans: int | None
    not_valid: bool = False
    confidence: str | None = None
    evidence: str = ""         # how discovery found an inferred reference, in words

    @property
    def label(self) -> str:
        parts = [self.column]
        if self.not_valid:
            parts.append("NOT VALID")
        if self.kind == INFERRED:
            parts.append(f"inferred: {self.confidence}" if self.confidence else "inferred")
        parts.append("orphans ?" if self.orphans is None else f"{self.orphans} orphan{'s' if self.orphans != 1 else ''}")
        return "\n".join(parts)


def _confidence(r: dict) -> str | None:
    """The confidence of an inferred reference, in the words discovery gives it (a band, or a number)."""
    for key in ("confidence_band", "band", "confidence"):
        value = r.get(key)
        if value not in (None, ""):
            return f"{value:.0%}" if isinstance(value, float) and value <= 1 else str(value)
    return None


def reference_edges(review: Review) -> list[Edge]:
    """Every reference of the review as an edge, with its kind and orphan count."""
    edges = []
    for r in (review.facts or {}).get("references") or []:
        parent, _, parent_column = r["references"].rpartition(".")
        if r.get("declared"):
            kind = DECLARED
        elif r.get("expected"):
            kind = MISSING
        else:
            kind = INFERRED
        edges.append(Edge(r["table"], r["column"], parent, parent_column, kind, r.get("orphans"),
                          bool(r.get("not_valid")), _confidence(r) if kind == INFERRED else None,
                          str(r.get("evidence") or "") if kind == INFERRED else ""))
    return edges


def tables_by_interest(edges: list[Edge]) -> list[str]:
    """Tables with references, those with the most missing ones first (the default focus is the first)."""
    missing: dict[str, int] = {}
    degree: dict[str, int] = {}
    for e in edges:
        for t in (e.child, e.parent):
            degree[t] = degree.get(t, 0) + 1
            missing.setdefault(t, 0)
        if e.kind == MISSING:
            missing[e.child] += 1
            missing[e.parent] += 1
    return sorted(degree, key=lambda t: (-missing[t], -degree[t], t))


def _reach(start: str, step: dict[str, set[str]], depth: int) -> dict[str, int]:
    reached = {start: 0}
    queue = deque([start])
    while queue:
        table = queue.popleft()
        if reached[table] >= depth:
            continue
        for other in step.get(table, ()):
            if other not in reached:
                reached[other] = reached[table] + 1
                queue.append(other)
    return reached


def neighbourhood(edges: list[Edge], focus: str, depth: int, kinds: tuple[str, ...] = (DECLARED, MISSING, INFERRED)) -> list[Edge]:
    """The references within ``depth`` steps of ``focus``: what it references (and what those
    reference), and what references it (and what references those).

    Each direction is followed on its own: at depth 2 a table's siblings — the other tables
    that reference the same parent — stay out, or a shared parent (the tenants table) would
    pull the whole schema in.
    """
    shown = [e for e in edges if e.kind in kinds]
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for e in shown:
        parents.setdefault(e.child, set()).add(e.parent)
        children.setdefault(e.parent, set()).add(e.child)
    up, down = _reach(focus, parents, depth), _reach(focus, children, depth)
    return [e for e in shown
            if (e.child in up and e.parent in up and up[e.child] < depth)
            or (e.parent in down and e.child in down and down[e.parent] < depth)]


def drawable(edges: list[Edge], limit: int = MAX_DRAWN) -> list[Edge]:
    """At most ``limit`` edges for the picture, missing ones first, then inferred, then declared
    (the browser lays the graph out: thousands of edges would freeze the page)."""
    order = {MISSING: 0, INFERRED: 1, DECLARED: 2}
    return sorted(edges, key=lambda e: (order[e.kind], e.child, e.column))[:limit]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _direction(edges: list[Edge], focus: str) -> str:
    """``LR`` when some layer of the picture holds many tables (a fan of references stacks up
    readably), ``TB`` for a chain (left to right it would shrink to fit the page's width)."""
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for e in edges:
        parents.setdefault(e.child, set()).add(e.parent)
        children.setdefault(e.parent, set()).add(e.child)
    layers: dict[int, int] = {}
    for sign, step in ((1, parents), (-1, children)):
        for table, distance in _reach(focus, step, len(edges) + 1).items():
            if distance:
                layers[sign * distance] = layers.get(sign * distance, 0) + 1
    return "LR" if max(layers.values(), default=0) > 4 else "TB"


def dot(edges: list[Edge], focus: str) -> str:
    """DOT source: tables as boxes (the focus filled), references as styled, labelled edges."""
    tables = sorted({focus} | {e.child for e in edges} | {e.parent for e in edges})
    rankdir = _direction(edges, focus)
    ranksep = 1.1 if rankdir == "LR" else 0.55
    lines = [
        "digraph references {",
        f'  graph [rankdir={rankdir}, bgcolor="transparent", pad=0.1, nodesep=0.12, ranksep={ranksep}, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#8c959f", fontname="Helvetica", fontsize=11,'
        ' height=0.3, margin="0.12,0.04"];',
        '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
    ]
    for t in tables:
        attrs = ', fillcolor="#ddf4ff", color="#0969da", penwidth=2' if t == focus else ""
        lines.append(f"  {_quote(t)} [label={_quote(t)}{attrs}];")
    for e in edges:
        color = COLORS["not_valid"] if e.not_valid else COLORS[e.kind]
        style = "solid" if e.kind == DECLARED else "dashed"
        width = "1.6" if e.kind == MISSING else "1.1"
        fontcolor = COLORS[MISSING] if (e.orphans or 0) > 0 else color
        tooltip = f"{e.child}.{e.column} -> {e.parent}.{e.parent_column}: {KIND_LABELS[e.kind]}" + (
            f" ({e.evidence})" if e.evidence else "")
        lines.append(f"  {_quote(e.child)} -> {_quote(e.parent)} [label={_quote(e.label)}, color={_quote(color)}, "
                     f"fontcolor={_quote(fontcolor)}, style={style}, penwidth={width}, tooltip={_quote(tooltip)}];")
    lines.append("}")
    return "\n".join(lines)


def edge_rows(edges: list[Edge]) -> list[dict]:
    """The drawn edges as rows (the table under the picture, and its CSV); Confidence and
    Evidence only when some inferred reference is drawn."""
    inferred = any(e.kind == INFERRED for e in edges)
    rows = []
    for e in sorted(edges, key=lambda e: ({MISSING: 0, INFERRED: 1, DECLARED: 2}[e.kind], e.child, e.column)):
        row = {"From": e.child, "Column": e.column, "To": f"{e.parent}.{e.parent_column}",
               "Kind": KIND_LABELS[e.kind] + (" (NOT VALID)" if e.not_valid else "")}
        if inferred:
            row.update(Confidence=e.confidence or "", Evidence=e.evidence)
        row["Orphans"] = e.orphans
        rows.append(row)
    return rows
