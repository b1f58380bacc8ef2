"""A migration script split into statements by PostgreSQL's own parser (pglast), with line numbers.

Prisma sends a whole ``migration.sql`` to the server as one query string; with
more than one statement PostgreSQL runs it as one implicit transaction. So a
statement in a Prisma migration runs inside a transaction block when the
script has more than one statement, or when it sits between an explicit
``BEGIN`` and ``COMMIT``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, parse_sql
from pglast.enums import ObjectType, TransactionStmtKind
from pglast.parser import ParseError

_OPENS = {TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START}
_CLOSES = {TransactionStmtKind.TRANS_STMT_COMMIT, TransactionStmtKind.TRANS_STMT_ROLLBACK, TransactionStmtKind.TRANS_STMT_PREPARE}


class ScriptSyntaxError(Exception):
    """The script does not parse: ``line`` and the parser's message."""

    def __init__(self, message: str, line: int):
        super().__init__(f"line {line}: {message}")
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Statement:
    index: int            # 0-based position in its script
    node: ast.Node        # the parse tree of the statement
    text: str             # its source text, without the final semicolon
    line: int             # 1-based line of its first token
    in_transaction: bool  # runs inside a transaction block

    @property
    def kind(self) -> str:
        return type(self.node).__name__

    @property
    def first_line(self) -> str:
        return " ".join(self.text.split())[:160]


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


def parse_script(text: str, *, whole_script_is_one_transaction: bool = True) -> list[Statement]:
    """The statements of ``text``, in order; raises ``ScriptSyntaxError`` where PostgreSQL would stop.

    ``whole_script_is_one_transaction``: the script is sent as one query string,
    as Prisma sends ``migration.sql``; pass False for a script ``psql -f`` runs
    statement by statement.
    """
    try:
        raw = parse_sql(text)
    except ParseError as exc:
        message, offset = (exc.args + (0,))[:2]
        raise ScriptSyntaxError(str(message), line_of(text, int(offset or 0))) from None
    implicit = whole_script_is_one_transaction and len(raw) > 1
    out: list[Statement] = []
    explicit = False
    for i, stmt in enumerate(raw):
        node = stmt.stmt
        start = stmt.stmt_location or 0
        source = text[start:start + stmt.stmt_len] if stmt.stmt_len else text[start:]
        in_block = implicit or explicit
        if isinstance(node, ast.TransactionStmt):
            if node.kind in _OPENS:
                explicit = True
            elif node.kind in _CLOSES:
                explicit = False
        out.append(Statement(i, node, source.strip().rstrip(";").strip(), line_of(text, start), in_block))
    return out


def statement_tables(node: ast.Node, schema: str = "public") -> list[tuple[str, str]]:
    """The tables a statement creates, changes, indexes, empties or drops (``(schema, table)``), in order."""
    def key(relation: ast.RangeVar) -> tuple[str, str]:
        return (relation.schemaname or schema, relation.relname)

    out: list[tuple[str, str]] = []
    if isinstance(node, (ast.AlterTableStmt, ast.IndexStmt, ast.CreateStmt)) and node.relation is not None:
        out.append(key(node.relation))
        for cmd in getattr(node, "cmds", None) or ():
            ref = getattr(getattr(cmd, "def_", None), "pktable", None)
            if isinstance(ref, ast.RangeVar):
                out.append(key(ref))
    elif isinstance(node, ast.RenameStmt) and node.relation is not None:
        out.append(key(node.relation))
    elif isinstance(node, ast.TruncateStmt):
        out.extend(key(r) for r in node.relations or ())
    elif isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
        for names in node.objects or ():
            parts = [n.sval for n in names]
            out.append((parts[-2] if len(parts) > 1 else schema, parts[-1]))
    return list(dict.fromkeys(out))
