"""``python -m geo risk``: one row per area with score, level, components, trend, override."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd

from geo import config
from geo.cli.common import add_boundary_options, areas_from_args, check_boundary_options
from geo.cli.errors import DataError, UsageError

if TYPE_CHECKING:
    from geo.analysis.risk import RiskConfig

FORMATS = ("table", "csv", "json")
# A century: every incident date fits (they start in 1900), and the window's
# first day stays a real date.
_MAX_WINDOW_DAYS = 36_500

# Table columns: (header, output column, kind). Kinds: text (left-aligned),
# int, float1 (one decimal), pct.
_TABLE = (
    ("#", "rank", "int"),
    ("area", "area", "text"),
    ("iso3", "iso3", "text"),
    ("score", "score", "float1"),
    ("level", "level", "text"),
    ("override", "override", "text"),
    ("final", "final_level", "text"),
    ("trend", "trend", "text"),
    ("7d", "events_last_7d", "int"),
    ("wk avg", "weekly_baseline", "float2"),
    ("events", "events", "int"),
    ("deaths", "fatalities", "int"),
    ("civ", "civilian_events", "int"),
    ("locs", "locations", "int"),
    ("actors", "actors", "int"),
    ("last", "days_since_last", "int"),
    ("|", "sep", "text"),
    ("act", "c_activity", "float1"),
    ("sev", "c_severity", "float1"),
    ("fat", "c_fatalities", "float1"),
    ("civ%", "c_civilians", "float1"),
    ("dif", "c_diffusion", "float1"),
)


def register(sub: Any) -> None:
    """Add the ``risk`` command to the ``python -m geo`` parser."""
    p = sub.add_parser(
        "risk",
        help="score every area: risk level, components, trend and analyst overrides",
        description="Score every area of the admin-1 layer (or a boundary file of your own) "
        "from the incidents of a window ending on the as-of date. The method and the "
        "meaning of every column are in docs/risk.md.",
        epilog="Table columns: level is computed, override is the analyst's pin with its "
        "status, final is what the map shows. Components (0-100): act = recency-weighted "
        "events, sev = severity, fat = fatalities (log scale), civ%% = danger to civilians, "
        "dif = diffusion (distinct locations). last = days since the latest event.",
    )
    p.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=None,
        help=f"incident CSV (default: {config.INCIDENTS_CSV.name} of the data folder)",
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        help="assess risk on this day (default: the date of the latest incident)",
    )
    p.add_argument(
        "--window-days",
        dest="window_days",
        type=int,
        default=90,
        metavar="N",
        help="events of the N days ending on the as-of date count (default 90)",
    )
    add_boundary_options(p)
    p.add_argument(
        "--overrides",
        type=Path,
        help="analyst overrides CSV (default: the store's own, <store stem>.overrides.csv "
        "beside it, or data/risk_overrides.csv for the shipped data/incidents.csv)",
    )
    p.add_argument("--no-overrides", action="store_true", help="ignore every override file")
    p.add_argument("--config", type=Path, help="risk settings TOML (default: config/risk.toml)")
    p.add_argument(
        "--iso3",
        help="only areas of these countries, comma-separated ISO3 codes (e.g. MLI)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="table format: list areas with no events and no override too",
    )
    p.add_argument("--format", choices=FORMATS, default="table", help="output format")
    p.set_defaults(func=cmd_risk)


def _parse_as_of(text: str | None, incidents: pd.DataFrame) -> tuple[dt.date, bool]:
    if text is None:
        dates = incidents["event_date"].dropna()
        if dates.empty:
            raise UsageError("the incident file has no dated incidents; give --as-of YYYY-MM-DD")
        return pd.Timestamp(dates.max()).date(), True
    from geo.model.schema import DATE_MIN, date_max

    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--as-of: got {text!r}; expected a date as YYYY-MM-DD") from None
    # The window reaches back from the as-of date: year 1 would overflow it.
    first, last = DATE_MIN.date(), date_max().date()
    if not first <= day <= last:
        raise UsageError(f"--as-of: got {text}; expected a date from {first} to {last}")
    return day, False


def cmd_risk(args: argparse.Namespace) -> int:
    """Score areas and print them as a table, CSV or JSON."""
    from geo.analysis import risk

    check_boundary_options(args)
    path = args.path if args.path is not None else config.INCIDENTS_CSV
    cfg, overrides = _settings(args, path)
    if not Path(path).exists():
        raise UsageError(f"incident file not found: {path}")
    incidents, joined = _incidents(args, path)
    as_of, defaulted = _parse_as_of(args.as_of, incidents)
    areas = _areas(args, incidents)
    joined = joined if joined is not None else _join(incidents, areas)
    try:
        scored = risk.score_areas(
            joined, areas, as_of, window_days=args.window_days, config=cfg, overrides=overrides
        )
    except ValueError as exc:
        raise DataError(str(exc)) from None

    if defaulted:
        print(f"as of {as_of}, the latest incident in {path} (set --as-of)", file=sys.stderr)
    for notice in scored.attrs.get("notices", []):
        print(f"warning: {notice}", file=sys.stderr)
    _write(scored, _context(joined, scored, as_of, args, cfg, path), args)
    return 0


def _settings(
    args: argparse.Namespace, store: str | os.PathLike[str]
) -> tuple[RiskConfig, pd.DataFrame | None]:
    """Check the options; the risk settings and the overrides (``None``: ignored) they name.

    Without ``--overrides``, the overrides are the store's own
    (:mod:`geo.io.store_overrides`), none when it has none.
    """
    from geo.analysis import risk

    if not 1 <= args.window_days <= _MAX_WINDOW_DAYS:
        raise UsageError(
            f"--window-days: got {args.window_days}; expected a whole number from 1 to "
            f"{_MAX_WINDOW_DAYS:,}"
        )
    if args.overrides is not None and args.no_overrides:
        raise UsageError("--overrides and --no-overrides exclude each other")
    for flag, path in (("--config", args.config), ("--overrides", args.overrides)):
        if path is not None and not path.exists():
            raise UsageError(f"{flag}: file not found: {path}")
    try:
        cfg = risk.load_risk_config(args.config)
    except risk.RiskConfigError as exc:
        raise DataError(str(exc)) from None
    try:
        overrides = None if args.no_overrides else _store_overrides(args.overrides, store)
    except risk.RiskOverridesError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    return cfg, overrides


def _store_overrides(given: Path | None, store: str | os.PathLike[str]) -> pd.DataFrame | None:
    """The overrides file asked for, else the store's own; None when the store has none."""
    from geo.analysis import risk
    from geo.io.store_overrides import store_overrides

    return risk.load_overrides(given) if given is not None else store_overrides(store)


def _incidents(
    args: argparse.Namespace, path: str | os.PathLike[str]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The store's incidents, and their join when it is the copy's (the default areas).

    With the shipped areas the joined frame is the store's columnar copy
    (:func:`geo.cli.core.read_prepared`), read instead of prepared again;
    ``--boundaries`` or ``--iso3`` join to other areas, here.
    """
    from geo.cli.core import read_prepared
    from geo.io.store import read_incidents

    if args.boundaries is None and not args.iso3:
        prepared = read_prepared(path)
        return prepared, prepared
    return read_incidents(path), None


def _join(incidents: pd.DataFrame, areas: Any) -> pd.DataFrame:
    from geo.analysis.pipeline import prepare

    return prepare(incidents, areas=areas)


def _areas(args: argparse.Namespace, incidents: pd.DataFrame) -> Any:
    """The area layer of the boundary options, cut to the --iso3 countries."""
    areas = areas_from_args(args, incidents)
    if args.iso3:
        wanted = [c.strip().upper() for c in args.iso3.split(",") if c.strip()]
        unknown = sorted(set(wanted) - set(areas["iso3"]))
        if unknown:
            raise UsageError(f"--iso3: no areas for {', '.join(unknown)} in the area layer")
        areas = areas[areas["iso3"].isin(wanted)].reset_index(drop=True)
    return areas


def _write(scored: pd.DataFrame, context: dict[str, Any], args: argparse.Namespace) -> None:
    """Print the scored areas to standard output in the --format asked for."""
    if args.format == "csv":
        _csv_frame(scored).to_csv(sys.stdout, index=False, lineterminator="\n")
    elif args.format == "json":
        json.dump(_json_doc(scored, context), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        write_table(scored, context, sys.stdout, show_all=args.all)


def _context(
    joined: pd.DataFrame,
    scored: pd.DataFrame,
    as_of: dt.date,
    args: argparse.Namespace,
    cfg: Any,
    path: Path,
) -> dict[str, Any]:
    window = int(args.window_days)
    start = as_of - dt.timedelta(days=window - 1)
    dates = joined["event_date"].dt.date
    placed = joined["area"].astype("string").fillna("") != ""
    return {
        "incidents_file": str(path),
        "as_of": as_of.isoformat(),
        "window_days": window,
        "window_start": start.isoformat(),
        "half_life_days": cfg.half_life_days,
        "config_file": str(args.config) if args.config else str(config.RISK_CONFIG_FILE),
        "incidents": len(joined),
        "incidents_in_window": int(((dates >= start) & (dates <= as_of) & placed).sum()),
        "incidents_after_as_of": int((dates > as_of).sum()),
        "incidents_in_no_area": int((~placed).sum()),
        "areas": len(scored),
    }


def _csv_frame(scored: pd.DataFrame) -> pd.DataFrame:
    """The scored areas as CSV cells; area names and reasons cannot run as formulas."""
    from geo.io.export import neutralise_formulas

    out = scored.copy()
    out["override_expires"] = out["override_expires"].dt.strftime("%Y-%m-%d").fillna("")
    return neutralise_formulas(out)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return _json_value(value.item())
    return value


def _json_doc(scored: pd.DataFrame, context: dict[str, Any]) -> dict[str, Any]:
    records = [
        {col: _json_value(value) for col, value in row.items()}
        for row in scored.astype(object).to_dict(orient="records")
    ]
    return {**context, "notices": list(scored.attrs.get("notices", [])), "areas": records}


def _override_text(row: pd.Series) -> str:
    status = row["override_status"]
    if not isinstance(status, str) or not status:
        return "-"
    expires = pd.Timestamp(row["override_expires"]).date().isoformat()
    if status == "active":
        return f"{row['override_level']} (to {expires})"
    if status == "expired":
        return f"{row['override_level']} (expired {expires})"
    return f"{row['override_level']} (not yet)"


def _cell(value: Any, kind: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind == "int":
        return str(int(value))
    if kind == "float1":
        return f"{float(value):.1f}"
    if kind == "float2":
        return f"{float(value):.2f}"
    return str(value)


def write_table(
    scored: pd.DataFrame, context: dict[str, Any], out: TextIO, show_all: bool = False
) -> None:
    """Print the scored areas as an aligned text table with a header and notes."""
    frame = scored.copy()
    frame["rank"] = range(1, len(frame) + 1)
    frame["override"] = [_override_text(row) for _, row in frame.iterrows()]
    frame["sep"] = "|"
    quiet = (frame["events"] == 0) & (frame["override_status"].fillna("") == "")
    shown = frame if show_all else frame[~quiet]

    out.write(
        f"Risk as of {context['as_of']}: window {context['window_start']} .. {context['as_of']} "
        f"({context['window_days']} days), half-life {context['half_life_days']:g} days\n"
        f"{context['incidents_in_window']} of {context['incidents']} incident(s) in the window "
        f"and in an area ({context['incidents_after_as_of']} after the as-of date, "
        f"{context['incidents_in_no_area']} in none of these areas); "
        f"{context['areas']} area(s)\n\n"
    )
    rows = [[_cell(r[col], kind) for _, col, kind in _TABLE] for _, r in shown.iterrows()]
    headers = [h for h, _, _ in _TABLE]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        parts = [
            c.ljust(w) if kind == "text" else c.rjust(w)
            for c, w, (_, _, kind) in zip(cells, widths, _TABLE, strict=True)
        ]
        return "  ".join(parts).rstrip() + "\n"

    out.write(line(headers))
    out.write(line(["-" * w for w in widths]))
    for r in rows:
        out.write(line(r))
    hidden = len(frame) - len(shown)
    if hidden:
        out.write(f"... and {hidden} area(s) with no events in the window and no override: Low\n")

    pinned = frame[frame["override_status"].fillna("") != ""]
    if len(pinned):
        out.write("\nOverrides (level pinned by an analyst; the computed level stays shown):\n")
        for _, r in pinned.iterrows():
            expires = pd.Timestamp(r["override_expires"]).date().isoformat()
            out.write(
                f"  {r['area']}: {r['override_level']} ({r['override_status']}, expires "
                f"{expires}, set by {r['override_set_by']}) - {r['override_reason']}\n"
            )
    out.write(
        "\nComponents 0-100: act recency-weighted events, sev severity, fat fatalities "
        "(log), civ% danger to civilians, dif distinct locations. See docs/risk.md.\n"
    )
