"""Read, join and measure incidents in one call.

This is what the dashboard, the command line and the briefing share, so an
incident is placed in the same area and at the same border distance
everywhere.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis import spatial
from geo.analysis.geodesy import coords, search_boxes
from geo.model.params import text_column
from geo.reference import boundaries

__all__ = ["areas_for", "countries_for", "prepare"]

# Points are grouped into cells this many degrees wide before the search for
# nearby countries: clustered incidents share a few cells, so the search
# runs over cells, not rows.
_CELL_DEG = 0.1


def countries_for(incidents: pd.DataFrame, snap_km: float = 10.0) -> list[str]:
    """The countries whose admin-1 areas the incidents may be joined to (ISO3, sorted).

    Every country an incident states (``iso3``), and every country with an
    admin-1 unit whose bounding box lies within ``snap_km`` of an
    incident's point, stated or not: so an incident without a country is
    placed where it falls, and one that lies in another country is seen
    to (``area_abroad``), whatever else the frame holds. Found from the
    units' bounding boxes (:func:`geo.reference.boundaries.admin1_extents`),
    without reading any geometry; a few more countries than needed may be
    listed, never fewer.
    """
    stated = text_column(incidents, "iso3").str.strip().str.upper()
    codes = set(stated[stated != ""].unique().tolist())
    lon, lat, ok = coords(incidents)
    if ok.any():
        extents = boundaries.admin1_extents()
        cells = _distinct_cells(lon[ok], lat[ok])
        # A box around each cell's centre that holds every point within
        # snap_km of any point of the cell.
        half_km = _CELL_DEG * 111.32 * 0.75 + max(snap_km, 0.0)
        centre = (cells + 0.5) * _CELL_DEG
        boxes = search_boxes(centre[:, 0], centre[:, 1], half_km)
        units = shapely.box(extents["xmin"], extents["ymin"], extents["xmax"], extents["ymax"])
        _, hit = shapely.STRtree(units).query(boxes, predicate="intersects")
        codes |= set(extents["iso3"].to_numpy(dtype=object)[np.unique(hit)].tolist())
    return sorted(codes)


# Cell rows span -900..900 at 0.1 degree: a cell is one integer, column * _ROWS + row.
_ROWS, _ROW0 = 4096, 1000


def _distinct_cells(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The distinct (column, row) grid cells of the points, as an (n, 2) integer array.

    One integer key per point and ``pd.unique``: ``np.unique(axis=0)`` on a
    million coordinate pairs took 1.5 s of a cold start.
    """
    col = np.floor(lon / _CELL_DEG).astype(np.int64)
    row = np.floor(lat / _CELL_DEG).astype(np.int64) + _ROW0
    keys = pd.unique(col * _ROWS + row)
    return np.column_stack([keys // _ROWS, keys % _ROWS - _ROW0])


def areas_for(
    incidents: pd.DataFrame, snap_km: float = 10.0, detail: boundaries.Detail = "fine"
) -> gpd.GeoDataFrame:
    """The shipped admin-1 areas of the countries the incidents need (:func:`countries_for`).

    What :func:`prepare` joins to by default; the same areas suit
    :func:`geo.analysis.risk.score_areas` and the map.
    """
    return boundaries.load_admin1(iso3=countries_for(incidents, snap_km), detail=detail)


def covered_areas_for(incidents: pd.DataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Admin-1 areas and country outlines: the covered countries plus any other the data needs.

    What the dashboard and the ``risk`` command score and draw: every area
    of the covered countries (quiet ones included, at Low), and the areas
    of any other country the incidents are in or near (:func:`countries_for`),
    so an Iranian incident is scored in an Iranian area.
    """
    areas, outlines = boundaries.load_admin1(), boundaries.load_admin0()
    extra = sorted(set(countries_for(incidents)) - set(areas["iso3"]))
    if not extra:
        return areas, outlines
    return _with(areas, boundaries.load_admin1(iso3=extra)), _with(
        outlines, boundaries.load_admin0(iso3=extra)
    )


def _with(layer: gpd.GeoDataFrame, more: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.concat([layer, more], ignore_index=True), crs=layer.crs)


def prepare(
    incidents: pd.DataFrame,
    areas: gpd.GeoDataFrame | None = None,
    borders: gpd.GeoDataFrame | None = None,
    snap_km: float = 10.0,
    country_level: bool = True,
) -> pd.DataFrame:
    """Join incidents to areas and measure their distance to borders.

    Parameters
    ----------
    incidents : DataFrame
        The typed incident frame (see :func:`geo.io.store.read_incidents`).
    areas : GeoDataFrame, optional
        Area layer; by default the shipped admin-1 areas of every country
        the incidents need, read from the world file (:func:`areas_for`):
        their stated countries and the countries their points lie in or
        near, so no incident lacks an area because its country's layer was
        not loaded.
    borders : GeoDataFrame, optional
        Border lines to measure to; by default every shipped land border
        between two countries (:func:`geo.reference.boundaries.load_land_borders`),
        so each incident is measured to its own country's border (see
        :func:`geo.analysis.spatial.border_distance`; Bahrain, an island, gets NaN).
        Mali's layer (:func:`geo.reference.boundaries.load_borders`) is for drawing;
        passed here it measures every incident to Mali's borders.
    snap_km : float
        Points on no polygon are snapped to the nearest area of their own
        country within this distance and flagged.
    country_level : bool
        Country-level incidents (``geo_precision`` 3, no ``admin1``) get no
        area (see :func:`geo.analysis.spatial.join_areas`); False places
        them by their point, e.g. to fill in the admin-1 a point lies in.

    Returns
    -------
    DataFrame
        The incidents with the columns listed in docs/architecture.md.
    """
    areas = areas_for(incidents, snap_km) if areas is None else areas
    borders = boundaries.load_land_borders() if borders is None else borders
    joined = spatial.join_areas(incidents, areas, snap_km=snap_km, country_level=country_level)
    return spatial.border_distance(joined, borders)
