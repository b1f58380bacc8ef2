"""The validation report in Markdown: the shape of the hand-made staging report, but honest.

A check is shown as passed only when its status is PASS and its figure meets its
target; a figure that misses its target is never rounded up into a success.
The content comes from ``reports.document``, which the HTML report renders too.
"""

from __future__ import annotations

import re

from apms_ops.reports.document import Block, build
from apms_ops.review import Review

_CODE_SPAN = re.compile(r"(`[^`]*`)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
# Every character CommonMark (or a lenient renderer) may take as the end of a line. Text
# from a database (a table named "x\n```\n# VERDICT: GO") must stay on its line: a new
# line could open a heading, a fence, a list or a table row.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
NEWLINE_MARK = "\u2424"  # ␤: the line break is shown, not obeyed
# What opens a block at the start of a line: a heading, a quote, a list item, a fence,
# a thematic break, a table row, a setext underline, an HTML block.
_BLOCK_START = re.compile(r"^(\s*)(#|>|[+*-](?=\s|$)|[*-]{3}|[=_~|<]|\d+[.)]|`{3})")


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(NEWLINE_MARK, str(text))


def _inline(text: str) -> str:
    # Outside code spans, a "<" that could open a tag is escaped so a hostile name cannot
    # become HTML in a viewer; SQL's "<>" and "<=" stay readable.
    text = "".join(part if part.startswith("`") else _TAG_START.sub("&lt;", part) for part in _CODE_SPAN.split(_one_line(text)))
    return text


def _block_text(text: str) -> str:
    """Text that starts a block (a paragraph, a list item's body): it cannot open another kind of block."""
    text = _inline(text)
    m = _BLOCK_START.match(text)
    if m:
        # A backslash escapes ASCII punctuation only: "1." becomes "1\.", "# x" becomes "\# x".
        at = m.end() - 1 if m[2][0].isdigit() else m.start(2)
        text = f"{text[:at]}\\{text[at:]}"
    return text


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks inside ``text``, so nothing in it can close the block."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "h":
            out += ["#" * b.level + " " + _inline(b.text), ""]
        elif b.kind == "p":
            out += [_block_text(b.text), ""]
        elif b.kind == "ul":
            out += [f"- {_block_text(i)}" for i in b.items] + [""]
        elif b.kind == "ol":
            out += [f"{n}. {_block_text(i)}" for n, i in enumerate(b.items, 1)] + [""]
        elif b.kind == "checklist":
            out += [f"- [{'x' if done else ' '}] {_inline(t)}" for done, t in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_cell(x) for x in b.headers) + " |")
            out.append("|" + "---|" * len(b.headers))
            out += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in b.rows]
            out.append("")
        elif b.kind == "code":
            fence = _fence(b.text)
            out += [fence + _one_line(b.lang), b.text, fence, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(review: Review, **extras) -> str:
    """The full report; extras (invariant_runs, sign_off, history, changes, acceptances) come from the history store."""
    allowed = {"invariant_runs", "sign_off", "history", "changes", "acceptances", "run_id", "max_findings", "generated_at"}
    return render_blocks(build(review, **{k: v for k, v in extras.items() if k in allowed}))
