"""``python -m geo sites``: load the team's sites and routes, list them, list incidents near them.

Sites are kept with the incident store (:mod:`geo.io.sites`): beside a CSV
store as ``<store stem>.sites.geojson``, in a PostGIS store's ``sites``
table. ``--store`` takes either; the default is the configured store
(``GEO_DATABASE_URL``, else ``GEO_INCIDENTS``). They are sensitive: whoever
can run these commands on the server can read them, as they can read the
store itself.
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
        default=None,
        metavar="STORE",
        help="incident store the sites belong to: a CSV or a postgresql:// URL (default: "
        f"GEO_DATABASE_URL when set, else {config.INCIDENTS_CSV})",
    )
    p.add_argument("--schema", default="public", help="database schema (default: public)")


def _store(args: argparse.Namespace) -> Any:
    from geo.io.backend import open_store

    return open_store(args.store, schema=args.schema)


def _sites(store: Any) -> Any:
    """The store's sites; a damaged site file or an unreachable database is a DataError."""
    from geo.io.sites import SiteFileError

    try:
        return store.sites()
    except SiteFileError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    except ConnectionError as exc:
        raise DataError(str(exc)) from None


def _name(store: Any) -> str:
    """The store as the output names it: a CSV's file name, a database's location."""
    path = getattr(store, "path", None)
    return store.location if path is None else Path(path).name


def cmd_import(args: argparse.Namespace) -> int:
    """Check the file, merge or replace, keep; one line per problem when it cannot."""
    from geo.io import audit
    from geo.io.sites import SiteFileError, load_sites, merge_sites

    if args.radius is not None and not 0 < args.radius <= 1000:
        raise UsageError(f"--radius {args.radius:g}: expected km above 0 and at most 1000")
    store = _store(args)
    try:
        new = load_sites(args.file, default_radius_km=args.radius)
        merged = merge_sites(_sites(store), new, replace=args.replace, file=str(args.file))
    except SiteFileError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    store.save_sites(merged)
    audit.record(
        store,
        who=cli_user(),
        role="operator",
        action="sites.replace" if args.replace else "sites.add",
        source=Path(args.file).name,
        detail={"sites": len(new), "kept": len(merged)},
    )
    print(f"kept {len(merged)} site(s) with {_name(store)}: {len(new)} from {args.file}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """One line per site: name, kind, radius and where it is."""
    sites = _sites(_store(args))
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

    if args.km is not None and not args.km >= 0:
        raise UsageError(f"--km {args.km:g}: expected a distance of 0 km or more")
    store = _store(args)
    sites = _sites(store)
    incidents = store.read()
    near = near_sites(incidents, sites, max_km=args.km)
    hit = near["within_radius"] if args.km is None else near["site"] != ""
    rows = incidents.loc[hit].join(near.loc[hit]).sort_values(["distance_km", "event_date"])
    for _, row in rows.iterrows():
        where = describe(row["distance_km"], row["bearing_deg"], row["site"])
        print(f"{row['event_date']:%Y-%m-%d}  {row['event_id']}  {row['event_type']}: {where}")
    print(f"{len(rows)} incident(s) near {len(sites)} site(s)", file=sys.stderr)
    return 0
