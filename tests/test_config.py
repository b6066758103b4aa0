"""Settings: which overrides file belongs to which incident store."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import config


def test_the_shipped_store_keeps_the_shipped_overrides() -> None:
    shipped = config.DATA_DIR / "incidents.csv"
    assert config.risk_overrides_file(shipped) == config.RISK_OVERRIDES_FILE


def test_a_store_elsewhere_gets_its_own_overrides_file_never_the_shipped_one(
    tmp_path: Path,
) -> None:
    for name in ("incidents.csv", "big.csv"):
        store = tmp_path / name
        expected = tmp_path / f"{store.stem}.overrides.csv"
        assert config.risk_overrides_file(store) == expected
    # Another store in the shipped folder is another store too.
    other = config.DATA_DIR / "synthetic.csv"
    assert config.risk_overrides_file(other) == config.DATA_DIR / "synthetic.overrides.csv"


def test_the_default_follows_the_configured_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "INCIDENTS_CSV", tmp_path / "million.csv")
    assert config.risk_overrides_file() == tmp_path / "million.overrides.csv"


def test_an_overrides_file_beside_the_default_store_name_is_that_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The layout the shipped data uses, in another folder (as the app tests set it up).
    monkeypatch.setattr(config, "RISK_OVERRIDES_FILE", tmp_path / "risk_overrides.csv")
    assert config.risk_overrides_file(tmp_path / "incidents.csv") == tmp_path / "risk_overrides.csv"
    own = tmp_path / "incidents.overrides.csv"
    own.write_text("area,level,reason,expires,set_by,set_on\n", encoding="utf-8")
    assert config.risk_overrides_file(tmp_path / "incidents.csv") == own
