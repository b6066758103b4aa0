"""Options and argument checks that several command groups share."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any

from geo.cli.errors import DataError, UsageError


def add_boundary_options(parser: argparse.ArgumentParser) -> None:
    """``--boundaries FILE --name-field F --code-field F --layer L``."""
    parser.add_argument(
        "--boundaries", type=Path, help="GeoJSON, Shapefile (.shp/.zip) or GeoPackage"
    )
    parser.add_argument("--name-field", help="area name field of --boundaries")
    parser.add_argument("--code-field", help="area code field of --boundaries")
    parser.add_argument("--layer", help="layer of a GeoPackage")


# Tables GDAL would open as layers without any geometry: never a boundary file.
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xls", ".xlsx", ".ods")


def _check_boundary_path(path: Path) -> None:
    """Refuse a --boundaries path that is missing, a folder or a table of rows."""
    expected = "expected a GeoJSON, Shapefile (.shp or .zip) or GeoPackage (.gpkg)"
    if not path.exists():
        raise UsageError(f"boundary file not found: {path}")
    if path.is_dir():
        raise UsageError(f"--boundaries: {path} is a folder; {expected}")
    if path.suffix.lower() in _TABLE_SUFFIXES:
        raise UsageError(
            f"--boundaries: {path} is a table ({path.suffix}), not a layer of area "
            f"shapes; {expected}"
        )


def check_boundary_options(args: argparse.Namespace) -> None:
    """Refuse field options without a boundary file (before any data is read)."""
    if args.boundaries is None and (args.name_field or args.code_field or args.layer):
        raise UsageError("--name-field, --code-field and --layer need --boundaries FILE")


def areas_from_args(args: argparse.Namespace, incidents: Any = None) -> Any:
    """The area layer the boundary options name.

    By default the shipped admin-1 areas of the covered countries plus those
    of any other country ``incidents`` (when given) are in or near.
    """
    from geo.analysis.pipeline import covered_areas_for
    from geo.reference import boundaries

    check_boundary_options(args)
    if args.boundaries is None:
        if incidents is None:
            return boundaries.load_admin1()
        return covered_areas_for(incidents)[0]
    _check_boundary_path(args.boundaries)
    try:
        return boundaries.load_boundary_file(
            args.boundaries,
            name_field=args.name_field,
            code_field=args.code_field,
            layer=args.layer,
        )
    except (ValueError, KeyError, OSError) as exc:
        raise DataError(str(exc)) from None


def cli_user() -> str:
    """Who ran the command, as the audit trail names command-line writes (``cli:<user>``)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's random uid)
        return "cli:unknown"
