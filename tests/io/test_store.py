from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from geo.io import store
from geo.model.schema import IncidentFileError


def test_read_incidents_returns_typed_frame(incident_csv):
    df = store.read_incidents(incident_csv)
    assert len(df) == 3
    assert df.loc[0, "fatalities"] == 3
    assert df.loc[1, "latitude"] == pytest.approx(18.4411)


def test_read_reports_every_bad_row(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[0, "fatalities"] = "many"
    bad.loc[2, "event_date"] = "15/01/2013"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(IncidentFileError) as info:
        store.read_incidents(path)
    rows = sorted((p.row, p.column) for p in info.value.problems)
    assert rows == [(2, "fatalities"), (4, "event_date")]
    assert str(path) in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(IncidentFileError, match="file not found"):
        store.read_incidents(tmp_path / "nope.csv")


def test_write_round_trips_and_keeps_backup(tmp_path, incident_csv):
    df = store.read_incidents(incident_csv)
    target = tmp_path / "store.csv"
    store.write_incidents(df, target)
    first = target.read_text()
    again = store.read_incidents(target)
    pd.testing.assert_frame_equal(again, df)
    store.write_incidents(df.iloc[:2], target)
    assert (tmp_path / "store.csv.bak").read_text() == first
    assert len(store.read_incidents(target)) == 2


def test_invalid_frame_is_not_written(tmp_path, incident_csv):
    df = store.read_incidents(incident_csv)
    target = tmp_path / "store.csv"
    store.write_incidents(df, target)
    before = target.read_bytes()
    broken = df.copy()
    broken.loc[0, "event_type"] = "Skirmish"
    with pytest.raises(IncidentFileError):
        store.write_incidents(broken, target)
    assert target.read_bytes() == before


def test_crash_during_replace_leaves_old_file(tmp_path, incident_csv, monkeypatch):
    df = store.read_incidents(incident_csv)
    target = tmp_path / "store.csv"
    store.write_incidents(df, target)
    before = target.read_bytes()

    def crash(src, dst):
        raise OSError("disk unplugged")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.write_incidents(df.iloc[:1], target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_rewrite_keeps_the_file_permissions(tmp_path, incident_csv):
    # a temporary file is created owner-only; the replaced store must not become so
    os.chmod(incident_csv, 0o644)
    store.write_incidents(store.read_incidents(incident_csv), incident_csv)
    assert stat.S_IMODE(os.stat(incident_csv).st_mode) == 0o644
    os.chmod(incident_csv, 0o640)
    store.write_incidents(store.read_incidents(incident_csv), incident_csv)
    assert stat.S_IMODE(os.stat(incident_csv).st_mode) == 0o640


def test_new_file_gets_the_umask_default(tmp_path, incident_csv):
    old = os.umask(0o027)
    try:
        target = tmp_path / "new.csv"
        store.write_incidents(store.read_incidents(incident_csv), target)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
