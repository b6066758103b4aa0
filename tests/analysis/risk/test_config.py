"""Tests for geo.analysis.risk.config: defaults, partial files and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import config
from geo.analysis.risk import RiskConfig, RiskConfigError, load_risk_config, score_areas
from tests.analysis.risk.risk_support import AS_OF, _areas, _joined, _row


def test_shipped_config_equals_defaults() -> None:
    assert load_risk_config(config.RISK_CONFIG_FILE) == RiskConfig()
    assert sum(RiskConfig().weights.values()) == pytest.approx(1.0)


def test_partial_config_keeps_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "risk.toml"
    path.write_text('[weights]\nseverity = 0.6\n\n[severity.sub_event_type]\n"Grenade" = 3.0\n')
    cfg = load_risk_config(path)
    assert cfg.weights["severity"] == 0.6
    assert cfg.weights["activity"] == 0.15
    assert cfg.severity_of("Explosions/Remote violence", "Grenade") == 3.0
    assert cfg.severity_of("Explosions/Remote violence", "Suicide bomb") == 2.0
    assert cfg.half_life_days == 30.0


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("[weights]\nseverity = -1\n", "weights.severity", "-1"),
        ("[weights]\nseverty = 0.2\n", "weights.severty", "0.2"),
        ("half_life = 10\n", "half_life", "10"),
        ("half_life_days = 0\n", "half_life_days", "0"),
        ("[levels]\nHigh = 20\n", "levels.High", "20"),
        ('[severity.sub_event_type]\n"Car bomb" = 2\n', "severity.sub_event_type.Car bomb", "2"),
        ("[half_at]\nfatalities = 0\n", "half_at.fatalities", "0"),
        ('[diffusion]\nlocation_decimals = "two"\n', "diffusion.location_decimals", "'two'"),
    ],
)
def test_config_errors_name_file_key_value(tmp_path: Path, text: str, key: str, value: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RiskConfigError) as info:
        load_risk_config(path)
    message = str(info.value)
    assert str(path) in message
    assert repr(key) in message
    assert value in message


def test_config_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("weights = [\n")
    with pytest.raises(RiskConfigError, match="not valid TOML"):
        load_risk_config(path)


def test_weights_change_scores_but_not_counts() -> None:
    heavy = RiskConfig(
        weights={"activity": 0, "severity": 0, "fatalities": 1, "civilians": 0, "diffusion": 0}
    )
    out = score_areas(_joined(), _areas(), AS_OF, config=heavy)
    north = _row(out, "North")
    assert north["score"] == round(north["c_fatalities"], 1)
    assert north["events"] == 2
