"""The legend's HTML: one section per active layer, then the reference lines.

Sections carry ``data-layer`` so the browser hides a section with its layer.
"""

from __future__ import annotations

from geo.render.maps.escaping import escape_text
from geo.render.maps.incidents import IncidentSummary
from geo.render.maps.symbols import (
    COUNTRY_LINE_COLOUR,
    HEAT_GRADIENT,
    NOT_ASSESSED,
    OTHER_TYPE_COLOUR,
    country_ring,
    dot,
    legend_row,
    level_swatch,
    line,
    swatch,
)
from geo.render.style import BORDER_COLOUR, EVENT_TYPE_COLOURS, LEVELS, TOWN_COLOUR, counted

__all__ = ["legend_html"]


def legend_html(
    risk_levels: set[str] | None,
    incidents: IncidentSummary | None,
    heat: bool,
    borders: bool,
    towns: bool,
) -> str:
    """The legend: one section per active layer, then the reference lines.

    ``risk_levels`` are the levels the risk layer drew (``None``: no risk
    layer); ``incidents`` what the incident layer drew (``None``: none).
    """
    parts = ["<details open><summary>Legend</summary>"]
    if risk_levels is not None:
        parts.append(_legend_risk(risk_levels))
    if incidents is not None:
        parts.append(_legend_incidents(incidents))
    if heat:
        parts.append(_legend_heat())
    lines = []
    if borders:
        lines.append(legend_row(line(BORDER_COLOUR, 3), "International border", "borders"))
    lines.append(legend_row(line(COUNTRY_LINE_COLOUR, 1.5), "Country outline"))
    if towns:
        lines.append(legend_row(dot(TOWN_COLOUR, 7), "Town", "towns"))
    parts.append("<h4>Reference</h4>" + "".join(lines) + "</details>")
    return "".join(parts)


def _legend_risk(risk_levels: set[str]) -> str:
    rows = [legend_row(level_swatch(lv), lv) for lv in reversed(LEVELS)]
    if NOT_ASSESSED in risk_levels:
        rows.append(legend_row(swatch("background:#fff"), NOT_ASSESSED))
    hatch = (
        "background:repeating-linear-gradient(45deg,rgba(31,35,40,.6) 0 1.7px,#fff 1.7px 5.6px);"
        "border:2px solid #1f2328"
    )
    rows.append(legend_row(swatch(hatch), "Hatched: level set by an analyst"))
    return f'<div data-layer="risk"><h4>Risk level (admin-1)</h4>{"".join(rows)}</div>'


def _legend_heat() -> str:
    stops = ", ".join(f"{c} {int(s * 100)}%" for s, c in sorted(HEAT_GRADIENT.items()))
    ramp = f"background:linear-gradient(to right, #ffffff 0%, {stops})"
    labels = "<span>low</span><span>highest in view</span>"
    return (
        f'<div data-layer="heatmap"><h4>Incident density</h4><div class="geo-ramp" '
        f'style="{ramp}"></div><div class="geo-ramp-labels">{labels}</div></div>'
    )


def _legend_incidents(summary: IncidentSummary) -> str:
    rows = "".join(
        legend_row(dot(EVENT_TYPE_COLOURS.get(t, OTHER_TYPE_COLOUR)), escape_text(t))
        for t in summary.labels
    )
    sizes = "".join(
        f'<span><i style="width:{2 * r:.0f}px;height:{2 * r:.0f}px"></i>{escape_text(label)}</span>'
        for label, r in summary.size_samples or []
    )
    if summary.mode == "grid":
        size_title = "Incidents per cell"
        note = (
            f"{counted(summary.drawn, 'incident')} aggregated into "
            f"{counted(summary.cells, 'cell')} of "
            f"{summary.cell_deg:g}&deg;; colour: most frequent type in the cell."
        )
    else:
        size_title = "Fatalities"
        note = counted(summary.drawn, "incident")
        note += "; clusters show the mix of types." if summary.mode == "clusters" else "."
    if summary.unplaced:
        note += f" {summary.unplaced:,} without coordinates not shown."
    if summary.country_level and summary.mode != "grid":
        rows += legend_row(
            country_ring(OTHER_TYPE_COLOUR), "Country-level: at the country's name, in no region"
        )
    return (
        f'<div data-layer="incidents"><h4>Incidents</h4>{rows}'
        f'<div class="geo-note">{size_title}</div><div class="geo-sizes">{sizes}</div>'
        f'<div class="geo-note">{note}</div></div>'
    )
