"""The prepared copy's upkeep: distinct keys prepared once, the CSV's stat before its hash."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from geo import config
from geo.analysis import pipeline
from geo.io import columnar, prepared_copy, store
from geo.io.synthetic import synthetic_incidents


def _whole(typed: pd.DataFrame) -> pd.DataFrame:
    """Every row joined and measured on its own: what prepare_rows must equal."""
    areas, _ = pipeline.covered_areas_for(typed)
    return pipeline.prepare(typed, areas=areas)


def _repeating_places(n: int, places: int, seed: int) -> pd.DataFrame:
    """Synthetic incidents coded to a few hundred places, as real reports are coded to towns."""
    frame = synthetic_incidents(n, seed=seed)
    pick = np.random.default_rng(seed).integers(0, places, n)
    return frame.assign(
        latitude=frame["latitude"].to_numpy()[pick],
        longitude=frame["longitude"].to_numpy()[pick],
    )


def test_the_shipped_store_prepared_by_distinct_key_equals_every_row_prepared() -> None:
    typed = store.read_incidents()
    points = len(typed[["latitude", "longitude"]].drop_duplicates())
    assert points < prepared_copy._DEDUPE_SHARE * len(typed)  # the grouped path is the one run
    pd.testing.assert_frame_equal(prepared_copy.prepare_rows(typed), _whole(typed))


@pytest.mark.parametrize(("places", "seed"), [(50, 3), (400, 4), (5_000, 5)])
def test_repeated_places_prepared_once_equal_every_row_prepared(places: int, seed: int) -> None:
    typed = _repeating_places(6_000, places, seed)
    # Rows at one place but of other precision or stated admin-1 keep their own results.
    typed.loc[typed.index[::7], "geo_precision"] = 3
    typed.loc[typed.index[::11], "admin1"] = "Gao"
    pd.testing.assert_frame_equal(prepared_copy.prepare_rows(typed), _whole(typed))


def test_rows_with_missing_coordinates_and_a_gapped_index_are_broadcast_right() -> None:
    typed = _repeating_places(800, 20, 6)
    typed.loc[typed.index[::9], ["latitude", "longitude"]] = np.nan
    typed = typed.iloc[::2].set_axis(np.arange(0, 800, 2) * 3 + 5)  # what carry_over passes
    pd.testing.assert_frame_equal(prepared_copy.prepare_rows(typed), _whole(typed))


def test_distinct_points_prepares_each_point_once(monkeypatch: pytest.MonkeyPatch) -> None:
    typed = _repeating_places(3_000, 40, 7)
    seen: list[int] = []
    real = pipeline.prepare

    def counting(frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        seen.append(len(frame))
        return real(frame, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", counting)
    prepared_copy.prepare_rows(typed)
    assert seen == [len(typed[list(prepared_copy.KEY_COLUMNS)].drop_duplicates())]


# --- the CSV's stat before its SHA-256 ---------------------------------------------------


@pytest.fixture
def settled_store(tmp_path: Path) -> Path:
    """The shipped store with its copy, written well after the CSV was last touched."""
    target = tmp_path / "incidents.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", target)
    time.sleep(0.25)  # past the racy window: the stamp can trust the stat
    columnar.prepared_incidents(target)
    return target


class _Hashes:
    """Counts the times the store's bytes (not the boundary files') are hashed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
        self.count = 0
        real = prepared_copy._file_sha256.__wrapped__

        def counting(path: str, size: int, mtime_ns: int, inode: int) -> str:
            if Path(path) == store_path:
                self.count += 1
            return real(path, size, mtime_ns, inode)

        monkeypatch.setattr(prepared_copy, "_file_sha256", counting)


def _edit_keeping_size_and_mtime(path: Path) -> None:
    """Change Tessalit's 5 deaths to 6 in place, then set the old times back."""
    before = path.stat()
    text = path.read_bytes()
    at = text.index(b",Tessalit,20.20126,1.01186,1,5,") + len(b",Tessalit,20.20126,1.01186,1,")
    with open(path, "r+b") as handle:
        handle.seek(at)
        handle.write(b"6")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_an_unchanged_store_is_read_without_hashing_its_bytes(
    settled_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = _Hashes(monkeypatch, settled_store)
    assert prepared_copy.read_copy(settled_store) is not None
    assert prepared_copy.copy_state(settled_store) == ""
    assert hashes.count == 0


def test_an_edit_keeping_size_and_modification_time_is_still_seen(
    settled_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = columnar.prepared_incidents(settled_store)
    _edit_keeping_size_and_mtime(settled_store)  # the change time moves all the same
    hashes = _Hashes(monkeypatch, settled_store)
    assert prepared_copy.read_copy(settled_store) is None
    assert hashes.count == 1
    assert "changed" in prepared_copy.copy_state(settled_store)
    after = columnar.prepared_incidents(settled_store)
    tessalit = (after["location"] == "Tessalit").to_numpy() & (before["fatalities"] == 5).to_numpy()
    assert after.loc[tessalit, "fatalities"].tolist() == [6]
    pd.testing.assert_frame_equal(after, pipeline.prepare(store.read_incidents(settled_store)))


def test_a_store_touched_just_before_its_stamp_is_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "incidents.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", target)
    # A window wide enough that the copy is stamped within it of the CSV's last write.
    monkeypatch.setattr(prepared_copy, "_RACY_NS", 600_000_000_000)
    columnar.prepared_incidents(target)
    hashes = _Hashes(monkeypatch, target)
    assert prepared_copy.read_copy(target) is not None
    assert hashes.count == 1


def test_a_copy_stamped_before_the_pre_check_is_hashed_and_still_used(
    settled_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = prepared_copy.read_copy(settled_store)
    assert frame is not None
    old_stamp = prepared_copy.CopyStamp(
        prepared_copy.csv_checksum(settled_store),
        settled_store.stat().st_size,
        prepared_copy.boundary_version(),
        len(frame),
    )
    monkeypatch.setattr(prepared_copy.CopyStamp, "of", classmethod(lambda cls, s, r: old_stamp))
    prepared_copy.write_copy(settled_store, frame)
    hashes = _Hashes(monkeypatch, settled_store)
    assert prepared_copy.read_copy(settled_store) is not None
    assert hashes.count == 1


@pytest.mark.parametrize(
    ("mtime_ns", "ctime_ns", "settled"),
    [
        (10_000_000_000, 10_050_000_000, True),  # ns times, 0.85 s before the stamp
        (10_000_000_000, 10_850_000_000, False),  # changed 50 ms before the stamp
        (8_000_000_000, 8_000_000_000, True),  # whole seconds, 2.9 s before
        (10_000_000_000, 10_000_000_000, False),  # whole seconds, 0.9 s before
    ],
)
def test_times_in_the_last_tick_before_the_stamp_are_not_trusted(
    mtime_ns: int, ctime_ns: int, settled: bool
) -> None:
    stat: Any = SimpleNamespace(st_mtime_ns=mtime_ns, st_ctime_ns=ctime_ns)
    assert prepared_copy._settled(stat, stamped_ns=10_900_000_000) is settled


# --- appends as part files ---------------------------------------------------------------


def _new_rows(n: int, seed: int) -> pd.DataFrame:
    return synthetic_incidents(n, seed=seed, start="2014-01-01").assign(event_id="")


def _csv_prepared(path: Path) -> pd.DataFrame:
    """The store read, checked and prepared from its CSV: what the copy must equal."""
    return pipeline.prepare(store.read_incidents(path))


@pytest.fixture
def parts_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped store with its copy; appends to it go to part files however large."""
    target = tmp_path / "incidents.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", target)
    columnar.prepared_incidents(target)
    monkeypatch.setattr(prepared_copy, "COMPACT_SHARE", 1e9)
    return target


def test_appends_add_part_files_and_the_copy_reads_as_the_csv(parts_store: Path) -> None:
    base = prepared_copy.copy_path(parts_store).read_bytes()
    store.append_incidents(_new_rows(30, seed=31), parts_store)
    # The second append brings columns the store did not have (who added the rows).
    store.append_incidents(_new_rows(20, seed=32), parts_store, added_by="analyst@example.org")
    store.append_incidents(_new_rows(25, seed=33), parts_store)
    assert prepared_copy.copy_path(parts_store).read_bytes() == base  # never rewritten
    assert all(prepared_copy.part_path(parts_store, k).exists() for k in (1, 2, 3))
    assert prepared_copy.copy_state(parts_store) == ""
    copy = prepared_copy.read_copy(parts_store)
    assert copy is not None and "added_by" in copy.columns
    pd.testing.assert_frame_equal(copy, _csv_prepared(parts_store))


def test_the_parts_are_compacted_into_one_file_after_max_parts(
    parts_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepared_copy, "MAX_PARTS", 2)
    for seed in (41, 42, 43):
        store.append_incidents(_new_rows(10, seed=seed), parts_store)
    assert not list(parts_store.parent.glob(".*.part*.parquet"))
    pd.testing.assert_frame_equal(prepared_copy.read_copy(parts_store), _csv_prepared(parts_store))
    store.append_incidents(_new_rows(10, seed=44), parts_store)  # a new chain from the new base
    assert prepared_copy.part_path(parts_store, 1).exists()
    pd.testing.assert_frame_equal(prepared_copy.read_copy(parts_store), _csv_prepared(parts_store))


def test_a_crash_writing_a_part_leaves_a_copy_that_is_rebuilt_from_the_rows_it_has(
    parts_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append_incidents(_new_rows(10, seed=51), parts_store)
    real_replace = os.replace

    def crash_on_parts(src: Any, dst: Any) -> None:
        if ".part" in Path(dst).name:
            raise OSError("killed while writing the part")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_parts)
    report = store.append_incidents(_new_rows(12, seed=52), parts_store)
    monkeypatch.setattr(os, "replace", real_replace)
    assert report.added == 12  # the CSV committed; its copy fell behind
    assert not prepared_copy.part_path(parts_store, 2).exists()
    assert not list(parts_store.parent.glob("*.tmp"))
    assert "changed" in prepared_copy.copy_state(parts_store)
    prepared: list[int] = []
    real = prepared_copy.prepare_rows

    def counting(typed: pd.DataFrame) -> pd.DataFrame:
        prepared.append(len(typed))
        return real(typed)

    monkeypatch.setattr(prepared_copy, "prepare_rows", counting)
    pd.testing.assert_frame_equal(
        columnar.prepared_incidents(parts_store), _csv_prepared(parts_store)
    )
    assert sum(prepared) == 12  # the rows of the base and the first part were carried over


def test_a_torn_or_foreign_part_ends_the_chain(parts_store: Path) -> None:
    store.append_incidents(_new_rows(10, seed=61), parts_store)
    store.append_incidents(_new_rows(10, seed=62), parts_store)
    prepared_copy.part_path(parts_store, 2).write_bytes(b"PAR1 torn")
    assert prepared_copy.read_copy(parts_store) is None  # the CSV has rows the chain lacks
    pd.testing.assert_frame_equal(
        columnar.prepared_incidents(parts_store), _csv_prepared(parts_store)
    )
    assert not prepared_copy.part_path(parts_store, 2).exists()  # the rebuild cleared it
    assert prepared_copy.copy_state(parts_store) == ""


def test_a_part_left_from_an_older_chain_is_not_read(
    parts_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append_incidents(_new_rows(10, seed=71), parts_store)
    old_part = prepared_copy.part_path(parts_store, 1).read_bytes()
    monkeypatch.setattr(prepared_copy, "COMPACT_SHARE", 0.0)  # the next append rewrites whole
    store.append_incidents(_new_rows(10, seed=72), parts_store)
    prepared_copy.part_path(parts_store, 1).write_bytes(old_part)  # e.g. restored from a backup
    pd.testing.assert_frame_equal(prepared_copy.read_copy(parts_store), _csv_prepared(parts_store))


def test_a_hand_edit_after_appends_is_seen(parts_store: Path) -> None:
    store.append_incidents(_new_rows(10, seed=81), parts_store)
    with parts_store.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert "changed" in prepared_copy.copy_state(parts_store)
    assert prepared_copy.read_copy(parts_store) is None


def test_rows_without_every_key_column_are_each_prepared() -> None:
    typed = _repeating_places(300, 5, 8).drop(columns=["admin1"])
    pd.testing.assert_frame_equal(prepared_copy.prepare_rows(typed), _whole(typed))


def test_a_store_named_like_a_pattern_keeps_its_parts_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = tmp_path / "incidents[1].csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", odd)
    columnar.prepared_incidents(odd)
    monkeypatch.setattr(prepared_copy, "COMPACT_SHARE", 1e9)
    store.append_incidents(_new_rows(10, seed=91), odd)
    assert prepared_copy._parts_from(odd, 1) == [prepared_copy.part_path(odd, 1)]
    pd.testing.assert_frame_equal(prepared_copy.read_copy(odd), _csv_prepared(odd))
