"""What every area layer shares: its CRS, its standard columns, its errors.

Shipped layers (:mod:`geo.reference.boundaries`), user boundary files
(:mod:`geo.reference.boundary_files`) and area-name reconciliation
(:mod:`geo.reference.area_names`) all build on these, so they sit here,
below all three.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["AREA_COLUMNS", "CRS", "BoundaryFileError", "BoundaryFileWarning", "clean_text"]

AREA_COLUMNS = ("area", "area_code", "iso3", "aliases")
"""Standard attribute columns of an area layer (plus ``geometry``)."""

CRS = "EPSG:4326"


class BoundaryFileError(ValueError):
    """A boundary file cannot be used; the message names the file and the fix."""


class BoundaryFileWarning(UserWarning):
    """A boundary file was usable only after a repair (the message says which)."""


def clean_text(series: pd.Series) -> pd.Series:
    """Text cells as trimmed ``string`` values, gaps as ``""``.

    Always the ``string`` dtype (missing value ``pd.NA``), whatever dtype
    the file reader chose, so layers read from different formats agree.
    """
    return series.astype("string").fillna("").str.strip()
