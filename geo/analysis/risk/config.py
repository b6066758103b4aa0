"""Risk settings: every tunable number, the checks on them and the TOML reader.

:class:`RiskConfig` holds the numbers (its defaults are the shipped
``config/risk.toml``), :func:`load_risk_config` reads a file over those
defaults, and ``_config_problems`` runs one named check per setting so a bad
file is reported key by key, never half-applied.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from geo import config as settings
from geo.model.levels import LEVELS
from geo.model.schema import EVENT_TYPES, SUB_EVENT_TO_TYPE

__all__ = ["COMPONENTS", "RiskConfig", "RiskConfigError", "load_risk_config"]

COMPONENTS: tuple[str, ...] = ("activity", "severity", "fatalities", "civilians", "diffusion")
"""Component names; the output has ``c_<name>`` (0-100) and ``x_<name>`` (raw quantity)."""


# --------------------------------------------------------------------------
# Defaults and the settings object
# --------------------------------------------------------------------------


def _default_weights() -> dict[str, float]:
    return {
        "activity": 0.15,
        "severity": 0.30,
        "fatalities": 0.25,
        "civilians": 0.15,
        "diffusion": 0.15,
    }


def _default_half_at() -> dict[str, float]:
    return {
        "activity": 8.0,
        "severity": 6.0,
        "fatalities": 20.0,
        "civilians": 3.0,
        "diffusion": 4.0,
    }


def _default_levels() -> dict[str, float]:
    return {"Moderate": 10.0, "Elevated": 25.0, "High": 45.0, "Extreme": 65.0}


def _default_event_type_severity() -> dict[str, float]:
    return {
        "Battles": 1.0,
        "Explosions/Remote violence": 1.2,
        "Violence against civilians": 1.2,
        "Riots": 0.4,
        "Protests": 0.1,
        "Strategic developments": 0.2,
    }


def _default_sub_event_severity() -> dict[str, float]:
    return {
        "Armed clash": 1.0,
        "Government regains territory": 0.8,
        "Non-state actor overtakes territory": 1.5,
        "Chemical weapon": 2.0,
        "Suicide bomb": 2.0,
        "Remote explosive/landmine/IED": 1.5,
        "Air/drone strike": 1.2,
        "Shelling/artillery/missile attack": 1.2,
        "Grenade": 1.0,
        "Sexual violence": 1.2,
        "Attack": 1.2,
        "Abduction/forced disappearance": 1.2,
        "Violent demonstration": 0.4,
        "Mob violence": 0.6,
        "Peaceful protest": 0.05,
        "Protest with intervention": 0.15,
        "Excessive force against protesters": 0.5,
        "Agreement": 0.0,
        "Arrests": 0.2,
        "Change to group/activity": 0.1,
        "Disrupted weapons use": 0.3,
        "Headquarters or base established": 0.4,
        "Looting/property destruction": 0.4,
        "Non-violent transfer of territory": 0.4,
        "Other": 0.1,
    }


def _default_actor_exclusions() -> tuple[str, ...]:
    return ("Military Forces", "Police Forces", "Civilians", "Protesters", "Rioters")


@dataclass(frozen=True)
class RiskConfig:
    """Every tunable number of the risk index (see ``config/risk.toml``).

    The defaults here are the shipped ``config/risk.toml``; a test keeps the
    two identical. Treat the mappings as read-only.

    Attributes
    ----------
    half_life_days : float
        An event ``half_life_days`` old counts half as much as one on the
        as-of date.
    weights : dict
        Weight of each component in the score; only ratios matter (the score
        is the weighted mean).
    half_at : dict
        For each component, the raw quantity at which it reaches 50 of 100.
        For ``fatalities`` this is a number of (recency-weighted) deaths.
    levels : dict
        Lowest score of Moderate, Elevated, High and Extreme (Low starts at 0).
    event_type_severity, sub_event_severity : dict
        Severity points per event; a sub-event type's value wins over its
        event type's. An armed clash is the unit (1.0).
    default_severity : float
        Severity of an event whose type is in neither table.
    actor_exclude_prefixes : tuple of str
        Actor names starting with one of these are not counted as armed actors.
    location_decimals : int
        Coordinates are rounded to this many decimals before counting
        distinct locations (2 decimals is about 1.1 km).
    """

    half_life_days: float = 30.0
    weights: dict[str, float] = field(default_factory=_default_weights)
    half_at: dict[str, float] = field(default_factory=_default_half_at)
    levels: dict[str, float] = field(default_factory=_default_levels)
    event_type_severity: dict[str, float] = field(default_factory=_default_event_type_severity)
    sub_event_severity: dict[str, float] = field(default_factory=_default_sub_event_severity)
    default_severity: float = 1.0
    actor_exclude_prefixes: tuple[str, ...] = field(default_factory=_default_actor_exclusions)
    location_decimals: int = 2

    def __post_init__(self) -> None:
        problems = _config_problems(self)
        if problems:
            raise RiskConfigError("<RiskConfig>", problems)

    def __hash__(self) -> int:
        return hash(
            tuple(
                tuple(sorted(v.items())) if isinstance(v, dict) else v
                for v in (getattr(self, f.name) for f in dataclasses.fields(self))
            )
        )

    @property
    def thresholds(self) -> np.ndarray:
        """Lower bounds of Moderate..Extreme, ascending."""
        return np.array([self.levels[name] for name in LEVELS[1:]], dtype="float64")

    def severity_of(self, event_type: str, sub_event_type: str = "") -> float:
        """Severity points of one event."""
        if sub_event_type in self.sub_event_severity:
            return self.sub_event_severity[sub_event_type]
        return self.event_type_severity.get(event_type, self.default_severity)


class RiskConfigError(ValueError):
    """A risk configuration file or value is invalid; names file, key and value."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p}" for p in problems))


# --------------------------------------------------------------------------
# Checks: one per setting, each returning its problems in reading order
# --------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _problem(key: str, value: object, expected: str) -> str:
    return f"key {key!r}: got {value!r}; expected {expected}"


def _check_half_life(cfg: RiskConfig) -> list[str]:
    if not _is_number(cfg.half_life_days) or cfg.half_life_days <= 0:
        return [_problem("half_life_days", cfg.half_life_days, "a number of days > 0")]
    return []


def _component_table_problems(
    key: str, table: Mapping[str, Any], in_range: Callable[[Any], bool], expected: str
) -> list[str]:
    """Problems of a per-component table: missing or unknown names, values out of range."""
    out = [
        _problem(f"{key}.{name}", None, "a value (it is missing)")
        for name in COMPONENTS
        if name not in table
    ]
    for name, value in table.items():
        if name not in COMPONENTS:
            out.append(
                _problem(f"{key}.{name}", value, "one of the components " + ", ".join(COMPONENTS))
            )
        elif not _is_number(value) or not in_range(value):
            out.append(_problem(f"{key}.{name}", value, expected))
    return out


def _check_weights(cfg: RiskConfig) -> list[str]:
    return _component_table_problems("weights", cfg.weights, lambda v: v >= 0, "a number >= 0")


def _check_half_at(cfg: RiskConfig) -> list[str]:
    return _component_table_problems("half_at", cfg.half_at, lambda v: v > 0, "a number > 0")


def _check_weight_sum(cfg: RiskConfig) -> list[str]:
    # Only ratios matter, but all-zero weights leave the weighted mean undefined.
    if all(_is_number(v) for v in cfg.weights.values()) and sum(cfg.weights.values()) <= 0:
        return [_problem("weights", cfg.weights, "at least one weight > 0")]
    return []


def _check_levels(cfg: RiskConfig) -> list[str]:
    names = LEVELS[1:]
    out = []
    for name, value in cfg.levels.items():
        if name not in names:
            out.append(
                _problem(
                    f"levels.{name}", value, "one of " + ", ".join(names) + " (Low starts at 0)"
                )
            )
        elif not _is_number(value) or not 0 < value <= 100:
            out.append(_problem(f"levels.{name}", value, "a score in (0, 100]"))
    out += [
        _problem(f"levels.{name}", None, "a value (it is missing)")
        for name in names
        if name not in cfg.levels
    ]
    return out


def _check_level_order(cfg: RiskConfig) -> list[str]:
    """Each level must start above the one below it (needs every level present and valid)."""
    names = LEVELS[1:]
    bounds = [cfg.levels[n] for n in names]
    return [
        _problem(f"levels.{b}", upper, f"a score above levels.{a} ({lower})")
        for lower, upper, a, b in zip(bounds, bounds[1:], names, names[1:], strict=False)
        if not lower < upper
    ]


def _check_severity_tables(cfg: RiskConfig) -> list[str]:
    out = []
    for key, table, allowed in (
        ("severity.event_type", cfg.event_type_severity, EVENT_TYPES),
        ("severity.sub_event_type", cfg.sub_event_severity, tuple(SUB_EVENT_TO_TYPE)),
    ):
        for name, value in table.items():
            if name not in allowed:
                out.append(
                    _problem(f"{key}.{name}", value, "an ACLED type name: " + ", ".join(allowed))
                )
            elif not _is_number(value) or value < 0:
                out.append(_problem(f"{key}.{name}", value, "severity points >= 0"))
    return out


def _check_default_severity(cfg: RiskConfig) -> list[str]:
    if not _is_number(cfg.default_severity) or cfg.default_severity < 0:
        return [_problem("severity.default", cfg.default_severity, "severity points >= 0")]
    return []


def _check_actor_prefixes(cfg: RiskConfig) -> list[str]:
    prefixes = cfg.actor_exclude_prefixes
    if not isinstance(prefixes, tuple) or not all(isinstance(p, str) and p for p in prefixes):
        return [_problem("actors.exclude_prefixes", prefixes, "a list of non-empty strings")]
    return []


def _check_location_decimals(cfg: RiskConfig) -> list[str]:
    decimals = cfg.location_decimals
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 5:
        return [_problem("diffusion.location_decimals", decimals, "a whole number 0..5")]
    return []


_Check = Callable[[RiskConfig], list[str]]

# The level order is only compared once everything before it is sound: with a
# missing or non-numeric level there is nothing to compare.
_CHECKS_BEFORE_ORDER: tuple[_Check, ...] = (
    _check_half_life,
    _check_weights,
    _check_half_at,
    _check_weight_sum,
    _check_levels,
)
_CHECKS_AFTER_ORDER: tuple[_Check, ...] = (
    _check_severity_tables,
    _check_default_severity,
    _check_actor_prefixes,
    _check_location_decimals,
)


def _config_problems(cfg: RiskConfig) -> list[str]:
    """Every problem of ``cfg``, one message per bad key, in file order."""
    out = [problem for check in _CHECKS_BEFORE_ORDER for problem in check(cfg)]
    if not out:
        out += _check_level_order(cfg)
    out += [problem for check in _CHECKS_AFTER_ORDER for problem in check(cfg)]
    return out


# --------------------------------------------------------------------------
# Reading config/risk.toml
# --------------------------------------------------------------------------

# TOML layout -> RiskConfig field. Tables hold per-name values; scalars map to
# one field.
_TOML_SCALARS = {
    ("half_life_days",): "half_life_days",
    ("severity", "default"): "default_severity",
    ("actors", "exclude_prefixes"): "actor_exclude_prefixes",
    ("diffusion", "location_decimals"): "location_decimals",
}
_TOML_TABLES = {
    ("weights",): "weights",
    ("half_at",): "half_at",
    ("levels",): "levels",
    ("severity", "event_type"): "event_type_severity",
    ("severity", "sub_event_type"): "sub_event_severity",
}
# Top-level tables the reader walks into.
_TOML_SECTIONS = {key[0] for key in (*_TOML_SCALARS, *_TOML_TABLES) if len(key) > 1} | {
    key[0] for key in _TOML_TABLES
}


def load_risk_config(path: str | os.PathLike[str] | None = None) -> RiskConfig:
    """Read a risk configuration TOML file.

    Keys left out of the file keep their defaults, so a file may change only
    the weights. Unknown keys are errors (a misspelt key would otherwise be
    silently ignored).

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``config/risk.toml``; when that default file does not
        exist the built-in defaults (identical to it) are used.

    Raises
    ------
    RiskConfigError
        Naming the file, the key and the value for every problem found.
    """
    if path is None:
        p = settings.RISK_CONFIG_FILE
        if not p.exists():
            return RiskConfig()
    else:
        p = Path(path)
    data = _read_toml(p)
    values: dict[str, Any] = {}
    problems: list[str] = []
    _collect_settings((), data, values, problems)
    if problems:
        raise RiskConfigError(str(p), problems)
    cfg = _unchecked_config(values)
    problems = _config_problems(cfg)
    if problems:
        raise RiskConfigError(str(p), problems)
    return cfg


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise RiskConfigError(str(path), ["file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RiskConfigError(str(path), [f"not valid TOML ({exc})"]) from None
    except UnicodeDecodeError as exc:
        raise RiskConfigError(str(path), [f"not UTF-8 text ({exc})"]) from None


def _collect_settings(
    prefix: tuple[str, ...],
    node: Mapping[str, Any],
    values: dict[str, Any],
    problems: list[str],
) -> None:
    """Map the TOML keys under ``prefix`` to RiskConfig fields in ``values``.

    A table from the file is merged over the default table, so a file may
    change one severity without restating the others.
    """
    for name, value in node.items():
        key = (*prefix, name)
        dotted = ".".join(key)
        if key in _TOML_SCALARS:
            values[_TOML_SCALARS[key]] = tuple(value) if isinstance(value, list) else value
        elif key in _TOML_TABLES:
            if not isinstance(value, dict):
                problems.append(f"key {dotted!r}: got {value!r}; expected a table")
                continue
            merged = dict(getattr(RiskConfig(), _TOML_TABLES[key]))
            merged.update(value)
            values[_TOML_TABLES[key]] = merged
        elif len(key) == 1 and name in _TOML_SECTIONS and isinstance(value, dict):
            _collect_settings(key, value, values, problems)
        else:
            problems.append(f"key {dotted!r}: unknown setting (got {value!r})")


def _unchecked_config(values: Mapping[str, Any]) -> RiskConfig:
    """The defaults updated with ``values``, built without ``__post_init__``.

    Skipping the constructor's check lets :func:`load_risk_config` report the
    problems against the file's name instead of ``<RiskConfig>``.
    """
    base = RiskConfig()
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(RiskConfig)}
    fields.update(values)
    cfg = object.__new__(RiskConfig)
    for name, value in fields.items():
        object.__setattr__(cfg, name, value)
    return cfg
