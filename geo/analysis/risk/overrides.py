"""Analysts' level overrides: reading the CSV and pinning areas to a level.

An override never changes a score: it sets ``final_level`` for the period
from ``set_on`` to ``expires`` while the computed ``level`` stays shown.
:func:`load_overrides` reads and checks the file (:func:`parse_overrides`
the same text kept in a database store); ``_resolve_overrides``
picks, per area, the override to show on the as-of date.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from geo import config as settings
from geo.model.levels import LEVELS
from geo.model.schema import Problem
from geo.reference.names import fold

__all__ = [
    "OVERRIDE_COLUMNS",
    "RiskOverridesError",
    "level_text",
    "load_overrides",
    "parse_overrides",
]

OVERRIDE_COLUMNS: tuple[str, ...] = ("area", "level", "reason", "expires", "set_by", "set_on")

_DATE_FORMAT = "%Y-%m-%d"
_NS_PER_DAY = 86_400 * 10**9
_STATUS = ("active", "expired", "not yet in force")


class RiskOverridesError(ValueError):
    """An overrides file is invalid; carries every problem (file, row, column, value)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems)))


def level_text(final: str, computed: str, score: float, overridden: bool) -> str:
    """The level in force, saying when an analyst set it and what was computed.

    An override must not hide in plain sight: the reader sees who set the
    level and the computed level and score beside it.

    >>> level_text("High", "Elevated", 36.4, True)
    'High (analyst) · computed Elevated 36'
    >>> level_text("Elevated", "Elevated", 36.4, False)
    'Elevated'
    """
    if not overridden:
        return final
    score_text = f" {score:.0f}" if np.isfinite(score) else ""
    return f"{final} (analyst) · computed {computed}{score_text}"


# --------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------


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
        Defaults to the configured store's overrides
        (:func:`geo.config.risk_overrides_file`: ``data/risk_overrides.csv``
        for the shipped store); when that file does not exist there are no
        overrides.

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
        p = settings.risk_overrides_file()
        if not p.exists():
            return _empty_overrides()
    else:
        p = Path(path)
    return _checked(_read_csv(p, str(p)), str(p))


def parse_overrides(text: str, *, name: str) -> pd.DataFrame:
    """Read and check overrides kept as text (a database store keeps them so).

    The same columns, checks and result as :func:`load_overrides`; ``name``
    is what problems give as the file (e.g. the store and document name).

    Raises
    ------
    RiskOverridesError
        With every problem, each naming ``name``, row, column and value.
    """
    return _checked(_read_csv(io.StringIO(text), name), name)


def _checked(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    raw = raw.reset_index(drop=True)
    text = {c: raw[c].astype("string").str.strip() for c in OVERRIDE_COLUMNS}
    dates = {
        c: pd.to_datetime(text[c], format=_DATE_FORMAT, errors="coerce")
        for c in ("expires", "set_on")
    }
    problems = [
        problem for i in range(len(raw)) for problem in _row_problems(name, i, raw, text, dates)
    ]
    if not problems:
        # Overlaps are only meaningful once every period is a valid pair of dates.
        problems += _overlaps(
            name, [fold(a) for a in text["area"]], dates["set_on"], dates["expires"]
        )
    if problems:
        raise RiskOverridesError(problems)
    return _overrides_frame(name, raw, text, dates)


def _read_csv(path: Path | io.StringIO, name: str) -> pd.DataFrame:
    """The file as text columns; every column of :data:`OVERRIDE_COLUMNS` present."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
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
    return raw


def _row_problems(
    name: str,
    i: int,
    raw: pd.DataFrame,
    text: dict[str, pd.Series],
    dates: dict[str, pd.Series],
) -> list[Problem]:
    """Problems of data row ``i`` (spreadsheet row ``i + 2``), column by column."""
    row = i + 2
    out = [
        Problem(name, row, col, raw[col].iloc[i], "a value is required")
        for col in ("area", "reason", "set_by")
        if text[col].iloc[i] == ""
    ]
    if text["level"].iloc[i] not in LEVELS:
        out.append(Problem(name, row, "level", raw["level"].iloc[i], "one of " + ", ".join(LEVELS)))
    out += [
        Problem(name, row, col, raw[col].iloc[i], "a real date as YYYY-MM-DD")
        for col in ("expires", "set_on")
        if pd.isna(dates[col].iloc[i])
    ]
    start, end = dates["set_on"].iloc[i], dates["expires"].iloc[i]
    if pd.notna(start) and pd.notna(end) and end < start:
        out.append(
            Problem(
                name,
                row,
                "expires",
                raw["expires"].iloc[i],
                f"a date on or after set_on ({start:%Y-%m-%d})",
            )
        )
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


def _overrides_frame(
    name: str, raw: pd.DataFrame, text: dict[str, pd.Series], dates: dict[str, pd.Series]
) -> pd.DataFrame:
    """The checked overrides with typed dates, row numbers and the file's extra columns."""
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


# --------------------------------------------------------------------------
# Applying them to the areas
# --------------------------------------------------------------------------


def _resolve_overrides(
    table: pd.DataFrame, overrides: pd.DataFrame | None, as_of: pd.Timestamp
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
    if overrides is None or len(overrides) == 0:
        return pd.DataFrame(cols), []
    chosen, notices = _choose_overrides(table, overrides, as_of)
    for pos, (kind, _, i) in chosen.items():
        ov = overrides.iloc[i]
        cols["override_level"][pos] = str(ov["level"])
        cols["override_reason"][pos] = str(ov["reason"])
        cols["override_expires"][pos] = ov["expires"].to_datetime64()
        cols["override_set_by"][pos] = str(ov["set_by"])
        cols["override_status"][pos] = _STATUS[kind]
    return pd.DataFrame(cols), notices


def _area_lookup(table: pd.DataFrame) -> dict[str, set[int]]:
    """Folded name, code and every alias -> positions of the areas they name."""
    n = len(table)
    lookup: dict[str, set[int]] = {}
    names = table["area"].tolist()
    codes = table["area_code"].tolist()
    aliases = table["aliases"].tolist() if "aliases" in table.columns else [""] * n
    for pos, (area, code, alias) in enumerate(zip(names, codes, aliases, strict=True)):
        for key in [area, code, *str(alias or "").split("|")]:
            k = fold(str(key)) if key else ""
            if k:
                lookup.setdefault(k, set()).add(pos)
    return lookup


def _rank(ov: pd.Series, i: int, as_of: pd.Timestamp) -> tuple[int, int, int]:
    """Sort key of override row ``i`` on ``as_of``; the lowest is shown.

    The first item is the status (0 active, 1 expired, 2 not yet in force);
    among expired ones the latest expiry wins, among future ones the
    earliest start, and the file order breaks ties.
    """
    if ov["set_on"] <= as_of <= ov["expires"]:
        return (0, 0, i)
    if ov["expires"] < as_of:
        return (1, -int(ov["expires"].value // _NS_PER_DAY), i)
    return (2, int(ov["set_on"].value // _NS_PER_DAY), i)


def _choose_overrides(
    table: pd.DataFrame, overrides: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[dict[int, tuple[int, int, int]], list[str]]:
    """Area position -> rank of the override shown there, and notices for unmatched rows.

    Raises
    ------
    ValueError
        When two overrides are active for one area on ``as_of``.
    """
    lookup = _area_lookup(table)
    names = table["area"].tolist()
    codes = table["area_code"].tolist()
    chosen: dict[int, tuple[int, int, int]] = {}
    active_rows: dict[int, list[int]] = {}
    notices: list[str] = []
    for i in range(len(overrides)):
        ov = overrides.iloc[i]
        hits = lookup.get(fold(str(ov["area"])), set())
        if len(hits) != 1:
            notices.append(_unmatched_notice(ov, i, hits, names, codes))
            continue
        pos = next(iter(hits))
        rank = _rank(ov, i, as_of)
        if rank[0] == 0:
            active_rows.setdefault(pos, []).append(i)
        if pos not in chosen or rank < chosen[pos]:
            chosen[pos] = rank
    for pos, rows in active_rows.items():
        if len(rows) > 1:
            where = ", ".join(str(overrides.iloc[r].get("row", r + 2)) for r in rows)
            raise ValueError(
                f"several overrides are active for {names[pos]} on {as_of:%Y-%m-%d} "
                f"(rows {where}); keep one"
            )
    return chosen, notices


def _unmatched_notice(
    ov: pd.Series, i: int, hits: set[int], names: list[str], codes: list[str]
) -> str:
    where = f"{ov.get('file', 'overrides')}: row {ov.get('row', i + 2)}"
    reason = (
        "matches no area"
        if not hits
        else "matches several areas: " + ", ".join(f"{names[h]} ({codes[h]})" for h in sorted(hits))
    )
    return f"{where}: override for {ov['area']!r} {reason}; not applied"
