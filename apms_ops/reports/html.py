"""The validation report as one self-contained HTML page: inline style, no scripts, no external assets.

Every piece of text is escaped before the two inline marks of ``reports.document``
(bold and code) become tags, so a hostile table name or reason stays text.
"""

from __future__ import annotations

import html
import re

from apms_ops.reports.document import Block, build
from apms_ops.review import Review

_CODE_SPAN = re.compile(r"(`[^`]*`)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"^\*(.+)\*$")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{border-bottom:2px solid #d0d7de;padding-bottom:.3rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px;font-size:90%}
pre{background:#f6f8fa;padding:1rem;overflow:auto;font-size:85%}ul.checklist{list-style:none;padding-left:1rem}
.verdict-GO{color:#1a7f37}.verdict-HOLD{color:#9a6700}.verdict-NO-GO{color:#cf222e}
td.status-PASS{color:#1a7f37}td.status-FAIL,td.status-ERROR{color:#cf222e}td.status-WARN{color:#9a6700}
""".strip()


def _inline(text: str) -> str:
    out = []
    for part in _CODE_SPAN.split(text):
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        else:
            escaped = html.escape(part)
            escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
            out.append(escaped)
    result = "".join(out)
    m = _ITALIC.match(result)
    return f"<em>{m[1]}</em>" if m else result


def _status_class(cell: str) -> str:
    word = cell.strip("*").split(" ")[0].split(":")[0]
    return f' class="status-{html.escape(word)}"' if word in ("PASS", "FAIL", "ERROR", "WARN", "SKIP", "INFO") else ""


def render_blocks(blocks: list[Block], title: str) -> str:
    body: list[str] = []
    for b in blocks:
        if b.kind == "h":
            extra = ""
            if b.level == 1:
                verdict = b.text.rsplit("— ", 1)[-1].strip()
                extra = f' class="verdict-{html.escape(verdict)}"'
            body.append(f"<h{b.level}{extra}>{_inline(b.text)}</h{b.level}>")
        elif b.kind == "p":
            body.append(f"<p>{_inline(b.text)}</p>")
        elif b.kind in ("ul", "ol"):
            body.append(f"<{b.kind}>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + f"</{b.kind}>")
        elif b.kind == "checklist":
            body.append('<ul class="checklist">' + "".join(
                f"<li>{'&#9745;' if done else '&#9744;'} {_inline(t)}</li>" for done, t in b.items) + "</ul>")
        elif b.kind == "table":
            head = "".join(f"<th>{_inline(x)}</th>" for x in b.headers)
            status_col = b.headers.index("Status") if "Status" in b.headers else -1
            rows = "".join("<tr>" + "".join(
                f"<td{_status_class(x) if i == status_col else ''}>{_inline(x)}</td>" for i, x in enumerate(row)) + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif b.kind == "code":
            lang = f' class="language-{html.escape(b.lang)}"' if b.lang else ""
            body.append(f"<pre><code{lang}>{html.escape(b.text)}</code></pre>")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def render_html(review: Review, **extras) -> str:
    """The same report as ``render_markdown``, as a standalone HTML page."""
    allowed = {"invariant_runs", "sign_off", "history", "changes", "acceptances", "run_id", "max_findings", "generated_at"}
    blocks = build(review, **{k: v for k, v in extras.items() if k in allowed})
    return render_blocks(blocks, title=f"Validation report: {review.environment} — {review.verdict.replace('_', '-')}")
