from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from geo import config
from geo.cli import main
from geo.reference.gazetteer import load_gazetteer
from tests.conftest import ROOT


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_shipped_file_passes(capsys):
    code, out, _ = run(capsys, "validate", str(ROOT / "data" / "incidents.csv"))
    assert code == 0
    assert out.startswith("OK: ")


def test_validate_broken_file_names_every_row(capsys, tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[0, "latitude"] = "120"
    bad.loc[1, "event_type"] = "Skirmish"
    bad.loc[2, "fatalities"] = "-1"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert [line.split(", column")[0].rsplit("row ", 1)[1] for line in lines] == ["2", "3", "4"]
    assert all(str(path) in line for line in lines)
    assert "3 problem(s)" in err


def test_validate_flags_wrong_sign_longitude(capsys, tmp_path, raw_rows):
    bad = raw_rows.copy()
    # Kidal is at about 1.4 E; with the sign flipped the point lands in another region.
    bad.loc[1, "longitude"] = "-1.4078"
    path = tmp_path / "sign.csv"
    bad.to_csv(path, index=False)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert "row 3" in out and "Kidal" in out


def test_geocode_tessalit_json(capsys):
    code, out, _ = run(capsys, "geocode", "Tessalit", "--json")
    assert code == 0
    hit = json.loads(out)
    assert hit["latitude"] == pytest.approx(20.20, abs=0.05)
    assert hit["longitude"] == pytest.approx(1.01, abs=0.05)
    assert hit["admin1"] == "Kidal"
    assert hit["iso3"] == "MLI"


def test_geocode_a_misspelt_name_is_a_flagged_fuzzy_match_unless_exact(capsys):
    code, out, _ = run(capsys, "geocode", "Tesallit", "--country", "ML")
    assert code == 0
    assert out.startswith("Tessalit (Kidal, MLI)")
    assert "match fuzzy" in out and "score" in out
    code, _, err = run(capsys, "geocode", "Tesallit", "--country", "ML", "--exact")
    assert code == 1
    assert "Tesallit" in err


def test_geocode_unknown_place_exits_1(capsys):
    code, _, err = run(capsys, "geocode", "Nowhereville Qqq")
    assert code == 1
    assert "no place" in err


def test_join_adds_area_and_border_columns(capsys, incident_csv):
    code, out, _ = run(capsys, "join", str(incident_csv))
    assert code == 0
    joined = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert joined["area"].tolist() == ["Gao", "Kidal", "Bamako"]
    assert {"area_snapped", "border_km", "border_neighbour"} <= set(joined.columns)


def test_join_out_file(capsys, tmp_path, incident_csv):
    out_path = tmp_path / "joined.csv"
    code, _, err = run(capsys, "join", str(incident_csv), "--out", str(out_path))
    assert code == 0
    assert len(pd.read_csv(out_path)) == 3
    assert "wrote 3" in err


def test_summary_counts(capsys, incident_csv):
    code, out, _ = run(capsys, "summary", str(incident_csv))
    assert code == 0
    assert "3 incident(s), 3 fatalities" in out
    assert "By month:" in out and "2013-02" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["nosuchcommand"],
        ["validate"],
        ["join", "x.csv", "--name-field", "shapeName"],
        ["join", "data/incidents.csv", "--boundaries", "missing.geojson"],
        ["geocode", "Gao", "--gazetteer", "missing.csv"],
    ],
)
def test_usage_errors_exit_2_without_traceback(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("error:")


def test_module_entry_point_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "validate", "missing-file.csv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 1
    assert "file not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_reports_sign_errors_next_to_cell_errors(capsys, tmp_path, raw_rows):
    # One bad cell must not hide a wrong-sign longitude in another row.
    bad = raw_rows.copy()
    bad.loc[0, "fatalities"] = "-1"
    bad.loc[1, "longitude"] = "-1.4078"
    path = tmp_path / "mixed.csv"
    bad.to_csv(path, index=False)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert "row 2, column 'fatalities'" in lines[0]
    assert "row 3, column 'admin1'" in lines[1] and "longitude sign looks wrong" in lines[1]
    assert "2 problem(s)" in err


def test_validate_skips_consistency_when_a_column_is_missing(capsys, tmp_path, raw_rows):
    path = tmp_path / "nocol.csv"
    raw_rows.drop(columns=["longitude"]).to_csv(path, index=False)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert out.strip().splitlines() == [
        f"{path}: row 1, column 'longitude': got None; required column is missing from the header"
    ]


@pytest.mark.parametrize("command", ["validate", "join", "summary", "risk"])
def test_a_folder_instead_of_a_file_is_a_data_error(capsys, tmp_path, command):
    code, _, err = run(capsys, command, str(tmp_path))
    assert code == 1
    assert err.strip() == f"{tmp_path}: is a folder; expected an incident CSV file"


def test_missing_file_message_names_no_cell(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "none.csv"))
    assert code == 1
    assert err.strip() == f"{tmp_path / 'none.csv'}: file not found"


def test_geocode_with_a_broken_user_gazetteer_exits_1(capsys):
    code, _, err = run(
        capsys, "geocode", "Gao", "--gazetteer", str(ROOT / "tests" / "data" / "gaz_user_bad.csv")
    )
    assert code == 1
    assert err.startswith("error:") and "gaz_user_bad.csv" in err and "line 4" in err
    assert "Traceback" not in err


def test_geocode_gazetteer_must_be_a_file(capsys, tmp_path):
    code, _, err = run(capsys, "geocode", "Gao", "--gazetteer", str(tmp_path))
    assert code == 2 and "not a file" in err


def test_geocode_text_says_when_a_name_is_ambiguous(capsys):
    # Gao is a town in Mali and one in Burkina Faso.
    code, out, _ = run(capsys, "geocode", "Gao")
    assert code == 0
    assert "ambiguous: 2 candidates" in out
    assert "MLI" in out and "BFA" in out


def test_geocode_reads_an_ocha_gazetteer_with_column_options(capsys):
    ocha = str(ROOT / "tests" / "data" / "gaz_ocha_places.csv")
    columns = ["--name-column", "featureName", "--lat-column", "Latitude",
               "--lon-column", "Longitude", "--admin1-column", "admin1Name",
               "--country-column", "iso3", "--alt-column", "alternateNames"]  # fmt: skip
    code, out, _ = run(capsys, "geocode", "Puits-Fixture", "--gazetteer", ocha, *columns, "--json")
    assert code == 0
    hit = json.loads(out)
    assert hit["name"] == "Fixture Well"
    assert (hit["latitude"], hit["longitude"]) == (18.45, 2.48)
    assert hit["admin1"] == "Kidal" and hit["iso3"] == "MLI"
    assert hit["source"].startswith("user:")
    # without the column options the file's columns are not found: a data error
    code, _, err = run(capsys, "geocode", "Fixture Well", "--gazetteer", ocha)
    assert code == 1 and "featureName" in err


def test_geocode_column_options_need_a_gazetteer(capsys):
    code, _, err = run(capsys, "geocode", "Gao", "--name-column", "featureName")
    assert code == 2 and "--gazetteer" in err


def test_geocode_online_with_an_unusable_cache_warns_in_one_line(capsys, monkeypatch, tmp_path):
    # no request is made: without a cache the online geocoder refuses to ask
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr("geo.config.CACHE_DIR", blocker / "cache")
    code, _, err = run(capsys, "geocode", "Xyzzyville", "--online", "nominatim")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("warning: online geocoding of 'Xyzzyville' failed: geocoding cache")
    assert lines[1] == "no place called 'Xyzzyville'"


def test_geocode_unknown_country_is_a_usage_error(capsys):
    code, out, err = run(capsys, "geocode", "Gao", "--country", "ZZ")
    assert code == 2 and out == ""
    assert "--country: got 'ZZ'" in err
    code, out, _ = run(capsys, "geocode", "Gao", "--country", "bf")
    assert code == 0 and "BFA" in out.splitlines()[0]


def test_join_and_risk_place_an_incident_outside_the_covered_countries_in_its_own(capsys, tmp_path):
    rows = pd.read_csv(config.INCIDENTS_CSV, dtype=str, keep_default_na=False)
    extra = rows.iloc[0].copy()
    town = load_gazetteer().lookup("Zahedan", country="IRN")  # Iran: not a covered country
    extra.update(
        {"event_id": "IRN-C1", "country": "Iran", "iso3": "IRN", "admin1": "",
         "location": "Zahedan", "latitude": str(town.latitude), "longitude": str(town.longitude)}
    )  # fmt: skip
    store = tmp_path / "incidents.csv"
    pd.concat([rows, extra.to_frame().T]).to_csv(store, index=False)
    code, out, _ = run(capsys, "join", str(store))
    assert code == 0
    joined = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    row = joined.loc[joined["event_id"] == "IRN-C1"].iloc[0]
    assert (row["area"], row["area_iso3"]) == ("Sistan and Baluchestan", "IRN")
    code, out, _ = run(capsys, "risk", str(store), "--format", "csv", "--all")
    assert code == 0
    scored = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert "Sistan and Baluchestan" in set(scored["area"])
