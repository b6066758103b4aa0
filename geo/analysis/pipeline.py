"""Read, join and measure incidents in one call.

This is what the dashboard, the command line and the briefing share, so an
incident is placed in the same area and at the same border distance
everywhere.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.analysis import spatial
from geo.reference import boundaries


def prepare(
    incidents: pd.DataFrame,
    areas: gpd.GeoDataFrame | None = None,
    borders: gpd.GeoDataFrame | None = None,
    snap_km: float = 10.0,
) -> pd.DataFrame:
    """Join incidents to areas and measure their distance to borders.

    Parameters
    ----------
    incidents : DataFrame
        The typed incident frame (see :func:`geo.io.store.read_incidents`).
    areas : GeoDataFrame, optional
        Area layer; the shipped admin-1 layer by default.
    borders : GeoDataFrame, optional
        Border lines to measure to; by default every shipped land border
        between two countries (:func:`geo.reference.boundaries.load_land_borders`),
        so each incident is measured to its own country's border (see
        :func:`geo.analysis.spatial.border_distance`; Bahrain, an island, gets NaN).
        Mali's layer (:func:`geo.reference.boundaries.load_borders`) is for drawing;
        passed here it measures every incident to Mali's borders.
    snap_km : float
        Points on no polygon are snapped to the nearest area within this
        distance and flagged.

    Returns
    -------
    DataFrame
        The incidents with the columns listed in docs/architecture.md.
    """
    areas = boundaries.load_admin1() if areas is None else areas
    borders = boundaries.load_land_borders() if borders is None else borders
    joined = spatial.join_areas(incidents, areas, snap_km=snap_km)
    return spatial.border_distance(joined, borders)
