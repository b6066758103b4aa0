"""Resource caps: files to import, duplicate tolerances, report size.

Each cap is lowered here so the tests stay small; what they check is that a
file or option over a cap is refused with a message naming the cap and its
environment variable, before the heavy step runs, and that files inside the
caps still go through. No timings: speed is in scripts/bench_ingest.py.
"""

from __future__ import annotations

import json
import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest

from geo import config
from geo.cli import main
from geo.io import dedupe
from geo.io.dedupe import DedupeLimitError, check_tolerances, find_duplicates
from geo.io.ingest import import_file, limits
from geo.model.schema import COLUMNS, IncidentFileError, coerce_frame
from tests.conftest import make_rows

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _csv(path: Path, rows: int, columns: int = len(COLUMNS), cell: str = "") -> Path:
    header = (
        ",".join(COLUMNS[:columns])
        if columns <= len(COLUMNS)
        else ",".join(f"c{i}" for i in range(columns))
    )
    path.write_text(header + "\n" + ("," * (columns - 1) + cell + "\n") * rows, encoding="utf-8")
    return path


def _refusal(exc: pytest.ExceptionInfo[IncidentFileError]) -> str:
    assert len(exc.value.problems) == 1
    return exc.value.problems[0].expected


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if a capped file reaches the CSV parser."""

    def parse(path):
        raise AssertionError(f"{path} was parsed although it is over a cap")

    monkeypatch.setattr(limits, "read_raw", parse)


# --------------------------------------------------------------------------
# CSV files (ACLED, UCDP GED and mapped CSV all read through the same check)


@pytest.mark.parametrize("fmt", ["acled", "ucdp", "csv"])
def test_too_many_rows_is_refused_before_parsing(tmp_path, monkeypatch, no_parsing, fmt):
    monkeypatch.setattr(config, "IMPORT_MAX_ROWS", 50)
    path = _csv(tmp_path / "empty.csv", 51)
    with pytest.raises(IncidentFileError) as exc:
        import_file(path, fmt)
    why = _refusal(exc)
    assert "has 51 rows" in why and "limited to 50 rows" in why and "GEO_IMPORT_MAX_ROWS" in why


def test_rows_at_the_cap_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_ROWS", 50)
    result = import_file(_csv(tmp_path / "empty.csv", 50), "csv")
    assert result.rows_read == 50


def test_quoted_line_breaks_do_not_count_as_rows(tmp_path, monkeypatch):
    # 3 records over 9 lines: only the exact count (csv module) is compared.
    monkeypatch.setattr(config, "IMPORT_MAX_ROWS", 3)
    rows = [dict(r, notes="first line\nsecond\nthird") for r in make_rows(3)]
    path = tmp_path / "multiline.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert import_file(path, "csv").rows_read == 3


def test_blank_lines_do_not_count_as_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_ROWS", 3)
    path = tmp_path / "blank.csv"
    pd.DataFrame(make_rows(3)).to_csv(path, index=False)
    path.write_text(path.read_text() + "\n\n\n\n", encoding="utf-8")
    assert import_file(path, "csv").rows_read == 3


def test_too_many_columns_is_refused_from_the_header(tmp_path, monkeypatch, no_parsing):
    monkeypatch.setattr(config, "IMPORT_MAX_COLUMNS", 40)
    with pytest.raises(IncidentFileError) as exc:
        import_file(_csv(tmp_path / "wide.csv", 1, columns=41), "csv")
    why = _refusal(exc)
    assert "has 41 columns" in why and "GEO_IMPORT_MAX_COLUMNS" in why


def test_too_many_cells_is_refused(tmp_path, monkeypatch, no_parsing):
    monkeypatch.setattr(config, "IMPORT_MAX_CELLS", 100)
    with pytest.raises(IncidentFileError) as exc:
        import_file(_csv(tmp_path / "cells.csv", 10, columns=11), "csv")
    why = _refusal(exc)
    assert "(110 cells)" in why and "GEO_IMPORT_MAX_CELLS" in why


def test_too_large_a_file_is_refused_by_its_size(tmp_path, monkeypatch, no_parsing):
    monkeypatch.setattr(config, "IMPORT_MAX_MB", 1)
    path = _csv(tmp_path / "big.csv", 1, cell="x" * 1_100_000)
    with pytest.raises(IncidentFileError) as exc:
        import_file(path, "acled")
    why = _refusal(exc)
    assert "is 1.1 MB" in why and "limited to 1 MB" in why and "GEO_IMPORT_MAX_MB" in why


def test_a_missing_file_is_still_reported_as_missing(tmp_path):
    with pytest.raises(IncidentFileError) as exc:
        import_file(tmp_path / "none.csv", "csv")
    assert "file not found" in _refusal(exc)


def test_the_shipped_examples_are_inside_the_caps():
    assert import_file(DATA / "ingest_acled.csv", "acled").rows_read > 0
    assert import_file(DATA / "ingest_ucdp.csv", "ucdp").rows_read > 0
    assert import_file(DATA / "ingest_points.geojson", "csv").rows_read > 0


# --------------------------------------------------------------------------
# GeoJSON


def _geojson(path: Path, features: int, keys_per_feature: int = 1, distinct: bool = False) -> Path:
    feats = [
        {
            "type": "Feature",
            "properties": {
                (f"k{i}_{k}" if distinct else f"k{k}"): "x" for k in range(keys_per_feature)
            },
            "geometry": {"type": "Point", "coordinates": [0.0, 16.0]},
        }
        for i in range(features)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def test_distinct_feature_properties_over_the_cap_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_PROPERTIES", 30)
    path = _geojson(tmp_path / "keys.geojson", 31, distinct=True)
    with pytest.raises(IncidentFileError) as exc:
        import_file(path, "csv")
    why = _refusal(exc)
    assert "more than 30 distinct feature properties" in why
    assert "GEO_IMPORT_MAX_PROPERTIES" in why


def test_features_over_the_row_cap_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_ROWS", 20)
    with pytest.raises(IncidentFileError) as exc:
        import_file(_geojson(tmp_path / "many.geojson", 21), "csv")
    assert "has 21 rows" in _refusal(exc)


def test_a_geojson_over_the_size_cap_is_refused_before_it_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "IMPORT_MAX_MB", 1)
    path = tmp_path / "big.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}' + " " * 1_100_000)

    def load(*_args, **_kwargs):
        raise AssertionError("the JSON was loaded although the file is over the cap")

    monkeypatch.setattr(json, "loads", load)
    with pytest.raises(IncidentFileError) as exc:
        import_file(path, "csv")
    assert "GEO_IMPORT_MAX_MB" in _refusal(exc)


# --------------------------------------------------------------------------
# Settings


def test_caps_read_positive_whole_numbers_from_the_environment(monkeypatch):
    monkeypatch.setenv("GEO_TEST_CAP", "2_000")
    assert config._env_number("GEO_TEST_CAP", 7) == 2000
    monkeypatch.delenv("GEO_TEST_CAP")
    assert config._env_number("GEO_TEST_CAP", 7) == 7


@pytest.mark.parametrize("bad", ["-5", "0", "lots", "1.5"])
def test_a_bad_cap_setting_warns_and_keeps_the_default(monkeypatch, bad):
    monkeypatch.setenv("GEO_TEST_CAP", bad)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert config._env_number("GEO_TEST_CAP", 7) == 7
    assert "GEO_TEST_CAP" in str(caught[0].message)


def test_the_upload_limit_matches_the_import_cap():
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert streamlit["server"]["maxUploadSize"] == config.IMPORT_MAX_MB


# --------------------------------------------------------------------------
# Duplicate detection


def test_a_window_over_the_cap_is_refused():
    with pytest.raises(DedupeLimitError, match="GEO_DEDUPE_MAX_DAYS"):
        check_tolerances(config.DEDUPE_MAX_DAYS + 1, 10.0)
    check_tolerances(config.DEDUPE_MAX_DAYS, 10.0)
    check_tolerances(None, 10.0)


@pytest.mark.parametrize("km", [-1.0, float("nan"), float("inf"), 1e9])
def test_a_distance_outside_the_cap_is_refused(km):
    with pytest.raises(DedupeLimitError, match="GEO_DEDUPE_MAX_KM"):
        check_tolerances(1, km)


def test_find_duplicates_checks_the_window_before_comparing(monkeypatch):
    def compare(*_args, **_kwargs):
        raise AssertionError("rows were compared")

    monkeypatch.setattr(dedupe, "_match", compare)
    rows = coerce_frame(pd.DataFrame(make_rows(3)))
    with pytest.raises(DedupeLimitError):
        find_duplicates(rows, rows, days=20000)


def test_too_many_pairs_to_compare_is_refused(monkeypatch):
    monkeypatch.setattr(config, "DEDUPE_MAX_PAIRS", 10)
    # 5 distinct points a few hundred metres apart, same day and type: 25 pairs
    rows = [
        dict(make_rows(1)[0], event_id=f"E{i}", latitude=str(16.27 + i / 300), location=f"P{i}")
        for i in range(5)
    ]
    new = coerce_frame(pd.DataFrame(rows))
    with pytest.raises(DedupeLimitError, match="GEO_DEDUPE_MAX_PAIRS"):
        find_duplicates(new, new.iloc[:0])


def test_copies_of_one_row_are_one_candidate_and_stay_under_the_pair_cap(monkeypatch):
    monkeypatch.setattr(config, "DEDUPE_MAX_PAIRS", 2_000)
    copies = coerce_frame(pd.DataFrame([dict(make_rows(1)[0], event_id="")] * 1_000))
    dups = find_duplicates(copies, copies.iloc[:0])
    assert dups["pos"].tolist() == list(range(1, 1_000))
    assert set(dups["duplicate_of"]) == {"incoming row 1"}


def test_import_refuses_a_wide_window_before_reading(tmp_path, capsys):
    code = main(["import", "--format", "acled", str(tmp_path / "never-read.csv"),
                 "--into", str(tmp_path / "s.csv"), "--dedupe-days", "20000"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "20000 days" in err and "GEO_DEDUPE_MAX_DAYS" in err and "--dedupe-days" in err


def test_import_refuses_a_negative_window(tmp_path, capsys):
    code = main(["import", "--format", "acled", str(tmp_path / "never-read.csv"),
                 "--into", str(tmp_path / "s.csv"), "--dedupe-days", "-1"])  # fmt: skip
    assert code == 2
    assert "--dedupe-days must be 0 or more" in capsys.readouterr().err


def test_import_reports_too_many_pairs_as_a_data_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "DEDUPE_MAX_PAIRS", 1)
    rows = [dict(r, event_id="") for r in make_rows(1) * 3]
    rows = [dict(r, latitude=str(16.27 + i / 300), location=f"P{i}") for i, r in enumerate(rows)]
    path = tmp_path / "near.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    store = tmp_path / "store.csv"
    code = main(["import", "--format", "csv", str(path), "--into", str(store)])
    assert code == 1
    assert "nothing was appended" in capsys.readouterr().err
    assert not store.exists()


# --------------------------------------------------------------------------
# Report extraction


def test_extract_refuses_a_report_over_the_cap(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "EXTRACT_MAX_KB", 1)
    report = tmp_path / "long.txt"
    report.write_text("Gunmen killed two people in Gao on Monday. " * 50, encoding="utf-8")
    code = main(["extract", str(report), "--date", "2013-02-12"])
    err = capsys.readouterr().err
    assert code == 1
    assert "KB of text" in err and "GEO_EXTRACT_MAX_KB" in err


# --------------------------------------------------------------------------
# Memory


def test_release_memory_runs_where_there_is_nothing_to_trim():
    limits.release_memory()
