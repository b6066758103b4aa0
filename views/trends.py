"""Trends page: incidents and fatalities per week (per day for short periods), and risk."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from appkit import controls
from geo.analysis import summary
from geo.render.style import EVENT_TYPE_COLOURS, counted

ctx = controls.context()
filters = ctx.app.filters
period = (filters.date_from, filters.date_to)

st.title("Trends")
# A short period is drawn day by day: by week, a week would be one or two bars.
by_day = (filters.date_to - filters.date_from).days < summary.DAILY_UP_TO_DAYS
unit, step = ("day", "Day") if by_day else ("week", "Week starting")
st.caption(
    f"{'Daily' if by_day else 'Weekly'} counts"
    f"{'' if by_day else ' (weeks start on Monday)'} of the "
    f"{counted(len(ctx.rows), 'incident')} matching the filters, "
    f"{filters.date_from:%d %b %Y} – {filters.date_to:%d %b %Y}."
)


def bar_chart(
    series: pd.DataFrame, measure: str, title: str, colours: dict[str, str] | None
) -> alt.Chart:
    """Stacked bars of ``measure`` by group, one bar per day or week."""
    scale = (
        alt.Scale(domain=list(colours), range=list(colours.values()))
        if colours
        else alt.Scale(scheme="tableau10")
    )
    axis_format = "%a %d %b" if by_day else "%d %b %Y"
    x = alt.X(
        f"yearmonthdate({unit}):O", title=step, axis=alt.Axis(format=axis_format, labelAngle=0)
    )
    return (
        alt.Chart(series, title=title)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(
                f"sum({measure}):Q",
                title=measure.capitalize(),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color("group:N", title=None, scale=scale, legend=alt.Legend(orient="right")),
            tooltip=[
                alt.Tooltip(f"yearmonthdate({unit}):T", title=step),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip(f"{measure}:Q", title=measure.capitalize()),
            ],
        )
        .properties(height=220)
    )


per = "day" if by_day else "week"
by_area, by_type = st.tabs(["By area", "By event type"])
for tab, column, colours in (
    (by_area, "area", None),
    (by_type, "event_type", EVENT_TYPE_COLOURS),
):
    with tab:
        if ctx.filtered.empty:
            st.info("No incidents match the filters.")
            continue
        series = (summary.daily if by_day else summary.weekly)(ctx.filtered, column, period)
        for measure, title in (
            ("incidents", f"Incidents per {per}"),
            ("fatalities", f"Fatalities per {per}"),
        ):
            st.altair_chart(bar_chart(series, measure, title, colours), width="stretch")
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
