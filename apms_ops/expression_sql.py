"""One SQL expression from a profile, parsed by PostgreSQL's own grammar and rendered again.

A profile states CHECK definitions and index predicates as SQL text; remediation
SQL must never paste that text as it is (``x > 0); DROP TABLE users; --`` would
end the statement and start another). ``render_expression`` parses the text as
the single target of ``SELECT (<text>)`` with pglast, requires exactly one
statement with exactly one expression and nothing else, and returns pglast's
rendering of that expression: text that can only ever be that one expression.
"""

from __future__ import annotations

from pglast import ast, parse_sql
from pglast.enums import ConstrType, SetOperation
from pglast.parser import ParseError
from pglast.stream import RawStream
from pglast.visitors import Visitor

# Clauses a bare "SELECT (<expression>)" does not have: any of them means the text reached past its parenthesis.
_OTHER_CLAUSES = ("distinctClause", "intoClause", "fromClause", "whereClause", "groupClause", "havingClause", "windowClause",
                  "valuesLists", "sortClause", "limitOffset", "limitCount", "lockingClause", "withClause")


class ExpressionError(ValueError):
    """The text is not one SQL expression (the message says why, in one line)."""


class _Subqueries(Visitor):
    def __init__(self):
        super().__init__()
        self.found = False

    def visit_SubLink(self, ancestors, node):  # noqa: N802 - pglast's naming
        self.found = True


def parse_expression(text: str) -> ast.Node:
    """The parse tree of ``text`` as one SQL value expression; ``ExpressionError`` otherwise.

    ``CHECK (<expression>)`` (optionally ``NOT VALID``) is accepted too, as a migration writes it.
    """
    text = (text or "").strip()
    if not text:
        raise ExpressionError("empty expression")
    try:
        node = _select_target(text)
    except ExpressionError as first:
        if not text[:5].upper() == "CHECK":
            raise
        try:
            node = _check_constraint(text)
        except ExpressionError:
            raise first from None
    finder = _Subqueries()
    finder(node)
    if finder.found:
        raise ExpressionError("a subquery is not allowed (PostgreSQL accepts none in a CHECK or an index predicate)")
    return node


def render_expression(text: str) -> str:
    """``text`` as one SQL expression, rendered from its parse tree (see the module docstring)."""
    rendered = RawStream()(parse_expression(text))
    # The rendering must read back as the same tree, or it is not the expression that was parsed.
    if _select_target(rendered) != parse_expression(text):
        raise ExpressionError("the expression does not read back the same after rendering")
    return rendered


def _select_target(text: str) -> ast.Node:
    try:
        statements = parse_sql(f"SELECT ({text}\n)")
    except ParseError as exc:
        raise ExpressionError(f"not one SQL expression: {exc}") from None
    if len(statements) != 1:
        raise ExpressionError(f"not one SQL expression: the text holds {len(statements)} statements")
    stmt = statements[0].stmt
    if not isinstance(stmt, ast.SelectStmt) or stmt.op != SetOperation.SETOP_NONE or any(getattr(stmt, c) for c in _OTHER_CLAUSES):
        raise ExpressionError("not one SQL expression: the text reaches past its parentheses into the statement around it")
    if not stmt.targetList or len(stmt.targetList) != 1 or stmt.targetList[0].name is not None:
        raise ExpressionError("not one SQL expression: the text holds a list, or an alias")
    return stmt.targetList[0].val


def _check_constraint(text: str) -> ast.Node:
    try:
        statements = parse_sql(f"ALTER TABLE t ADD {text}")
    except ParseError as exc:
        raise ExpressionError(f"not one CHECK constraint: {exc}") from None
    stmt = statements[0].stmt if len(statements) == 1 else None
    cmds = getattr(stmt, "cmds", None) or ()
    constraint = getattr(cmds[0], "def_", None) if len(cmds) == 1 else None
    if not isinstance(constraint, ast.Constraint) or constraint.contype != ConstrType.CONSTR_CHECK or constraint.conname:
        raise ExpressionError("not one CHECK constraint")
    return constraint.raw_expr
