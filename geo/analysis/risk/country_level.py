"""Country-level incidents: counted for their country, never for a region.

An incident placed only at country level (``geo_precision`` 3 and no
``admin1``; see :func:`geo.analysis.spatial.country_level_rows`) has no
area after the join, so :func:`geo.analysis.risk.score_areas` gives it to
no region: its point is a stand-in for the whole country, and whichever
region holds that point (Kebili holds Tunisia's) would be raised for
nothing that happened there. It still happened in its country, so the
scores carry a count per country beside them (``attrs["country_level"]``),
which tables and maps show as a note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.model.params import text_column

__all__ = ["COUNTRY_LEVEL_COLUMNS"]

COUNTRY_LEVEL_COLUMNS = ("iso3", "country", "events", "fatalities")
"""Columns of :func:`geo.analysis.risk.country_level_counts`."""


def _country_level_counts(joined: pd.DataFrame, age: np.ndarray, window: int) -> pd.DataFrame:
    """Country-level incidents of the window, per country.

    ``joined`` rows count when ``country_level`` is True (a frame without
    the column has none) and their ``age`` (days to the as-of date) is in
    0..``window - 1``, as in the scores. Returns :data:`COUNTRY_LEVEL_COLUMNS`,
    one row per country, most incidents first (then ISO3).
    """
    if "country_level" not in joined.columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COUNTRY_LEVEL_COLUMNS})
    level = joined["country_level"].fillna(False).to_numpy(dtype=bool)
    keep = level & (age >= 0) & (age < window)
    fatalities = pd.to_numeric(joined["fatalities"], errors="coerce").fillna(0)
    rows = pd.DataFrame(
        {
            "iso3": text_column(joined, "iso3").str.strip().str.upper()[keep].to_numpy(),
            "country": text_column(joined, "country")[keep].to_numpy(),
            "fatalities": fatalities[keep].to_numpy(dtype="int64"),
        }
    )
    out = (
        rows.groupby("iso3", sort=True)
        .agg(
            country=("country", "first"), events=("iso3", "size"), fatalities=("fatalities", "sum")
        )
        .reset_index()
        .sort_values(["events", "iso3"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )
    return out[list(COUNTRY_LEVEL_COLUMNS)]
