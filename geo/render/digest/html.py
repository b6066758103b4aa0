"""The digest as one self-contained HTML page: no script, no remote resource.

Every piece of text goes through :func:`html.escape`; the map is an inline
PNG. The page can be mailed as it is or opened from disk offline.
"""

from __future__ import annotations

import base64
import html

from geo.render.digest.content import Document, Section, Table

__all__ = ["to_html"]

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1f1f1f; max-width: 60rem;
       margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #c9c9c9; padding-bottom: .2rem;
     margin-top: 1.6rem; }
.muted { color: #666; }
ul { padding-left: 1.2rem; } li { margin: .35rem 0; } li ul { margin: .2rem 0; color: #3a3a3a; }
table { border-collapse: collapse; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e0e0e0; }
th { text-align: left; } .num { text-align: right; }
img { max-width: 100%; border: 1px solid #c9c9c9; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(doc: Document, map_png: bytes | None = None) -> str:
    """The whole digest as an HTML document (UTF-8 text)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(doc.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(doc.title)}</h1>",
        f"<p><strong>{_e(doc.subtitle)}</strong>. {_e(doc.figures)}</p>",
    ]
    if doc.generated:
        parts.append(f'<p class="muted">{_e(doc.generated)}</p>')
    if map_png:
        data = base64.b64encode(map_png).decode("ascii")
        parts.append(
            f'<p><img alt="Map of the week\'s incidents" src="data:image/png;base64,{data}"></p>'
        )
    parts += [_section(s) for s in doc.sections]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _section(section: Section) -> str:
    out = [f"<h2>{_e(section.title)}</h2>"]
    if section.note:
        out.append(f'<p class="muted">{_e(section.note)}</p>')
    if section.items:
        out.append("<ul>")
        for item in section.items:
            details = "".join(f"<li>{_e(d)}</li>" for d in item.details)
            out.append(
                f"<li><strong>{_e(item.lead)}</strong>: {_e(item.text)}"
                + (f"<ul>{details}</ul>" if details else "")
                + "</li>"
            )
        out.append("</ul>")
    if section.table is not None:
        out.append(_table(section.table))
    return "\n".join(out)


def _table(table: Table) -> str:
    def cell(tag: str, text: str, numeric: bool) -> str:
        return f"<{tag}{' class=num' if numeric else ''}>{_e(text)}</{tag}>"

    head = "".join(cell("th", c, n) for c, n in zip(table.columns, table.numeric, strict=True))
    rows = "".join(
        "<tr>"
        + "".join(cell("td", v, n) for v, n in zip(row, table.numeric, strict=True))
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
