"""Store commands: move a store between a CSV file and PostGIS, and look at one.

``python -m geo store migrate --from data/incidents.csv --to postgresql://...``
copies every cell as text, so the way back
(``--from postgresql://... --to copy.csv``) gives the same bytes when the file
was written by this tool (pandas' CSV dialect). What belongs to the store
moves with it: its audit log, the team's sites, the analysts' risk overrides
and the user gazetteers (each as kept). ``store append`` adds a CSV's
rows to either backend with the usual checks. ``store version`` prints the
data version replicas key their caches by; ``store layers`` loads the admin-1
areas and land borders into a database as tables.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.cli.errors import DataError, UsageError
from geo.model.schema import IncidentFileError

__all__ = [
    "cmd_append",
    "cmd_layers",
    "cmd_migrate",
    "cmd_overrides",
    "cmd_version",
    "register",
]


def register(sub: Any) -> None:
    """Add ``store migrate``, ``append``, ``version``, ``layers`` and ``overrides``."""
    p = sub.add_parser(
        "store",
        help="move the incident store between a CSV file and PostGIS",
        description="The incident store's backends: a CSV file (the default) or a PostGIS "
        "database (GEO_DATABASE_URL=postgresql://...). A store is a file path or a "
        "postgresql:// URL.",
    )
    cmds = p.add_subparsers(dest="store_command", metavar="STORE_COMMAND", required=True)
    m = cmds.add_parser(
        "migrate",
        help="copy every incident from one store to another, losslessly",
        description="Validate every row of the source and replace the target with them, "
        "cells as text, columns in their order. A target that already holds incidents "
        "is refused unless --replace is given.",
    )
    m.add_argument("--from", dest="source", required=True, help="CSV path or postgresql:// URL")
    m.add_argument("--to", dest="target", required=True, help="CSV path or postgresql:// URL")
    m.add_argument("--schema", default="public", help="database schema (default: public)")
    m.add_argument(
        "--replace", action="store_true", help="replace a target that already has incidents"
    )
    m.set_defaults(func=cmd_migrate)
    a = cmds.add_parser(
        "append",
        help="append an incident CSV to a store, skipping duplicates",
        description="Validate the rows of an incident CSV and append them to a store (the "
        "configured one by default: GEO_DATABASE_URL, else GEO_INCIDENTS), with the "
        "duplicate rules and generated ids of every append. Exit 1 when any row is rejected.",
    )
    a.add_argument("file", help="incident CSV to append")
    a.add_argument("--to", dest="target", help="CSV path or postgresql:// URL")
    a.add_argument("--schema", default="public", help="database schema (default: public)")
    a.add_argument("--rejected", help="CSV file the rejected rows are appended to")
    a.add_argument("--days", type=int, default=1, help="duplicate date window (default 1)")
    a.add_argument("--km", type=float, default=10.0, help="duplicate distance (default 10)")
    a.set_defaults(func=cmd_append)
    v = cmds.add_parser("version", help="print the store's data version")
    v.add_argument("store", nargs="?", help="CSV path or postgresql:// URL (default: configured)")
    v.add_argument("--schema", default="public", help="database schema (default: public)")
    v.set_defaults(func=cmd_version)
    la = cmds.add_parser(
        "layers", help="load the admin-1 areas and land borders into a database as tables"
    )
    la.add_argument("store", help="postgresql:// URL")
    la.add_argument("--schema", default="public", help="database schema (default: public)")
    la.set_defaults(func=cmd_layers)
    o = cmds.add_parser(
        "overrides",
        help="print the store's risk overrides, or replace them with a checked CSV",
        description="The analysts' risk overrides travel with their store (beside a CSV, in "
        "a database's store_documents table). Without --set, print them as kept. With "
        "--set, check the CSV (docs/risk.md) and keep it as the store's overrides; a file "
        "with any problem changes nothing.",
    )
    o.add_argument("store", nargs="?", help="CSV path or postgresql:// URL (default: configured)")
    o.add_argument("--schema", default="public", help="database schema (default: public)")
    o.add_argument("--set", dest="set_file", type=Path, metavar="CSV", help="overrides to keep")
    o.set_defaults(func=cmd_overrides)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Copy a store's rows to another store; refuse to overwrite one with rows."""
    from geo.io.backend import open_store

    if str(args.source) == str(args.target):
        raise UsageError("--from and --to name the same store")
    source = open_store(args.source, schema=args.schema)
    target = open_store(args.target, schema=args.schema)
    text = _guarded(source.read_raw)
    companions = _source_companions(source)
    if not args.replace and _guarded(lambda: _has_rows(target)):
        raise UsageError(
            f"{target.location} already holds incidents; pass --replace to overwrite them"
        )
    _guarded(lambda: target.write_raw(text))
    print(
        f"{len(text)} incident(s) copied from {source.location} to {target.location} "
        f"(data version {_guarded(target.data_version)})"
    )
    _copy_audit_log(source, target)
    _copy_companions(companions, source, target)
    return 0


def _source_companions(source: Any) -> tuple[Any, str | None]:
    """The source's sites and overrides text, read and checked before anything is written.

    Raises
    ------
    DataError
        A companion of the source is damaged (its message names the file or store).
    """
    from geo.analysis.risk import RiskOverridesError
    from geo.io.gazetteers import StoreGazetteerError, list_gazetteers
    from geo.io.sites import SiteFileError

    try:
        sites = _guarded(source.sites)
        overrides = _guarded(source.overrides_text)
        _guarded(source.overrides)
        _guarded(lambda: list_gazetteers(source))
    except (SiteFileError, RiskOverridesError, StoreGazetteerError) as exc:
        raise DataError(f"{source.location}: {exc}") from None
    return sites, overrides


def _copy_companions(companions: tuple[Any, str | None], source: Any, target: Any) -> None:
    """Carry the store's sites, risk overrides and gazetteers, as kept (lossless).

    A companion the source does not have is left as the target has it.
    """
    from geo.io.gazetteers import StoreGazetteerError, copy_gazetteers

    sites, overrides = companions
    if len(sites):
        _guarded(lambda: target.save_sites(sites))
    if overrides is not None:
        _guarded(lambda: target.save_overrides(overrides))
    try:
        gazetteers = _guarded(lambda: copy_gazetteers(source, target))
    except StoreGazetteerError as exc:
        raise DataError(str(exc)) from None
    print(
        f"{len(sites)} site(s), {'the' if overrides is not None else 'no'} risk overrides "
        f"and {gazetteers} gazetteer(s) copied"
    )


def _copy_audit_log(source: Any, target: Any) -> None:
    """Carry the audit trail with the incidents: the entries the target lacks."""
    from geo.io.audit import copy_log

    copied = _guarded(lambda: copy_log(source, target))
    print(f"{copied} audit log entr{'y' if copied == 1 else 'ies'} copied")


def cmd_append(args: argparse.Namespace) -> int:
    """Append a CSV's rows to a store, recorded in its audit trail; print what happened."""
    from pathlib import Path

    from geo.cli.common import cli_user
    from geo.io.audit import audited_append
    from geo.io.backend import open_store
    from geo.io.dedupe import DedupeLimitError
    from geo.io.store import read_raw

    target = open_store(args.target, schema=args.schema)
    rows = read_raw(args.file)
    try:
        report = _guarded(
            lambda: audited_append(
                rows, target, who=cli_user(), role="operator", action="import",
                source=Path(args.file).name, dedupe_days=args.days, dedupe_km=args.km,
                rejected_path=args.rejected, file=str(args.file),
            )
        )  # fmt: skip
    except DedupeLimitError as exc:
        raise UsageError(str(exc)) from None
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    return 1 if report.rejected else 0


def cmd_version(args: argparse.Namespace) -> int:
    """Print the data version of a store."""
    from geo.io.backend import open_store

    store = open_store(args.store, schema=args.schema)
    print(_guarded(store.data_version))
    return 0


def cmd_layers(args: argparse.Namespace) -> int:
    """Load the shipped areas and borders into a PostGIS store."""
    from geo.io.postgis import PostgisStore, is_database_url

    if not is_database_url(args.store):
        raise UsageError(f"{args.store!r} is not a postgresql:// URL")
    store = PostgisStore(args.store, schema=args.schema)
    _guarded(store.load_layers)
    print(f"areas and borders loaded into {store.location}")
    return 0


def cmd_overrides(args: argparse.Namespace) -> int:
    """Print the store's overrides, or check a file and keep it as them (recorded in the audit)."""
    from geo.analysis.risk import RiskOverridesError
    from geo.cli.common import cli_user
    from geo.io.audit import record
    from geo.io.backend import open_store

    store = open_store(args.store, schema=args.schema)
    if args.set_file is None:
        text = _guarded(store.overrides_text)
        if text is None:
            print(f"no risk overrides kept with {store.location}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    try:
        text = args.set_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--set {args.set_file}: cannot be read as UTF-8 text ({exc})") from None
    try:
        kept = _guarded(lambda: store.save_overrides(text, name=str(args.set_file)))
    except RiskOverridesError as exc:
        raise DataError("\n".join(str(p) for p in exc.problems)) from None
    _guarded(
        lambda: record(
            store, who=cli_user(), role="operator", action="override",
            source=args.set_file.name, detail={"overrides": kept},
        )
    )  # fmt: skip
    print(f"kept {kept} risk override(s) with {store.location}")
    return 0


def _has_rows(store: Any) -> bool:
    """Whether a store already holds incidents (a missing file or new database holds none)."""
    if store.data_version() == "0":
        return False
    try:
        return len(store.read_raw()) > 0
    except IncidentFileError:
        return True  # unreadable is not empty: keep it unless --replace


def _guarded(step: Callable[[], Any]) -> Any:
    """Run ``step``; a database that cannot be reached or refuses becomes a DataError."""
    try:
        return step()
    except ImportError as exc:
        raise DataError(
            f"{exc.name or 'a driver'} is not installed: pip install -e '.[postgis]'"
        ) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("psycopg", "sqlalchemy")):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"the database refused or could not be reached ({first})") from None
        raise
