"""The team's sites and routes in the app: who sees them, the map's filter, the table, loading.

Sites are sensitive. Only a team member sees them: a signed-in person (or
the one local user) whose role may ``view_sites`` (editor and admin,
:mod:`geo.model.roles`). On open access (``GEO_ALLOW_OPEN``) nobody is
known, so nobody sees them, whatever role open access gives. For everyone
else :func:`team_sites` is ``None``: the map is built without them (so its
HTML holds no site), the "Near our sites" filter is not drawn and a link's
``near`` is dropped, and the ``Our sites`` layer button is not offered.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from appkit import auth
from appkit.text import escape_markdown
from geo.analysis.filters import Selection
from geo.analysis.proximity import describe, near_sites
from geo.io import audit
from geo.io.backend import IncidentStore, open_store
from geo.io.sites import (
    KNOWN_KINDS,
    SITE_SUFFIXES,
    SiteFileError,
    load_sites,
    merge_sites,
    save_sites,
    sites_version,
    store_sites,
)
from geo.model import roles
from geo.render import urlstate
from geo.render.maps import LAYERS, LAYERS_PARAM

__all__ = [
    "NEAR_CHOICES",
    "NEAR_KEY",
    "near_filter",
    "near_table",
    "near_value",
    "offered_layers",
    "render_manage",
    "shown_by_default",
    "sidebar_filter",
    "sites_key",
    "team_sites",
    "visible",
]

NEAR_KEY = "f_near"
# 0 is "anywhere" (a select box's None would read as "nothing chosen").
NEAR_CHOICES: tuple[int, ...] = (0, 5, 10, 25, 50, 100, 250)
_NOTICE = "_sites_notice"
# How long a session trusts the sites' version before asking the store again.
_VERSION_SECONDS = 2


def visible() -> bool:
    """Whether this session may see the team's sites (a known team member)."""
    current = auth.visitor()
    return current.mode in ("signed-in", "local") and roles.can(current.role, roles.VIEW_SITES)


def _store() -> IncidentStore:
    """The configured store (GEO_DATABASE_URL, else the CSV): its sites travel with it."""
    return open_store()


@st.cache_data(show_spinner=False, max_entries=4, ttl=_VERSION_SECONDS)
def _version(where: str, _store: IncidentStore) -> str:
    # A page asks for the sites several times a run; on a database store each
    # version check is a round trip, so it is asked once every few seconds
    # (another replica's change shows within them; this session's at once,
    # as _keep clears this cache).
    del where  # the cache key
    return sites_version(_store)


@st.cache_data(show_spinner=False, max_entries=4)
def _read(where: str, version: str, _store: IncidentStore) -> gpd.GeoDataFrame:
    del where, version  # the cache key: which store, and its sites' version
    return store_sites(_store)


def team_sites() -> gpd.GeoDataFrame | None:
    """The store's sites for a team member (``None`` for anyone else, or when there are none)."""
    if not visible():
        return None
    store = _store()
    try:
        sites = _read(store.location, _version(store.location, store), store)
    except SiteFileError as exc:
        st.error("The team's site file cannot be used until it is fixed:")
        st.code(auth.public_text(str(exc)), language=None)
        return None
    except ConnectionError:
        return None  # the store is down: the page's loader says so (appkit.data)
    return sites if len(sites) else None


def offered_layers() -> tuple[str, ...]:
    """The map's layer buttons for this session: ``sites`` for team members with sites only."""
    return LAYERS if team_sites() is not None else tuple(n for n in LAYERS if n != "sites")


def shown_by_default(app: urlstate.AppState, params: Mapping[str, Any]) -> urlstate.AppState:
    """``app`` with the sites layer on for a member with sites whose link names no layers."""
    if LAYERS_PARAM in params or team_sites() is None:
        return app
    return dataclasses.replace(app, layers=frozenset(app.layers) | {"sites"})


def near_value() -> int | None:
    """The "near our sites" distance in force (``None``: off, or not a team member)."""
    value = st.session_state.get(NEAR_KEY)
    if not isinstance(value, int) or value <= 0 or team_sites() is None:
        return None
    return value


def sidebar_filter() -> None:
    """The "Near our sites" select box, for team members with sites."""
    if team_sites() is None:
        return
    current = st.session_state.get(NEAR_KEY)
    if not isinstance(current, int) or current < 0:
        current = st.session_state[NEAR_KEY] = 0
    # A link's own distance (near=30) is offered beside the usual ones.
    choices = sorted({*NEAR_CHOICES, current})
    with st.sidebar:
        st.selectbox(
            "Near our sites",
            choices,
            key=NEAR_KEY,
            format_func=lambda km: "Anywhere" if km == 0 else f"Within {km} km",
            help="Only incidents within this distance of one of the team's sites or routes "
            "(geodesic, to the nearest point of a route).",
        )


def near_filter(rows: Selection, near_km: int | None) -> Selection:
    """The ``rows`` within ``near_km`` of a site (unchanged when off or not a team member)."""
    sites = team_sites()
    if near_km is None or sites is None or not len(rows):
        return rows
    near = near_sites(rows.columns(["latitude", "longitude"]), sites, max_km=float(near_km))
    return rows.narrowed((near["site"] != "").to_numpy())


def sites_key(near_km: int | None) -> str:
    """What the map depends on besides the filters: the sites' version and the near filter."""
    if team_sites() is None:
        return ""
    store = _store()
    return f"{_version(store.location, store)}|near={near_km}"


def near_table(incidents: pd.DataFrame) -> None:
    """Incidents within their nearest site's radius, nearest first (team members only)."""
    sites = team_sites()
    if sites is None:
        return
    st.subheader("Near our sites")
    near = near_sites(incidents, sites)
    inside = near["within_radius"].to_numpy()
    if not inside.any():
        st.caption("No incident of these filters is within a site's radius.")
        return
    rows = incidents.loc[inside].join(near.loc[inside])
    rows = rows.sort_values(["distance_km", "event_date"])
    table = pd.DataFrame(
        {
            "Date": rows["event_date"].dt.strftime("%Y-%m-%d"),
            "Event type": rows["event_type"],
            "Location": rows["location"],
            "Where": [
                describe(d, b, s)
                for d, b, s in zip(
                    rows["distance_km"], rows["bearing_deg"], rows["site"], strict=True
                )
            ],
            "km": rows["distance_km"].round(1),
            "Fatalities": rows["fatalities"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Within each site's own radius; distance and bearing from the nearest site.")


# --------------------------------------------------------------------------
# Loading (editors)


def render_manage() -> None:
    """The Sites tab: the kept sites, and loading a file (team members who may manage them)."""
    if not (visible() and auth.can(roles.MANAGE_SITES)):
        st.info("Only team members (editors and admins, signed in) see and load sites.")
        return
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.success(notice)
    st.caption(
        "The team's offices, compounds, project sites, airstrips (points) and routes "
        "(lines), kept with the store. Only editors and admins see them: on the map "
        "(layer 'Our sites'), in the 'Near our sites' filter and table. Columns: name, "
        f"kind (e.g. {', '.join(KNOWN_KINDS)}), radius_km (default 25)."
    )
    kept = team_sites()
    if kept is not None:
        st.dataframe(_kept_table(kept), hide_index=True, width="stretch")
    uploaded = st.file_uploader(
        "Site file (CSV with latitude/longitude or wkt, GeoJSON, GeoPackage, KML)",
        type=[s.lstrip(".") for s in SITE_SUFFIXES],
        key="sites_upload",
    )
    replace = st.checkbox("Replace every kept site", key="sites_replace")
    if uploaded is not None and st.button("Check and keep", key="sites_keep", type="primary"):
        _keep(uploaded, replace)


def _kept_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    points = sites.geometry.representative_point()
    return pd.DataFrame(
        {
            "Name": sites["name"],
            "Kind": sites["kind"],
            "Radius (km)": sites["radius_km"],
            "Geometry": sites.geometry.geom_type,
            "Latitude": points.y.round(4),
            "Longitude": points.x.round(4),
        }
    )


def _keep(uploaded: object, replace: bool) -> None:
    name = str(getattr(uploaded, "name", "upload"))
    try:
        who = auth.require(roles.MANAGE_SITES)
        if not visible():
            raise roles.AccessDenied(who.role, roles.MANAGE_SITES)
    except roles.AccessDenied as exc:
        auth.show_denied(exc)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(uploaded.getvalue())  # type: ignore[attr-defined]
        try:
            new = load_sites(path, file=name)
            merged = merge_sites(store_sites(_store()), new, replace=replace, file=name)
        except SiteFileError as exc:
            st.error("Nothing was kept: the file has these problems.")
            st.code("\n".join(str(p) for p in exc.problems), language=None)
            return
    store = _store()
    save_sites(store, merged)
    _version.clear()
    audit.record(
        store,
        who=who.who,
        role=str(who.role),
        action="sites.replace" if replace else "sites.add",
        source=name,
        detail={"sites": len(new), "kept": len(merged)},
    )
    st.session_state[_NOTICE] = (
        f"Kept {len(merged)} site(s): {len(new)} from {escape_markdown(name)}."
    )
    st.rerun()
