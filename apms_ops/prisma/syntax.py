"""A reader for the Prisma Schema Language: tokens, then blocks, fields and attributes.

It follows the grammar of Prisma's own parser (``psl/schema-ast``) where the
two can differ: newlines end declarations, a block opens with ``{`` at the end
of its first line and closes with ``}`` on a line of its own, ``///`` comments
document the declaration below them and ``//`` comments are dropped. It
reads everything a schema may hold (datasource and generator blocks, models,
views, composite types, enums, field and block attributes with nested
arguments) and keeps line numbers, so a malformed schema is reported as
``file:line: what is wrong``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from apms_ops.errors import OpsError


class PrismaSchemaError(OpsError):
    """A Prisma schema that cannot be read; the message names the file and the line."""

    def __init__(self, path: str, line: int | None, message: str):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path, self.line = path, line


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str    # ident | string | number | punct | newline | doc | eof
    value: str
    line: int


_TOKEN = re.compile(r"""
    (?P<newline>\r?\n)
  | (?P<space>[ \t\f\r\ufeff]+)
  | (?P<doc>///[^\n]*)
  | (?P<comment>//[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_]))
  | (?P<ident>[A-Za-z0-9_][A-Za-z0-9_\-]*)
  | (?P<punct>@@|[@{}()\[\],:=?.])
""", re.VERBOSE | re.DOTALL)


def tokenize(text: str, path: str) -> list[Token]:
    """Tokens of ``text`` with their line numbers; ``//`` comments dropped, ``///`` kept as doc tokens."""
    tokens: list[Token] = []
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            snippet = text[pos:pos + 20].split("\n", 1)[0]
            if text[pos] == '"':
                raise PrismaSchemaError(path, line, "unterminated string")
            raise PrismaSchemaError(path, line, f"unexpected character {text[pos]!r} in {snippet!r}")
        kind = m.lastgroup
        value = m.group()
        if kind == "newline":
            tokens.append(Token("newline", "\n", line))
            line += 1
        elif kind == "block_comment":
            line += value.count("\n")
        elif kind == "doc":
            tokens.append(Token("doc", value[3:].strip(), line))
        elif kind in ("string", "number", "ident", "punct"):
            tokens.append(Token(kind, value, line))
        pos = m.end()
    tokens.append(Token("newline", "\n", line))
    tokens.append(Token("eof", "", line))
    return tokens


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Ref:
    """A bare name as a value: a constant (``Cascade``), a field (``[id]``), a path (``db.Uuid``)."""

    name: str


@dataclass(frozen=True)
class Call:
    """A function as a value: ``now()``, ``env("DATABASE_URL")``, ``id(sort: Desc)``."""

    name: str
    args: tuple["Arg", ...] = ()


@dataclass(frozen=True)
class Arg:
    name: str | None   # None: positional
    value: Any         # str | int | float | Ref | Call | list


@dataclass
class Attribute:
    name: str                  # "relation", "db.VarChar", "map"
    args: list[Arg]
    line: int
    block: bool = False        # @@ (on the block) or @ (on a field)

    def arg(self, name: str, position: int | None = 0):
        """The argument called ``name``, else the positional one at ``position``."""
        for a in self.args:
            if a.name == name:
                return a.value
        positional = [a.value for a in self.args if a.name is None]
        if position is not None and len(positional) > position:
            return positional[position]
        return None


@dataclass
class Field:
    name: str
    type: str                  # base type: "String", "User", "Unsupported"
    optional: bool
    list: bool
    attributes: list[Attribute]
    line: int
    doc: str = ""
    unsupported: str | None = None   # the type inside Unsupported("...")

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass
class EnumValue:
    name: str
    attributes: list[Attribute]
    line: int
    doc: str = ""


@dataclass
class Block:
    kind: str                  # datasource | generator | model | view | type | enum
    name: str
    line: int
    file: str
    doc: str = ""
    fields: list[Field] = field(default_factory=list)          # model, view, type
    values: list[EnumValue] = field(default_factory=list)      # enum
    properties: dict[str, Any] = field(default_factory=dict)   # datasource, generator
    attributes: list[Attribute] = field(default_factory=list)  # @@ attributes

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


BLOCK_KINDS = ("datasource", "generator", "model", "view", "type", "enum")


# ---------------------------------------------------------------- the parser


class _Parser:
    def __init__(self, tokens: list[Token], path: str):
        self.tokens = tokens
        self.pos = 0
        self.path = path

    # -- token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        t = self.tokens[self.pos]
        self.pos += 1
        return t

    def fail(self, message: str, line: int | None = None):
        raise PrismaSchemaError(self.path, line or self.tok.line, message)

    def expect(self, kind: str, value: str | None = None, what: str | None = None) -> Token:
        t = self.tok
        if t.kind != kind or (value is not None and t.value != value):
            self.fail(f"expected {what or value or kind}, found {self._describe(t)}")
        return self.next()

    def at(self, kind: str, value: str | None = None) -> bool:
        return self.tok.kind == kind and (value is None or self.tok.value == value)

    @staticmethod
    def _describe(t: Token) -> str:
        return {"newline": "the end of the line", "eof": "the end of the file"}.get(t.kind, repr(t.value))

    def skip_blank(self) -> list[str]:
        """Skip empty lines; return the doc comments met (the last run before a declaration)."""
        docs: list[str] = []
        while self.tok.kind in ("newline", "doc"):
            t = self.next()
            if t.kind == "doc":
                docs.append(t.value)
        return docs

    def end_of_line(self, what: str) -> None:
        if self.at("doc"):   # a /// comment after a declaration is a trailing comment
            self.next()
        if not self.at("newline"):
            self.fail(f"unexpected {self._describe(self.tok)} after {what} (one declaration per line)")
        self.next()

    # -- the schema

    def schema(self) -> list[Block]:
        blocks = []
        while True:
            docs = self.skip_blank()
            if self.at("eof"):
                return blocks
            t = self.tok
            if t.kind != "ident" or t.value not in BLOCK_KINDS:
                self.fail(f"expected a block (datasource, generator, model, view, type or enum), found {self._describe(t)}")
            blocks.append(self.block(docs))

    def block(self, docs: list[str]) -> Block:
        kind_tok = self.next()
        name = self.expect("ident", what=f"a name for the {kind_tok.value}").value
        if kind_tok.value == "type" and self.at("punct", "="):
            self.fail("type aliases are not supported by Prisma (use a composite type block)")
        block = Block(kind_tok.value, name, kind_tok.line, self.path, doc="\n".join(docs))
        self.expect("punct", "{", what="'{'")
        self.end_of_line("'{'")
        while True:
            member_docs = self.skip_blank()
            if self.at("punct", "}"):
                self.next()
                if not self.at("eof"):
                    self.end_of_line("'}'")
                return block
            if self.at("eof"):
                self.fail(f"{kind_tok.value} {name} is not closed with '}}'", kind_tok.line)
            if self.at("punct", "@@"):
                block.attributes.append(self.attribute(block=True))
                self.end_of_line("a block attribute")
            elif block.kind in ("datasource", "generator"):
                self.property(block)
            elif block.kind == "enum":
                block.values.append(self.enum_value(member_docs))
            else:
                block.fields.append(self.field(member_docs))

    def property(self, block: Block) -> None:
        key = self.expect("ident", what="a setting name")
        self.expect("punct", "=", what="'=' after the setting name")
        if key.value in block.properties:
            self.fail(f"{key.value} is set twice in {block.kind} {block.name}", key.line)
        block.properties[key.value] = self.expression()
        self.end_of_line(f"the value of {key.value}")

    def enum_value(self, docs: list[str]) -> EnumValue:
        name = self.expect("ident", what="an enum value")
        attributes = []
        while self.at("punct", "@"):
            attributes.append(self.attribute(block=False))
        self.end_of_line(f"enum value {name.value}")
        return EnumValue(name.value, attributes, name.line, "\n".join(docs))

    def field(self, docs: list[str]) -> Field:
        name = self.expect("ident", what="a field name")
        if self.at("punct", ":"):
            self.fail("field declarations take no ':' (write 'name Type')")
        if "-" in name.value:
            self.fail(f"'-' is not allowed in field names ({name.value})", name.line)
        type_tok = self.expect("ident", what=f"a type for field {name.value}")
        unsupported = None
        if type_tok.value == "Unsupported":
            self.expect("punct", "(", what="'(' after Unsupported")
            unsupported = _string_value(self.expect("string", what="the database type as a string"), self)
            self.expect("punct", ")", what="')'")
        is_list = optional = False
        if self.at("punct", "["):
            self.next()
            self.expect("punct", "]", what="']'")
            is_list = True
        if self.at("punct", "?"):
            self.next()
            optional = True
            if is_list:
                self.fail(f"field {name.value}: optional lists are not supported (Type[]? )", name.line)
        attributes = []
        while self.at("punct", "@"):
            attributes.append(self.attribute(block=False))
        self.end_of_line(f"field {name.value}")
        return Field(name.value, type_tok.value, optional, is_list, attributes, name.line, "\n".join(docs), unsupported)

    def attribute(self, block: bool) -> Attribute:
        start = self.next()
        name = self.path_name()
        args: list[Arg] = []
        if self.at("punct", "("):
            args = self.arguments()
        return Attribute(name, args, start.line, block)

    def path_name(self) -> str:
        parts = [self.expect("ident", what="a name").value]
        while self.at("punct", "."):
            self.next()
            parts.append(self.expect("ident", what="a name after '.'").value)
        return ".".join(parts)

    def arguments(self) -> list[Arg]:
        self.expect("punct", "(")
        args: list[Arg] = []
        while not self.at("punct", ")"):
            self._skip_newlines_in_brackets()
            if self.at("punct", ")"):
                break
            if self.at("ident") and self.tokens[self.pos + 1].kind == "punct" and self.tokens[self.pos + 1].value == ":":
                key = self.next().value
                self.next()
                args.append(Arg(key, self.expression()))
            else:
                args.append(Arg(None, self.expression()))
            self._skip_newlines_in_brackets()
            if self.at("punct", ","):
                self.next()
            elif not self.at("punct", ")"):
                self.fail(f"expected ',' or ')' in the arguments, found {self._describe(self.tok)}")
        self.next()
        return args

    def _skip_newlines_in_brackets(self) -> None:
        while self.at("newline"):
            self.next()

    def expression(self):
        t = self.tok
        if t.kind == "string":
            self.next()
            return _string_value(t, self)
        if t.kind == "number":
            self.next()
            return float(t.value) if "." in t.value else int(t.value)
        if t.kind == "punct" and t.value == "[":
            self.next()
            items = []
            while True:
                self._skip_newlines_in_brackets()
                if self.at("punct", "]"):
                    self.next()
                    return items
                items.append(self.expression())
                self._skip_newlines_in_brackets()
                if self.at("punct", ","):
                    self.next()
                elif not self.at("punct", "]"):
                    self.fail(f"expected ',' or ']' in the list, found {self._describe(self.tok)}")
        if t.kind == "ident":
            name = self.path_name()
            if self.at("punct", "("):
                return Call(name, tuple(self.arguments()))
            if name in ("true", "false"):
                return name == "true"
            return Ref(name)
        self.fail(f"expected a value, found {self._describe(t)}")


def _string_value(t: Token, parser: _Parser) -> str:
    try:
        return json.loads(t.value)
    except ValueError:
        # Prisma allows escapes JSON does not know (\'); read them as the character itself.
        return re.sub(r"\\(.)", r"\1", t.value[1:-1])


def parse(text: str, path: str = "schema.prisma") -> list[Block]:
    """The blocks of one ``.prisma`` file; ``PrismaSchemaError`` (file:line) when it is malformed."""
    return _Parser(tokenize(text, path), path).schema()
