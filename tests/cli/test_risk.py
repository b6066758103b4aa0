"""Tests for the ``python -m geo risk`` command (geo.cli.risk) on the risk fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geo import cli
from tests.analysis.risk.risk_support import AREAS_FILE, AS_OF, HEADER, INCIDENTS, _write

CLI_BASE = [
    "risk",
    str(INCIDENTS),
    "--boundaries",
    str(AREAS_FILE),
    "--name-field",
    "name",
    "--code-field",
    "code",
    "--no-overrides",
]


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--all"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("#"))
    for word in ("area", "score", "level", "override", "final", "trend", "sev", "dif"):
        assert word in header
    north = next(line for line in lines if line.startswith("1 "))
    assert "North" in north and "23.9" in north and "Moderate" in north
    # Columns are aligned: the level column starts at the same offset on every row.
    rows = [line for line in lines if re.match(r"\d+  ", line)]
    starts = {
        line.index(level) for line, level in zip(rows, ["Moderate", "Low", "Low"], strict=True)
    }
    assert len(starts) == 1
    assert "2012-12-01 .. 2013-02-28" in text
    assert "1 in none of these areas" in text


def test_cli_table_shows_override_beside_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path, HEADER + "North,Extreme,Analyst knows more,2013-03-31,A. Analyst,2013-02-01\n"
    )
    argv = [a for a in CLI_BASE if a != "--no-overrides"]
    assert cli.main([*argv, "--as-of", AS_OF, "--overrides", str(path)]) == 0
    out = capsys.readouterr().out
    north = next(line for line in out.splitlines() if line.startswith("1 "))
    assert "Moderate" in north and "Extreme (to 2013-03-31)" in north
    assert north.index("Moderate") < north.index("Extreme (to")
    assert "Analyst knows more" in out


def test_cli_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--format", "csv"]) == 0
    from io import StringIO

    frame = pd.read_csv(StringIO(capsys.readouterr().out), keep_default_na=False)
    assert list(frame["area"]) == ["North", "South", "East"]
    assert frame.loc[0, "score"] == 23.9
    assert "c_severity" in frame.columns and "final_level" in frame.columns


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == AS_OF and doc["window_days"] == 90
    east = doc["areas"][2]
    assert east["area"] == "East" and east["days_since_last"] is None
    assert east["trend_pct"] is None and east["override_expires"] is None


def test_cli_as_of_defaults_to_latest_incident(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["as_of"] == "2013-03-01"
    assert "2013-03-01" in captured.err


@pytest.mark.parametrize(
    "extra",
    [
        ["--as-of", "28/02/2013"],
        ["--window-days", "0"],
        ["--format", "xml"],
        ["--config", "no-such-file.toml"],
        ["--overrides", "no-such-file.csv"],
    ],
)
def test_cli_usage_errors_exit_2(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*CLI_BASE, *extra]) == 2
    assert "error" in capsys.readouterr().err


def test_cli_name_field_needs_boundaries(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["risk", str(INCIDENTS), "--name-field", "name"]) == 2


def test_cli_bad_overrides_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, HEADER + "North,Severe,x,2013-03-31,A,2013-02-01\n")
    argv = [a for a in CLI_BASE if a != "--no-overrides"]
    assert cli.main([*argv, "--as-of", AS_OF, "--overrides", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "'level'" in err and "Severe" in err


def test_cli_bad_config_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "risk.toml"
    path.write_text("[weights]\nseverity = -2\n")
    assert cli.main([*CLI_BASE, "--as-of", AS_OF, "--config", str(path)]) == 1
    assert "weights.severity" in capsys.readouterr().err


def _override_levels(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    assert cli.main(["risk", *argv, "--as-of", "2013-02-28", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    return {a["area"]: a["override_level"] for a in doc["areas"] if a["override_level"]}


def test_the_shipped_overrides_belong_to_the_shipped_store_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo import config

    shipped = _override_levels(capsys, str(config.DATA_DIR / "incidents.csv"))
    assert shipped == {"Gao": "High", "Timbuktu": "High", "Mopti": "Elevated"}
    elsewhere = tmp_path / "incidents.csv"
    elsewhere.write_bytes((config.DATA_DIR / "incidents.csv").read_bytes())
    assert _override_levels(capsys, str(elsewhere)) == {}
    # A store's own overrides travel with it: <stem>.overrides.csv beside it.
    (tmp_path / "incidents.overrides.csv").write_text(
        HEADER + "Kidal,Extreme,This store's analyst,2013-03-31,B. Analyst,2013-02-01\n",
        encoding="utf-8",
    )
    assert _override_levels(capsys, str(elsewhere)) == {"Kidal": "Extreme"}
