"""Every malformed input ends a command with a clear message and exit 1 or 2 (issue 10).

Each test is one class of input a fuzzing pass turned into a Python
traceback, a wrong acceptance or a silent surprise; the fuzz suite in
tests/fuzz/ covers the same classes with generated inputs.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.io.store import read_incidents
from geo.model.schema import COLUMNS
from tests.conftest import ROOT, make_rows

DATA = ROOT / "tests" / "data"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _incidents(path: Path, **cells: str) -> Path:
    rows = make_rows(3)
    rows[0].update(cells)
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["validate", "summary", "risk", "join"])
@pytest.mark.parametrize("date", ["1500-01-01", "2300-06-01", "9999-12-31"])
def test_dates_outside_pandas_range_are_bad_dates_in_every_command(capsys, tmp_path, command, date):
    path = _incidents(tmp_path / "d.csv", event_date=date)
    code, out, err = run(capsys, command, path)
    assert code == 1
    assert "row 2, column 'event_date'" in out + err and "1900-01-01" in out + err


@pytest.mark.parametrize("value", ["inf", "1e20", "1e400"])
def test_absurd_fatalities_fail_validation_instead_of_wrapping(capsys, tmp_path, value):
    path = _incidents(tmp_path / "f.csv", fatalities=value)
    code, out, _ = run(capsys, "validate", path, "--no-consistency")
    assert code == 1 and "100,000" in out
    code, _, err = run(capsys, "summary", path)
    assert code == 1 and "100,000" in err


@pytest.mark.parametrize(("lat", "lon"), [("200", ""), ("inf", ""), ("95", "east")])
def test_latitude_out_of_range_next_to_a_bad_longitude(capsys, tmp_path, lat, lon):
    path = _incidents(tmp_path / "c.csv", latitude=lat, longitude=lon)
    code, out, _ = run(capsys, "validate", path)
    assert code == 1 and "-90..90" in out
    store = tmp_path / "store.csv"
    code, out, _ = run(capsys, "import", "--format", "csv", path, "--into", store)
    assert code == 0 and "added: 2" in out and "rejected: 1" in out


def test_a_country_and_iso3_that_disagree_fail_validation(capsys, tmp_path):
    path = _incidents(tmp_path / "c.csv", country="Algeria")
    code, out, _ = run(capsys, "validate", path, "--no-consistency")
    assert code == 1 and "DZA" in out and "MLI" in out


def test_geojson_nan_infinity_and_one_coordinate_points_are_rejected_rows(capsys, tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [NaN, Infinity]},'
        ' "properties": {"event_date": "2013-01-01"}},'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0]},'
        ' "properties": {}}]}'
    )
    code, out, _ = run(capsys, "import", "--format", "csv", path, "--into", tmp_path / "s.csv")
    assert code == 0 and "rejected: 2" in out and "finite" in out


def test_an_acled_iso_too_large_for_an_integer(capsys, tmp_path):
    with open(DATA / "ingest_acled.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["iso"] = "1e400"
    path = tmp_path / "a.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, _ = run(capsys, "import", "--format", "acled", path, "--into", tmp_path / "s.csv")
    assert code == 0 and "added: 3" in out


@pytest.mark.parametrize("date", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_extract_refuses_a_post_date_outside_the_conflict_range(capsys, tmp_path, date):
    report = tmp_path / "r.txt"
    report.write_text("An attack in Gao killed 4 soldiers.", encoding="utf-8")
    code, _, err = run(capsys, "extract", report, "--date", date)
    assert code == 2 and "1900-01-01" in err


def test_extract_given_a_folder_says_so(capsys, tmp_path):
    code, _, err = run(capsys, "extract", tmp_path)
    assert code == 2 and "folder" in err


def test_extract_turns_an_overflow_in_the_report_into_a_clear_error(capsys, tmp_path, monkeypatch):
    import geo.io.extract as extract

    def overflow(*args, **kwargs):
        raise OverflowError("Python int too large to convert to C long")

    monkeypatch.setattr(extract, "extract_candidates", overflow)
    report = tmp_path / "r.txt"
    report.write_text("In 99999999999999999999 days ...", encoding="utf-8")
    code, _, err = run(capsys, "extract", report)
    assert code == 1 and str(report) in err and "too large" in err


@pytest.mark.parametrize("content", ["", '"unterminated\n', "\x00\x01\x02garbage", "a,b\n1,2\n"])
def test_an_empty_or_malformed_user_gazetteer(capsys, tmp_path, content):
    path = tmp_path / "g.csv"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "geocode", "Gao", "--gazetteer", path)
    assert code in (1, 2) and str(path) in err


@pytest.mark.parametrize("command", ["join", "risk"])
def test_a_csv_of_incidents_given_as_boundaries(capsys, tmp_path, incident_csv, command):
    code, _, err = run(capsys, command, incident_csv, "--boundaries", incident_csv)
    assert code in (1, 2) and "--boundaries" in err and "GeoJSON" in err


def test_a_folder_that_cannot_be_written_is_a_clear_error(capsys, tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir", "")))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    store = tmp_path / "s.csv"
    code, _, err = run(
        capsys, "import", "--format", "acled", DATA / "ingest_acled.csv", "--into", store
    )
    assert code == 1 and "Permission denied" in err and str(tmp_path) in err
    assert not store.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_is_a_clear_error(capsys, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    code, _, err = run(
        capsys, "import", "--format", "acled", DATA / "ingest_acled.csv", "--into", folder / "s.csv"
    )
    assert code == 1 and "ermission denied" in err


def test_a_read_only_store_is_refused(capsys, tmp_path, incident_csv):
    before = incident_csv.read_bytes()
    incident_csv.chmod(0o444)
    code, _, err = run(
        capsys, "import", "--format", "acled", DATA / "ingest_acled.csv", "--into", incident_csv
    )
    assert code == 1 and "read-only" in err
    assert incident_csv.read_bytes() == before


def test_into_under_an_existing_file(capsys, tmp_path, incident_csv):
    code, _, err = run(
        capsys,
        "import",
        "--format",
        "acled",
        DATA / "ingest_acled.csv",
        "--into",
        incident_csv / "store.csv",
    )
    assert code == 2 and "is a file" in err


def test_missing_folders_need_create(capsys, tmp_path):
    store = tmp_path / "typo" / "deeper" / "s.csv"
    argv = ["import", "--format", "acled", DATA / "ingest_acled.csv", "--into", store]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "--create" in err
    assert not (tmp_path / "typo").exists()
    code, out, _ = run(capsys, *argv, "--create")
    assert code == 0 and "added: 3" in out
    assert len(read_incidents(store)) == 3


def test_rejected_side_file_in_a_missing_folder_needs_create_too(capsys, tmp_path):
    side = tmp_path / "no" / "r.csv"
    argv = ["import", "--format", "acled", DATA / "ingest_acled.csv", "--into", tmp_path / "s.csv"]
    code, _, err = run(capsys, *argv, "--rejected", side)
    assert code == 2 and "--create" in err
    assert not (tmp_path / "s.csv").exists()


def test_geocode_under_an_ascii_locale(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "LANG")}
    env.update(LC_ALL="C", PYTHONUTF8="0")
    for name in ("Ménaka", "Menaka"):
        done = subprocess.run(
            [sys.executable, "-m", "geo", "geocode", name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
        )
        text = (done.stdout + done.stderr).decode("ascii", errors="replace")
        assert done.returncode == 0, text
        assert "Traceback" not in text
        assert "M\\xe9naka" in text  # shown, escaped, rather than crashing


def test_a_blank_id_beside_an_explicit_generated_id(capsys, tmp_path):
    rows = make_rows(2)
    rows[0]["event_id"] = ""
    rows[1]["event_id"] = "GEO-000001"
    path = tmp_path / "ids.csv"
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    store = tmp_path / "s.csv"
    code, out, err = run(capsys, "import", "--format", "csv", path, "--into", store)
    assert code == 0 and "added: 2" in out, err
    assert sorted(read_incidents(store)["event_id"]) == ["GEO-000001", "GEO-000002"]


def test_duplicate_headers_and_long_rows_are_whole_file_errors(capsys, tmp_path):
    path = tmp_path / "dup.csv"
    pd.DataFrame(make_rows(2), columns=list(COLUMNS)).to_csv(path, index=False)
    text = path.read_text().splitlines()
    path.write_text("\n".join([text[0] + ",latitude", *(t + ",1" for t in text[1:])]) + "\n")
    code, out, err = run(capsys, "validate", path)
    assert code == 1 and "more than once" in out + err
    code, _, err = run(capsys, "import", "--format", "csv", path, "--into", tmp_path / "s.csv")
    assert code == 1 and "more than once" in err


@pytest.mark.parametrize(
    "options",
    [["--as-of", "0001-01-01"], ["--as-of", "9999-12-31"], ["--window-days", "999999999"]],
)
def test_risk_refuses_an_as_of_or_window_that_leaves_the_calendar(capsys, incident_csv, options):
    code, _, err = run(capsys, "risk", incident_csv, "--no-overrides", *options)
    assert code == 2 and ("1900-01-01" in err or "36,500" in err)
