"""append_incidents: validation, duplicates, fresh ids, side file, lock, crash safety."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import pandas as pd
import pytest

from geo.io import store
from geo.model.schema import COLUMNS, IncidentFileError
from tests.conftest import make_rows


def _row(**changes: str) -> dict[str, str]:
    return dict(make_rows(1)[0], **changes)


def _new(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(COLUMNS))


def test_append_to_missing_store_creates_it_and_assigns_ids(tmp_path):
    target = tmp_path / "store.csv"
    new = _new(_row(event_id=""), _row(event_id="", location="Kidal", event_date="2013-03-01"))
    report = store.append_incidents(new, target)
    assert (report.added, report.duplicates, report.rejected) == (2, 0, 0)
    stored = store.read_incidents(target)
    assert stored["event_id"].tolist() == ["GEO-000001", "GEO-000002"]
    assert report.added_ids == ["GEO-000001", "GEO-000002"]


def test_new_ids_continue_above_existing_ones(tmp_path, incident_csv):
    store.append_incidents(_new(_row(event_id="", event_date="2013-05-01")), incident_csv)
    store.append_incidents(_new(_row(event_id="", event_date="2013-06-01")), incident_csv)
    ids = store.read_incidents(incident_csv)["event_id"].tolist()
    assert ids == ["T1", "T2", "T3", "GEO-000001", "GEO-000002"]


def test_colliding_event_id_is_renumbered_not_overwritten(tmp_path, incident_csv):
    new = _new(_row(event_id="T1", event_date="2013-07-01", location="Tessalit",
                    latitude="20.2", longitude="1.01"))  # fmt: skip
    report = store.append_incidents(new, incident_csv)
    assert report.added == 1
    assert report.renumbered == {"T1": "GEO-000001"}
    stored = store.read_incidents(incident_csv)
    assert stored["event_id"].is_unique
    assert stored.loc[0, "event_date"] == pd.Timestamp("2013-02-10")  # the old T1 is untouched


def test_duplicates_by_date_place_and_type_are_skipped(tmp_path, incident_csv):
    # T1 is a Battles event in Gao on 2013-02-10: one day later, 3 km away -> duplicate.
    near = _row(event_id="", event_date="2013-02-11", latitude="16.29", longitude="-0.03")
    # Same day and type but 300 km away -> kept.
    far = _row(event_id="", event_date="2013-02-10", location="Timbuktu",
               latitude="16.77", longitude="-3.0")  # fmt: skip
    # Same place and day but another event type -> kept.
    other_type = _row(event_id="", event_type="Protests", sub_event_type="Peaceful protest")
    report = store.append_incidents(_new(near, far, other_type), incident_csv)
    assert (report.added, report.duplicates) == (2, 1)
    dup = report.duplicate_rows.iloc[0]
    assert dup["row"] == 2 and dup["duplicate_of"] == "T1"
    assert "km" in dup["reason"]


def test_same_folded_location_name_counts_as_same_place(tmp_path, incident_csv):
    # Coordinates 50 km off but the same place name ("GAO" folds like "Gao").
    moved = _row(event_id="", location="GAO", latitude="16.7", longitude="-0.2")
    report = store.append_incidents(_new(moved), incident_csv, dedupe_km=1)
    assert report.duplicates == 1
    assert report.duplicate_rows.iloc[0]["reason"].endswith("same location name")


def test_dedupe_tolerances_are_configurable(tmp_path, incident_csv):
    near = _row(event_id="", event_date="2013-02-12", location="Gao east",
                latitude="16.29", longitude="-0.03")  # fmt: skip
    two_days = store.append_incidents(_new(near), incident_csv, dedupe_days=1)
    assert two_days.duplicates == 0  # 2 days after T1: outside a 1-day tolerance
    again = _new(dict(near, event_date="2013-02-13"))
    assert store.append_incidents(again, incident_csv, dedupe_days=None).added == 1


def test_same_origin_id_is_a_duplicate_and_same_source_ids_stay_distinct(tmp_path):
    target = tmp_path / "store.csv"
    a = _row(event_id="MLI1", origin_id="acled:MLI1")
    b = _row(event_id="MLI2", origin_id="acled:MLI2")  # same day, town and type as a
    first = store.append_incidents(_new(a, b).assign(origin_id=["acled:MLI1", "acled:MLI2"]),
                                   target)  # fmt: skip
    assert first.added == 2  # ACLED says these are two events: both kept
    again = store.append_incidents(_new(a).assign(origin_id="acled:MLI1", event_id="MLI1"), target)
    assert (again.added, again.duplicates) == (0, 1)
    assert "same source record" in again.duplicate_rows.iloc[0]["reason"]


def test_duplicates_inside_one_batch_keep_the_first(tmp_path):
    rows = _new(_row(event_id=""), _row(event_id="", latitude="16.28"))
    report = store.append_incidents(rows, tmp_path / "s.csv")
    assert (report.added, report.duplicates) == (1, 1)
    assert report.duplicate_rows.iloc[0]["duplicate_of"] == "incoming row 1"


def test_invalid_rows_are_rejected_to_the_side_file_and_valid_ones_land(tmp_path, incident_csv):
    bad = _row(event_id="", event_date="2013-13-40")
    good = _row(event_id="", event_date="2013-04-04")
    side = tmp_path / "rejected.csv"
    frame = pd.DataFrame([bad, good])[list(COLUMNS)]
    report = store.append_incidents(frame, incident_csv, rejected_path=side, file="paste")
    assert (report.added, report.rejected) == (1, 1)
    assert [(p.file, p.row, p.column) for p in report.problems] == [("paste", 2, "event_date")]
    rejected = pd.read_csv(side, dtype=str, keep_default_na=False)
    assert rejected.loc[0, "reject_row"] == "2"
    assert rejected.loc[0, "reject_column"] == "event_date"
    assert rejected.loc[0, "reject_value"] == "2013-13-40"
    assert rejected.loc[0, "event_date"] == "2013-13-40"  # the row itself is kept
    # A second append adds to the side file instead of replacing it.
    store.append_incidents(frame.iloc[[0]], incident_csv, rejected_path=side)
    assert len(pd.read_csv(side, dtype=str)) == 2


def test_invalid_store_is_never_rewritten(tmp_path, raw_rows):
    broken = raw_rows.copy()
    broken.loc[1, "latitude"] = "north"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    before = path.read_bytes()
    with pytest.raises(IncidentFileError):
        store.append_incidents(_new(_row(event_id="", event_date="2014-01-01")), path)
    assert path.read_bytes() == before


def test_typed_frames_append_like_text(tmp_path, incident_csv):
    typed = store.read_incidents(incident_csv).assign(
        event_id="", event_date=pd.to_datetime(["2014-01-01", "2014-02-01", "2014-03-01"])
    )
    report = store.append_incidents(typed, tmp_path / "copy.csv")
    assert report.added == 3
    back = store.read_incidents(tmp_path / "copy.csv")
    assert back["latitude"].tolist() == typed["latitude"].tolist()


def _append_many(path: str, tag: str, n: int, barrier) -> None:
    barrier.wait()
    for i in range(n):
        row = _row(
            event_id="",
            event_date=f"2014-{1 + i // 28:02d}-{1 + i % 28:02d}",
            location=f"{tag} {i}",
            # Distinct points, all in Mali north of Gao (a point must lie in its country).
            latitude=f"{15.5 + i * 0.2:.2f}" if tag == "a" else f"{17.9 + i * 0.2:.2f}",
            notes=f"writer {tag} row {i}",
        )
        store.append_incidents(_new(row), path, dedupe_days=None)


def test_two_processes_appending_at_once_lose_nothing(tmp_path, incident_csv):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    n = 12
    writers = [
        ctx.Process(target=_append_many, args=(str(incident_csv), tag, n, barrier))
        for tag in ("a", "b")
    ]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
        assert w.exitcode == 0
    stored = store.read_incidents(incident_csv)
    assert len(stored) == 3 + 2 * n
    assert stored["event_id"].is_unique
    notes = set(stored["notes"])
    assert all(f"writer {t} row {i}" in notes for t in "ab" for i in range(n))


def test_crash_during_write_leaves_the_old_file_intact(tmp_path, incident_csv, monkeypatch):
    before = incident_csv.read_bytes()

    def crash(src, dst):
        raise OSError("simulated power cut during rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        store.append_incidents(_new(_row(event_id="", event_date="2015-01-01")), incident_csv)
    monkeypatch.undo()
    assert incident_csv.read_bytes() == before
    assert store.read_incidents(incident_csv)["event_id"].tolist() == ["T1", "T2", "T3"]
    leftovers = [p.name for p in Path(tmp_path).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_killed_writer_leaves_the_old_file_intact(tmp_path, incident_csv):
    """A process killed while its temporary file is half written changes nothing."""
    ctx = mp.get_context("spawn")
    started = ctx.Event()
    proc = ctx.Process(target=_write_forever, args=(str(incident_csv), started))
    before = incident_csv.read_bytes()
    proc.start()
    assert started.wait(60)
    proc.kill()
    proc.join(30)
    assert incident_csv.read_bytes() == before
    store.read_incidents(incident_csv)  # still valid


def _write_forever(path: str, started) -> None:
    # Stand-in for a huge write: keep writing the temporary file until killed.
    import geo.io.store as s

    real_fdopen = os.fdopen

    class Slow:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            self.handle.write(text)
            self.handle.flush()
            started.set()
            import time

            while True:
                time.sleep(0.05)

        def flush(self):
            self.handle.flush()

        def fileno(self):
            return self.handle.fileno()

    s.os.fdopen = lambda *a, **k: Slow(real_fdopen(*a, **k))  # type: ignore[assignment]
    s.append_incidents(_new(_row(event_id="", event_date="2016-01-01")), path)


def test_a_source_record_is_a_duplicate_whatever_its_date_in_a_big_store(tmp_path):
    # Only stored rows near the incoming dates are compared by place, but a
    # shared origin_id is a duplicate at any distance in time.
    target = tmp_path / "store.csv"
    rows = [
        _row(event_id=f"S{k}", event_date=f"2012-{1 + k % 12:02d}-{1 + k % 28:02d}")
        for k in range(40)
    ]
    stored = _new(*rows).assign(origin_id=[f"acled:{k}" for k in range(40)])
    assert store.append_incidents(stored, target, dedupe_days=None).added == 40
    later = _new(
        _row(event_id="", event_date="2013-06-01"), _row(event_id="", event_date="2012-03-03")
    )
    report = store.append_incidents(later.assign(origin_id=["acled:7", ""]), target)
    assert report.duplicates == 2
    reasons = report.duplicate_rows.set_index("row")["reason"]
    assert "same source record (acled:7)" in reasons[2]
    assert report.duplicate_rows.set_index("row")["duplicate_of"][3] == "S2"


def test_the_previous_store_is_kept_as_bak_and_is_its_own_file(tmp_path, incident_csv):
    before = incident_csv.read_bytes()
    store.append_incidents(_new(_row(event_id="", event_date="2013-07-01")), incident_csv)
    backup = incident_csv.with_name(incident_csv.name + ".bak")
    assert backup.read_bytes() == before
    assert not os.path.samefile(backup, incident_csv)
    assert os.stat(backup).st_nlink == 1
