"""The store refuses what it cannot hold and leaves nothing behind (issue 10, "Hardening").

Whole-file errors for headers that cannot be read column by column, country
codes that disagree with the name, read-only stores, temporary files of
killed writers, rejected rows written before the store commits, and
generated ids that collide with ids in the same file.
"""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from geo.io import store
from geo.model.schema import COLUMNS, IncidentFileError
from tests.conftest import make_rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return path


def _cells(row: dict[str, str]) -> list[str]:
    return [row[c] for c in COLUMNS]


def test_a_duplicate_header_is_a_whole_file_error(tmp_path):
    header = [*COLUMNS, "latitude"]
    rows = [[*_cells(r), "12.0"] for r in make_rows(2)]
    path = _write(tmp_path / "dup.csv", header, rows)
    with pytest.raises(IncidentFileError) as info:
        store.read_raw(path)
    (problem,) = info.value.problems
    assert problem.row in (0, 1)
    assert "latitude" in str(problem) and "more than once" in str(problem)


def test_a_row_with_more_cells_than_the_header_is_a_whole_file_error(tmp_path):
    rows = [_cells(r) for r in make_rows(3)]
    rows[0] = [*rows[0], "stray"]  # the first data row: pandas would shift every column
    path = _write(tmp_path / "long.csv", list(COLUMNS), rows)
    with pytest.raises(IncidentFileError) as info:
        store.read_raw(path)
    text = str(info.value)
    assert "row 2" in text and f"{len(COLUMNS) + 1} cells" in text
    assert f"header has {len(COLUMNS)}" in text


def test_a_later_long_row_is_named_too(tmp_path):
    rows = [_cells(r) for r in make_rows(4)]
    rows[2] = [*rows[2], "x", "y"]
    path = _write(tmp_path / "long.csv", list(COLUMNS), rows)
    with pytest.raises(IncidentFileError, match=r"row 4 has \d+ cells"):
        store.read_raw(path)


def test_blank_header_cells_and_short_rows_still_read(tmp_path):
    rows = [[*_cells(r), ""] for r in make_rows(2)]
    rows[1] = rows[1][:-3]  # a short row is padded, as before
    path = _write(tmp_path / "ok.csv", [*COLUMNS, ""], rows)
    assert len(store.read_raw(path)) == 2


def test_a_country_and_iso3_that_disagree_are_refused_on_read(tmp_path):
    rows = make_rows(2)
    rows[1].update(country="Algeria", iso3="MLI")
    path = tmp_path / "c.csv"
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    with pytest.raises(IncidentFileError) as info:
        store.read_incidents(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "iso3")]
    assert "DZA" in str(info.value)


def test_append_rejects_a_country_that_disagrees_with_its_code(tmp_path):
    new = pd.DataFrame([dict(make_rows(1)[0], event_id="", iso3="NER")], columns=list(COLUMNS))
    report = store.append_incidents(new, tmp_path / "s.csv")
    assert (report.added, report.rejected) == (0, 1)
    assert report.problems[0].column == "iso3"


def test_a_read_only_store_is_refused_not_replaced(tmp_path, incident_csv):
    before = incident_csv.read_bytes()
    os.chmod(incident_csv, 0o444)
    new = pd.DataFrame([dict(make_rows(1)[0], event_id="", event_date="2013-06-01")])
    side = tmp_path / "rejected.csv"
    with pytest.raises(PermissionError, match="read-only"):
        store.append_incidents(new, incident_csv, rejected_path=side)
    assert incident_csv.read_bytes() == before
    assert stat.S_IMODE(os.stat(incident_csv).st_mode) == 0o444
    assert not side.exists()
    with pytest.raises(PermissionError, match="read-only"):
        store.atomic_write_text(incident_csv, "x")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporary_files_of_killed_writers_are_cleaned_on_the_next_write(tmp_path, incident_csv):
    folder = incident_csv.parent
    dead = folder / f".{incident_csv.name}.{_dead_pid()}.abc123.tmp"
    old_style = folder / f".{incident_csv.name}.k2j4h5.tmp"
    live = folder / f".{incident_csv.name}.{os.getpid()}.zzz999.tmp"  # a writer at work
    other = folder / ".another.csv.1.abc.tmp"
    for leftover in (dead, old_style, live, other):
        leftover.write_text("half a store")
    hour_ago = time.time() - 3600
    os.utime(old_style, (hour_ago, hour_ago))
    store.append_incidents(
        pd.DataFrame([dict(make_rows(1)[0], event_id="", event_date="2013-06-01")]),
        incident_csv,
    )
    assert not dead.exists() and not old_style.exists()
    assert live.exists() and other.exists()
    assert len(store.read_incidents(incident_csv)) == 4


def test_rejected_rows_are_written_only_after_the_store_commits(
    tmp_path, incident_csv, monkeypatch
):
    rows = [
        dict(make_rows(1)[0], event_id="", event_date="2013-06-01"),
        dict(make_rows(1)[0], event_id="", event_date="2013-13-40"),
    ]
    side = tmp_path / "rejected.csv"
    before = incident_csv.read_bytes()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies while the store is written

    monkeypatch.setattr(store, "write_incidents", killed)
    with pytest.raises(KeyboardInterrupt):
        store.append_incidents(pd.DataFrame(rows), incident_csv, rejected_path=side)
    assert incident_csv.read_bytes() == before
    assert not side.exists()  # a re-run must not double the rejects
    monkeypatch.undo()
    report = store.append_incidents(pd.DataFrame(rows), incident_csv, rejected_path=side)
    assert (report.added, report.rejected) == (1, 1)
    assert len(pd.read_csv(side, dtype=str)) == 1


def test_a_blank_id_next_to_an_explicit_generated_id_gets_a_free_one(tmp_path):
    target = tmp_path / "s.csv"
    new = pd.DataFrame(
        [
            dict(make_rows(1)[0], event_id=""),
            dict(make_rows(1)[0], event_id="GEO-000001", location="Kidal", event_date="2013-03-01"),
        ]
    )
    report = store.append_incidents(new, target)
    assert report.added == 2
    assert sorted(store.read_incidents(target)["event_id"]) == ["GEO-000001", "GEO-000002"]


def test_a_failing_final_check_names_incoming_rows_not_rows_missing_from_disk(
    tmp_path, incident_csv, monkeypatch
):
    # Should the combined frame ever fail its final check, the rows named are the
    # incoming file's, not rows past the end of the store on disk.
    new = pd.DataFrame([dict(make_rows(1)[0], event_id="", event_date="2013-06-01")])
    real = store.validate_frame

    def stricter(frame, file="<data>", **kwargs):
        found = real(frame, file=file, **kwargs)
        if len(frame) == 4:
            from geo.model.schema import Problem

            found = [Problem(file, 5, "notes", "x", "made-up final problem")]
        return found

    monkeypatch.setattr(store, "validate_frame", stricter)
    with pytest.raises(IncidentFileError) as info:
        store.append_incidents(new, incident_csv, file="new.csv", source_rows=[7])
    (problem,) = info.value.problems
    assert (problem.file, problem.row) == ("new.csv", 7)
