"""Expressions from a migration file, made safe to evaluate against a reviewed database.

A CHECK, an index expression or an index predicate from a migration is
evaluated against the data to count the rows it would reject. The text that
reaches the server is never the file's text: it is pglast's rendering of the
parsed expression, parsed again to prove it is one expression with exactly
that tree (a crafted file cannot close a parenthesis and append a statement),
and it may only call functions and operators PostgreSQL marks IMMUTABLE or
STABLE (evaluating it has no side effect). It then runs inside the lint's
read-only transaction, under its statement timeout.
"""

from __future__ import annotations

import sqlalchemy as sa
from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind
from pglast.stream import RawStream
from pglast.visitors import Visitor


class UnsafeExpression(Exception):
    """The expression cannot be evaluated safely; the message says why."""


_OPERATORS_OF_KIND = {
    A_Expr_Kind.AEXPR_BETWEEN: (">=", "<="), A_Expr_Kind.AEXPR_NOT_BETWEEN: ("<", ">"),
    A_Expr_Kind.AEXPR_BETWEEN_SYM: (">=", "<="), A_Expr_Kind.AEXPR_NOT_BETWEEN_SYM: ("<", ">"),
    A_Expr_Kind.AEXPR_NULLIF: ("=",), A_Expr_Kind.AEXPR_DISTINCT: ("=",), A_Expr_Kind.AEXPR_NOT_DISTINCT: ("=",),
}


class _Calls(Visitor):
    """Function names and operator names an expression calls, and the node types it must not hold."""

    def __init__(self):
        super().__init__()
        self.functions: set[str] = set()
        self.operators: set[str] = set()
        self.forbidden: set[str] = set()

    def visit_FuncCall(self, ancestors, node):
        self.functions.add(node.funcname[-1].sval)

    def visit_A_Expr(self, ancestors, node):
        if node.kind in _OPERATORS_OF_KIND:
            self.operators.update(_OPERATORS_OF_KIND[node.kind])
        elif node.name:
            self.operators.add(node.name[-1].sval)

    def visit_SubLink(self, ancestors, node):
        self.forbidden.add("a subquery")

    def visit_ColumnRef(self, ancestors, node):
        if any(isinstance(f, ast.A_Star) for f in node.fields):
            self.forbidden.add("*")

    def visit_ParamRef(self, ancestors, node):
        self.forbidden.add("a parameter")


def called_functions_and_operators(node: ast.Node) -> tuple[set[str], set[str]]:
    calls = _Calls()
    calls(node)
    return calls.functions, calls.operators


def _single_expression(text: str, node: ast.Node) -> None:
    try:
        parsed = parse_sql(f"SELECT ({text})")
    except Exception as exc:  # noqa: BLE001 - any parse failure means we will not send it
        raise UnsafeExpression(f"its rendering does not parse back ({exc})") from None
    if len(parsed) != 1 or not isinstance(parsed[0].stmt, ast.SelectStmt):
        raise UnsafeExpression("its rendering is not one expression")
    select = parsed[0].stmt
    extra = [name for name in ("fromClause", "whereClause", "groupClause", "havingClause", "windowClause", "withClause",
                               "sortClause", "limitCount", "limitOffset", "distinctClause", "valuesLists", "intoClause")
             if getattr(select, name, None)]
    if extra or len(select.targetList or ()) != 1 or select.targetList[0].val != node:
        raise UnsafeExpression("its rendering is not exactly the parsed expression")


def render_expression(node: ast.Node, conn=None) -> str:
    """The SQL text of one parsed expression, safe to put in a read-only query; raises ``UnsafeExpression``.

    With ``conn``, every function and operator it calls is looked up in the
    target's catalog and must be IMMUTABLE or STABLE.
    """
    calls = _Calls()
    calls(node)
    if calls.forbidden:
        raise UnsafeExpression("it holds " + ", ".join(sorted(calls.forbidden)))
    text = RawStream()(node)
    _single_expression(text, node)
    if conn is not None:
        volatile = volatile_calls(conn, calls.functions, calls.operators)
        if volatile:
            raise UnsafeExpression(f"it calls {', '.join(volatile)}, which PostgreSQL marks VOLATILE or does not know")
    return text


def volatile_calls(conn, functions: set[str], operators: set[str]) -> list[str]:
    """Functions and operators that are volatile (some overload of the name) or unknown to the target."""
    from apms_ops import sqlfiles

    if not functions and not operators:
        return []
    rows = conn.execute(sa.text(sqlfiles.load("lint/volatility.sql")),
                        {"functions": sorted(functions), "operators": sorted(operators)}).mappings().all()
    known = {(r["kind"], r["name"]): r["volatile"] for r in rows}
    out = []
    for kind, names in (("function", functions), ("operator", operators)):
        for name in sorted(names):
            if known.get((kind, name), True):
                out.append(f"{name}()" if kind == "function" else f"operator {name}")
    return out
