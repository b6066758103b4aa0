"""Commands read the store's columnar copy, and a store's overrides travel with it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo import cli, config
from geo.analysis import pipeline
from geo.io import prepared_copy

OVERRIDES_HEADER = "area,level,reason,expires,set_by,set_on\n"


@pytest.fixture
def other_store(tmp_path: Path) -> Path:
    """The shipped incidents as another store, without the shipped store's overrides."""
    target = tmp_path / "other.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", target)
    return target


class _Prepares:
    """Counts the rows joined and measured (pipeline.prepare) during a command."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = 0
        real = pipeline.prepare

        def counting(frame: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
            self.rows += len(frame)
            return real(frame, *args, **kwargs)

        monkeypatch.setattr(pipeline, "prepare", counting)


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["risk", "--as-of", "2013-02-28", "--format", "json"],
        ["summary"],
        ["join"],
        ["brief", "--as-of", "2013-02-28", "--draft-judgements"],
    ],
)
def test_a_command_prepares_the_store_once_then_reads_its_copy(
    argv: list[str],
    other_store: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [argv[0], str(other_store), *argv[1:]]
    first = _out(capsys, *args)  # no copy yet: built here
    assert prepared_copy.copy_state(other_store) == ""
    prepares = _Prepares(monkeypatch)
    second = _out(capsys, *args)
    assert prepares.rows == 0
    assert second == first


def test_join_with_its_own_snapping_joins_the_rows_itself(
    other_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _out(capsys, "join", str(other_store))
    prepares = _Prepares(monkeypatch)
    _out(capsys, "join", str(other_store), "--snap-km", "50")
    assert prepares.rows == 19


def test_risk_for_some_countries_only_joins_the_rows_itself(
    other_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _out(capsys, "risk", str(other_store), "--as-of", "2013-02-28")
    prepares = _Prepares(monkeypatch)
    out = _out(capsys, "risk", str(other_store), "--as-of", "2013-02-28", "--iso3", "MLI")
    assert prepares.rows == 19
    assert "Kidal" in out


def _high_sentence(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    out = _out(capsys, "brief", *argv, "--as-of", "2013-02-28", "--draft-judgements")
    return next((line for line in out.splitlines() if line.startswith("At High")), "")


def test_brief_applies_the_overrides_of_the_store_it_reads(
    other_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The configured store (the shipped one) has overrides: Gao and Timbuktu at High.
    assert "(2 by analyst override): Gao, Timbuktu" in _high_sentence(capsys)
    # Another store has none of its own: the shipped ones are not its.
    assert "by analyst override" not in _high_sentence(capsys, str(other_store))
    config_store = config.INCIDENTS_CSV
    monkeypatch.setattr(config, "INCIDENTS_CSV", other_store)  # even when it is configured
    assert "by analyst override" not in _high_sentence(capsys)
    monkeypatch.setattr(config, "INCIDENTS_CSV", config_store)
    # Its own overrides file, beside it, travels with it.
    (other_store.parent / "other.overrides.csv").write_text(
        OVERRIDES_HEADER + "Kidal,Extreme,This store's analyst,2013-03-31,B. Analyst,2013-02-01\n",
        encoding="utf-8",
    )
    assert "(1 by analyst override): Kidal" in _high_sentence(capsys, str(other_store))


def test_brief_refuses_a_store_whose_overrides_are_invalid(
    other_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (other_store.parent / "other.overrides.csv").write_text(
        OVERRIDES_HEADER + "Kidal,Apocalyptic,?,2013-03-31,B. Analyst,2013-02-01\n",
        encoding="utf-8",
    )
    code = cli.main(["brief", str(other_store), "--draft-judgements"])
    err = capsys.readouterr().err
    assert code == 1
    assert "other.overrides.csv" in err and "Apocalyptic" in err
    assert "Traceback" not in err
