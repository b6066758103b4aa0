"""Tests for geo.analysis.pipeline.prepare: the join and border distance everyone shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.analysis.pipeline import prepare
from geo.reference.boundaries import load_borders


def _incidents() -> pd.DataFrame:
    # the points of MLI0001, EGY0002 and BHR0001 in data/incidents.csv
    return pd.DataFrame(
        {
            "location": ["Tessalit", "Rafah", "Bahrain"],
            "iso3": ["MLI", "EGY", "BHR"],
            "latitude": [20.20126, 31.28204, 26.00208],
            "longitude": [1.01186, 34.23869, 50.54479],
        }
    )


def test_prepare_measures_to_every_countrys_own_land_border() -> None:
    out = prepare(_incidents())
    assert list(out["area_iso3"]) == ["MLI", "EGY", "BHR"]
    assert list(out["border_neighbour"]) == ["DZA", "PSE", ""]
    assert 20 < out["border_km"].iloc[0] < 120
    assert 0 <= out["border_km"].iloc[1] < 5
    assert np.isnan(out["border_km"].iloc[2])  # an island: no land border


def test_prepare_with_malis_layer_measures_to_mali() -> None:
    out = prepare(_incidents(), borders=load_borders())
    assert out["border_neighbour"].iloc[0] == "DZA"
    # Rafah is thousands of km from any border of Mali
    assert out["border_km"].iloc[1] > 2000
