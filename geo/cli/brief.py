"""``python -m geo brief`` (static PNG/PDF briefing) and ``python -m geo snapshot``
(capture of the live dashboard in headless Chromium)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from geo import config
from geo.cli.errors import DataError, UsageError

OUTPUT_FORMATS = {".png": "png", ".pdf": "pdf"}


def register(sub: Any) -> None:
    """Add the ``brief`` and ``snapshot`` commands to the ``python -m geo`` parser."""
    _register_brief(sub)
    _register_snapshot(sub)


def _register_brief(sub: Any) -> None:
    """The ``brief`` command: a briefing file of a period."""
    p = sub.add_parser(
        "brief",
        help="render a briefing (PNG slide or one-page PDF) of a period",
        description="Render a briefing of the incidents of a period: admin-1 risk shading, "
        "incidents by type sized by fatalities, borders, towns, the top areas and (PDF) the "
        "key incidents. Works offline; the format follows the --out extension.",
        epilog="Example: python -m geo brief --from 2013-02-01 --to 2013-02-28 --country ML "
        "--out brief.pdf. Set SOURCE_DATE_EPOCH to pin the printed generation time.",
    )
    p.add_argument(
        "path", type=Path, nargs="?", default=None, help="incident CSV (default: the store)"
    )
    _add_period_arguments(p)
    _add_filter_arguments(p)
    _add_output_arguments(p)
    p.set_defaults(func=cmd_brief)


def _add_period_arguments(p: argparse.ArgumentParser) -> None:
    """``--from``, ``--to`` and ``--as-of``."""
    p.add_argument(
        "--from",
        dest="date_from",
        type=_date,
        metavar="DATE",
        help="first day, YYYY-MM-DD (default: 29 days before --to)",
    )
    p.add_argument(
        "--to",
        dest="date_to",
        type=_date,
        metavar="DATE",
        help="last day, YYYY-MM-DD (default: the latest incident)",
    )
    p.add_argument(
        "--as-of", type=_date, metavar="DATE", help="day risk is assessed at (default: --to)"
    )


def _add_filter_arguments(p: argparse.ArgumentParser) -> None:
    """What the briefing is about: countries, areas, event types, fatalities."""
    p.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="COUNTRY",
        help="ISO2, ISO3 or name, e.g. ML, MLI or Mali (repeatable or comma-separated)",
    )
    p.add_argument(
        "--admin1",
        action="append",
        default=[],
        metavar="AREA",
        help="admin-1 area name (repeatable or comma-separated)",
    )
    p.add_argument(
        "--event-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="ACLED event type, e.g. Battles (repeatable or comma-separated)",
    )
    p.add_argument("--min-fatalities", type=int, default=0, metavar="N")


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
    """Risk window, title, resolution and the output file."""
    p.add_argument(
        "--window-days",
        type=int,
        default=90,
        metavar="DAYS",
        help="risk window in days (default 90)",
    )
    p.add_argument("--title", help="title printed on the briefing")
    p.add_argument("--dpi", type=int, help="PNG resolution (default 120: 1920 px wide)")
    p.add_argument("--out", type=Path, required=True, help="output file, .png or .pdf")


def _register_snapshot(sub: Any) -> None:
    """The ``snapshot`` command: a PNG of the live dashboard's map."""
    p = sub.add_parser(
        "snapshot",
        help="save a PNG of the running dashboard's map, as the browser shows it",
        description="Open a dashboard URL (with its query string) in headless Chromium, wait "
        "until the app has run and the map has drawn, and save the map as PNG.",
    )
    p.add_argument("url", help="dashboard URL, e.g. http://localhost:8501/?from=2013-02-01")
    p.add_argument("--out", type=Path, required=True, help="output PNG")
    p.add_argument("--width", type=int, default=1600, help="browser window width (px)")
    p.add_argument("--height", type=int, default=1000, help="browser window height (px)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default 60)")
    p.add_argument("--full-page", action="store_true", help="capture the whole page, not the map")
    p.add_argument(
        "--browser", help="Chromium executable (default $GEO_CHROMIUM or /usr/bin/chromium)"
    )
    p.set_defaults(func=cmd_snapshot)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def _items(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _countries(values: list[str], incidents: Any) -> tuple[str, ...]:
    """Map ISO2 / ISO3 / names to the ISO3 codes the data uses."""
    from geo.reference.gazetteer import resolve_country
    from geo.reference.names import fold

    in_data = dict(
        zip(incidents["iso3"].astype(str), incidents["country"].astype(str), strict=False)
    )
    by_name = {fold(name): iso3 for iso3, name in in_data.items()}
    out: list[str] = []
    for value in _items(values):
        iso3 = by_name.get(fold(value)) or resolve_country(value)
        if iso3 is None:
            raise UsageError(
                f"--country {value!r}: not a country code or name (try ML, MLI or Mali)"
            )
        if iso3 not in in_data:
            print(f"note: no incidents in the data for {value} ({iso3})", file=sys.stderr)
        out.append(iso3)
    return tuple(dict.fromkeys(out))


def _event_types(values: list[str]) -> tuple[str, ...]:
    from geo.model.schema import EVENT_TYPES

    by_key = {t.casefold(): t for t in EVENT_TYPES}
    out = []
    for value in _items(values):
        if value.casefold() not in by_key:
            raise UsageError(f"--event-type {value!r}: expected one of {', '.join(EVENT_TYPES)}")
        out.append(by_key[value.casefold()])
    return tuple(dict.fromkeys(out))


def _generated_at() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: expected seconds since 1970") from None


def cmd_brief(args: argparse.Namespace) -> int:
    """Render a briefing file."""
    from geo.analysis.filters import FilterState

    fmt = _output_format(args)
    event_types = _event_types(args.event_type)
    generated_at = _generated_at()

    from geo.analysis.pipeline import prepare
    from geo.io.store import read_incidents
    from geo.render.brief import render_brief

    path = args.path if args.path is not None else config.INCIDENTS_CSV
    incidents = read_incidents(path)
    date_from, date_to = _period(args, incidents, path)
    countries = _countries(args.country, incidents)
    areas, borders, admin0 = _boundary_layers()
    admin1 = _admin1(args.admin1, areas)

    state = FilterState(
        date_from=date_from,
        date_to=date_to,
        as_of=args.as_of,
        countries=countries,
        admin1=admin1,
        event_types=event_types,
        min_fatalities=args.min_fatalities,
    )
    joined = prepare(incidents, areas=areas)
    try:
        data = render_brief(
            joined,
            state,
            areas=areas,
            borders=borders,
            admin0=admin0,
            fmt=fmt,  # type: ignore[arg-type]
            generated_at=generated_at,
            title=args.title,
            dpi=args.dpi,
            window_days=args.window_days,
        )
    except ValueError as exc:
        raise DataError(str(exc)) from None
    args.out.write_bytes(data)
    print(
        f"wrote {args.out} ({fmt.upper()}, {len(data) / 1024:.0f} KB) for {date_from} to {date_to}"
    )
    return 0


def _output_format(args: argparse.Namespace) -> str:
    """The file format ``--out`` names, once the numeric options are checked."""
    fmt = OUTPUT_FORMATS.get(args.out.suffix.lower())
    if fmt is None:
        raise UsageError(f"--out {args.out}: the name must end in .png or .pdf")
    if not args.out.parent.exists():
        raise UsageError(f"--out {args.out}: folder {args.out.parent} does not exist")
    if args.window_days < 1:
        raise UsageError("--window-days must be a whole number of days >= 1")
    if args.min_fatalities < 0:
        raise UsageError("--min-fatalities must be >= 0")
    if args.dpi is not None and fmt == "png" and not 100 <= args.dpi <= 600:
        raise UsageError("--dpi must be between 100 and 600 (100 gives a 1600 px wide PNG)")
    return fmt


def _period(args: argparse.Namespace, incidents: Any, path: Path) -> tuple[dt.date, dt.date]:
    """First and last day: as given, else the 30 days to the latest incident."""
    if not len(incidents) and (args.date_to is None):
        raise DataError(f"{path}: no incidents, so there is no period to default to; give --to")
    date_to = args.date_to or incidents["event_date"].max().date()
    date_from = args.date_from or date_to - dt.timedelta(days=29)
    if date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    return date_from, date_to


def _boundary_layers() -> tuple[Any, Any, Any]:
    """The shipped admin-1 areas, border lines and countries."""
    from geo.reference import boundaries

    try:
        areas = boundaries.load_admin1()
        borders = boundaries.load_borders()
        admin0 = boundaries.load_admin0()
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the boundary layers: {exc}") from None
    return areas, borders, admin0


def _admin1(values: list[str], areas: Any) -> tuple[str, ...]:
    """The ``--admin1`` names, each checked against the areas layer."""
    admin1 = tuple(_items(values))
    unknown = sorted(set(admin1) - set(areas["area"]))
    if unknown:
        raise UsageError(f"--admin1: unknown area(s) {', '.join(unknown)}")
    return admin1


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Capture the live map of a running dashboard."""
    from geo.render.snapshot import SnapshotError, snapshot

    if args.out.suffix.lower() != ".png":
        raise UsageError(f"--out {args.out}: the name must end in .png")
    if not args.out.parent.exists():
        raise UsageError(f"--out {args.out}: folder {args.out.parent} does not exist")
    if not (200 <= args.width <= 8000 and 200 <= args.height <= 8000):
        raise UsageError("--width and --height must be between 200 and 8000 pixels")
    if args.timeout <= 0:
        raise UsageError("--timeout must be > 0 seconds")
    try:
        data = snapshot(
            args.url,
            width=args.width,
            height=args.height,
            timeout=args.timeout,
            full_page=args.full_page,
            browser=args.browser,
        )
    except SnapshotError as exc:
        raise DataError(str(exc)) from None
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data) / 1024:.0f} KB) from {args.url}")
    return 0
