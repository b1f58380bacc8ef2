"""Compare SQL expressions the way PostgreSQL reads them: the one comparison every check calls.

A CHECK constraint, a partial index's predicate or an index expression is
stated twice: by a person (a profile, a migration: ``grade BETWEEN 1 AND 20``)
and by the server (``pg_get_constraintdef``: ``CHECK (((grade >= 1) AND
(grade <= 20)))``). Both are parsed with PostgreSQL's own grammar (pglast,
libpg_query) and brought to the form PostgreSQL's analyser stores, then the
trees are compared node by node — never the strings.

The API::

    from apms_ops.expressions import compare
    result = compare("grade NOT BETWEEN 1 AND 20", "CHECK (((grade < 1) OR (grade > 20)))")
    result.equal        # True
    result.decision     # "equal" | "differs"
    result.difference   # "" when equal, else the first differing node in words
    result.expected     # the expected definition as PostgreSQL prints it
    result.actual       # the actual definition as PostgreSQL prints it
    bool(result)        # result.equal

``compare`` accepts a bare expression or a whole constraint clause
(``CHECK (...) NOT VALID``) on either side. ``column_types`` (column name ->
type as ``format_type`` prints it) lets it tell an implicit cast PostgreSQL
added (``(code)::text`` on a ``varchar`` column) from an explicit one that
changes the value; without it, a cast on a column to a type PostgreSQL may add
implicitly (text, bigint, numeric, double precision, timestamp...) is taken as
implicit. ``search_path`` names the schemas whose functions and types the
server prints unqualified (``pg_catalog`` always is).

What counts as the same (PostgreSQL's own parse analysis, and nothing cleverer):

- ``BETWEEN`` is two comparisons (``>=`` AND ``<=``); ``NOT BETWEEN`` is ``<`` OR
  ``>``; ``BETWEEN SYMMETRIC`` is both orders OR-ed, as PostgreSQL stores it
  (so ``BETWEEN SYMMETRIC 20 AND 1`` is ``BETWEEN SYMMETRIC 1 AND 20``, and
  neither is a plain ``BETWEEN``);
- ``x IN (a, b)`` is ``x = ANY (ARRAY[a, b])`` (one item: ``x = a``; items that
  mention columns: OR-ed ``=``); ``NOT IN`` is ``<> ALL``; the items of such a
  list in any order (it is an OR of equalities);
- literals are compared as values of the type PostgreSQL gave them: ``'x'``
  and ``'x'::text``, ``DATE '2000-01-01'`` and ``'2000-1-1'::date``, ``-1`` and
  ``'-1'::integer``, ``5`` and ``(5)::numeric``, ``interval '1 week'`` and
  ``'7 days'::interval`` (see ``apms_ops.sqlvalues``);
- ``!=`` is ``<>``; ``LIKE``/``ILIKE``/``SIMILAR TO`` are ``~~``/``~~*``/``~``;
  ``x IS DISTINCT FROM NULL`` is ``x IS NOT NULL``; ``x NOTNULL`` and
  ``NOT (x IS NULL)`` are ``x IS NOT NULL``; ``IS NOT DISTINCT FROM`` is ``NOT
  (... IS DISTINCT FROM ...)``;
- nested AND/OR are flattened and their terms compared as a multiset;
  operands of commutative operators (``=``, ``<>``, ``+``, ``*``, ``IS DISTINCT
  FROM``) in either order;
- parentheses vanish (trees have none), type names are one type whatever the
  alias (``int4``/``integer``, ``varchar``/``character varying``,
  ``timestamptz``), ``pg_catalog.`` and search-path qualifications vanish,
  a column qualified by its table is the column.

A few spellings PostgreSQL keeps apart give the same result for every row,
NULLs included, and count as the same: ``0 < x`` and ``x > 0`` (a comparison's
commutator with its operands swapped); ``bo = true`` and ``bo``, ``bo = false``
and ``NOT bo``; an IN list and the OR of its equalities (``x IN (1, 2)`` and
``x = 1 OR x = 2``; ``NOT IN`` and the AND of ``<>``), also for an array
literal of a known type (``'{a,b}'::text[]``).

Everything else is a difference: ``(a > 0 OR b > 0) AND c > 0`` is not
``a > 0 OR (b > 0 AND c > 0)``, ``NOT (a > 0 AND b > 0)`` is not ``NOT a > 0
AND b > 0``, ``bo IS NOT TRUE`` is not ``bo = false`` (a NULL passes one and
not the other), ``interval '24 hours'`` is not ``interval '1 day'`` (they part
across a daylight-saving change). No logical equivalence is proved beyond the
rules above.

A cast is taken as one PostgreSQL added (and ignored) only when it is on one
side alone, to a type PostgreSQL casts to implicitly, from the column's type
when known, and where the other side shows the same resolution: ``(x)::numeric
/ 3.0`` is ``x / 3.0``, but ``(x)::double precision / (3)::double precision``
is not ``x / 3`` (integer division), nor ``(x)::text = '5'`` ``x = 5``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Mapping

from pglast import ast, enums, parse_sql
from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS, COL_NAME_KEYWORDS
from pglast.parser import ParseError

from apms_ops import sqlvalues

__all__ = ["Comparison", "ExpressionError", "compare", "same", "parse", "normalize", "printed", "sql_text",
           "referenced_columns", "sql_type"]


class ExpressionError(ValueError):
    """A definition that is not one SQL expression (the message says why)."""


# ------------------------------------------------------------------ the result


@dataclass(frozen=True)
class Comparison:
    """The decision for one pair: equal or not, and when not, where and how they differ."""

    equal: bool
    difference: str = ""  # the first differing node, in words ("" when equal)
    expected: str = ""    # the expected definition, as PostgreSQL prints it
    actual: str = ""      # the actual definition, as PostgreSQL prints it
    error: str | None = None  # a side could not be parsed

    def __bool__(self) -> bool:
        return self.equal

    @property
    def decision(self) -> str:
        """``equal`` or ``differs``."""
        return "equal" if self.equal else "differs"

    @property
    def explanation(self) -> str:
        """One sentence for a finding: the difference and both definitions."""
        if self.equal:
            return "same definition"
        if self.error:
            return self.error
        return f"{self.difference}; expected {self.expected}, actual {self.actual}"

    def to_dict(self) -> dict:
        return {"equal": self.equal, "decision": self.decision, "difference": self.difference, "expected": self.expected,
                "actual": self.actual, "error": self.error}


# ------------------------------------------------------------------ types


# Names the parser gives built-in types, to the one name PostgreSQL's catalog uses.
_TYPE_ALIASES = {"int": "int4", "integer": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
                 "real": "float4", "decimal": "numeric", "character varying": "varchar", "double precision": "float8"}
_TYPE_SQL = {"int4": "integer", "int8": "bigint", "int2": "smallint", "bool": "boolean", "float8": "double precision",
             "float4": "real", "varchar": "character varying", "timestamptz": "timestamp with time zone",
             "timestamp": "timestamp without time zone", "timetz": "time with time zone", "time": "time without time zone",
             "varbit": "bit varying"}


@dataclass(frozen=True)
class SqlType:
    name: str
    typmods: tuple = ()
    array: int = 0  # dimensions

    @property
    def element(self) -> "SqlType":
        return SqlType(self.name, self.typmods, 0)

    @property
    def family(self) -> str:
        if self.array:
            return "array"
        if self.name in sqlvalues.NUMERIC_TYPES:
            return "number"
        if self.name in sqlvalues.STRING_TYPES:
            return "string"
        return self.name

    def same_as(self, other: "SqlType") -> bool:
        """One type for a literal: text and varchar (no length) hold the same values."""
        if self == other:
            return True
        loose = {"text", "varchar"}
        return self.array == other.array and {self.name, other.name} <= loose and not (self.typmods or other.typmods)

    def __str__(self) -> str:
        base = _TYPE_SQL.get(self.name, self.name)
        if self.name == "bpchar" and self.typmods:
            base = "character"
        if self.typmods and self.name not in ("interval",):
            mods = f"({','.join(str(m) for m in self.typmods)})"
            base = base.replace(" with", f"{mods} with", 1) if " with" in base else base + mods
        return base + "[]" * self.array


# Casts PostgreSQL adds on its own (pg_cast castcontext 'i', and binary-coercible relabels).
_IMPLICIT = {
    "int2": {"int4", "int8", "numeric", "float4", "float8"},
    "int4": {"int8", "numeric", "float4", "float8"},
    "int8": {"numeric", "float4", "float8"},
    "float4": {"float8"},
    "numeric": {"float4", "float8"},
    "varchar": {"text", "bpchar"},
    "bpchar": {"text", "varchar"},
    "text": {"varchar", "bpchar"},
    "name": {"text", "varchar", "bpchar"},
    "char": {"text", "varchar", "bpchar"},
    "citext": {"text", "varchar", "bpchar"},
    "date": {"timestamp", "timestamptz"},
    "timestamp": {"timestamptz"},
    "time": {"timetz", "interval"},
}
_IMPLICIT_TARGETS = {t for targets in _IMPLICIT.values() for t in targets}


def _implicit(source: SqlType | None, target: SqlType) -> bool:
    """Could PostgreSQL have added a cast from ``source`` (None: unknown) to ``target`` itself?"""
    if target.name not in _IMPLICIT_TARGETS:
        return False
    if source is None:
        return True
    if source.array != target.array:
        return False
    return source.name == target.name or target.name in _IMPLICIT.get(source.name, ())


def _strip_schema(names: list[str], search_path: tuple[str, ...]) -> str:
    if len(names) > 1 and (names[-2] == "pg_catalog" or names[-2] in search_path):
        names = names[-1:]
    return ".".join(names)


def _type(node: ast.TypeName, search_path: tuple[str, ...]) -> SqlType:
    names = [n.sval for n in node.names]
    name = _strip_schema(names, search_path)
    name = _TYPE_ALIASES.get(name, name)
    mods = []
    for m in node.typmods or ():
        if isinstance(m, ast.A_Const) and m.val is not None and hasattr(m.val, "ival"):
            mods.append(m.val.ival)
        else:
            mods.append(str(_node(m, _Ctx(search_path=search_path))))
    if name == "interval" and mods and mods[0] == 0x7FFF:
        mods = mods[1:]  # INTERVAL_FULL_RANGE: no field restriction
    return SqlType(name, tuple(mods), len(node.arrayBounds or ()))


@lru_cache(maxsize=4096)
def sql_type(text: str) -> SqlType:
    """A type as ``format_type`` prints it (``character varying(20)``) as one canonical type."""
    try:
        stmt = parse_sql(f"SELECT NULL::{text}")[0].stmt
        return _type(stmt.targetList[0].val.typeName, ())
    except (ParseError, AttributeError, IndexError):
        return SqlType(text.strip().lower())


# ------------------------------------------------------------------ the normalised tree


@dataclass(frozen=True, eq=False)
class Node:
    """One node of a normalised expression.

    kind: column, const, op, and, or, not, any, all, nulltest, booltest, distinct,
    func, cast, array, coalesce, greatest, least, nullif, case, row, collate,
    sqlvalue, raw.
    """

    kind: str
    name: str = ""
    args: tuple["Node", ...] = ()
    value: str | None = None       # const: canonical value (None is NULL); raw: the node's text
    type: SqlType | None = None    # const and cast: the type; None for an untyped literal
    literal: str = ""              # const: string | number | bool | null

    def __str__(self) -> str:
        return _print(self)


@dataclass
class _Ctx:
    search_path: tuple[str, ...] = ("public",)
    timezone: str = "UTC"


_COMMUTATIVE = {"=", "<>", "+", "*", "&&"}
# A comparison and the operator that gives the same result with its operands swapped.
_COMMUTATORS = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
_TRUE_NULL = Node("const", value=None, literal="null")


def _const(value, literal: str, type_: SqlType | None = None) -> Node:
    return Node("const", value=value, literal=literal, type=type_)


def _typed(literal: Node, type_: SqlType, ctx: _Ctx) -> Node:
    """A literal read as ``type_``, as PostgreSQL's type input function would."""
    if literal.literal == "null":
        return _const(None, "null", type_)
    if type_.array:
        # An array literal stays a constant (PostgreSQL does not turn it into ARRAY[...]); its
        # elements are read as the element type, so '{1, 2}' and '{1,2}' are one value.
        items = sqlvalues.array_elements(literal.value) if literal.literal == "string" else None
        if items is None:
            return _const(literal.value, literal.literal, type_)
        element = type_.element
        values = [None if v is None else _typed(_const(v, "string"), element, ctx).value for v in items]
        return _const("{" + ",".join("NULL" if v is None else '"' + v.replace('"', '\\"') + '"' for v in values) + "}",
                      "string", type_)
    return _const(sqlvalues.canonical(type_.name, str(literal.value), typmods=type_.typmods, timezone=ctx.timezone),
                  literal.literal if literal.literal != "string" or type_.family != "number" else "number", type_)


def _cast(arg: Node, type_: SqlType, ctx: _Ctx) -> Node:
    if arg.kind == "const":
        if arg.type is None or arg.literal == "null":
            return _typed(arg, type_, ctx)
        if _implicit(arg.type, type_) or arg.type.same_as(type_):
            # A value-preserving widening of a literal ('-5'::integer)::numeric is the literal -5.
            return _typed(_const(arg.value, arg.literal), type_, ctx)
    if arg.kind == "array" and type_.array and all(a.kind == "const" for a in arg.args):
        return Node("array", args=tuple(_cast(a, type_.element, ctx) for a in arg.args), type=type_)
    return Node("cast", args=(arg,), type=type_)


def _has_column(node) -> bool:
    if isinstance(node, ast.ColumnRef):
        return True
    if isinstance(node, ast.Node):
        return any(_has_column(getattr(node, f)) for f in node.__slots__ if f != "location")
    if isinstance(node, (tuple, list)):
        return any(_has_column(n) for n in node)
    return False


def _bool(kind: str, args: Iterable[Node]) -> Node:
    flat: list[Node] = []
    for a in args:
        flat.extend(a.args if a.kind == kind else (a,))
    return flat[0] if len(flat) == 1 else Node(kind, args=tuple(flat))


def _not(arg: Node) -> Node:
    # NOT (x IS NULL) is x IS NOT NULL for a value that is not a row.
    if arg.kind == "nulltest" and arg.args[0].kind != "row":
        return Node("nulltest", "IS NOT NULL" if arg.name == "IS NULL" else "IS NULL", arg.args)
    return Node("not", args=(arg,))


def _op(name: str, left: Node | None, right: Node) -> Node:
    return Node("op", name, (left, right) if left is not None else (right,))


def _boolean_equality(n: Node) -> Node | None:
    """``x = true`` as ``x``, ``x = false`` / ``x <> true`` as ``NOT x`` (None when ``n`` is no such comparison)."""
    if n.kind != "op" or n.name not in ("=", "<>") or len(n.args) != 2:
        return None
    for value, other in ((n.args[1], n.args[0]), (n.args[0], n.args[1])):
        if value.kind == "const" and value.literal == "bool" and value.value in ("true", "false"):
            return other if (value.value == "true") == (n.name == "=") else _not(other)
    return None


def _between(kind, subject: Node, low: Node, high: Node) -> Node:
    """The comparisons PostgreSQL's transformAExprBetween builds."""
    K = enums.A_Expr_Kind
    if kind == K.AEXPR_BETWEEN:
        return _bool("and", [_op(">=", subject, low), _op("<=", subject, high)])
    if kind == K.AEXPR_NOT_BETWEEN:
        return _bool("or", [_op("<", subject, low), _op(">", subject, high)])
    if kind == K.AEXPR_BETWEEN_SYM:
        return _bool("or", [_bool("and", [_op(">=", subject, low), _op("<=", subject, high)]),
                            _bool("and", [_op(">=", subject, high), _op("<=", subject, low)])])
    return _bool("and", [_bool("or", [_op("<", subject, low), _op(">", subject, high)]),
                         _bool("or", [_op("<", subject, high), _op(">", subject, low)])])


def _in_list(node: ast.A_Expr, ctx: _Ctx) -> Node:
    """``x IN (...)`` as PostgreSQL's transformAExprIn builds it."""
    op = node.name[-1].sval
    subject = _node(node.lexpr, ctx)
    items = list(node.rexpr)
    if subject.kind == "row":
        pieces = [_op(op, subject, _node(i, ctx)) for i in items]
        return _bool("or" if op == "=" else "and", pieces)
    constants = [i for i in items if not _has_column(i)]
    with_columns = [i for i in items if _has_column(i)]
    pieces = []
    if len(constants) > 1:
        pieces.append(Node("any" if op == "=" else "all", op, (subject, Node("array", args=tuple(_node(i, ctx) for i in constants)))))
        rest = with_columns
    else:
        rest = items
    pieces += [_op(op, subject, _node(i, ctx)) for i in rest]
    return _bool("or" if op == "=" else "and", pieces)


def _a_expr(node: ast.A_Expr, ctx: _Ctx) -> Node:
    K = enums.A_Expr_Kind
    kind = node.kind
    name = _strip_schema([n.sval for n in node.name], ctx.search_path) if node.name else ""
    if kind in (K.AEXPR_BETWEEN, K.AEXPR_NOT_BETWEEN, K.AEXPR_BETWEEN_SYM, K.AEXPR_NOT_BETWEEN_SYM):
        low, high = node.rexpr
        return _between(kind, _node(node.lexpr, ctx), _node(low, ctx), _node(high, ctx))
    if kind == K.AEXPR_IN:
        return _in_list(node, ctx)
    if kind in (K.AEXPR_DISTINCT, K.AEXPR_NOT_DISTINCT):
        left, right = node.lexpr, node.rexpr
        # transformAExprDistinct: against an undecorated NULL it is a NULL test.
        for a, b in ((left, right), (right, left)):
            if isinstance(a, ast.A_Const) and a.isnull:
                return Node("nulltest", "IS NOT NULL" if kind == K.AEXPR_DISTINCT else "IS NULL", (_node(b, ctx),))
        distinct = Node("distinct", "IS DISTINCT FROM", (_node(left, ctx), _node(right, ctx)))
        return distinct if kind == K.AEXPR_DISTINCT else Node("not", args=(distinct,))
    if kind == K.AEXPR_NULLIF:
        return Node("nullif", "NULLIF", (_node(node.lexpr, ctx), _node(node.rexpr, ctx)))
    if kind in (K.AEXPR_OP_ANY, K.AEXPR_OP_ALL):
        return Node("any" if kind == K.AEXPR_OP_ANY else "all", name, (_node(node.lexpr, ctx), _node(node.rexpr, ctx)))
    # AEXPR_OP, LIKE, ILIKE, SIMILAR: the parser already named the operator (~~, !~~*, ~ ...).
    left = _node(node.lexpr, ctx) if node.lexpr is not None else None
    right = _node(node.rexpr, ctx)
    if left is None and name == "-" and right.kind == "const" and right.literal == "number" and right.value is not None:
        return _const(str(-Decimal(right.value)), "number", right.type)
    return _op(name, left, right)


def _func(node: ast.FuncCall, ctx: _Ctx) -> Node:
    name = _strip_schema([n.sval for n in node.funcname], ctx.search_path)
    args = tuple(_node(a, ctx) for a in node.args or ())
    flags = [f for f, on in (("*", node.agg_star), ("DISTINCT", node.agg_distinct), ("VARIADIC", node.func_variadic)) if on]
    if node.agg_order or node.agg_filter or node.over or node.agg_within_group:
        flags.append(_raw_text(node))
    return Node("func", name, args, value=" ".join(flags) or None)


def _raw_text(node) -> str:
    """A stable text for a node these rules do not normalise (compared as parsed)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("location", "list_start", "list_end",
                                                                          "rexpr_list_start", "rexpr_list_end")}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value

    return repr(strip(node(None, skip_none=True)))


def _node(node, ctx: _Ctx) -> Node:
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return _TRUE_NULL
        val = node.val
        if isinstance(val, ast.Integer):
            return _const(str(val.ival), "number")
        if isinstance(val, ast.Float):
            return _const(val.fval, "number")
        if isinstance(val, ast.Boolean):
            return _const("true" if val.boolval else "false", "bool", SqlType("bool"))
        if isinstance(val, ast.String):
            return _const(val.sval, "string")
        if isinstance(val, ast.BitString):
            return _const(val.bsval, "string", SqlType("bit"))
    if isinstance(node, ast.ColumnRef):
        last = node.fields[-1]
        # In a one-table definition, t.col and col are the same column.
        return Node("column", "*" if isinstance(last, ast.A_Star) else last.sval)
    if isinstance(node, ast.TypeCast):
        return _cast(_node(node.arg, ctx), _type(node.typeName, ctx.search_path), ctx)
    if isinstance(node, ast.A_Expr):
        return _a_expr(node, ctx)
    if isinstance(node, ast.BoolExpr):
        args = [_node(a, ctx) for a in node.args]
        if node.boolop == enums.BoolExprType.NOT_EXPR:
            return _not(args[0])
        return _bool("and" if node.boolop == enums.BoolExprType.AND_EXPR else "or", args)
    if isinstance(node, ast.NullTest):
        return Node("nulltest", "IS NULL" if node.nulltesttype == enums.NullTestType.IS_NULL else "IS NOT NULL", (_node(node.arg, ctx),))
    if isinstance(node, ast.BooleanTest):
        words = {0: "IS TRUE", 1: "IS NOT TRUE", 2: "IS FALSE", 3: "IS NOT FALSE", 4: "IS UNKNOWN", 5: "IS NOT UNKNOWN"}
        return Node("booltest", words[int(node.booltesttype)], (_node(node.arg, ctx),))
    if isinstance(node, ast.FuncCall):
        return _func(node, ctx)
    if isinstance(node, ast.A_ArrayExpr):
        return Node("array", args=tuple(_node(e, ctx) for e in node.elements or ()))
    if isinstance(node, ast.CoalesceExpr):
        return Node("coalesce", "COALESCE", tuple(_node(a, ctx) for a in node.args))
    if isinstance(node, ast.MinMaxExpr):
        kind = "greatest" if node.op == enums.MinMaxOp.IS_GREATEST else "least"
        return Node(kind, kind.upper(), tuple(_node(a, ctx) for a in node.args))
    if isinstance(node, ast.CaseExpr):
        parts = [_node(node.arg, ctx) if node.arg is not None else Node("none"),
                 _node(node.defresult, ctx) if node.defresult is not None else _TRUE_NULL]
        for when in node.args:
            parts += [_node(when.expr, ctx), _node(when.result, ctx)]
        return Node("case", "CASE", tuple(parts))
    if isinstance(node, ast.RowExpr):
        return Node("row", "ROW", tuple(_node(a, ctx) for a in node.args or ()))
    if isinstance(node, ast.CollateClause):
        return Node("collate", _strip_schema([n.sval for n in node.collname], ctx.search_path), (_node(node.arg, ctx),))
    if isinstance(node, ast.SQLValueFunction):
        name = enums.SQLValueFunctionOp(node.op).name.removeprefix("SVFOP_").removesuffix("_N")
        return Node("sqlvalue", name, value=str(node.typmod) if node.typmod not in (None, -1) else None)
    return Node("raw", type(node).__name__, value=_raw_text(node))


# ------------------------------------------------------------------ parsing


def _expression_node(text: str):
    """The raw parse tree of one expression, or of a constraint clause's expression."""
    try:
        stmts = parse_sql(f"SELECT {text}")
    except ParseError:
        stmts = None
    if stmts is not None:
        if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.SelectStmt):
            raise ExpressionError("not one expression")
        select = stmts[0].stmt
        extra = [f for f in ("fromClause", "whereClause", "groupClause", "havingClause", "sortClause", "limitCount",
                             "windowClause", "distinctClause", "valuesLists", "withClause", "intoClause") if getattr(select, f)]
        if extra == ["whereClause"] and not select.targetList:
            return select.whereClause  # a predicate written with its WHERE, as CREATE INDEX shows it
        if extra or len(select.targetList or ()) != 1 or select.targetList[0].name:
            raise ExpressionError("not one expression")
        return select.targetList[0].val
    try:
        stmts = parse_sql(f"ALTER TABLE _t ADD {text}")
    except ParseError as exc:
        raise ExpressionError(f"not an SQL expression: {exc.args[0] if exc.args else exc}") from None
    if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.AlterTableStmt) or len(stmts[0].stmt.cmds) != 1:
        raise ExpressionError("not one expression")
    constraint = stmts[0].stmt.cmds[0].def_
    if not isinstance(constraint, ast.Constraint) or constraint.raw_expr is None:
        raise ExpressionError("not a CHECK constraint or an expression")
    return constraint.raw_expr


@lru_cache(maxsize=8192)
def _parse_cached(text: str, search_path: tuple[str, ...], timezone: str) -> Node:
    return _node(_expression_node(text), _Ctx(search_path=search_path, timezone=timezone))


def parse(text: str, *, search_path: Iterable[str] = ("public",), timezone: str = "UTC") -> Node:
    """``text`` (an expression or ``CHECK (...)`` clause) as a normalised tree; ExpressionError if it is not one."""
    if text is None or not str(text).strip():
        raise ExpressionError("empty definition")
    return _parse_cached(str(text).strip(), tuple(search_path), timezone)


# ------------------------------------------------------------------ printing (PostgreSQL's style)


def _ident(name: str) -> str:
    plain = name.isidentifier() and name == name.lower() and name.isascii() and "$" not in name
    reserved = name in RESERVED_KEYWORDS or name in TYPE_FUNC_NAME_KEYWORDS or name in COL_NAME_KEYWORDS
    return name if plain and not reserved else '"' + name.replace('"', '""') + '"'


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _print(n: Node, top: bool = True) -> str:
    k = n.kind
    if k == "column":
        return n.name if n.name == "*" else _ident(n.name)
    if k == "const":
        if n.literal == "null":
            return "NULL" + (f"::{n.type}" if n.type else "")
        if n.literal == "bool":
            return n.value
        if n.type is None:
            return n.value if n.literal == "number" else _quote(n.value)
        if n.type.family == "number" and not n.value.startswith("-") and sqlvalues.number(n.value) is not None:
            if n.type.name == "int4" or (n.type.name == "numeric" and "." in n.value):
                return n.value
            return f"({n.value})::{n.type}"
        return f"{_quote(n.value)}::{n.type}"
    if k == "op":
        if len(n.args) == 1:
            return f"({n.name} {_print(n.args[0], False)})"
        return f"({_print(n.args[0], False)} {n.name} {_print(n.args[1], False)})"
    if k in ("and", "or"):
        return "(" + f" {k.upper()} ".join(_print(a, False) for a in n.args) + ")"
    if k == "not":
        return f"(NOT {_print(n.args[0], False)})"
    if k in ("any", "all"):
        return f"({_print(n.args[0], False)} {n.name} {k.upper()} ({_print(n.args[1])}))"
    if k in ("nulltest", "booltest"):
        return f"({_print(n.args[0], False)} {n.name})"
    if k == "distinct":
        return f"({_print(n.args[0], False)} IS DISTINCT FROM {_print(n.args[1], False)})"
    if k == "func":
        inner = ", ".join(_print(a) for a in n.args)
        if n.value == "*":
            inner = "*"
        return f"{n.name}({inner})"
    if k == "cast":
        return f"({_print(n.args[0])})::{n.type}"
    if k == "array":
        if n.type is not None and not n.args:
            return f"'{{}}'::{n.type}"
        return "ARRAY[" + ", ".join(_print(a) for a in n.args) + "]"
    if k in ("coalesce", "greatest", "least", "nullif", "row"):
        return f"{n.name}(" + ", ".join(_print(a) for a in n.args) + ")"
    if k == "case":
        subject, default, *pairs = n.args
        out = "CASE" + ("" if subject.kind == "none" else f" {_print(subject)}")
        for i in range(0, len(pairs), 2):
            out += f" WHEN {_print(pairs[i])} THEN {_print(pairs[i + 1])}"
        if not (default.kind == "const" and default.literal == "null" and default.type is None):
            out += f" ELSE {_print(default)}"
        return out + " END"
    if k == "collate":
        return f"({_print(n.args[0], False)} COLLATE {_ident(n.name)})"
    if k == "sqlvalue":
        return n.name + (f"({n.value})" if n.value else "")
    if k == "none":
        return ""
    return f"<{n.name}>"


def referenced_columns(text: str) -> set[str]:
    """The column names a definition mentions (empty when it cannot be read)."""
    try:
        tree = parse(text)
    except ExpressionError:
        return set()
    out: set[str] = set()
    stack = [tree]
    while stack:
        n = stack.pop()
        if n.kind == "column":
            out.add(n.name)
        stack.extend(n.args)
    return out


def sql_text(text: str) -> str:
    """``text`` re-printed by PostgreSQL's grammar (pglast): one expression, safe to put in generated SQL.

    Raises ExpressionError when ``text`` is not exactly one expression, so a
    definition from a profile is never pasted into a script unread.
    """
    from pglast.stream import RawStream

    if text is None or not str(text).strip():
        raise ExpressionError("empty definition")
    return RawStream()(_expression_node(str(text).strip()))


def printed(text: str, **options) -> str:
    """``text`` in PostgreSQL's printed form (BETWEEN and IN expanded, literals typed as written)."""
    return _print(parse(text, **options))


# ------------------------------------------------------------------ comparison


@dataclass
class _Difference:
    why: str
    expected: Node
    actual: Node
    where: list[str] = field(default_factory=list)

    def words(self) -> str:
        place = " in " + ", in ".join(self.where) if self.where else ""
        expected, actual = str(self.expected), str(self.actual)
        if expected in self.why and actual in self.why:
            return f"{self.why}{place}"
        return f"{self.why}{place}: expected {expected}, actual {actual}"


_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}


def _nth(i: int) -> str:
    return _ORDINAL.get(i, f"{i}th")


def _describe(n: Node) -> str:
    return {
        "column": f"column {n}", "const": f"constant {n}", "op": f"operator {n.name}",
        "and": f"an AND of {len(n.args)} terms", "or": f"an OR of {len(n.args)} terms", "not": "a NOT",
        "any": f"{n.name} ANY (...)", "all": f"{n.name} ALL (...)", "nulltest": f"a test {n.name}", "booltest": f"a test {n.name}",
        "distinct": "IS DISTINCT FROM", "func": f"a call to {n.name}()", "cast": f"a cast to {n.type}", "array": "an array",
        "case": "a CASE", "row": "a row", "collate": "a COLLATE", "sqlvalue": n.name, "nullif": "NULLIF", "coalesce": "COALESCE",
        "greatest": "GREATEST", "least": "LEAST",
    }.get(n.kind, f"{n.kind}")


_BINARY = ("op", "any", "all", "distinct")


_COMPARISONS = {"=", "<>", "<", ">", "<=", ">=", "IS DISTINCT FROM"}


def _compatible(target: SqlType, sibling: Node | None, comparison: bool) -> bool:
    """Could PostgreSQL have cast to ``target`` next to ``sibling`` (the other operand, on the side without the cast)?

    The side without the cast shows how PostgreSQL resolved the operator: a bare
    ``3`` there is an integer, so in ``x / 3`` a cast to double precision on the
    other side was not one PostgreSQL added (it changes the division). Under a
    comparison, widening a number never changes the outcome, and only the
    family matters (a number is never compared as text).
    """
    if sibling is None:
        return True
    if sibling.kind == "array" and target.array:
        return _compatible(target.element, sibling.args[0] if sibling.args else None, comparison)
    if sibling.kind == "const":
        if sibling.literal == "null":
            return True
        if sibling.type is None:
            if sibling.literal == "string":
                return True
            integral = "." not in (sibling.value or "")
            if comparison:
                return target.family == "number"
            return target.family == "number" and (target.name in sqlvalues.INTEGER_TYPES if integral else target.name == "numeric")
        if target.family == "number" and not comparison:
            return sibling.type.family == "number" and (sibling.type.name == target.name or
                                                       {sibling.type.name, target.name} <= sqlvalues.INTEGER_TYPES)
        return sibling.type.family == target.family
    if sibling.kind == "cast":
        return sibling.type.family == target.family
    return True


class _Comparer:
    def __init__(self, column_types: Mapping[str, SqlType], ctx: _Ctx):
        self.column_types = column_types
        self.ctx = ctx
        self.memo: dict[tuple, _Difference | None] = {}
        self.keep: list = []  # nodes memoised by id stay alive for the comparison

    def diff(self, a: Node, b: Node, sa: Node | None = None, sb: Node | None = None, where: str = "") -> _Difference | None:
        """How ``a`` (expected) differs from ``b`` (actual); ``sa``/``sb`` are their siblings under a binary operator."""
        key = (id(a), id(b), id(sa), id(sb), where)
        if key not in self.memo:
            self.keep.append((a, b, sa, sb))
            self.memo[key] = self._diff(a, b, sa, sb, where)
        return self.memo[key]

    def same(self, a: Node, b: Node) -> bool:
        return self.diff(a, b) is None

    def _source_type(self, n: Node) -> SqlType | None:
        if n.kind == "column":
            return self.column_types.get(n.name)
        if n.kind == "cast":
            return n.type
        return None

    def _droppable(self, cast: Node, sibling_elsewhere: Node | None, where: str) -> bool:
        target = cast.type
        if not _implicit(self._source_type(cast.args[0]), target):
            return False
        if where == "power" and target.name in ("float8", "numeric"):
            return True  # ^ has no integer form: PostgreSQL always casts integers for it
        if where in ("comparison", "arithmetic", "power"):
            return _compatible(target, sibling_elsewhere, where == "comparison")
        if where == "func":
            return True
        return target.family == "string" or (target.array and target.element.family == "string")

    def _no_op(self, cast: Node) -> bool:
        """A cast of a column to its own type (``v::varchar(20)`` on a varchar(20) column): PostgreSQL drops it."""
        source = self._source_type(cast.args[0]) if cast.args[0].kind == "column" else None
        return source is not None and source.name == cast.type.name and source.array == cast.type.array and \
            cast.type.typmods in ((), source.typmods)

    def _soft_cast(self, a: Node, b: Node, sa: Node | None, sb: Node | None, where: str) -> tuple[Node, Node] | None:
        """Drop a cast PostgreSQL may have added, present on one side only (``(code)::text`` vs ``code``)."""
        if a.kind == "cast" and self._no_op(a):
            return a.args[0], b
        if b.kind == "cast" and self._no_op(b):
            return a, b.args[0]
        if a.kind == "cast" and b.kind == "cast" and a.type != b.type:
            # ((t)::varchar(10))::text vs (t)::varchar(10): the outer cast is one PostgreSQL added.
            if b.args[0].kind == "cast" and self._droppable(b, sa, where):
                return a, b.args[0]
            if a.args[0].kind == "cast" and self._droppable(a, sb, where):
                return a.args[0], b
        if a.kind == "cast" and b.kind != "cast" and self._droppable(a, sb, where):
            return a.args[0], b
        if b.kind == "cast" and a.kind != "cast" and self._droppable(b, sa, where):
            return a, b.args[0]
        return None

    def _diff(self, a: Node, b: Node, sa, sb, where: str) -> _Difference | None:
        difference = self._diff_as_parsed(a, b, sa, sb, where)
        if difference is None:
            return None
        # Spellings that mean the same value in three-valued logic, though PostgreSQL keeps them apart.
        for x, y in self._equivalent_spellings(a, b):
            if self.diff(x, y, sa, sb, where) is None:
                return None
        return difference

    def _equivalent_spellings(self, a: Node, b: Node) -> list[tuple[Node, Node]]:
        """Rewritten pairs to try when ``a`` and ``b`` differ as parsed.

        ``0 < x`` is ``x > 0`` (a comparison's commutator with its operands
        swapped); ``bo = true`` is ``bo`` and ``bo = false`` is ``NOT bo``;
        ``x = ANY (ARRAY[1, 2])`` (an IN list) is ``x = 1 OR x = 2``, and
        ``<> ALL`` an AND of ``<>``, also for an array literal of a known type.
        None of them changes a result, NULLs included.
        """
        out = []
        if a.kind == b.kind == "op" and len(a.args) == len(b.args) == 2 and _COMMUTATORS.get(a.name) == b.name:
            out.append((a, Node("op", a.name, (b.args[1], b.args[0]))))
        ta, tb = _boolean_equality(a), _boolean_equality(b)
        if ta is not None or tb is not None:
            out.append((ta or a, tb or b))
        xa, xb = self._expanded(a), self._expanded(b)
        if xa is not a or xb is not b:
            out.append((xa, xb))
        return out

    def _expanded(self, n: Node) -> Node:
        """An ANY/ALL over a list as the OR/AND of its comparisons (``n`` itself when it is not one)."""
        if n.kind in ("any", "all") and len(n.args) == 2:
            items = self._array_items(n.args[1])
            if items:
                return _bool("or" if n.kind == "any" else "and", [_op(n.name, n.args[0], i) for i in items])
            return n
        if n.kind in ("or", "and"):
            inner = "any" if n.kind == "or" else "all"
            parts = [self._expanded(c) if c.kind == inner else c for c in n.args]
            if any(p is not c for p, c in zip(parts, n.args)):
                return _bool(n.kind, parts)
        return n

    def _array_items(self, n: Node) -> list[Node] | None:
        if n.kind == "array":
            return list(n.args)
        if n.kind == "const" and n.type is not None and n.type.array and n.literal == "string" and n.value is not None:
            elements = sqlvalues.array_elements(n.value)
            if elements is None:
                return None
            return [_const(None, "null", n.type.element) if v is None else _typed(_const(v, "string"), n.type.element, self.ctx)
                    for v in elements]
        return None

    def _diff_as_parsed(self, a: Node, b: Node, sa, sb, where: str) -> _Difference | None:
        soft = self._soft_cast(a, b, sa, sb, where)
        if soft is not None:
            return self.diff(soft[0], soft[1], sa, sb, where)
        if a.kind == "const" and b.kind == "const":
            return self._const_diff(a, b)
        if a.kind != b.kind:
            return _Difference(f"expected {_describe(a)}, found {_describe(b)}", a, b)
        k = a.kind
        if k == "column":
            return None if a.name == b.name else _Difference(f"column {_ident(a.name)} vs {_ident(b.name)}", a, b)
        if k in ("and", "or"):
            return self._multiset(a, b)
        if a.name != b.name:
            what = {"func": "function", "nulltest": "test", "booltest": "test", "collate": "collation",
                    "sqlvalue": "value"}.get(k, "operator")
            return _Difference(f"{what} {a.name} vs {b.name}", a, b)
        if k == "cast" and a.type != b.type:
            return _Difference(f"cast to {a.type} vs {b.type}", a, b)
        if k in ("func", "sqlvalue", "raw") and a.value != b.value:
            return _Difference(f"{_describe(a)} differs in its modifiers", a, b)
        if k in ("any", "all") and a.args[1].kind == b.args[1].kind == "array":
            return self._list(a, b)
        if len(a.args) != len(b.args):
            noun = "elements" if k == "array" else "arguments"
            return _Difference(f"{_describe(a)} with {len(a.args)} {noun} vs {len(b.args)}", a, b)
        direct = self._args(a, b)
        if direct is None:
            return None
        commutative = k == "distinct" or (k == "op" and a.name in _COMMUTATIVE)
        if commutative and len(a.args) == 2 and self._args(a, b, swapped=True) is None:
            return None
        return direct

    def _args(self, a: Node, b: Node, swapped: bool = False) -> _Difference | None:
        binary = a.kind in _BINARY and len(a.args) == 2
        if binary:
            where = "comparison" if a.kind == "distinct" or a.name in _COMPARISONS else "power" if a.name == "^" else "arithmetic"
        else:
            where = "func" if a.kind == "func" else ""
        for i, x in enumerate(a.args):
            j = (1 - i) if swapped else i
            y = b.args[j]
            sa, sb = (a.args[1 - i], b.args[1 - j]) if binary else (None, None)
            d = self.diff(x, y, sa, sb, where)
            if d is not None:
                return _Difference(d.why, d.expected, d.actual, d.where + [self._place(a, i)])
        return None

    def _place(self, parent: Node, i: int) -> str:
        k = parent.kind
        if k in _BINARY and len(parent.args) == 2:
            return f"the {'left' if i == 0 else 'right'} side of {parent}"
        if k == "func":
            return f"argument {i + 1} of {parent.name}()"
        return str(parent)

    def _list(self, a: Node, b: Node) -> _Difference | None:
        """``x = ANY (ARRAY[...])`` (an IN list): the subject, then the items in any order."""
        d = self.diff(a.args[0], b.args[0], a.args[1], b.args[1], "comparison")
        if d is not None:
            return _Difference(d.why, d.expected, d.actual, d.where + [self._place(a, 0)])
        xs, ys = list(a.args[1].args), list(b.args[1].args)
        match = _matching(len(xs), len(ys), lambda i, j: self.same(xs[i], ys[j]))
        if len(match) == len(xs) == len(ys):
            return None
        missing = "; ".join(str(xs[i]) for i in range(len(xs)) if i not in match) or "none"
        extra = "; ".join(str(ys[j]) for j in range(len(ys)) if j not in match.values()) or "none"
        return _Difference(f"the list has {len(xs)} items in the expected definition and {len(ys)} in the actual one "
                           f"(expected, not found: {missing}; found, not expected: {extra})", a, b)

    def _multiset(self, a: Node, b: Node) -> _Difference | None:
        word = a.kind.upper()
        xs, ys = list(a.args), list(b.args)
        match = _matching(len(xs), len(ys), lambda i, j: self.same(xs[i], ys[j]))
        unmatched_x = [i for i in range(len(xs)) if i not in match]
        unmatched_y = [j for j in range(len(ys)) if j not in match.values()]
        if not unmatched_x and not unmatched_y:
            return None
        if len(unmatched_x) == 1 and len(unmatched_y) == 1:
            d = self.diff(xs[unmatched_x[0]], ys[unmatched_y[0]])
            return _Difference(d.why, d.expected, d.actual, d.where + [f"the {_nth(unmatched_x[0] + 1)} term of the {word}"])
        missing = "; ".join(str(xs[i]) for i in unmatched_x) or "none"
        extra = "; ".join(str(ys[j]) for j in unmatched_y) or "none"
        if len(xs) != len(ys):
            why = f"the {word} has {len(xs)} terms in the expected definition and {len(ys)} in the actual one"
        else:
            why = f"{word} terms differ"
        return _Difference(f"{why} (expected, not found: {missing}; found, not expected: {extra})", a, b)

    def _const_diff(self, a: Node, b: Node) -> _Difference | None:
        if a.literal == "null" or b.literal == "null":
            return None if a.literal == b.literal else _Difference(f"constant {a} vs {b}", a, b)
        ta, tb = a.type, b.type
        if ta is not None and tb is not None:
            if not ta.same_as(tb) and not (ta.family == tb.family == "number"):
                return _Difference(f"a constant of type {ta} vs {tb}", a, b)
            va, vb = a.value, b.value
        elif ta is None and tb is None:
            va, vb = a.value, b.value
        else:
            typed, untyped = (a, b) if ta is not None else (b, a)
            # An untyped literal takes the type PostgreSQL resolved on the other side.
            if untyped.literal == "number" and typed.type.family != "number":
                return _Difference(f"constant {a} vs {b}", a, b)
            converted = _typed(_const(untyped.value, untyped.literal), typed.type, self.ctx).value
            va, vb = (typed.value, converted) if typed is a else (converted, typed.value)
        if va == vb:
            return None
        numeric = "number" in (a.literal, b.literal) or "number" in ((ta and ta.family), (tb and tb.family))
        na, nb = sqlvalues.number(va), sqlvalues.number(vb)
        if numeric and na is not None and na == nb:
            return None
        return _Difference(f"constant {a} vs {b}", a, b)


def _matching(n: int, m: int, ok) -> dict[int, int]:
    """A maximum matching of left items to right items where ``ok(i, j)`` (augmenting paths)."""
    edges = {i: [j for j in range(m) if ok(i, j)] for i in range(n)}
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(n):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _column_types(column_types: Mapping[str, str] | None) -> dict[str, SqlType]:
    return {name: sql_type(t) for name, t in (column_types or {}).items() if t}


def compare(expected: str, actual: str, *, column_types: Mapping[str, str] | None = None,
            search_path: Iterable[str] = ("public",), timezone: str = "UTC") -> Comparison:
    """Are ``expected`` and ``actual`` the same definition as PostgreSQL reads them? (see the module doc)."""
    options = {"search_path": tuple(search_path), "timezone": timezone}
    trees = []
    for side, text in (("expected", expected), ("actual", actual)):
        try:
            trees.append(parse(text, **options))
        except ExpressionError as exc:
            return Comparison(False, f"the {side} definition cannot be read: {exc}", str(expected or ""), str(actual or ""),
                              error=f"the {side} definition {text!r} cannot be read: {exc}")
    a, b = trees
    difference = _Comparer(_column_types(column_types), _Ctx(**options)).diff(a, b)
    # The actual side is usually the server's own rendering: shown as given.
    return Comparison(difference is None, "" if difference is None else difference.words(), _print(a), " ".join(str(actual).split()))


def same(expected: str, actual: str, **options) -> bool:
    """``compare(...).equal``."""
    return compare(expected, actual, **options).equal


# ------------------------------------------------------------------ a canonical key


def _key(n: Node) -> str:
    """A text that is the same for trees ``compare`` finds equal in the common cases (for grouping and display)."""
    k = n.kind
    if k == "cast" and _implicit(None, n.type):
        return _key(n.args[0])
    if k == "const":
        if n.literal == "null":
            return "NULL"
        if n.type is not None and n.type.family not in ("number", "string", "bool"):
            return f"{_quote(n.value)}::{n.type}"
        number = sqlvalues.number(n.value) if n.literal == "number" or (n.type and n.type.family == "number") else None
        return format(number.normalize(), "f") if number is not None else _quote(n.value) if n.literal != "bool" else n.value
    if k in ("and", "or"):
        return "(" + f" {k.upper()} ".join(sorted(_key(a) for a in n.args)) + ")"
    if k == "op" and len(n.args) == 2:
        left, right = _key(n.args[0]), _key(n.args[1])
        name = n.name
        if name in _COMMUTATIVE and right < left:
            left, right = right, left
        return f"({left} {name} {right})"
    if k == "distinct":
        return "(" + " IS DISTINCT FROM ".join(sorted(_key(a) for a in n.args)) + ")"
    if k in ("any", "all") and n.args[1].kind == "array":
        items = ", ".join(sorted(_key(a) for a in n.args[1].args))
        return f"({_key(n.args[0])} {n.name} {k.upper()} ({items}))"
    if not n.args:
        return _print(n)
    inner = ", ".join(_key(a) for a in n.args)
    return f"{k}:{n.name}:{n.type or ''}:{n.value or ''}({inner})"


def normalize(expression: str | None) -> str:
    """A canonical text of a definition ('' for none; the text itself when it cannot be parsed).

    For grouping and display; decide equality with ``compare``, which also
    unifies literals with the type the other side gives them.
    """
    if not expression or not str(expression).strip():
        return ""
    try:
        return _key(parse(expression))
    except ExpressionError:
        return str(expression).strip()
