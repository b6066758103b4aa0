"""The map cache's key for the risk table: the table's content, not the bytes of its pickle."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from appkit import map_cache
from geo.analysis import periods, pipeline
from geo.analysis.risk import score_areas
from geo.io.store import read_incidents
from geo.render.maps.live import build_live_map
from tests.app.app_support import app_test, write_store


@pytest.fixture(scope="module")
def shipped_risk() -> pd.DataFrame:
    typed = read_incidents()
    areas, _ = pipeline.covered_areas_for(typed)
    prepared = pipeline.prepare(typed, areas=areas)
    return score_areas(prepared, areas, periods.data_period(prepared)[1])


def test_a_copy_from_the_cache_has_the_digest_of_the_table_first_computed(
    shipped_risk: pd.DataFrame,
) -> None:
    # st.cache_data hands later runs an unpickled copy of the risk table.
    copy = pickle.loads(pickle.dumps(shipped_risk, protocol=5))
    assert map_cache._digest(copy) == map_cache._digest(shipped_risk)


def test_any_changed_cell_dtype_or_row_order_changes_the_digest(shipped_risk: pd.DataFrame) -> None:
    base = map_cache._digest(shipped_risk)
    level = shipped_risk.copy()
    level.loc[level.index[0], "final_level"] = (
        "Low" if level["final_level"].iloc[0] != "Low" else "High"
    )
    score = shipped_risk.copy()
    score.loc[score.index[-1], "score"] += 1e-9
    wider = shipped_risk.astype({"events": "float64"})
    flipped = shipped_risk.iloc[::-1]
    digests = {map_cache._digest(f) for f in (level, score, wider, flipped)}
    assert base not in digests
    assert len(digests) == 4


def test_a_table_holding_lists_still_gets_a_digest() -> None:
    frame = pd.DataFrame({"area": ["Gao"], "notes": [["a", "b"]]})
    other = pd.DataFrame({"area": ["Gao"], "notes": [["a", "c"]]})
    assert map_cache._digest(frame) != map_cache._digest(other)


def test_the_first_run_and_its_rerun_build_the_map_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    st.cache_data.clear()
    built: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return build_live_map(*args, **kwargs)

    monkeypatch.setattr(map_cache, "build_live_map", counting)
    at = app_test(write_store(tmp_path / "incidents.csv"), monkeypatch)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # the same session again (a widget, a query parameter): the shared map
    assert not at.exception
    assert len(built) == 1
