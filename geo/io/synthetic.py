"""Synthetic incidents for benchmarks and load tests. NOT REAL DATA.

Every generated row says so in ``source`` and ``notes``, and ids start with
``SYN``, so synthetic rows can never be mistaken for reported incidents. The
generator is reproducible: the same ``n`` and ``seed`` give the same frame.
Nothing here is ever written to ``data/``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.model.schema import COLUMNS, SUB_EVENT_TYPES, coerce_frame

SYNTHETIC_SOURCE = "SYNTHETIC benchmark data (geo.io.synthetic), not a real report"


def synthetic_incidents(
    n: int,
    seed: int = 0,
    bounds: tuple[float, float, float, float] | None = None,
    start: str = "2012-01-01",
    days: int = 730,
    hotspots: int = 40,
) -> pd.DataFrame:
    """Generate ``n`` typed incident rows, clustered like real conflict data.

    Parameters
    ----------
    n : int
        Number of incidents.
    seed : int
        Random seed; the output is a pure function of the arguments.
    bounds : (minx, miny, maxx, maxy), optional
        A box to spread points over (for made-up test layers). By default
        every point lies inside Mali's outline (the shipped admin-1 areas),
        as the rows say: a box around Mali puts over half of them in its
        neighbours, where they would be snapped or refused.
    start, days : str, int
        Event dates are spread over ``days`` days from ``start``.
    hotspots : int
        Points cluster around this many random centres (conflict is
        concentrated), with 20 % scattered uniformly.
    """
    rng = np.random.default_rng(seed)
    lon, lat, which = _points(rng, n, hotspots, bounds)
    types = np.array(list(SUB_EVENT_TYPES))
    event_type = types[rng.integers(0, len(types), n)]
    sub_choices = {t: np.array(s) for t, s in SUB_EVENT_TYPES.items()}
    sub_event = np.empty(n, dtype=object)
    for t, subs in sub_choices.items():
        idx = np.flatnonzero(event_type == t)
        sub_event[idx] = subs[rng.integers(0, len(subs), len(idx))]
    actors = np.array(["Synthetic group A", "Synthetic group B", "Synthetic forces", "Civilians"])
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")

    frame = pd.DataFrame(
        {
            "event_id": pd.Series(np.arange(n)).map("SYN{:08d}".format),
            "event_date": dates.strftime("%Y-%m-%d"),
            "time_precision": rng.choice([1, 1, 1, 2, 3], n).astype(str),
            "event_type": event_type,
            "sub_event_type": sub_event,
            "actor1": actors[rng.integers(0, 3, n)],
            "actor2": actors[rng.integers(0, 4, n)],
            "country": "Mali",
            "iso3": "MLI",
            "admin1": "",
            "admin2": "",
            "location": pd.Series(which).map("Synthetic place {}".format),
            "latitude": np.round(lat, 5).astype(str),
            "longitude": np.round(lon, 5).astype(str),
            "geo_precision": rng.choice([1, 1, 2, 3], n).astype(str),
            "fatalities": rng.poisson(1.5, n).astype(str),
            "source": SYNTHETIC_SOURCE,
            "notes": "SYNTHETIC",
        },
        columns=list(COLUMNS),
    )
    return coerce_frame(frame)


_SPREAD_DEG = 0.3  # standard deviation of a point around its hot spot


def _points(
    rng: np.random.Generator,
    n: int,
    hotspots: int,
    bounds: tuple[float, float, float, float] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitudes, latitudes and hot spot of ``n`` points: in ``bounds``, else inside Mali."""
    if bounds is not None:
        return _box_points(rng, n, hotspots, bounds)
    outline = _mali_outline()
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(outline))

    def uniform(k: int) -> tuple[np.ndarray, np.ndarray]:
        x, y = np.empty(0), np.empty(0)
        while x.size < k:  # rejection sampling, in whole arrays
            tx, ty = rng.uniform(minx, maxx, 2 * k + 16), rng.uniform(miny, maxy, 2 * k + 16)
            keep = shapely.intersects_xy(outline, tx, ty)
            x, y = np.r_[x, tx[keep]], np.r_[y, ty[keep]]
        return x[:k], y[:k]

    centres_x, centres_y = uniform(hotspots)
    which = rng.integers(0, hotspots, n)
    scattered = rng.random(n) < 0.2
    lon, lat = np.empty(n), np.empty(n)
    lon[scattered], lat[scattered] = uniform(int(scattered.sum()))
    todo = np.flatnonzero(~scattered)
    while todo.size:  # a point drawn outside is drawn again around its own hot spot
        lon[todo] = centres_x[which[todo]] + rng.normal(0, _SPREAD_DEG, todo.size)
        lat[todo] = centres_y[which[todo]] + rng.normal(0, _SPREAD_DEG, todo.size)
        todo = todo[~shapely.intersects_xy(outline, lon[todo], lat[todo])]
    return lon, lat, which


def _box_points(
    rng: np.random.Generator, n: int, hotspots: int, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points clustered in a box, clipped to it (what tests with made-up layers draw on)."""
    minx, miny, maxx, maxy = bounds
    centres_x = rng.uniform(minx, maxx, hotspots)
    centres_y = rng.uniform(miny, maxy, hotspots)
    which = rng.integers(0, hotspots, n)
    scattered = rng.random(n) < 0.2
    lon = np.where(
        scattered, rng.uniform(minx, maxx, n), centres_x[which] + rng.normal(0, _SPREAD_DEG, n)
    ).clip(minx, maxx)
    lat = np.where(
        scattered, rng.uniform(miny, maxy, n), centres_y[which] + rng.normal(0, _SPREAD_DEG, n)
    ).clip(miny, maxy)
    return lon, lat, which


def _mali_outline() -> shapely.Geometry:
    """Mali's outline, shrunk by about 1 km so that rounding to 5 decimals stays inside."""
    from geo.reference.boundaries import load_admin1

    areas = load_admin1(iso3="MLI")
    outline = shapely.union_all(areas.geometry.to_numpy()).buffer(-0.01)
    shapely.prepare(outline)
    return outline
