"""Generic CSV (with a column mapping) and GeoJSON import."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.io.ingest import import_file, load_mapping

DATA = Path(__file__).resolve().parents[1] / "data"


def test_mapped_csv():
    result = import_file(DATA / "ingest_partner.csv", "csv", DATA / "ingest_partner_mapping.toml")
    assert len(result.frame) == 2
    first = result.frame.iloc[0]
    assert first["event_date"] == "2013-02-21"  # 21/02/2013 through date_formats
    assert first["origin_id"] == "partner:P-1"
    assert first["country"] == "Mali"  # a default
    assert first["actor1"].startswith("MUJAO")
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (4, "Date (-> event_date)", "31/02/2013")
    assert result.rejected.loc[0, "Ref"] == "P-3"


def test_geojson_points_and_rejected_polygon():
    result = import_file(DATA / "ingest_points.geojson", "csv")
    assert len(result.frame) == 1
    row = result.frame.iloc[0]
    assert (row["latitude"], row["longitude"]) == ("20.2013", "1.0119")
    assert result.problems[0].column == "geometry"
    assert result.rejected.loc[0, "location"] == "Kidal area"


def test_mapping_naming_an_unknown_schema_column_is_refused(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[columns]\nplace = "Town"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'place' is not a schema column"):
        load_mapping(bad)


def test_mapping_naming_a_missing_file_column_is_refused(tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\nlocation = "Village"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="Village"):
        import_file(DATA / "ingest_partner.csv", "csv", mapping)


def test_mapping_only_for_csv():
    with pytest.raises(ValueError, match="--format csv"):
        import_file(DATA / "ingest_acled.csv", "acled", DATA / "ingest_partner_mapping.toml")


def test_a_bad_mapped_date_names_the_formats_tried():
    result = import_file(DATA / "ingest_partner.csv", "csv", DATA / "ingest_partner_mapping.toml")
    [problem] = result.problems
    assert problem.expected == "expected a real date written as DD/MM/YYYY or YYYY-MM-DD"
    assert result.rejected["reject_reason"].tolist() == [problem.expected]
