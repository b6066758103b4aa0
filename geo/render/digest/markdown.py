"""The digest as Markdown (for chat tools, e-mail bodies and the repository)."""

from __future__ import annotations

import re

from geo.render.digest.content import Document, Section, Table

__all__ = ["escape_md", "to_markdown"]

# Characters that start markup anywhere in a line; report text must not
# become a link, an image, emphasis, a table cell or raw HTML.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~#])")


def escape_md(text: str) -> str:
    """``text`` with Markdown's markup characters backslash-escaped.

    >>> escape_md("[click](http://x) *now*")
    '\\\\[click\\\\](http://x) \\\\*now\\\\*'
    """
    return _MARKUP.sub(r"\\\1", text)


def to_markdown(doc: Document) -> str:
    """The whole digest as a Markdown text."""
    lines = [
        f"# {escape_md(doc.title)}",
        "",
        f"**{escape_md(doc.subtitle)}**. {escape_md(doc.figures)}",
    ]
    if doc.generated:
        lines += ["", f"_{escape_md(doc.generated)}_"]
    for section in doc.sections:
        lines += ["", *_section(section)]
    return "\n".join(lines) + "\n"


def _section(section: Section) -> list[str]:
    out = [f"## {escape_md(section.title)}", ""]
    if section.note:
        out += [escape_md(section.note), ""]
    for item in section.items:
        out.append(f"- **{escape_md(item.lead)}**: {escape_md(item.text)}")
        out += [f"  - {escape_md(d)}" for d in item.details]
    if section.table is not None:
        out += _table(section.table)
    return out


def _table(table: Table) -> list[str]:
    head = "| " + " | ".join(escape_md(c) for c in table.columns) + " |"
    rule = "| " + " | ".join("---:" if n else "---" for n in table.numeric) + " |"
    rows = ["| " + " | ".join(escape_md(v) for v in row) + " |" for row in table.rows]
    return [head, rule, *rows]
