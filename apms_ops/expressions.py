"""Compare SQL boolean expressions as written by people with PostgreSQL's deparsed form.

``pg_get_constraintdef`` prints ``status IN ('A','B')`` as
``CHECK ((status = ANY (ARRAY['A'::text, 'B'::text])))`` and ``x BETWEEN 1 AND 5``
as ``CHECK (((x >= 1) AND (x <= 5)))``. ``normalize`` brings both spellings to
one canonical string so a profile can state definitions the way a migration
author writes them.
"""

from __future__ import annotations

import re

_CAST = re.compile(
    r"::\s*(?:\"?[a-z_][a-z0-9_]*\"?\.)?"
    r"(?:timestamp(?:\(\d+\))? with(?:out)? time zone|time(?:\(\d+\))? with(?:out)? time zone|character varying|double precision|bit varying|"
    r"\"?[a-z_][a-z0-9_]*\"?)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*",
    re.I,
)
_STRING = re.compile(r"'(?:[^']|'')*'")


def _split_strings(text: str) -> list[tuple[bool, str]]:
    """Pieces of ``text``: (True, literal) for string literals, (False, code) otherwise."""
    out, pos = [], 0
    for m in _STRING.finditer(text):
        out.append((False, text[pos : m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    out.append((False, text[pos:]))
    return out


def normalize(expression: str | None) -> str:
    """One canonical spelling of a CHECK definition or index predicate."""
    if not expression:
        return ""
    text = expression.strip()
    text = re.sub(r"^\s*CHECK\s*", "", text, flags=re.I)
    text = re.sub(r"\s+NOT\s+VALID\s*$", "", text, flags=re.I)
    # Typed literals (DATE '2000-01-01') and casts ('x'::text) say the same thing.
    text = re.sub(r"\b(?:date|timestamptz|timestamp|time|interval|numeric|integer|text|uuid)\s+(?=')", "", text, flags=re.I)
    pieces = []
    for is_literal, piece in _split_strings(text):
        if is_literal:
            pieces.append(piece)
            continue
        piece = _CAST.sub("", piece).lower()
        piece = piece.replace("!=", "<>")
        pieces.append(piece)
    text = "".join(pieces)
    text = _in_lists(text)
    text = _betweens(text)
    # Parentheses and spacing carry no meaning for the expressions profiles hold
    # (outside string literals, which stay exactly as written).
    tokens: list[str] = []
    for is_literal, piece in _split_strings(text):
        if is_literal:
            tokens.append(piece)
            continue
        piece = re.sub(r"[()\[\]]", " ", piece)
        piece = re.sub(r"(<>|<=|>=|!~\*|~\*|!~|=|<|>|~|,)", r" \1 ", piece)
        # re-join the two-character operators the line above split apart
        piece = re.sub(r"< >", "<>", re.sub(r"([<>!~]) (=|\*)", r"\1\2", piece))
        tokens.extend(piece.split())
    return " ".join(tokens).replace(" , ", ",")


def _in_lists(text: str) -> str:
    """``x = ANY (ARRAY[a, b])`` -> ``x IN (a, b)``; ``x <> ALL (ARRAY[...])`` -> ``x NOT IN (...)``."""
    text = re.sub(r"=\s*any\s*\(\s*array\s*\[(.*?)\]\s*\)", r" in (\1)", text, flags=re.I)
    text = re.sub(r"<>\s*all\s*\(\s*array\s*\[(.*?)\]\s*\)", r" not in (\1)", text, flags=re.I)
    return text


_OPERAND = r"\(*\s*([a-z_\"][\w\"]*|'(?:[^']|'')*'|-?\d+(?:\.\d+)?)\s*\)*"


def _betweens(text: str) -> str:
    """``x BETWEEN a AND b`` -> ``x >= a AND x <= b`` (the form PostgreSQL stores)."""
    pattern = re.compile(rf"{_OPERAND}\s+between\s+{_OPERAND}\s+and\s+{_OPERAND}", re.I)
    return pattern.sub(lambda m: f"{m[1]} >= {m[2]} and {m[1]} <= {m[3]}", text)
