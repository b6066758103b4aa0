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


def test_the_app_reads_the_stores_columnar_copy_and_gets_the_same_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.analysis.pipeline import prepare
    from geo.io import prepared_copy
    from geo.io.store import read_incidents

    store = tmp_path / "incidents.csv"
    store.write_bytes(Path(config.DATA_DIR / "incidents.csv").read_bytes())
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)
    first = data.incidents(data.Source.current())
    assert prepared_copy.copy_state(store) == ""  # the first start wrote the copy
    data._layers.clear()

    def refuse(typed: pd.DataFrame) -> pd.DataFrame:
        raise AssertionError("prepared again although the copy matches the store")

    monkeypatch.setattr(prepared_copy, "prepare_rows", refuse)
    again = data.incidents(data.Source.current())
    expected = prepare(read_incidents(store))
    pd.testing.assert_frame_equal(first, expected)
    pd.testing.assert_frame_equal(again, expected)


def test_a_store_elsewhere_gets_no_shipped_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "incidents.csv"
    store.write_bytes(Path(config.DATA_DIR / "incidents.csv").read_bytes())
    assert data._overrides_key() is not None  # the shipped store has the shipped ones
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)
    assert data._overrides_key() is None
    assert data.override_days() == ()
    own = tmp_path / "incidents.overrides.csv"
    own.write_text(
        "area,level,reason,expires,set_by,set_on\n"
        "Kidal,Extreme,This store's analyst,2013-03-31,B. Analyst,2013-02-01\n",
        encoding="utf-8",
    )
    key = data._overrides_key()
    assert key is not None and key[0] == str(store) and key[1].startswith(f"{own}:")
