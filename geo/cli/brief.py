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
ANIMATION_FORMATS = {".gif": "gif", ".mp4": "mp4"}


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
        epilog="Examples: python -m geo brief --from 2013-02-01 --to 2013-02-28 --country ML "
        "--judgements judgements.txt --marking TLP:AMBER --author 'Sahel desk' --out brief.pdf; "
        "python -m geo brief --from 2013-02-01 --to 2013-02-28 --animate feb.gif; "
        "python -m geo brief --from 2013-02-01 --to 2013-02-28 --near-sites --out brief.pdf. "
        "Set SOURCE_DATE_EPOCH to pin the printed generation time.",
    )
    p.add_argument(
        "path", type=Path, nargs="?", default=None, help="incident CSV (default: the store)"
    )
    _add_period_arguments(p)
    _add_filter_arguments(p)
    _add_output_arguments(p)
    _add_note_arguments(p)
    _add_animation_arguments(p)
    p.set_defaults(func=cmd_brief)


def _add_note_arguments(p: argparse.ArgumentParser) -> None:
    """What the analyst adds: key judgements, marking, author."""
    p.add_argument(
        "--judgements",
        metavar="FILE|TEXT",
        help="key judgements: a text file (one per line) or the text itself (lines or ' | ' "
        "between them); 'draft' uses the draft from the data",
    )
    p.add_argument(
        "--draft-judgements",
        action="store_true",
        help="print a draft of key judgements from the data (to edit into a file) and stop",
    )
    p.add_argument("--marking", default="", help="handling marking, e.g. TLP:AMBER (top, bottom)")
    p.add_argument("--author", default="", help="who prepared the briefing")
    p.add_argument(
        "--near-sites",
        "--sites",
        nargs="?",
        const="radius",
        default=None,
        type=_near_km,
        metavar="KM",
        help="add a 'Near our sites' section: the incidents within each of the store's kept "
        "sites' radius (or within KM of a site), nearest first, as '12 km NE of <site>'. "
        "SENSITIVE: the file then prints the team's site and route names; share it only "
        "with the team. Give the incident file (if any) before this option. --sites is the "
        "same option (as for digest)",
    )


def _add_animation_arguments(p: argparse.ArgumentParser) -> None:
    """``--animate`` and how it steps."""
    p.add_argument(
        "--animate",
        type=Path,
        metavar="OUT",
        help="write the map as an animation stepping over the period (.gif, or .mp4 with ffmpeg)",
    )
    p.add_argument("--step", choices=("day", "week", "month"), default="week")
    p.add_argument("--cumulative", action="store_true", help="each frame shows everything so far")
    p.add_argument("--seconds-per-frame", type=float, default=1.0, metavar="S", help="default 1")


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
    p.add_argument("--out", type=Path, help="output file, .png or .pdf")


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


def _near_km(text: str) -> str | float:
    """``--near-sites``' value: "radius" (each site's own) or a distance in km."""
    if text == "radius":
        return text
    try:
        km = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a distance in km (put the incident file before --near-sites)"
        ) from None
    if not 0 <= km <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r}: expected km from 0 to 1000")
    return km


def _sites(args: argparse.Namespace, path: Any) -> Any:
    """The store's kept sites for ``--near-sites`` (``None`` without the option or sites)."""
    if args.near_sites is None:
        return None
    from geo.io.sites import SiteFileError, store_sites

    try:
        sites = store_sites(path)
    except SiteFileError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    if not len(sites):
        print(
            f"note: no sites are kept with {path}, so the briefing has no 'Near our sites' "
            "section (add them with: python -m geo sites import FILE)",
            file=sys.stderr,
        )
        return None
    print(
        f"note: the briefing names {len(sites)} of the team's sites: it is sensitive",
        file=sys.stderr,
    )
    return sites


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
    """Render a briefing file, an animation, or print draft judgements."""
    targets = _targets(args)
    event_types = _event_types(args.event_type)
    generated_at = _generated_at()
    from geo.analysis.filters import FilterState
    from geo.cli.core import read_prepared

    path = args.path if args.path is not None else config.INCIDENTS_CSV
    # The store's columnar copy: read, not validated, joined and measured again.
    incidents = read_prepared(path)
    date_from, date_to = _period(args, incidents, path)
    areas, borders, admin0 = _boundary_layers()
    state = FilterState(
        date_from=date_from,
        date_to=date_to,
        as_of=args.as_of,
        countries=_countries(args.country, incidents),
        admin1=_admin1(args.admin1, areas),
        event_types=event_types,
        min_fatalities=args.min_fatalities,
    )
    joined = incidents
    layers = {"areas": areas, "borders": borders, "admin0": admin0}
    risk = _risk(joined, state, layers, args.window_days, path)
    sites = (
        _sites(args, path) if any(kind in OUTPUT_FORMATS.values() for kind, _o in targets) else None
    )
    if args.draft_judgements:
        print("\n".join(_draft(joined, state, layers, risk)))
        return 0
    for kind, out in targets:
        data = _render(kind, joined, state, layers, args, generated_at, sites, risk)
        _write(out, data)
        print(
            f"wrote {out} ({kind.upper()}, {len(data) / 1024:.0f} KB) for {date_from} to {date_to}"
        )
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """What to write: (format, path) for ``--out`` and ``--animate``, checked."""
    targets = []
    if args.out is not None:
        targets.append((_output_format(args), args.out))
    if args.animate is not None:
        kind = ANIMATION_FORMATS.get(args.animate.suffix.lower())
        if kind is None:
            raise UsageError(f"--animate {args.animate}: the name must end in .gif or .mp4")
        if not args.animate.parent.exists():
            raise UsageError(
                f"--animate {args.animate}: folder {args.animate.parent} does not exist"
            )
        if not 0.05 <= args.seconds_per_frame <= 60:
            raise UsageError("--seconds-per-frame must be between 0.05 and 60")
        targets.append((kind, args.animate))
    if not targets and not args.draft_judgements:
        raise UsageError(
            "give --out FILE (.png or .pdf), --animate FILE (.gif) or --draft-judgements"
        )
    return targets


def _risk(joined: Any, state: Any, layers: dict[str, Any], window_days: int, store: Any) -> Any:
    """Area risk at the state's as-of date with the overrides of ``store`` (none if it has none).

    The overrides travel with the store (:func:`geo.io.store_overrides.store_overrides`):
    ``brief other.csv`` never gets the configured store's.
    """
    from geo.analysis.risk import RiskOverridesError, score_areas
    from geo.io.store_overrides import store_overrides

    try:
        overrides = store_overrides(store)
    except RiskOverridesError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    return score_areas(
        joined, layers["areas"], state.assessed_at, window_days=window_days, overrides=overrides
    )


def _draft(joined: Any, state: Any, layers: dict[str, Any], risk: Any) -> list[str]:
    """The draft key judgements for ``state``."""
    from geo.render.brief.judgements import draft_judgements

    return draft_judgements(joined, state, risk, layers["areas"], layers["admin0"])


def _judgements(
    args: argparse.Namespace, joined: Any, state: Any, layers: dict[str, Any], risk: Any
) -> list[str]:
    """``--judgements``: a file's lines, the text's lines, or the draft."""
    value = args.judgements
    if value is None:
        return []
    if value.strip().casefold() == "draft":
        return _draft(joined, state, layers, risk)
    candidate = Path(value)
    if "\n" not in value and len(value) < 4096 and candidate.is_file():
        try:
            value = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"--judgements {candidate}: cannot read it as UTF-8 text ({exc})"
            ) from None
    parts = value.splitlines() if "\n" in value else value.split(" | ")
    return [p.strip() for p in parts if p.strip()]


def _render(
    kind: str,
    joined: Any,
    state: Any,
    layers: dict[str, Any],
    args: argparse.Namespace,
    generated_at: dt.datetime | None,
    sites: Any = None,
    risk: Any = None,
) -> bytes:
    """One output's bytes; data that cannot be drawn is a DataError."""
    from geo.render.brief import render_brief
    from geo.render.brief.animate import AnimationError, animate_brief

    try:
        if kind in ("gif", "mp4"):
            return animate_brief(
                joined, state, step=args.step, cumulative=args.cumulative, fmt=kind,  # type: ignore[arg-type]
                seconds_per_frame=args.seconds_per_frame, title=args.title,
                window_days=args.window_days, risk=risk, **layers,
            )  # fmt: skip
        return render_brief(
            joined, state, fmt=kind, generated_at=generated_at, title=args.title,  # type: ignore[arg-type]
            dpi=args.dpi, window_days=args.window_days, marking=args.marking,
            author=args.author, judgements=_judgements(args, joined, state, layers, risk),
            risk=risk, **layers,
            sites=sites, near_km=None if args.near_sites in (None, "radius") else args.near_sites,
        )  # fmt: skip
    except AnimationError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:
        raise DataError(str(exc)) from None


def _write(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` atomically."""
    from geo.io.files import atomic_write_bytes

    try:
        atomic_write_bytes(out, data, backup=False)
    except OSError as exc:
        raise DataError(f"cannot write {out}: {exc}") from None


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
