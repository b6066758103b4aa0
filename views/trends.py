"""Trends page: weekly incidents and fatalities by area and by event type, and the risk table."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from appkit import controls
from geo.analysis import summary
from geo.render.style import EVENT_TYPE_COLOURS

ctx = controls.context()
filters = ctx.app.filters
period = (filters.date_from, filters.date_to)

st.title("Trends")
st.caption(
    f"Weekly counts (weeks start on Monday) of the {len(ctx.filtered):,} incidents matching the "
    f"filters, {filters.date_from:%d %b %Y} – {filters.date_to:%d %b %Y}."
)


def weekly_chart(
    series: pd.DataFrame, measure: str, title: str, colours: dict[str, str] | None
) -> alt.Chart:
    """Stacked weekly bars of ``measure`` by group, one bar per week."""
    scale = (
        alt.Scale(domain=list(colours), range=list(colours.values()))
        if colours
        else alt.Scale(scheme="tableau10")
    )
    week = alt.X(
        "yearmonthdate(week):O",
        title="Week starting",
        axis=alt.Axis(format="%d %b %Y", labelAngle=0),
    )
    return (
        alt.Chart(series, title=title)
        .mark_bar()
        .encode(
            x=week,
            y=alt.Y(
                f"sum({measure}):Q",
                title=measure.capitalize(),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color("group:N", title=None, scale=scale, legend=alt.Legend(orient="right")),
            tooltip=[
                alt.Tooltip("yearmonthdate(week):T", title="Week starting"),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip(f"{measure}:Q", title=measure.capitalize()),
            ],
        )
        .properties(height=220)
    )


by_area, by_type = st.tabs(["By area", "By event type"])
for tab, column, colours in (
    (by_area, "area", None),
    (by_type, "event_type", EVENT_TYPE_COLOURS),
):
    with tab:
        if ctx.filtered.empty:
            st.info("No incidents match the filters.")
            continue
        series = summary.weekly(ctx.filtered, column, period)
        for measure, title in (
            ("incidents", "Incidents per week"),
            ("fatalities", "Fatalities per week"),
        ):
            st.altair_chart(weekly_chart(series, measure, title, colours), width="stretch")
        if column == "area":
            st.caption(
                "The seven busiest areas; the rest are summed as Other. "
                "(none): the incident lies outside every area."
            )

st.subheader("Risk by area")
st.caption(
    f"As of {filters.assessed_at:%d %b %Y} over {ctx.app.window} days, from all incidents (risk "
    "belongs to the area; the event-type, actor and fatality filters only change what is drawn). "
    "Level is the computed level unless an analyst's override is active; both are shown. "
    "Trend compares the last 7 days with the average week of the 4 weeks before; with at most "
    "2 a week before and at most 5 this week it is limited change whatever the percentage "
    "(low baseline), so the counts are shown instead."
)
show_all = st.toggle(
    "Show quiet areas too", value=False, help="Areas with no incidents in the window and level Low."
)
table = summary.risk_table(ctx.risk_scope, active_only=not show_all)
st.dataframe(
    controls.level_style(table, ["Level", "Computed level", "Override"]),
    hide_index=True,
    width="stretch",
    column_config=controls.risk_column_config(),
)
