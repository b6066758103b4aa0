"""``python -m geo bench``: the fair baseline, the grid note and the cold-start tables."""

from __future__ import annotations

from typing import Any

import pytest

from geo.cli import bench_store, main


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cold-start step in this process: the same steps, without spawning interpreters."""

    def run(step: Any, *args: Any) -> dict[str, float]:
        return bench_store._child(step, *args)

    monkeypatch.setattr(bench_store, "_in_fresh_process", run)
    monkeypatch.setattr(bench_store, "APPEND_ROWS", 200)


def test_bench_compares_with_fastmarkercluster_and_says_when_it_draws_a_grid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "--sizes", "300", "--naive-max", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "FastMarkerCluster: build (s)" in out and "FastMarkerCluster / ours (time)" in out
    assert "Above 20,000 incidents our map draws a grid of counts" in out
    assert "Cold start" not in out  # small sizes alone time no cold start by default


def test_cold_start_tables_compare_the_csv_path_with_the_copy(
    in_process: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "--sizes", "300", "--naive-max", "0", "--repeat", "1", "--cold-start", "500"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    table = out[out.index("Cold start of the file store") :]
    row = next(line for line in table.splitlines() if line.startswith("| 500 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 11 and cells[6].endswith("x")
    appended = out[out.index("Appending 200 new rows") :]
    assert any(line.startswith("| 500 |") for line in appended.splitlines())


def test_the_append_with_a_copy_adds_every_new_row(in_process: None, tmp_path: Any) -> None:
    rows = bench_store.bench_cold_start([400], seed=3)
    assert rows[0]["append_copy"]["added"] == 200
    assert rows[0]["append_csv"]["added"] == 200
    assert rows[0]["copy"]["frame"] > 0 and rows[0]["csv"]["join"] > 0
