"""Checks over the data that ships in data/: it validates and places correctly."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis import spatial
from geo.analysis.pipeline import prepare
from geo.io.store import read_incidents
from geo.reference import boundaries
from tests.conftest import ROOT

# Where each Mali incident of the reports happened, by admin-1 area.
EXPECTED_MALI_AREAS = {
    "MLI0001": "Kidal",  # Tessalit
    "MLI0002": "Kidal",
    "MLI0003": "Kidal",  # Adrar des Ifoghas
    "MLI0004": "Gao",
    "MLI0005": "Gao",
    "MLI0006": "Gao",
    "MLI0007": "Gao",
    "MLI0008": "Kidal",
    "MLI0009": "Timbuktu",
}


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    return prepare(read_incidents(ROOT / "data" / "incidents.csv"))


def test_every_shipped_incident_validates():
    df = read_incidents(ROOT / "data" / "incidents.csv")
    assert len(df) >= 19
    assert df["event_id"].is_unique


def test_mali_incidents_join_to_the_right_region(joined):
    mali = joined[joined["iso3"] == "MLI"].set_index("event_id")
    assert mali["area"].to_dict() == EXPECTED_MALI_AREAS
    assert not mali["area_snapped"].any()


def test_stated_admin1_matches_the_join(joined):
    stated = joined[joined["admin1"] != ""]
    assert len(stated) >= 12
    names = boundaries.AreaNames(boundaries.load_admin1())
    problems = spatial.check_admin1_consistency(stated, names, file="data/incidents.csv")
    assert problems == []
    assert (stated["area_iso3"] == stated["iso3"]).all()


def test_required_incidents_are_present(joined):
    by_id = joined.set_index("event_id")
    tessalit = by_id.loc["MLI0001"]
    assert (tessalit["location"], str(tessalit["event_date"].date()), tessalit["fatalities"]) == (
        "Tessalit",
        "2013-02-22",
        5,
    )
    kidal = by_id.loc["MLI0002"]
    assert (str(kidal["event_date"].date()), kidal["fatalities"]) == ("2013-02-21", 0)
    assert by_id.loc["MLI0006", "event_date"] == pd.Timestamp("2013-02-10")
    assert "Ifoghas" in by_id.loc["MLI0003", "location"]
    assert by_id.loc["DZA0001", "country"] == "Algeria"
    assert {"BHR", "EGY", "SYR", "TUN"} <= set(joined["iso3"])


def test_tessalit_is_near_the_algerian_border(joined):
    row = joined.set_index("event_id").loc["MLI0001"]
    assert row["border_neighbour"] == "DZA"
    assert 20 < row["border_km"] < 120


def _build_incidents_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_incidents", ROOT / "scripts" / "build_incidents.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_incidents_are_what_the_builder_makes(tmp_path, monkeypatch, capsys):
    # data/incidents.csv must be reproducible from the coding sheet, offline
    script = _build_incidents_script()
    assert script.main(["--check"]) == 0
    stale = tmp_path / "incidents.csv"
    text = (ROOT / "data" / "incidents.csv").read_text(encoding="utf-8")
    stale.write_text(text.replace("20.20126", "20.30126"), encoding="utf-8")
    monkeypatch.setattr(script.config, "DATA_DIR", tmp_path)
    assert script.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert stale.read_text(encoding="utf-8") != text  # --check writes nothing
