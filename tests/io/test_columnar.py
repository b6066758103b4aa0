"""The prepared copy beside a CSV store: equal to the CSV prepared, kept current, rebuilt."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo import config
from geo.analysis.pipeline import prepare
from geo.io import columnar, prepared_copy, store
from geo.io.synthetic import synthetic_incidents


def _expected(path: Path) -> pd.DataFrame:
    """What the app showed before the copy existed: the CSV read, checked and prepared."""
    return prepare(store.read_incidents(path))


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    target = tmp_path / "incidents.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", target)
    return target


@pytest.fixture
def synthetic_store(tmp_path: Path) -> Path:
    target = tmp_path / "synthetic.csv"
    store.write_incidents(synthetic_incidents(2_000, seed=11), target, backup=False)
    return target


class _Counter:
    """Counts the rows :func:`geo.io.prepared_copy.prepare_rows` joins and measures."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = 0
        real = prepared_copy.prepare_rows

        def counting(typed: pd.DataFrame) -> pd.DataFrame:
            self.rows += len(typed)
            return real(typed)

        monkeypatch.setattr(prepared_copy, "prepare_rows", counting)


def _new_rows(n: int, seed: int) -> pd.DataFrame:
    return synthetic_incidents(n, seed=seed, start="2014-01-01").assign(event_id="")


@pytest.mark.parametrize("which", ["shipped", "synthetic_store"])
def test_the_copy_gives_the_frame_the_csv_gives(which, request, monkeypatch):
    path = request.getfixturevalue(which)
    expected = _expected(path)
    first = columnar.prepared_incidents(path)
    assert prepared_copy.copy_path(path).exists()
    counter = _Counter(monkeypatch)
    second = columnar.prepared_incidents(path)
    assert counter.rows == 0  # read from the copy, not prepared again
    pd.testing.assert_frame_equal(first, expected)
    pd.testing.assert_frame_equal(second, expected)


def test_an_append_joins_only_the_new_rows_and_keeps_the_copy_equal(synthetic_store, monkeypatch):
    columnar.prepared_incidents(synthetic_store)
    counter = _Counter(monkeypatch)
    report = store.append_incidents(_new_rows(300, seed=12), synthetic_store)
    assert report.added > 250 and report.rejected == 0
    assert counter.rows == report.added
    assert prepared_copy.copy_state(synthetic_store) == ""
    copy = prepared_copy.read_copy(synthetic_store)
    assert copy is not None
    pd.testing.assert_frame_equal(copy, _expected(synthetic_store))


def test_an_append_bringing_a_new_column_rewrites_the_store_and_keeps_the_copy_equal(
    synthetic_store,
):
    columnar.prepared_incidents(synthetic_store)
    store.append_incidents(
        _new_rows(50, seed=13), synthetic_store, added_by="ana", added_at="2026-01-01T10:00:00"
    )
    store.append_incidents(
        _new_rows(40, seed=14), synthetic_store, added_by="bo", added_at="2026-01-02T10:00:00"
    )
    copy = prepared_copy.read_copy(synthetic_store)
    assert copy is not None and {"added_by", "added_at"} <= set(copy.columns)
    pd.testing.assert_frame_equal(copy, _expected(synthetic_store))


def test_an_append_leaves_the_stored_bytes_as_they_were(shipped):
    before = shipped.read_bytes()
    columnar.prepared_incidents(shipped)
    store.append_incidents(_new_rows(5, seed=15), shipped)
    after = shipped.read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    pd.testing.assert_frame_equal(columnar.prepared_incidents(shipped), _expected(shipped))


def test_a_store_not_ending_in_a_newline_gets_one_before_the_new_rows(shipped):
    shipped.write_bytes(shipped.read_bytes().rstrip(b"\n"))
    columnar.prepared_incidents(shipped)
    store.append_incidents(_new_rows(3, seed=16), shipped)
    pd.testing.assert_frame_equal(columnar.prepared_incidents(shipped), _expected(shipped))


def test_a_hand_edit_is_seen_and_only_the_edited_rows_are_joined_again(
    synthetic_store, monkeypatch
):
    columnar.prepared_incidents(synthetic_store)
    frame = store.read_incidents(synthetic_store)
    # Move one incident to Gao (a place whose area differs from most), change another's notes.
    frame.loc[5, ["latitude", "longitude"]] = [16.2717, -0.0447]
    frame.loc[9, "notes"] = "SYNTHETIC, edited by hand"
    text = store.to_csv_frame(frame).to_csv(index=False, lineterminator="\n")
    synthetic_store.write_text(text, encoding="utf-8")
    assert "changed" in prepared_copy.copy_state(synthetic_store)
    messages: list[str] = []
    counter = _Counter(monkeypatch)
    got = columnar.prepared_incidents(synthetic_store, progress=messages.append)
    assert counter.rows == 1
    assert any("edited by hand" in m for m in messages)
    assert got.loc[5, "area"] == "Gao" and got.loc[9, "notes"] == "SYNTHETIC, edited by hand"
    pd.testing.assert_frame_equal(got, _expected(synthetic_store))
    assert prepared_copy.copy_state(synthetic_store) == ""


def test_a_touched_but_unchanged_csv_keeps_its_copy(shipped, monkeypatch):
    columnar.prepared_incidents(shipped)
    os.utime(shipped, ns=(1, 1))
    counter = _Counter(monkeypatch)
    columnar.prepared_incidents(shipped)
    assert counter.rows == 0


def test_other_boundary_data_rebuilds_every_row(shipped, tmp_path, monkeypatch):
    columnar.prepared_incidents(shipped)
    borders = tmp_path / "land_borders.geojson"
    shutil.copy(config.LAND_BORDERS_FILE, borders)
    with open(borders, "a", encoding="utf-8") as handle:
        handle.write("\n")  # other bytes, same borders
    monkeypatch.setattr(config, "LAND_BORDERS_FILE", borders)
    assert "boundary" in prepared_copy.copy_state(shipped)
    counter = _Counter(monkeypatch)
    columnar.prepared_incidents(shipped)
    assert counter.rows == len(store.read_incidents(shipped))


def test_an_unreadable_copy_is_rebuilt(shipped):
    columnar.prepared_incidents(shipped)
    prepared_copy.copy_path(shipped).write_bytes(b"not parquet")
    assert "unreadable" in prepared_copy.copy_state(shipped)
    pd.testing.assert_frame_equal(columnar.prepared_incidents(shipped), _expected(shipped))


def test_an_invalid_store_is_refused_not_cached(shipped):
    columnar.prepared_incidents(shipped)
    text = shipped.read_text(encoding="utf-8").replace("2013-02-", "2013-13-", 1)
    shipped.write_text(text, encoding="utf-8")
    with pytest.raises(store.IncidentFileError):
        columnar.prepared_incidents(shipped)


def test_data_version_follows_the_bytes(shipped, tmp_path):
    version = columnar.data_version(shipped)
    assert version.startswith("sha256:")
    twin = tmp_path / "twin.csv"
    shutil.copy(shipped, twin)
    assert columnar.data_version(twin) == version
    with open(twin, "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert columnar.data_version(twin) != version
    assert columnar.data_version(tmp_path / "none.csv") == "missing"


def test_a_crash_during_an_append_leaves_store_and_copy_matching(shipped, monkeypatch):
    columnar.prepared_incidents(shipped)
    before = shipped.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.append_incidents(_new_rows(5, seed=17), shipped)
    monkeypatch.undo()
    assert shipped.read_bytes() == before
    assert prepared_copy.copy_state(shipped) == ""


def _append_in_child(path: str, seed: int) -> None:
    store.append_incidents(_new_rows(20, seed=seed), path, dedupe_days=None)


def test_two_processes_appending_at_once_keep_the_copy_equal(shipped):
    columnar.prepared_incidents(shipped)
    ctx = mp.get_context("spawn")
    workers = [ctx.Process(target=_append_in_child, args=(str(shipped), s)) for s in (21, 22)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    expected = _expected(shipped)
    assert len(expected) == 19 + 40
    assert prepared_copy.copy_state(shipped) == ""
    pd.testing.assert_frame_equal(columnar.prepared_incidents(shipped), expected)


def test_a_copy_that_cannot_be_written_still_gives_the_frame(shipped, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only folder")

    monkeypatch.setattr(prepared_copy, "atomic_write_bytes", refuse)
    messages: list[str] = []
    got = columnar.prepared_incidents(shipped, progress=messages.append)
    pd.testing.assert_frame_equal(got, _expected(shipped))
    assert not prepared_copy.copy_path(shipped).exists()
    assert "the copy was not saved" in messages[-1]


def test_a_missing_store_is_refused_as_the_csv_reader_refuses_it(shipped):
    columnar.prepared_incidents(shipped)
    shipped.unlink()  # its copy stays behind
    with pytest.raises(store.IncidentFileError, match="incidents.csv"):
        columnar.prepared_incidents(shipped)
