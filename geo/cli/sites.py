"""``python -m geo sites``: load the team's sites and routes, list them, list incidents near them.

Sites are kept beside the incident store (``<store stem>.sites.geojson``,
:mod:`geo.io.sites`). They are sensitive: whoever can run these commands on
the server can read them, as they can read the store itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo import config
from geo.cli.common import cli_user
from geo.cli.errors import DataError, UsageError

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``sites`` command group to the ``python -m geo`` parser."""
    p = sub.add_parser(
        "sites",
        help="the team's sites and routes: import, list, incidents near them",
        description="Sites (offices, compounds, project sites, airstrips) and routes are "
        "kept beside the incident store; the map shows them to team members only. "
        "Formats and columns: docs/watch.md.",
    )
    group = p.add_subparsers(dest="sites_command", metavar="ACTION")
    imp = group.add_parser(
        "import",
        help="add the sites of a CSV, GeoJSON, GeoPackage or KML file",
        description="Check a site file and keep its sites with the store. Without "
        "--replace they are added to the kept ones (a name already kept is refused); "
        "nothing is kept when the file has any problem.",
    )
    imp.add_argument("file", type=Path, help="CSV (latitude/longitude or wkt), GeoJSON, .gpkg, KML")
    imp.add_argument("--replace", action="store_true", help="replace every kept site")
    imp.add_argument(
        "--radius",
        type=float,
        metavar="KM",
        help="radius of sites whose file gives none (default 25 km)",
    )
    _add_store(imp)
    imp.set_defaults(func=cmd_import)
    lst = group.add_parser("list", help="the kept sites and routes")
    lst.add_argument("--json", action="store_true", help="print GeoJSON")
    _add_store(lst)
    lst.set_defaults(func=cmd_list)
    near = group.add_parser("near", help="incidents within each site's radius (or --km)")
    near.add_argument("--km", type=float, help="distance instead of each site's radius")
    _add_store(near)
    near.set_defaults(func=cmd_near)
    p.set_defaults(func=lambda args: _no_action(p))


def _no_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _add_store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="CSV",
        help=f"incident store the sites belong to (default {config.INCIDENTS_CSV})",
    )


def _store(args: argparse.Namespace) -> Path:
    return Path(args.store) if args.store is not None else Path(config.INCIDENTS_CSV)


def cmd_import(args: argparse.Namespace) -> int:
    """Check the file, merge or replace, keep; one line per problem when it cannot."""
    from geo.io import audit
    from geo.io.sites import SiteFileError, load_sites, merge_sites, save_sites, store_sites

    if args.radius is not None and not 0 < args.radius <= 1000:
        raise UsageError(f"--radius {args.radius:g}: expected km above 0 and at most 1000")
    store = _store(args)
    try:
        new = load_sites(args.file, default_radius_km=args.radius)
        merged = merge_sites(store_sites(store), new, replace=args.replace, file=str(args.file))
    except SiteFileError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    save_sites(store, merged)
    audit.record(
        store,
        who=cli_user(),
        role="operator",
        action="sites.replace" if args.replace else "sites.add",
        source=Path(args.file).name,
        detail={"sites": len(new), "kept": len(merged)},
    )
    print(f"kept {len(merged)} site(s) with {store.name}: {len(new)} from {args.file}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """One line per site: name, kind, radius and where it is."""
    from geo.io.sites import SiteFileError, store_sites

    try:
        sites = store_sites(_store(args))
    except SiteFileError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    if args.json:
        print(json.dumps(json.loads(sites.to_json(drop_id=True)), ensure_ascii=False, indent=1))
        return 0
    if sites.empty:
        print("no sites kept (add some with: python -m geo sites import FILE)")
        return 0
    width = max(len(n) for n in sites["name"])
    for name, kind, radius, geom in zip(
        sites["name"], sites["kind"], sites["radius_km"], sites.geometry, strict=True
    ):
        point = geom.representative_point()
        where = f"{point.y:.4f}, {point.x:.4f}"
        if geom.geom_type != "Point":
            where = f"{geom.geom_type} through {where}"
        print(f"{name:<{width}}  {kind:<9} {radius:>6g} km  {where}")
    return 0


def cmd_near(args: argparse.Namespace) -> int:
    """Incidents within each site's radius (or ``--km``), nearest first."""
    from geo.analysis.proximity import describe, near_sites
    from geo.io.sites import SiteFileError, store_sites
    from geo.io.store import read_incidents

    if args.km is not None and not args.km >= 0:
        raise UsageError(f"--km {args.km:g}: expected a distance of 0 km or more")
    store = _store(args)
    try:
        sites = store_sites(store)
    except SiteFileError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    incidents = read_incidents(store)
    near = near_sites(incidents, sites, max_km=args.km)
    hit = near["within_radius"] if args.km is None else near["site"] != ""
    rows = incidents.loc[hit].join(near.loc[hit]).sort_values(["distance_km", "event_date"])
    for _, row in rows.iterrows():
        where = describe(row["distance_km"], row["bearing_deg"], row["site"])
        print(f"{row['event_date']:%Y-%m-%d}  {row['event_id']}  {row['event_type']}: {where}")
    print(f"{len(rows)} incident(s) near {len(sites)} site(s)", file=sys.stderr)
    return 0
