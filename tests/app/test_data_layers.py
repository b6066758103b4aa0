"""The app's layers follow the store: a country outside the shipped layer gets its own areas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from appkit import data
from geo import config
from geo.reference.gazetteer import load_gazetteer


def test_an_incident_outside_the_covered_countries_gets_an_area_of_its_own_country(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = pd.read_csv(config.INCIDENTS_CSV, dtype=str, keep_default_na=False)
    extra = rows.iloc[0].copy()
    # Zahedan, Iran, placed by the shipped gazetteer; Iran is not covered.
    town = load_gazetteer().lookup("Zahedan", country="IRN")
    assert town is not None
    extra.update(
        {"event_id": "IRN-T1", "country": "Iran", "iso3": "IRN", "admin1": "",
         "location": "Zahedan", "latitude": str(town.latitude), "longitude": str(town.longitude)}
    )  # fmt: skip
    store = tmp_path / "incidents.csv"
    pd.concat([rows, extra.to_frame().T]).to_csv(store, index=False)
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)

    joined = data.incidents(data.Source.current())
    row = joined.loc[joined["event_id"] == "IRN-T1"].iloc[0]
    assert row["area_iso3"] == "IRN"
    assert row["area"] == "Sistan and Baluchestan"
    assert "IRN" in set(data.admin1()["iso3"])
    assert "IRN" in set(data.admin0()["iso3"])
    # The covered countries are all still drawn.
    assert set(config.COVERED_ISO3) <= set(data.admin1()["iso3"])
