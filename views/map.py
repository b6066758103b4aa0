"""Map page: headline figures, the risk map, the risk summary and the briefing."""

from __future__ import annotations

import streamlit as st

from appkit import controls, map_cache, place_search
from appkit import data as cache
from appkit import sites as team
from geo.analysis import summary
from geo.render.assets import missing_assets, missing_assets_message
from geo.render.brief import draft_judgements, render_brief
from geo.render.maps import MapOptions

ctx = controls.context()
filters = ctx.app.filters

# The count and one column: the rows' other columns are copied only if the map needs them.
figures = summary.headline(ctx.rows.columns(["fatalities"]), ctx.risk_scope)
heading, first, second, third = st.columns([2.6, 1, 1, 1.4], vertical_alignment="bottom")
with heading:
    st.title("Conflict map")
    st.caption(
        f"{filters.date_from:%d %b %Y} – {filters.date_to:%d %b %Y} · "
        f"risk as of {filters.assessed_at:%d %b %Y} over {ctx.app.window} days"
    )
first.metric("Incidents", f"{figures.incidents:,}")
second.metric(
    "Fatalities", f"{figures.fatalities:,}", help="Sum of the reported figures' lower bounds."
)
third.metric(
    "Areas at High or Extreme",
    figures.high_areas,
    help=f"Of {figures.areas} admin-1 areas in the selected places, with overrides applied.",
)

layers, tiles = controls.map_controls(ctx)
# On a phone the layer buttons would run off the screen in one scrolling row:
# let them wrap onto a second line instead.
st.html(
    "<style>[data-testid='stButtonGroup'] div:has(> button)"
    "{flex-wrap: wrap; overflow-x: visible; row-gap: 0.4rem;}</style>"
)
missing = missing_assets()
if missing:
    st.warning(missing_assets_message(missing), icon=":material/warning:")
# returned_objects=[]: panning and zooming never rerun the app; the map keeps
# its view in the URL itself. The rendered map is shared by every session
# with the same data and filters (appkit.map_cache).
map_cache.draw(
    ctx.source,
    filters,
    ctx.rows,
    ctx.risk,
    MapOptions(
        view=map_cache.base_view(ctx.view),
        layers=layers,
        tiles=ctx.tiles.argument(tiles),
        tiles_attr=ctx.tiles.attribution if tiles == "custom" else None,
        place=place_search.map_mark(),
    ),
    key="map",
    height=640,
    sites=team.team_sites(),  # None unless a team member (appkit/sites.py)
    sites_key=team.sites_key(ctx.app.near_km),
)
team.near_table(ctx.filtered)

st.subheader("Areas by risk")
table = summary.risk_table(ctx.risk_scope)
if table.empty:
    st.info("No area has incidents in the risk window or a level above Low.")
else:
    st.dataframe(
        controls.level_style(table.head(12), ["Level", "Computed level", "Override"]),
        hide_index=True,
        width="stretch",
        column_config=controls.risk_column_config(),
    )
    st.caption("All areas and the weekly series are on the Trends page.")

st.subheader("Briefing")
# Sites are sensitive: team_sites() is None for viewers and on open access,
# so only a team member's briefing gets the "Near our sites" section.
brief_sites = team.team_sites()
st.caption(
    "A slide-ready PNG and an A4 PDF of exactly these filters: risk shading, "
    "incidents, borders, towns, the top areas, your key judgements with a coverage "
    "caveat, and (PDF) every incident with its source."
    + (
        " As a team member you also get the incidents near our sites (slide and PDF): "
        "share these files only within the team."
        if brief_sites is not None
        else ""
    )
)
data_key = (ctx.source, filters, ctx.app.window)
if st.session_state.get("_brief_draft_for") != data_key:
    # A fresh draft from the data whenever the filters change; the analyst edits it.
    # From the store's columns coded once per version: milliseconds at 1M incidents.
    draft = draft_judgements(
        cache.draft_data(ctx.source), filters, ctx.risk, areas=cache.admin1(), admin0=cache.admin0()
    )
    st.session_state["_brief_judgements"] = "\n".join(draft)
    st.session_state["_brief_draft_for"] = data_key
judgements = st.text_area(
    "Key judgements (one per line)",
    key="_brief_judgements",
    height=150,
    help="Drafted from the data (where reporting rose, the deadliest incidents, new actors, "
    "areas at High): edit, cut or replace them before preparing the briefing.",
)
mark_col, author_col = st.columns(2)
marking = mark_col.text_input(
    "Handling marking", key="_brief_marking", placeholder="TLP:AMBER", max_chars=60
)
author = author_col.text_input("Author", key="_brief_author", max_chars=80)
lines = tuple(line.strip() for line in judgements.splitlines() if line.strip())
key = (*data_key, team.sites_key(None), lines, marking.strip(), author.strip())
if st.button("Prepare briefing", icon=":material/description:"):
    with st.spinner("Rendering the briefing…"):
        files = {
            fmt: render_brief(
                ctx.data,
                filters,
                risk=ctx.risk,
                areas=cache.admin1(),
                borders=cache.borders(),
                admin0=cache.admin0(),
                towns=cache.towns(),
                fmt=fmt,
                window_days=ctx.app.window,
                judgements=lines,
                marking=marking.strip(),
                author=author.strip(),
                sites=brief_sites,
            )
            for fmt in ("png", "pdf")
        }
    st.session_state["_briefing"] = (key, files)
prepared = st.session_state.get("_briefing")
if prepared is not None and prepared[0] == key:
    stem = f"briefing_{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    png, pdf = st.columns(2)
    png.download_button(
        "Download briefing (PNG)",
        prepared[1]["png"],
        file_name=f"{stem}.png",
        mime="image/png",
        on_click="ignore",
        icon=":material/image:",
    )
    pdf.download_button(
        "Download briefing (PDF)",
        prepared[1]["pdf"],
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
elif prepared is not None:
    st.caption("The filters or notes changed since the last briefing: prepare it again.")
