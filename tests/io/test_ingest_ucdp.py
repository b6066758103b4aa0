"""UCDP GED import on a hand-written fixture in the public 49-column layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.io.ingest import import_file
from geo.io.ingest.ucdp import UCDP_COLUMNS

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ingest_ucdp.csv"


def test_fixture_has_the_public_layout():
    assert tuple(pd.read_csv(FIXTURE, nrows=0).columns) == UCDP_COLUMNS


def test_mapping_rules():
    result = import_file(FIXTURE, "ucdp")
    frame = result.frame.set_index("origin_id")
    gao = frame.loc["ucdp:990101"]
    assert gao["event_id"] == ""  # the store assigns one
    assert (gao["fatalities"], gao["fatalities_low"], gao["fatalities_high"]) == ("7", "5", "12")
    assert gao["actor1"] == "Military Forces of Mali"  # "Government of Mali"
    assert gao["actor2"].startswith("MUJAO")
    assert (gao["event_type"], gao["sub_event_type"]) == ("Battles", "Armed clash")
    assert (gao["geo_precision"], gao["time_precision"]) == ("1", "1")
    assert (gao["admin1"], gao["admin2"]) == ("Gao region", "Gao cercle")
    assert gao["location"] == "Gao town"
    assert gao["iso3"] == "MLI"
    assert gao["source"] == "UCDP GED (Example Wire, 2013-02-11)"
    assert "deaths: side A 2, side B 5" in gao["notes"]

    one_sided = frame.loc["ucdp:990102"]
    assert one_sided["event_type"] == "Violence against civilians"
    assert one_sided["civilian_targeting"] == "Civilian targeting"
    assert one_sided["actor2"] == "Civilians (Mali)"
    assert one_sided["geo_precision"] == "3"  # where_prec 4 (admin-1)
    assert one_sided["time_precision"] == "3"  # date_prec 4 (month)

    menaka = frame.loc["ucdp:990105"]
    assert menaka["geo_precision"] == "2"
    assert menaka["event_date"] == "2013-02-19"  # from a timestamp


def test_country_level_and_year_level_rows_are_rejected_by_default():
    result = import_file(FIXTURE, "ucdp")
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (4, "where_prec", "6"),
        (5, "date_prec", "5"),
    ]
    assert result.rejected["id"].tolist() == ["990103", "990104"]


def test_vague_rows_can_be_kept_at_precision_3_with_a_note():
    result = import_file(FIXTURE, "ucdp", vague="keep")
    assert result.rejected.empty
    frame = result.frame.set_index("origin_id")
    assert frame.loc["ucdp:990103", "geo_precision"] == "3"
    assert "where_prec 6" in frame.loc["ucdp:990103", "notes"]
    assert frame.loc["ucdp:990104", "time_precision"] == "3"
    assert "date_prec 5" in frame.loc["ucdp:990104", "notes"]
