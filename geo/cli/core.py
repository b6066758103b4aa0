"""Foundation commands: validate, geocode, join, summary."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo import config
from geo.cli.common import add_boundary_options, areas_from_args, check_boundary_options
from geo.cli.errors import DataError, UsageError

if TYPE_CHECKING:
    from geo.reference.gazetteer import Gazetteer, GeocodeResult

# load_user_gazetteer's column options, with their defaults; an OCHA export
# needs e.g. --name-column featureName --lat-column Latitude ...
_GAZETTEER_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("name", "name"),
    ("lat", "latitude"),
    ("lon", "longitude"),
    ("admin1", None),
    ("country", None),
    ("alt", None),
)
_GAZETTEER_COLUMN_HELP = {
    "name": "place name",
    "lat": "latitude",
    "lon": "longitude",
    "admin1": "admin-1 name",
    "country": "country (ISO3, ISO2 or name)",
    "alt": "|-separated alternate names",
}


def register(sub: Any) -> None:
    """Add the foundation commands to the ``python -m geo`` parser."""
    _add_validate(sub)
    _add_geocode(sub)
    _add_join(sub)
    _add_summary(sub)


def _add_validate(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="check an incident file; exit 1 with one line per problem",
        description="Check every row of an incident CSV: types, ranges, event types, ids, and "
        "whether stated admin-1 areas match the coordinates.",
    )
    p.add_argument("path", type=Path, help="incident CSV")
    p.add_argument(
        "--no-consistency",
        action="store_true",
        help="skip the admin-1 versus coordinates check",
    )
    p.set_defaults(func=cmd_validate)


def _add_geocode(sub: Any) -> None:
    p = sub.add_parser(
        "geocode",
        help="look a place name up in the offline gazetteer",
        description="Find a place in the offline gazetteer (analyst overrides, --gazetteer "
        "files, the store's gazetteers, GeoNames). Online geocoders are used only with "
        "--online.",
    )
    p.add_argument("name", help="place name, any spelling or accents")
    p.add_argument("--country", help="ISO2/ISO3 code or country name to prefer")
    p.add_argument("--admin1", help="admin-1 hint to resolve ambiguous names")
    p.add_argument(
        "--gazetteer",
        action="append",
        type=Path,
        default=[],
        metavar="CSV",
        help="a user gazetteer CSV with columns name, latitude, longitude (repeatable; "
        "other column names with the --*-column options)",
    )
    for key, default in _GAZETTEER_COLUMNS:
        p.add_argument(
            f"--{key.replace('_', '-')}-column",
            dest=f"{key}_col",
            metavar="COL",
            help=f"column of --gazetteer files holding the {_GAZETTEER_COLUMN_HELP[key]}"
            + (f" (default {default})" if default else ""),
        )
    add_store_option(p)
    p.add_argument(
        "--online",
        choices=("nominatim",),
        help="fall back to an online geocoder when the offline ones find nothing",
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help="no fuzzy match: by default a name no spelling rule knows is matched to the "
        "closest name of the country (rapidfuzz), flagged as fuzzy with its score",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_geocode)


def add_store_option(p: argparse.ArgumentParser) -> None:
    """``--store``: the incident store whose gazetteers are searched before the shipped places."""
    p.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="CSV",
        help="incident store whose gazetteers (loaded on the app's Ingest page, kept in "
        f"<store>.gazetteers/) are searched before the shipped places (default "
        f"{config.INCIDENTS_CSV})",
    )


def store_gazetteer(store: Path | None, user_files: list[Any] | None = None) -> Gazetteer:
    """The store's gazetteers (after ``user_files``) ahead of the shipped places.

    Raises
    ------
    DataError
        A user file or the store's gazetteer configuration has problems.
    """
    from geo.io.backend import open_store
    from geo.io.gazetteers import StoreGazetteerError, load_store_gazetteer
    from geo.reference.gazetteer import GazetteerError

    try:
        # The configured store by default: a database store's gazetteers are in it.
        return load_store_gazetteer(
            store if store is not None else open_store(), extra_files=user_files or []
        )
    except (GazetteerError, StoreGazetteerError) as exc:
        raise DataError(str(exc)) from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        # pandas names no file: the user's files are the ones that can be this broken
        named = ", ".join(str(f[0] if isinstance(f, tuple) else f) for f in user_files or [])
        raise DataError(f"--gazetteer: not a readable UTF-8 CSV file ({named}): {exc}") from None


def _add_join(sub: Any) -> None:
    p = sub.add_parser(
        "join",
        help="add area, snapping flags and border distance to incidents",
        description="Join incidents to admin-1 areas (or a boundary file of your own) and "
        "measure each one's distance to its country's nearest land border.",
    )
    p.add_argument("path", type=Path, help="incident CSV")
    add_boundary_options(p)
    p.add_argument("--snap-km", type=float, default=10.0, help="snap tolerance (default 10)")
    p.add_argument("--out", type=Path, help="write CSV here instead of standard output")
    p.set_defaults(func=cmd_join)


def _add_summary(sub: Any) -> None:
    p = sub.add_parser(
        "summary",
        help="counts by country, admin-1, event type and month",
    )
    p.add_argument("path", type=Path, nargs="?", default=None, help="incident CSV")
    p.set_defaults(func=cmd_summary)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a file; print one line per problem."""
    from geo.io.store import check_rows, read_raw

    raw = read_raw(args.path)
    problems = check_rows(raw, file=str(args.path))
    if not args.no_consistency:
        problems = sorted(
            problems + _consistency_problems(raw, problems, str(args.path)),
            key=lambda p: p.row,
        )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    print(f"OK: {len(raw)} incident(s) in {args.path} are valid")
    return 0


def _consistency_problems(raw: pd.DataFrame, problems: list[Any], file: str) -> list[Any]:
    """Admin-1 consistency problems of the rows that passed validation.

    Rows with a problem of their own are left out (their cells cannot be
    typed), the others are checked, so one bad cell does not hide a
    wrong-sign longitude elsewhere in the file. A header problem (row 1,
    e.g. a missing column) skips the check. Rows keep their file numbers.
    """
    import dataclasses

    import numpy as np

    from geo.analysis import spatial
    from geo.model.schema import coerce_frame, spreadsheet_row
    from geo.reference import boundaries

    bad_rows = {p.row for p in problems}
    if any(row < 2 for row in bad_rows):
        return []
    rows = np.array([spreadsheet_row(i) for i in range(len(raw))], dtype=int)
    keep = ~np.isin(rows, list(bad_rows))
    if not keep.any():
        return []
    areas = boundaries.load_admin1()
    joined = spatial.join_areas(coerce_frame(raw[keep].reset_index(drop=True)), areas)
    found = spatial.check_admin1_consistency(joined, boundaries.AreaNames(areas), file=file)
    file_rows = rows[keep]
    # check_admin1_consistency numbers the kept rows 2, 3, ...; map back to the file's rows
    return [dataclasses.replace(p, row=int(file_rows[p.row - 2])) for p in found]


def cmd_geocode(args: argparse.Namespace) -> int:
    """Print the best match for a place name, with candidates when ambiguous."""
    args.name, args.country, args.admin1 = map(_as_typed, (args.name, args.country, args.admin1))
    options = _gazetteer_options(args)
    gazetteer = store_gazetteer(args.store, [(path, options) for path in args.gazetteer])
    result = _lookup(gazetteer, args)
    if result is None:
        message = f"no place called {args.name!r}"
        if args.country:
            message += f" in {args.country}"
        print(message, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    _print_place(result)
    return 0


def _as_typed(text: str | None) -> str | None:
    """An argument as the user typed it, also under an ASCII locale.

    Python decodes argument bytes its locale cannot read as surrogate escapes
    ("M\\udcc3\\udca9naka"); terminals send UTF-8, so the bytes are read as that.
    """
    if text is None:
        return None
    try:
        return os.fsencode(text).decode("utf-8")
    except UnicodeError:
        return text


def _gazetteer_options(args: argparse.Namespace) -> dict[str, str]:
    """Check the geocode arguments; the --*-column options as load_gazetteer takes them."""
    from geo.reference.gazetteer import resolve_country

    if args.country is not None and resolve_country(args.country) is None:
        # a typo must not quietly fall back to "any country" (Gao would be Mali's)
        raise UsageError(
            f"--country: got {args.country!r}; expected an ISO2/ISO3 code or an English "
            "country name, e.g. ML, MLI or Mali"
        )
    for path in args.gazetteer:
        if not path.exists():
            raise UsageError(f"gazetteer file not found: {path}")
        if not path.is_file():
            raise UsageError(f"--gazetteer: {path} is not a file; expected a CSV file")
    options = {
        f"{key}_col": getattr(args, f"{key}_col")
        for key, _ in _GAZETTEER_COLUMNS
        if getattr(args, f"{key}_col")
    }
    if options and not args.gazetteer:
        raise UsageError("the --*-column options need --gazetteer CSV")
    return options


def _lookup(gazetteer: Gazetteer, args: argparse.Namespace) -> GeocodeResult | None:
    """The gazetteer's answer, its warnings printed as plain lines."""
    online = None
    if args.online:
        from geo.reference.geocoders import OnlineGeocoder

        online = OnlineGeocoder(args.online, enabled=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = gazetteer.lookup(
            args.name,
            country=args.country,
            admin1=args.admin1,
            online=online,
            fuzzy=not args.exact,
        )
    for warning in caught:  # e.g. the online geocoder failed: say so, without a code line
        print(f"warning: {warning.message}", file=sys.stderr)
    return result


def _print_place(result: GeocodeResult) -> None:
    """The match as text lines, with its candidates when the name is ambiguous."""
    print(
        f"{result.name} ({result.admin1 or '-'}, {result.iso3}): "
        f"{result.latitude:.4f} N, {result.longitude:.4f} E"
    )
    match = f"; match {result.match}" if getattr(result, "match", "") else ""
    print(f"  geo_precision {result.geo_precision}; source {result.source}{match}")
    if result.note:
        print(f"  {result.note}")
    if result.ambiguous:
        print(f"  ambiguous: {len(result.candidates)} candidates:")
        for cand in result.candidates:
            print(f"    {_candidate_line(cand)}")


def _candidate_line(cand: Any) -> str:
    c = cand if isinstance(cand, dict) else cand.__dict__
    parts = [str(c.get("name", "")), str(c.get("admin1", "") or "-"), str(c.get("iso3", ""))]
    lat, lon = c.get("latitude"), c.get("longitude")
    where = f"{lat:.4f}, {lon:.4f}" if lat is not None and lon is not None else ""
    pop = c.get("population")
    return f"{parts[0]} ({parts[1]}, {parts[2]}) {where}" + (f" pop {pop}" if pop else "")


def read_prepared(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The store's incidents typed and joined with the default areas, from its columnar copy.

    The frame ``prepare(read_incidents(path))`` gives, read from the copy
    kept beside the store (:func:`geo.io.columnar.prepared_incidents`):
    a command no longer validates, joins and measures a million rows at
    every run. The copy is built (or rebuilt after a hand edit) on first use.

    Raises
    ------
    geo.model.schema.IncidentFileError
        The store is missing or has invalid rows (as :func:`read_incidents`).
    """
    from geo.io.columnar import prepared_incidents

    return prepared_incidents(path)


_DEFAULT_SNAP_KM = 10.0  # what the copy is joined with (geo.analysis.pipeline.prepare)


def cmd_join(args: argparse.Namespace) -> int:
    """Join incidents to areas and border lines and write CSV."""
    from geo.analysis.pipeline import prepare
    from geo.io.export import neutralise_formulas
    from geo.io.store import read_incidents, to_csv_frame

    check_boundary_options(args)
    if args.snap_km < 0:
        raise UsageError("--snap-km must be >= 0")
    if args.boundaries is None and args.snap_km == _DEFAULT_SNAP_KM:
        joined = read_prepared(args.path)
    else:  # other areas or snapping: joined here, as the copy holds neither
        incidents = read_incidents(args.path)
        areas = areas_from_args(args, incidents)
        joined = prepare(incidents, areas=areas, snap_km=args.snap_km)
    # Read in spreadsheets, not by the store: no cell may run as a formula.
    text = to_csv_frame(neutralise_formulas(joined))
    if args.out:
        from geo.io.store import atomic_write_text

        atomic_write_text(args.out, text.to_csv(index=False, lineterminator="\n"), backup=False)
        unplaced = int((joined["area"] == "").sum())
        snapped = int(joined["area_snapped"].sum())
        print(
            f"wrote {len(joined)} incident(s) to {args.out}: "
            f"{snapped} snapped to the nearest area, {unplaced} in no area",
            file=sys.stderr,
        )
    else:
        text.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def summarise(joined: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Incident and fatality counts by country, admin-1 area, event type and month."""
    frame = joined.assign(
        month=joined["event_date"].dt.strftime("%Y-%m"),
        admin1_area=joined["area"].where(joined["area"] != "", "(no area)")
        if "area" in joined.columns
        else joined["admin1"],
    )
    out = {}
    for title, col in (
        ("country", "country"),
        ("admin-1", "admin1_area"),
        ("event type", "event_type"),
        ("month", "month"),
    ):
        table = (
            frame.groupby(col, sort=True)
            .agg(incidents=("event_id", "size"), fatalities=("fatalities", "sum"))
            .reset_index()
            .rename(columns={col: title})
        )
        if col != "month":
            table = table.sort_values(["incidents", title], ascending=[False, True])
        out[title] = table.reset_index(drop=True)
    return out


def cmd_summary(args: argparse.Namespace) -> int:
    """Print counts by country, admin-1, event type and month."""
    path = args.path or config.INCIDENTS_CSV
    joined = read_prepared(path)
    print(f"{len(joined)} incident(s), {int(joined['fatalities'].sum())} fatalities in {path}")
    for title, table in summarise(joined).items():
        print(f"\nBy {title}:")
        print(table.to_string(index=False))
    return 0
