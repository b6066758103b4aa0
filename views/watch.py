"""Watch page: what changed in a week, per area, and the digest to take away.

The week's alerts with the reason each fired, the incidents near the team's
sites (team members only: :func:`appkit.sites.team_sites` is ``None`` for
anyone else, so a viewer's alerts and digest are computed without sites),
the areas that rose most above their baseline and the week's digest as
HTML, Markdown or PDF. The link keeps the week (``week=2013-W08``). Alerts
are judged on every incident of the store, not the sidebar's filters: a
baseline needs the area's whole history.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from appkit import controls
from appkit import data as cache
from appkit import sites as team
from appkit.text import escape_markdown
from geo.analysis import watch
from geo.render.digest import KIND_LABELS, render_digest
from geo.render.digest.render import FORMATS, MEDIA_TYPES

WEEK_KEY = "w_week"
MAX_LISTED = 30  # alerts written out in full; the table below holds them all
WEEK_PARAM = "week"
_URL_READ = "_w_week_read"


@st.cache_resource(show_spinner=False, max_entries=4)
def all_alerts(
    source: cache.Source, sites_key: str, _sites: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """Every alert of the store (shared read-only; keyed on the data and the sites' version)."""
    return watch.detect_alerts(cache.incidents(source), sites=_sites)


@st.cache_resource(show_spinner=False, max_entries=16)
def week_digest(
    source: cache.Source, sites_key: str, week: str, _sites: gpd.GeoDataFrame | None
) -> watch.WeekDigest:
    """One week's digest (shared read-only), so a rerun on this page recomputes nothing."""
    alerts = all_alerts(source, sites_key, _sites)
    return watch.week_digest(cache.incidents(source), week, sites=_sites, alerts=alerts)


def week_choices(data: pd.DataFrame) -> list[str]:
    """Every ISO week from the first incident's to the latest's, newest first."""
    days = data["event_date"].dropna()
    first, last = watch.parse_week(days.min().date()), watch.parse_week(days.max().date())
    weeks = pd.date_range(first, last, freq="7D")
    return [watch.week_label(d.date()) for d in reversed(weeks)]


def pick_week(choices: list[str]) -> str:
    """The week box, set once from the link; an unusable ``week=`` is said, not guessed."""
    if not st.session_state.get(_URL_READ):
        st.session_state[_URL_READ] = True
        asked = st.query_params.get(WEEK_PARAM)
        if asked:
            try:
                label = watch.week_label(watch.parse_week(asked))
            except ValueError:
                label = ""
            if label in choices:
                st.session_state[WEEK_KEY] = label
            else:
                st.warning(f"The link's week could not be shown, so the latest is: {asked!r}")
    if st.session_state.get(WEEK_KEY) not in choices:
        st.session_state[WEEK_KEY] = choices[0]
    week = st.selectbox(
        "Week",
        choices,
        key=WEEK_KEY,
        format_func=lambda w: f"{w} · from {watch.parse_week(w):%a %d %b %Y}",
    )
    st.query_params[WEEK_PARAM] = week
    return str(week)


def alerts_table(alerts: pd.DataFrame) -> pd.DataFrame:
    """The week's alerts for people: what, where, which incidents, and why."""
    return pd.DataFrame(
        {
            "Area": alerts["area"],
            "Alert": alerts["kind"].map(KIND_LABELS).fillna(alerts["kind"]),
            "Why": alerts["why"],
            "About": alerts["subject"],
            "Incidents": alerts["event_ids"].map(", ".join),
            "Country": alerts["iso3"],
        }
    )


# The reason is what a reader came for: it gets the room, the rest stays narrow.
ALERT_COLUMNS = {
    "Area": st.column_config.TextColumn(width="small"),
    "Alert": st.column_config.TextColumn(width="small"),
    "Why": st.column_config.TextColumn(width="large"),
    "About": st.column_config.TextColumn(width="medium"),
    "Country": st.column_config.TextColumn(width="small"),
}


def show_alert(alert: pd.Series) -> None:
    """One alert to read: where, what, about whom, why, and which incidents."""
    label = KIND_LABELS.get(str(alert["kind"]), str(alert["kind"]))
    subject = f" · {escape_markdown(str(alert['subject']))}" if alert["subject"] else ""
    st.markdown(
        f"**{escape_markdown(str(alert['area']))} · {label}**{subject}  \n"
        f"{escape_markdown(str(alert['why']))}  \n"
        f":gray[Incidents: {escape_markdown(', '.join(alert['event_ids']))}]"
    )


ctx = controls.context()
st.title("Watch")
if ctx.data["event_date"].dropna().empty:
    st.info("The store has no dated incidents yet.")
    st.stop()

sites = team.team_sites()
with st.columns([1, 2])[0]:
    week = pick_week(week_choices(ctx.data))
digest = week_digest(ctx.source, team.sites_key(None), week, sites)
st.caption(
    f"{digest.start:%a %d %b} – {digest.end:%a %d %b %Y}: {len(digest.incidents):,} incident(s), "
    f"{digest.fatalities:,} fatalities, {len(digest.alerts)} alert(s). Alerts are judged on every "
    "incident in the store, not the sidebar filters; the rules and their tests are in "
    "docs/watch.md."
)

st.subheader("Alerts")
if digest.alerts.empty:
    st.info("No alert this week.")
else:
    for _, alert in digest.alerts.head(MAX_LISTED).iterrows():  # a week's alerts: tens
        show_alert(alert)
    with st.expander(f"All {len(digest.alerts)} alert(s) as a table"):
        st.dataframe(
            alerts_table(digest.alerts),
            hide_index=True,
            width="stretch",
            column_config=ALERT_COLUMNS,
        )

if digest.near is not None:
    st.subheader("Near our sites")
    if digest.near.empty:
        st.info(f"No incident within a site's radius or {watch.NEAR_KM:g} km of a site.")
    else:
        near = digest.near
        st.dataframe(
            pd.DataFrame(
                {
                    "Where": near["where"],
                    "Incident": near["event_id"],
                    "Date": pd.to_datetime(near["event_date"]).dt.date,
                    "Place": near["location"],
                    "Type": near["event_type"],
                    "Fatalities": near["fatalities"],
                    "Inside the radius": near["within_radius"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
elif team.visible():
    st.caption("No sites loaded: a team member can add them on the Ingest page (Our sites).")

st.subheader("Top areas by change")
if digest.changes.empty:
    st.info("No area rose above its baseline this week.")
else:
    changes = digest.changes.rename(
        columns={
            "area": "Area",
            "iso3": "Country",
            "incidents": "Incidents",
            "baseline": "Baseline (12-week mean)",
            "change": "Change",
            "change_pct": "Change %",
            "fatalities": "Fatalities",
        }
    )
    st.dataframe(
        changes,
        hide_index=True,
        width="stretch",
        column_config={
            "Baseline (12-week mean)": st.column_config.NumberColumn(format="%.2f"),
            "Change": st.column_config.NumberColumn(format="%+.2f"),
            "Change %": st.column_config.NumberColumn(format="%+.0f %%"),
        },
    )

st.subheader("Incidents of the week")
if digest.incidents.empty:
    st.info("No incident this week.")
else:
    listed = digest.incidents
    st.dataframe(
        pd.DataFrame(
            {
                "Incident": listed["event_id"],
                "Date": pd.to_datetime(listed["event_date"]).dt.date,
                "Place": listed["location"],
                "Area": listed["area"],
                "Type": listed["event_type"],
                "Fatalities": listed["fatalities"],
                "Actors": (listed["actor1"] + " · " + listed["actor2"]).str.strip(" ·"),
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("Digest")
key = (ctx.source, team.sites_key(None), week)
if st.button("Prepare digest", icon=":material/description:", key="prepare_digest"):
    with st.spinner("Rendering the digest…"):
        files = {
            fmt: render_digest(digest, fmt, areas=cache.admin1(), admin0=cache.admin0())
            for fmt in FORMATS
        }
    st.session_state["_digest"] = (key, files)
prepared = st.session_state.get("_digest")
if prepared is not None and prepared[0] == key:
    labels = {"html": "HTML", "md": "Markdown", "pdf": "PDF"}
    for column, fmt in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
        column.download_button(
            f"Download digest ({labels[fmt]})",
            prepared[1][fmt],
            file_name=f"digest-{week}.{fmt}",
            mime=MEDIA_TYPES[fmt],
            on_click="ignore",
            key=f"digest_{fmt}",
        )
elif prepared is not None:
    st.caption("The week changed since the digest was prepared: prepare it again.")
