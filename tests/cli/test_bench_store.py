"""The store bench: appends as part files against the whole copy, the join by distinct place."""

from __future__ import annotations

from typing import Any

import pytest

from geo.cli import bench_store
from geo.io import prepared_copy


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step in this process, with small appends and many rows per place."""

    def run(step: Any, *args: Any) -> dict[str, float]:
        return bench_store._child(step, *args)

    monkeypatch.setattr(bench_store, "_in_fresh_process", run)
    monkeypatch.setattr(bench_store, "APPEND_ROWS", 100)
    monkeypatch.setattr(bench_store, "ROWS_PER_PLACE", 20)


def test_the_bench_times_both_appends_and_the_join_by_distinct_place(
    in_process: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = bench_store.bench_cold_start([600], seed=5)
    row = rows[0]
    # A few synthetic rows may be taken for duplicates of the rows appended before them.
    assert row["append_copy"]["added"] == 100 and row["append_whole"]["added"] >= 90
    assert prepared_copy.COMPACT_SHARE == 0.25  # the whole append put it back
    assert 0 < row["places"]["keys"] <= 600 // 20 * 4  # places, times precision and admin-1
    assert row["places"]["every"] > 0 and row["places"]["distinct"] > 0
    out = capsys.readouterr().out
    assert "copy written whole (s)" in out
    assert any(line.startswith("| 600 | ") for line in out[out.index("Full join") :].splitlines())
