"""Ingest commands: ``import`` (ACLED, UCDP GED, CSV/GeoJSON) and ``extract`` (reports)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from geo import config
from geo.cli.common import cli_user
from geo.cli.core import add_store_option, store_gazetteer
from geo.cli.errors import DataError, UsageError


def register(sub: Any) -> None:
    """Add ``import`` and ``extract`` to the ``python -m geo`` parser."""
    _add_import(sub)
    _add_extract(sub)


def _add_import(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="append an ACLED, UCDP GED or mapped CSV/GeoJSON file to the incident store",
        description="Map a structured file onto the incident schema and append it to the "
        "store: rows are validated, duplicates of stored incidents skipped, the write is "
        "locked and atomic. Rejected rows go to a side file with file, row, column, value "
        "and reason; none are dropped. Rules: docs/ingest.md.",
    )
    p.add_argument("file", type=Path, help="the file to import")
    p.add_argument("--format", required=True, choices=("acled", "ucdp", "csv"))
    p.add_argument("--mapping", type=Path, help="column mapping TOML (--format csv)")
    p.add_argument(
        "--into",
        default=None,
        help="incident store to append to: a CSV path or a postgresql:// URL (default "
        f"GEO_DATABASE_URL when set, else {config.INCIDENTS_CSV})",
    )
    p.add_argument("--schema", default="public", help="database schema (default: public)")
    p.add_argument(
        "--rejected",
        type=Path,
        help="side file for rejected rows (default: <store>.rejected.csv; for a database, "
        "rejected.csv in the folder of GEO_INCIDENTS)",
    )
    p.add_argument(
        "--create",
        action="store_true",
        help="create the folders of --into and --rejected when they do not exist (without "
        "it a mistyped folder is an error rather than the start of a new store)",
    )
    p.add_argument(
        "--dedupe-days",
        type=int,
        default=1,
        help="dates at most this many days apart can be duplicates (default 1)",
    )
    p.add_argument(
        "--dedupe-km",
        type=float,
        default=10.0,
        help="places at most this far apart can be duplicates (default 10 km)",
    )
    p.add_argument(
        "--no-dedupe",
        action="store_true",
        help="only skip rows whose source id is already stored",
    )
    p.add_argument(
        "--keep-vague",
        action="store_true",
        help="UCDP: keep country-level places (where_prec 6-7) and dates known only within "
        "more than a month (date_prec 5) at precision 3 instead of rejecting them",
    )
    p.set_defaults(func=cmd_import)


def _add_extract(sub: Any) -> None:
    p = sub.add_parser(
        "extract",
        help="find candidate incidents in a security report (nothing is stored)",
        description="Rule- and gazetteer-based extraction of candidate incidents from report "
        "prose: places, dates (explicit and relative to the post date), event types, "
        "fatalities, injuries and actors. Posts with a dated heading use their own date.",
    )
    p.add_argument("report", type=Path, help="report text file (UTF-8)")
    p.add_argument(
        "--date",
        type=_iso_date,
        help="post date YYYY-MM-DD, for text before any dated heading",
    )
    p.add_argument("--country", default="", help="ISO3 of the main country if unclear")
    p.add_argument("--source", help="source name for the candidates (default: post title)")
    add_store_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_extract)


def _iso_date(text: str) -> dt.date:
    """A post date: YYYY-MM-DD within the range incident dates may take."""
    from geo.model.schema import DATE_MIN, date_max

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    first, last = DATE_MIN.date(), date_max().date()
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(
            f"got {text}; expected a date from {first} to a year after today ({last})"
        )
    return day


def _check_output_folders(paths: list[Path], create: bool) -> None:
    """Refuse outputs under a file, or in folders that do not exist unless ``create``."""
    for path in paths:
        folder = path.parent
        blocking = next((p for p in (folder, *folder.parents) if p.is_file()), None)
        if blocking is not None:
            raise UsageError(f"{path}: {blocking} is a file, so it cannot hold {path.name}")
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give the path of a CSV file")
        if not folder.is_dir() and not create:
            raise UsageError(
                f"{path}: the folder {folder} does not exist; check the path, or pass "
                "--create to make it"
            )


def _check_dedupe_options(args: argparse.Namespace) -> None:
    """Refuse duplicate tolerances outside the caps before any file is read.

    ``--dedupe-days 20000`` on five rows once ran for minutes.
    """
    from geo.io.dedupe import DedupeLimitError, check_tolerances

    if args.no_dedupe:
        return
    if args.dedupe_days < 0:
        raise UsageError("--dedupe-days must be 0 or more (--no-dedupe turns the check off)")
    try:
        check_tolerances(args.dedupe_days, args.dedupe_km)
    except DedupeLimitError as exc:
        raise UsageError(f"{exc}: lower --dedupe-days or --dedupe-km") from None


def cmd_import(args: argparse.Namespace) -> int:
    """Import a structured file into the store and say what was added, skipped, rejected."""
    from geo.io.audit import audited_append, rejects_file
    from geo.io.backend import open_store
    from geo.io.dedupe import DedupeLimitError
    from geo.io.ingest import import_file
    from geo.io.postgis import StoreUnavailableError, is_database_url

    if args.mapping is not None and args.format != "csv":
        raise UsageError("--mapping applies to --format csv only")
    _check_dedupe_options(args)
    into = args.into or config.DATABASE_URL or str(config.INCIDENTS_CSV)
    rejected_path = args.rejected or rejects_file(into)
    outputs = [rejected_path] if is_database_url(into) else [Path(into), rejected_path]
    _check_output_folders(outputs, args.create)
    store = open_store(into, schema=args.schema)
    try:
        result = import_file(
            args.file, args.format, args.mapping, vague="keep" if args.keep_vague else "reject"
        )
    except ValueError as exc:
        if type(exc) is ValueError:
            raise DataError(str(exc)) from None
        raise
    try:
        report = audited_append(
            result.frame,
            store,
            who=cli_user(),
            role="operator",
            action="import",
            source=Path(str(result.file)).name,
            dedupe_days=None if args.no_dedupe else args.dedupe_days,
            dedupe_km=args.dedupe_km,
            rejected_path=rejected_path,
            rejected=result.rejected,
            file=result.file,
            source_rows=result.source_rows,
        )
    except DedupeLimitError as exc:
        raise DataError(f"nothing was appended: {exc}") from None
    except StoreUnavailableError as exc:
        raise DataError(f"nothing was appended: {exc}") from None
    print(f"read {result.rows_read} row(s) from {result.file} ({result.format})")
    print(f"added: {report.added}")
    print(f"skipped as duplicates: {report.duplicates}")
    print(f"rejected: {report.rejected}")
    for problem in [*result.problems, *report.problems]:
        print(f"  rejected: {problem}")
    if report.duplicates:
        for row in report.duplicate_rows.itertuples(index=False):
            print(f"  duplicate: {result.file}: row {row.row}: {row.reason} -> {row.duplicate_of}")
    for old, new in report.renumbered.items():
        print(f"  event_id {old} was already used in the store; stored as {new}")
    if report.ignored_columns:
        print(f"  columns not stored: {', '.join(report.ignored_columns)}")
    if report.rejected:
        print(f"rejected rows written to {rejected_path}")
    print(report.summary())
    return 0


def _check_report_size(path: Path) -> None:
    """Refuse a report over ``EXTRACT_MAX_KB`` before reading it.

    Extraction time grows faster than the text (an 84 KB report once took
    97 s), so one huge file must not hold the command for minutes.
    """
    try:
        size_kb = path.stat().st_size / 1000
    except OSError:
        return  # reading it says what is wrong
    if size_kb > config.EXTRACT_MAX_KB:
        raise DataError(
            f"{path}: {size_kb:,.0f} KB of text; reports are read up to "
            f"{config.EXTRACT_MAX_KB:,} KB at a time (GEO_EXTRACT_MAX_KB): split it into parts"
        )


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the candidate incidents found in a report; nothing is stored."""
    from geo.io.extract import candidates_to_records, extract_candidates

    if args.report.is_dir():
        raise UsageError(f"{args.report} is a folder; expected a report text file")
    _check_report_size(args.report)
    try:
        text = args.report.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{args.report}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{args.report}: not UTF-8 text ({exc})") from None
    try:
        frame = extract_candidates(
            text,
            args.date,
            gazetteer=store_gazetteer(args.store),
            source=args.source or None,
            country=args.country.upper(),
        )
    except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta) as exc:
        # A figure or date in the text too large for the reader: say where, not how.
        raise DataError(
            f"{args.report}: a number or date in the report is too large to read ({exc})"
        ) from None
    if args.json:
        json.dump(candidates_to_records(frame), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if frame.empty:
        print("no candidate incidents found")
        return 0
    for k, rec in enumerate(candidates_to_records(frame), start=1):
        place = rec["location"] or "(no place)"
        if rec["latitude"] is not None:
            place += (
                f" [{rec['latitude']:.4f}, {rec['longitude']:.4f}] precision {rec['geo_precision']}"
            )
        sub = f" / {rec['sub_event_type']}" if rec["sub_event_type"] else ""
        print(f"#{k}  {rec['event_date'] or '(no date)'}  {rec['event_type']}{sub}")
        print(f"    place: {place}; country: {rec['country'] or '?'}")
        print(f"    fatalities: {rec['fatalities']}  injuries: {rec['injuries']}")
        actors = " vs ".join(a for a in (rec["actor1"], rec["actor2"]) if a)
        print(f"    actors: {actors or '(none)'}")
        print(f"    confidence: {rec['confidence']:.2f} ({rec['why']})")
        if rec["unresolved"]:
            print(f"    unresolved: {'; '.join(rec['unresolved'])}")
        print(f"    sentence: {rec['sentence']}")
        print()
    print(f"{len(frame)} candidate(s); nothing was stored (review them in the app's Ingest page)")
    return 0
