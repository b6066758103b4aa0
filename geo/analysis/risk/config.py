"""Region risk index: transparent, time-aware scores, levels, trends, overrides.

Every area of an area layer gets a score from 0 to 100 built from five
components, each an absolute saturating transform of one quantity measured
over a window of days ending on the as-of date:

========== ===================================================== =========
component  quantity x (over the window, ``d`` = decay weight)     reaches 50
========== ===================================================== =========
activity   sum of d over events                                   half_at
severity   sum of d * severity(event type, sub-event type)        half_at
fatalities log(1 + sum of d * fatalities)                         half_at
civilians  sum of d over events targeting civilians               half_at
diffusion  distinct locations (coordinates rounded)               half_at
========== ===================================================== =========

``component = 100 * (1 - 2 ** (-x / half_at))`` (for fatalities ``x`` and
``half_at`` are both on the log scale), ``d = 0.5 ** (age_days /
half_life_days)``, and the score is the weighted mean of the components.
Nothing is normalised across areas, so an area's score depends only on its
own incidents: adding an incident never lowers it, and an incident older than
the window contributes nothing. The method, the defaults and their reasons
are in ``docs/risk.md``; the numbers live in ``config/risk.toml``.

Scoring is vectorized and exact with respect to row order: incidents are
first counted into integer histograms per (area, day, severity class,
civilian flag), so the floating-point sums never depend on the order rows
arrive in.

Example
-------
>>> import pandas as pd
>>> areas = pd.DataFrame({"area": ["North", "South"], "area_code": ["N", "S"], "iso3": ["XXX"] * 2})
>>> joined = pd.DataFrame({
...     "area": ["North"], "area_code": ["N"], "event_date": pd.to_datetime(["2013-02-28"]),
...     "event_type": ["Battles"], "sub_event_type": ["Armed clash"], "fatalities": [0],
... })
>>> out = score_areas(joined, areas, "2013-02-28", config=RiskConfig())
>>> out[["area", "events", "level"]].values.tolist()
[['North', 1, 'Low'], ['South', 0, 'Low']]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import config as settings
from geo.model.levels import LEVELS
from geo.model.schema import CIVILIAN_TARGETING, EVENT_TYPES, SUB_EVENT_TO_TYPE, Problem
from geo.reference.names import fold

__all__ = [
    "COMPONENTS",
    "OVERRIDE_COLUMNS",
    "TREND_CLASSES",
    "RiskConfig",
    "RiskConfigError",
    "RiskOverridesError",
    "level_for_score",
    "load_overrides",
    "load_risk_config",
    "score_areas",
    "trend_class",
]

COMPONENTS: tuple[str, ...] = ("activity", "severity", "fatalities", "civilians", "diffusion")
"""Component names; the output has ``c_<name>`` (0-100) and ``x_<name>`` (raw quantity)."""

TREND_CLASSES: tuple[str, ...] = (
    "Large increase",
    "Moderate increase",
    "Limited change",
    "Large decrease",
)

# Trend windows (ACLED's weekly comparison): the last 7 days against the
# average week of the 28 days before them.
RECENT_DAYS = 7
BASELINE_WEEKS = 4
TREND_SPAN = RECENT_DAYS * (1 + BASELINE_WEEKS)

OVERRIDE_COLUMNS: tuple[str, ...] = ("area", "level", "reason", "expires", "set_by", "set_on")

_DATE_FORMAT = "%Y-%m-%d"
_TEXT_OUTPUT = (
    "area",
    "area_code",
    "iso3",
    "level",
    "trend",
    "override_level",
    "override_reason",
    "override_set_by",
    "override_status",
    "final_level",
)
_NS_PER_DAY = 86_400 * 10**9


# --------------------------------------------------------------------------
# Configuration
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


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _config_problems(cfg: RiskConfig) -> list[str]:
    out: list[str] = []

    def bad(key: str, value: object, expected: str) -> None:
        out.append(f"key {key!r}: got {value!r}; expected {expected}")

    if not _is_number(cfg.half_life_days) or cfg.half_life_days <= 0:
        bad("half_life_days", cfg.half_life_days, "a number of days > 0")
    for table, key in ((cfg.weights, "weights"), (cfg.half_at, "half_at")):
        for name in COMPONENTS:
            if name not in table:
                bad(f"{key}.{name}", None, "a value (it is missing)")
        for name, value in table.items():
            if name not in COMPONENTS:
                bad(f"{key}.{name}", value, "one of the components " + ", ".join(COMPONENTS))
            elif key == "weights" and (not _is_number(value) or value < 0):
                bad(f"{key}.{name}", value, "a number >= 0")
            elif key == "half_at" and (not _is_number(value) or value <= 0):
                bad(f"{key}.{name}", value, "a number > 0")
    if all(_is_number(v) for v in cfg.weights.values()) and sum(cfg.weights.values()) <= 0:
        bad("weights", cfg.weights, "at least one weight > 0")
    names = LEVELS[1:]
    for name, value in cfg.levels.items():
        if name not in names:
            bad(f"levels.{name}", value, "one of " + ", ".join(names) + " (Low starts at 0)")
        elif not _is_number(value) or not 0 < value <= 100:
            bad(f"levels.{name}", value, "a score in (0, 100]")
    for name in names:
        if name not in cfg.levels:
            bad(f"levels.{name}", None, "a value (it is missing)")
    if not out:
        bounds = [cfg.levels[n] for n in names]
        for lower, upper, a, b in zip(bounds, bounds[1:], names, names[1:], strict=False):
            if not lower < upper:
                bad(f"levels.{b}", upper, f"a score above levels.{a} ({lower})")
    for key, table, allowed in (
        ("severity.event_type", cfg.event_type_severity, EVENT_TYPES),
        ("severity.sub_event_type", cfg.sub_event_severity, tuple(SUB_EVENT_TO_TYPE)),
    ):
        for name, value in table.items():
            if name not in allowed:
                bad(f"{key}.{name}", value, "an ACLED type name: " + ", ".join(allowed))
            elif not _is_number(value) or value < 0:
                bad(f"{key}.{name}", value, "severity points >= 0")
    if not _is_number(cfg.default_severity) or cfg.default_severity < 0:
        bad("severity.default", cfg.default_severity, "severity points >= 0")
    prefixes = cfg.actor_exclude_prefixes
    if not isinstance(prefixes, tuple) or not all(isinstance(p, str) and p for p in prefixes):
        bad("actors.exclude_prefixes", prefixes, "a list of non-empty strings")
    decimals = cfg.location_decimals
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 5:
        bad("diffusion.location_decimals", decimals, "a whole number 0..5")
    return out


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
    try:
        with open(p, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise RiskConfigError(str(p), ["file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RiskConfigError(str(p), [f"not valid TOML ({exc})"]) from None
    except UnicodeDecodeError as exc:
        raise RiskConfigError(str(p), [f"not UTF-8 text ({exc})"]) from None

    values: dict[str, Any] = {}
    problems: list[str] = []
    known_tables = {key[0] for key in (*_TOML_SCALARS, *_TOML_TABLES) if len(key) > 1}
    known_tables |= {key[0] for key in _TOML_TABLES}

    def walk(prefix: tuple[str, ...], node: Mapping[str, Any]) -> None:
        for name, value in node.items():
            key = (*prefix, name)
            dotted = ".".join(key)
            if key in _TOML_SCALARS:
                if isinstance(value, list):
                    value = tuple(value)
                values[_TOML_SCALARS[key]] = value
            elif key in _TOML_TABLES:
                if not isinstance(value, dict):
                    problems.append(f"key {dotted!r}: got {value!r}; expected a table")
                    continue
                merged = dict(getattr(RiskConfig(), _TOML_TABLES[key]))
                merged.update(value)
                values[_TOML_TABLES[key]] = merged
            elif len(key) == 1 and name in known_tables and isinstance(value, dict):
                walk(key, value)
            else:
                problems.append(f"key {dotted!r}: unknown setting (got {value!r})")

    walk((), data)
    if problems:
        raise RiskConfigError(str(p), problems)
    base = RiskConfig()
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(RiskConfig)}
    fields.update(values)
    cfg = object.__new__(RiskConfig)
    for name, value in fields.items():
        object.__setattr__(cfg, name, value)
    problems = _config_problems(cfg)
    if problems:
        raise RiskConfigError(str(p), problems)
    return cfg


# --------------------------------------------------------------------------
# Levels and trends
# --------------------------------------------------------------------------


def level_for_score(score: float, config: RiskConfig | None = None) -> str:
    """The level of a score (read against the configured thresholds).

    A score equal to a threshold belongs to the higher level.

    >>> level_for_score(0), level_for_score(10), level_for_score(99.9)
    ('Low', 'Moderate', 'Extreme')
    """
    cfg = config or RiskConfig()
    if not _is_number(score) or not 0 <= score <= 100:
        raise ValueError(f"score: got {score!r}; expected a number in 0..100")
    return LEVELS[int(np.searchsorted(cfg.thresholds, score, side="right"))]


def _levels_for(scores: np.ndarray, cfg: RiskConfig) -> np.ndarray:
    return np.asarray(LEVELS, dtype=object)[np.searchsorted(cfg.thresholds, scores, side="right")]


def trend_class(recent: int, previous: int) -> str:
    """Trend label for ``recent`` events in the last 7 days and ``previous``
    events in the 28 days before them (one area).

    See :func:`_trend_arrays` for the rule.

    >>> trend_class(3, 0), trend_class(6, 0), trend_class(9, 32), trend_class(4, 32)
    ('Limited change', 'Large increase', 'Moderate increase', 'Large decrease')
    """
    labels, _ = _trend_arrays(np.array([recent]), np.array([previous]))
    return str(labels[0])


def _trend_arrays(recent: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trend labels and percentages from integer event counts.

    ``baseline = previous / 4`` (the average week). With ``pct = 100 *
    (recent - baseline) / baseline``: a baseline of at most 2 events a week
    with at most 5 events this week is "Limited change" whatever the
    percentage (the low-baseline rule); otherwise ``pct > 25`` is a large
    increase, ``10 < pct <= 25`` a moderate increase, ``-25 <= pct <= 10``
    limited change and ``pct < -25`` a large decrease. A zero baseline with
    more than 5 events this week is a large increase (``pct`` undefined,
    NaN). The comparisons are made on the integers (``16 * recent > 5 *
    previous`` is ``pct > 25``), so a boundary case never depends on
    floating-point rounding.
    """
    r = recent.astype("int64")
    p = previous.astype("int64")
    w = BASELINE_WEEKS
    # pct > T  <=>  100 * (w * r - p) > T * p  (p > 0), all in integers.
    diff = 100 * (w * r - p)
    large_up = diff > 25 * p
    moderate_up = ~large_up & (diff > 10 * p)
    large_down = diff < -25 * p
    low_baseline = (p <= 2 * w) & (r <= 5)
    labels = np.full(r.shape, "Limited change", dtype=object)
    labels[large_up] = "Large increase"
    labels[moderate_up] = "Moderate increase"
    labels[large_down] = "Large decrease"
    labels[low_baseline] = "Limited change"
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(p > 0, 100.0 * (w * r - p) / np.where(p > 0, p, 1), np.nan)
    return labels, pct


# --------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------


class RiskOverridesError(ValueError):
    """An overrides file is invalid; carries every problem (file, row, column, value)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems)))


def _empty_overrides() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": pd.Series([], dtype="string"),
            "level": pd.Series([], dtype="string"),
            "reason": pd.Series([], dtype="string"),
            "expires": pd.Series([], dtype="datetime64[ns]"),
            "set_by": pd.Series([], dtype="string"),
            "set_on": pd.Series([], dtype="datetime64[ns]"),
            "row": pd.Series([], dtype="int64"),
            "file": pd.Series([], dtype="string"),
        }
    )


def load_overrides(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the analysts' level overrides.

    The file is a UTF-8 CSV with the columns ``area, level, reason, expires,
    set_by, set_on``: the area's name (or alias or code), the level it is
    pinned to (one of Low, Moderate, Elevated, High, Extreme), why, the last
    day it applies (YYYY-MM-DD), who set it and the day it was set. An
    override is active from ``set_on`` to ``expires`` inclusive. One area may
    have several rows when their periods do not overlap.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/risk_overrides.csv``; when that default file does
        not exist there are no overrides.

    Returns
    -------
    DataFrame
        The six columns (dates as datetime64), plus ``row`` (spreadsheet row,
        header = 1) and ``file``, and any extra columns of the file.

    Raises
    ------
    RiskOverridesError
        With every problem, each naming file, row, column, value and what was
        expected.
    """
    if path is None:
        p = settings.RISK_OVERRIDES_FILE
        if not p.exists():
            return _empty_overrides()
    else:
        p = Path(path)
    name = str(p)
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    except FileNotFoundError:
        raise RiskOverridesError([Problem(name, 0, "", None, "file not found")]) from None
    except pd.errors.EmptyDataError:
        raise RiskOverridesError(
            [Problem(name, 1, "", None, "a header row: " + ",".join(OVERRIDE_COLUMNS))]
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RiskOverridesError(
            [Problem(name, 0, "", None, f"a readable UTF-8 CSV file ({exc})")]
        ) from None

    missing = [c for c in OVERRIDE_COLUMNS if c not in raw.columns]
    if missing:
        raise RiskOverridesError(
            [
                Problem(name, 1, c, None, "required column is missing from the header")
                for c in missing
            ]
        )
    problems: list[Problem] = []
    raw = raw.reset_index(drop=True)
    text = {c: raw[c].astype("string").str.strip() for c in OVERRIDE_COLUMNS}
    dates = {
        c: pd.to_datetime(text[c], format=_DATE_FORMAT, errors="coerce")
        for c in ("expires", "set_on")
    }
    for i in range(len(raw)):
        row = i + 2
        for col in ("area", "reason", "set_by"):
            if text[col].iloc[i] == "":
                problems.append(Problem(name, row, col, raw[col].iloc[i], "a value is required"))
        if text["level"].iloc[i] not in LEVELS:
            problems.append(
                Problem(name, row, "level", raw["level"].iloc[i], "one of " + ", ".join(LEVELS))
            )
        for col in ("expires", "set_on"):
            if pd.isna(dates[col].iloc[i]):
                problems.append(
                    Problem(name, row, col, raw[col].iloc[i], "a real date as YYYY-MM-DD")
                )
        start, end = dates["set_on"].iloc[i], dates["expires"].iloc[i]
        if pd.notna(start) and pd.notna(end) and end < start:
            problems.append(
                Problem(
                    name,
                    row,
                    "expires",
                    raw["expires"].iloc[i],
                    f"a date on or after set_on ({start:%Y-%m-%d})",
                )
            )
    if not problems:
        problems += _overlaps(
            name, [fold(a) for a in text["area"]], dates["set_on"], dates["expires"]
        )
    if problems:
        raise RiskOverridesError(problems)

    out = pd.DataFrame({c: text[c] for c in ("area", "level", "reason")})
    out["expires"] = dates["expires"].astype("datetime64[ns]")
    out["set_by"] = text["set_by"]
    out["set_on"] = dates["set_on"].astype("datetime64[ns]")
    out["row"] = np.arange(2, len(raw) + 2, dtype="int64")
    out["file"] = pd.Series(name, index=out.index, dtype="string")
    for col in raw.columns:
        if col not in out.columns:
            out[col] = raw[col].astype("string")
    return out


def _overlaps(file: str, keys: list[str], start: pd.Series, end: pd.Series) -> list[Problem]:
    problems = []
    for i in range(len(keys)):
        for j in range(i):
            if keys[i] == keys[j] and start.iloc[i] <= end.iloc[j] and start.iloc[j] <= end.iloc[i]:
                problems.append(
                    Problem(
                        file,
                        i + 2,
                        "set_on",
                        f"{start.iloc[i]:%Y-%m-%d}..{end.iloc[i]:%Y-%m-%d}",
                        f"a period not overlapping row {j + 2}'s override of the same area",
                    )
                )
    return problems


def _resolve_overrides(
    table: pd.DataFrame, overrides: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, list[str]]:
    """Per-area override columns and notices for overrides matching no area.

    Overrides name an area by its name, an alias or its code (spelling
    folded). Per area, an active override wins; otherwise the most recently
    expired one is shown (inactive); otherwise the next one due.
    """
    n = len(table)
    cols = {
        "override_level": np.full(n, "", dtype=object),
        "override_reason": np.full(n, "", dtype=object),
        "override_expires": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "override_set_by": np.full(n, "", dtype=object),
        "override_status": np.full(n, "", dtype=object),
    }
    notices: list[str] = []
    if overrides is None or len(overrides) == 0:
        return pd.DataFrame(cols), notices

    lookup: dict[str, set[int]] = {}
    names = table["area"].tolist()
    codes = table["area_code"].tolist()
    aliases = table["aliases"].tolist() if "aliases" in table.columns else [""] * n
    for pos, (area, code, alias) in enumerate(zip(names, codes, aliases, strict=True)):
        for key in [area, code, *str(alias or "").split("|")]:
            k = fold(str(key)) if key else ""
            if k:
                lookup.setdefault(k, set()).add(pos)

    # area position -> (status rank, tie-break, override row index); lowest wins.
    chosen: dict[int, tuple[int, int, int]] = {}
    active_rows: dict[int, list[int]] = {}
    for i in range(len(overrides)):
        ov = overrides.iloc[i]
        where = f"{ov.get('file', 'overrides')}: row {ov.get('row', i + 2)}"
        hits = lookup.get(fold(str(ov["area"])), set())
        if len(hits) != 1:
            reason = (
                "matches no area"
                if not hits
                else "matches several areas: "
                + ", ".join(f"{names[h]} ({codes[h]})" for h in sorted(hits))
            )
            notices.append(f"{where}: override for {ov['area']!r} {reason}; not applied")
            continue
        pos = next(iter(hits))
        if ov["set_on"] <= as_of <= ov["expires"]:
            active_rows.setdefault(pos, []).append(i)
            rank = (0, 0, i)
        elif ov["expires"] < as_of:
            rank = (1, -int(ov["expires"].value // _NS_PER_DAY), i)
        else:
            rank = (2, int(ov["set_on"].value // _NS_PER_DAY), i)
        if pos not in chosen or rank < chosen[pos]:
            chosen[pos] = rank
    for pos, rows in active_rows.items():
        if len(rows) > 1:
            where = ", ".join(str(overrides.iloc[r].get("row", r + 2)) for r in rows)
            raise ValueError(
                f"several overrides are active for {names[pos]} on {as_of:%Y-%m-%d} "
                f"(rows {where}); keep one"
            )
    for pos, (kind, _, i) in chosen.items():
        ov = overrides.iloc[i]
        cols["override_level"][pos] = str(ov["level"])
        cols["override_reason"][pos] = str(ov["reason"])
        cols["override_expires"][pos] = ov["expires"].to_datetime64()
        cols["override_set_by"][pos] = str(ov["set_by"])
        cols["override_status"][pos] = ("active", "expired", "not yet in force")[kind]
    return pd.DataFrame(cols), notices


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def _area_table(areas: pd.DataFrame) -> pd.DataFrame:
    if "area" not in areas.columns:
        raise ValueError("areas: expected a column 'area' with the area names")
    out = pd.DataFrame(index=pd.RangeIndex(len(areas)))
    for col in ("area", "area_code", "iso3", "aliases"):
        if col in areas.columns:
            out[col] = areas[col].astype("string").fillna("").to_numpy()
        else:
            out[col] = pd.Series("", index=out.index, dtype="string")
    return out


def _area_positions(joined: pd.DataFrame, table: pd.DataFrame, area_col: str) -> np.ndarray:
    """Position in ``table`` of each incident's area, -1 for none.

    Matching uses (name, code) pairs when both frames carry ``area_code``
    and ``area_col`` is the joined area name, so two areas sharing a name in
    different countries stay apart; otherwise the name alone.
    """
    names = joined[area_col].astype("string").fillna("")
    use_codes = area_col == "area" and "area_code" in joined.columns
    if use_codes:
        keys = pd.MultiIndex.from_arrays([table["area"], table["area_code"]])
    else:
        keys = pd.Index(table["area"])
    if not keys.is_unique:
        dup = keys[keys.duplicated()].unique().tolist()
        raise ValueError(f"areas: the area key is not unique ({dup[:5]}); pass area codes")
    name_codes, name_uniques = pd.factorize(names)
    if use_codes:
        code_codes, code_uniques = pd.factorize(joined["area_code"].astype("string").fillna(""))
        pair = name_codes.astype("int64") * (len(code_uniques) + 1) + code_codes
        uniq, inverse = _compact(pair, len(name_uniques) * (len(code_uniques) + 1))
        uniq_names = np.asarray(name_uniques, dtype=object)[uniq // (len(code_uniques) + 1)]
        uniq_codes = np.asarray(code_uniques, dtype=object)[uniq % (len(code_uniques) + 1)]
        lut = keys.get_indexer(pd.MultiIndex.from_arrays([uniq_names, uniq_codes]))
        return lut[inverse].astype("int64")
    lut = keys.get_indexer(pd.Index(np.asarray(name_uniques, dtype=object)))
    return lut[name_codes].astype("int64")


def _compact(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of non-negative int ``keys`` (all < ``size``) and each key's
    position among them, like ``np.unique(keys, return_inverse=True)`` but by
    counting instead of sorting when ``size`` is small."""
    if size > 4 * len(keys) + 1_000_000:
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, inverse.reshape(-1)
    present = np.flatnonzero(np.bincount(keys, minlength=size))
    lut = np.full(size, -1, dtype="int64")
    lut[present] = np.arange(len(present))
    return present, lut[keys]


def _ages(dates: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Whole days from each event to ``as_of`` (negative after it); NaT -> -1."""
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    bad = np.isnat(days)
    age = np.datetime64(as_of.date(), "D").astype("int64") - days.astype("int64")
    age[bad] = -1
    return age


def _saturate(x: np.ndarray, half_at: float) -> np.ndarray:
    return 100.0 * (1.0 - np.exp2(-x / half_at))


def _text(joined: pd.DataFrame, col: str) -> pd.Series:
    if col not in joined.columns:
        return pd.Series("", index=joined.index, dtype="string")
    text = joined[col]
    if text.dtype != "string":
        text = text.astype("string")
    # Copying a million strings to fill no gaps is most of the cost: check first.
    return text.fillna("") if text.hasnans else text


def _distinct_per_area(area: np.ndarray, item: np.ndarray, n_areas: int) -> np.ndarray:
    """Number of distinct non-negative ``item`` codes per area position."""
    keep = item >= 0
    if not keep.any():
        return np.zeros(n_areas, dtype="int64")
    width = int(item[keep].max()) + 1
    keys = area[keep].astype("int64") * width + item[keep]
    if n_areas * width <= 4 * len(keys) + 1_000_000:
        # Few distinct items: a presence table is cheaper than sorting or hashing.
        seen = np.bincount(keys, minlength=n_areas * width).reshape(n_areas, width) > 0
        return seen.sum(axis=1).astype("int64")
    pairs = np.unique(keys)
    return np.bincount(pairs // width, minlength=n_areas).astype("int64")


def _as_timestamp(as_of: object) -> pd.Timestamp:
    try:
        # Strings must be ISO dates: "03/02/2013" is ambiguous between day and month.
        value = dt.date.fromisoformat(as_of.strip()) if isinstance(as_of, str) else as_of
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"as_of: got {as_of!r}; expected a date as YYYY-MM-DD") from None
    if pd.isna(ts):
        raise ValueError(f"as_of: got {as_of!r}; expected a date as YYYY-MM-DD")
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def score_areas(
    joined: pd.DataFrame,
    areas: pd.DataFrame,
    as_of: str | dt.date | pd.Timestamp,
    window_days: int = 90,
    config: RiskConfig | None = None,
    overrides: pd.DataFrame | None = None,
    area_col: str = "area",
) -> pd.DataFrame:
    """Score every area of ``areas`` from the incidents joined to it.

    Parameters
    ----------
    joined : DataFrame
        Incidents with their area (see :func:`geo.analysis.pipeline.prepare`). Used
        columns: ``area_col``, ``event_date``, ``event_type``,
        ``fatalities`` (required); ``area_code``, ``sub_event_type``,
        ``actor1``, ``actor2``, ``latitude``, ``longitude``,
        ``civilian_targeting`` (optional). Incidents whose area is empty or
        not in ``areas`` are not scored.
    areas : DataFrame or GeoDataFrame
        The area layer: ``area`` and, when present, ``area_code``, ``iso3``,
        ``aliases``. Every row gets an output row.
    as_of : date-like
        The day the risk is assessed at; later events are ignored.
    window_days : int
        Events from ``as_of - window_days + 1`` to ``as_of`` count.
    config : RiskConfig, optional
        Defaults to :func:`load_risk_config` (``config/risk.toml``).
    overrides : DataFrame, optional
        From :func:`load_overrides`; none when omitted.
    area_col : str
        Column of ``joined`` holding the area name.

    Returns
    -------
    DataFrame
        One row per area, sorted by score (descending) then area name and
        code. Columns: ``area, area_code, iso3, score, level``, the
        components ``c_<name>`` (0-100) and their raw quantities
        ``x_<name>``, ``events, fatalities, civilian_events, locations,
        actors, days_since_last, trend, trend_pct, events_last_7d,
        weekly_baseline``, ``override_level, override_reason,
        override_expires, override_set_by, override_status`` and
        ``final_level``. ``attrs["notices"]`` lists overrides that matched
        no area.
    """
    cfg = config if config is not None else load_risk_config()
    as_of_ts = _as_timestamp(as_of)
    if (
        isinstance(window_days, bool)
        or not isinstance(window_days, int | np.integer)
        or window_days < 1
    ):
        raise ValueError(f"window_days: got {window_days!r}; expected a whole number of days >= 1")
    window = int(window_days)
    missing = [
        c for c in (area_col, "event_date", "event_type", "fatalities") if c not in joined.columns
    ]
    if missing:
        raise ValueError(f"joined: missing column(s) {', '.join(missing)}")

    table = _area_table(areas)
    n = len(table)
    pos = _area_positions(joined, table, area_col)
    age = _ages(joined["event_date"], as_of_ts)
    known = (pos >= 0) & (age >= 0)
    span = max(window, TREND_SPAN)
    in_span = known & (age < span)
    in_window = known & (age < window)

    # Per-event severity class: the few (type, sub-type) pairs are mapped once.
    etype = _text(joined, "event_type")
    sub = _text(joined, "sub_event_type")
    et_codes, et_uniques = pd.factorize(etype)
    sub_codes, sub_uniques = pd.factorize(sub)
    pair = et_codes.astype("int64") * (len(sub_uniques) + 1) + sub_codes
    pair_uniq, pair_inv = _compact(pair[in_span], len(et_uniques) * (len(sub_uniques) + 1))
    pair_sev = np.array(
        [
            cfg.severity_of(
                str(et_uniques[p // (len(sub_uniques) + 1)]),
                str(sub_uniques[p % (len(sub_uniques) + 1)]),
            )
            for p in pair_uniq
        ],
        dtype="float64",
    )
    sev_values, pair_class = np.unique(pair_sev, return_inverse=True)
    sev_class = pair_class.reshape(-1)[pair_inv].astype("int64")
    if len(sev_values) == 0:
        sev_values = np.zeros(1)
    n_sev = len(sev_values)
    vac = [k for k, t in enumerate(et_uniques) if t == "Violence against civilians"]
    civ = np.isin(et_codes, vac)
    if "civilian_targeting" in joined.columns:
        civ |= (_text(joined, "civilian_targeting") == CIVILIAN_TARGETING).to_numpy(dtype=bool)

    # Integer histogram per (area, age, severity class, civilian flag): every
    # later sum is a fixed-order product with it, so row order cannot matter.
    a = pos[in_span]
    g = age[in_span]
    key = ((a * span + g) * n_sev + sev_class) * 2 + civ[in_span]
    hist = np.bincount(key, minlength=n * span * n_sev * 2).reshape(n, span, n_sev, 2)
    fatal = pd.to_numeric(joined["fatalities"], errors="coerce").fillna(0).to_numpy("float64")
    fat_hist = np.bincount(a * span + g, weights=fatal[in_span], minlength=n * span).reshape(
        n, span
    )

    days = np.arange(span)
    decay = np.where(days < window, np.exp2(-days / cfg.half_life_days), 0.0)
    per_day = hist.sum(axis=(2, 3))  # events per (area, age)
    civ_day = hist[:, :, :, 1].sum(axis=2)
    sev_day = hist.sum(axis=3) @ sev_values

    x = {
        "activity": per_day @ decay,
        "severity": sev_day @ decay,
        "fatalities": fat_hist @ decay,
        "civilians": civ_day @ decay,
    }
    lat = pd.to_numeric(joined["latitude"], errors="coerce") if "latitude" in joined else None
    lon = pd.to_numeric(joined["longitude"], errors="coerce") if "longitude" in joined else None
    if lat is not None and lon is not None:
        scale = 10**cfg.location_decimals
        la = np.round(lat.to_numpy("float64")[in_window] * scale)
        lo = np.round(lon.to_numpy("float64")[in_window] * scale)
        ok = np.isfinite(la) & np.isfinite(lo)
        loc = np.where(ok, (la + 90 * scale) * (360 * scale + 1) + (lo + 180 * scale), -1)
        locations = _distinct_per_area(pos[in_window], loc.astype("int64"), n)
    else:
        locations = np.zeros(n, dtype="int64")
    x["diffusion"] = locations.astype("float64")

    comp = {name: _saturate(x[name], cfg.half_at[name]) for name in COMPONENTS}
    # Deaths are on a log scale: one mass-casualty event must not swamp the rest.
    comp["fatalities"] = _saturate(np.log1p(x["fatalities"]), math.log1p(cfg.half_at["fatalities"]))
    total_w = sum(cfg.weights[name] for name in COMPONENTS)
    score = sum(cfg.weights[name] * comp[name] for name in COMPONENTS) / total_w
    score = np.round(np.clip(score, 0.0, 100.0), 1)

    events = per_day[:, :window].sum(axis=1)
    recent = per_day[:, :RECENT_DAYS].sum(axis=1)
    previous = per_day[:, RECENT_DAYS:TREND_SPAN].sum(axis=1)
    trend, trend_pct = _trend_arrays(recent, previous)

    since = pd.Series(age[known]).groupby(pos[known]).min()
    days_since = pd.Series(pd.NA, index=range(n), dtype="Int64")
    days_since.iloc[since.index.to_numpy()] = since.to_numpy()

    out = pd.DataFrame(
        {
            "area": table["area"],
            "area_code": table["area_code"],
            "iso3": table["iso3"],
            "score": score,
            "level": _levels_for(score, cfg),
        }
    )
    for name in COMPONENTS:
        out[f"c_{name}"] = comp[name]
    for name in COMPONENTS:
        out[f"x_{name}"] = x[name]
    out["events"] = events.astype("int64")
    out["fatalities"] = fat_hist[:, :window].sum(axis=1).astype("int64")
    out["civilian_events"] = civ_day[:, :window].sum(axis=1).astype("int64")
    out["locations"] = locations
    out["actors"] = _actor_counts(joined, pos, in_window, n, cfg)
    out["days_since_last"] = days_since
    out["trend"] = trend
    out["trend_pct"] = trend_pct
    out["events_last_7d"] = recent.astype("int64")
    out["weekly_baseline"] = previous / BASELINE_WEEKS

    ov, notices = _resolve_overrides(table, overrides if overrides is not None else None, as_of_ts)
    for col in ov.columns:
        out[col] = ov[col].to_numpy()
    active = out["override_status"] == "active"
    out["final_level"] = np.where(active, out["override_level"], out["level"])
    for col in _TEXT_OUTPUT:
        out[col] = out[col].astype("string")

    out = out.sort_values(
        ["score", "area", "area_code"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)
    out.attrs["notices"] = notices
    out.attrs["as_of"] = as_of_ts.date().isoformat()
    out.attrs["window_days"] = window
    return out


def _actor_counts(
    joined: pd.DataFrame, pos: np.ndarray, in_window: np.ndarray, n: int, cfg: RiskConfig
) -> np.ndarray:
    """Distinct non-state armed actors per area in the window.

    actor1 and actor2 are pooled; empty names and names starting with one of
    ``cfg.actor_exclude_prefixes`` (state forces, civilians, protesters,
    rioters) are not counted. Names are compared after trimming spaces.
    """
    columns = [c for c in ("actor1", "actor2") if c in joined.columns]
    if not columns:
        return np.zeros(n, dtype="int64")
    # Factorize each column, then map its few distinct names to one shared id.
    ids: dict[str, int] = {}
    areas, items = [], []
    for col in columns:
        codes, uniques = pd.factorize(_text(joined, col)[in_window])
        names = [str(u).strip() for u in uniques]
        keep = [
            bool(name) and not name.startswith(tuple(cfg.actor_exclude_prefixes)) for name in names
        ]
        lut = np.array(
            [
                ids.setdefault(name, len(ids)) if k else -1
                for name, k in zip(names, keep, strict=True)
            ]
            + [-1],
            dtype="int64",
        )
        items.append(lut[codes])  # code -1 (missing) picks the trailing -1
        areas.append(pos[in_window])
    return _distinct_per_area(np.concatenate(areas), np.concatenate(items), n)
