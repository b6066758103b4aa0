"""``python -m geo evaluate``: score report extraction on the evaluation corpus.

A measurement, not a gate: it exits 0 whatever the score, and 1 or 2 only
when the corpus or the arguments cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo import config

DEFAULT_CORPUS = config.ROOT / "tests" / "data" / "eval"


def register(sub: Any) -> None:
    """Add ``evaluate`` to the ``python -m geo`` parser."""
    p = sub.add_parser(
        "evaluate",
        help="score report extraction against the evaluation corpus's key",
        description="Run `extract` on every report of the corpus with its post date and "
        "compare the candidates with the hand-written key: found (right day and place), "
        "right (found, and type, sub-type and deaths as keyed), and candidates that match "
        "no key incident. Exits 0 whatever the score.",
    )
    p.add_argument(
        "corpus",
        nargs="?",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"folder with key.json and the reports (default {DEFAULT_CORPUS})",
    )
    p.add_argument("--report", action="append", default=[], help="score only this report")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="also list each report's figures and its unmatched candidates",
    )
    p.set_defaults(func=cmd_evaluate)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.cli.errors import DataError, UsageError
    from geo.io.evaluate import CorpusKeyError, evaluate

    if not args.corpus.is_dir():
        raise UsageError(f"corpus folder not found: {args.corpus}")
    try:
        result = evaluate(args.corpus, only=args.report)
    except CorpusKeyError as exc:
        raise DataError(str(exc)) from None
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    _print_figures(result.summary())
    if args.verbose:
        _print_reports(result.to_dict()["per_report"])
    _print_misses(result.to_dict()["misses"])
    return 0


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def _print_figures(s: dict[str, Any]) -> None:
    print(f"{s['reports']} report(s), {s['incidents']} key incident(s)")
    print(f"found: {_pct(s['found'], s['incidents'])}  (right day and place)")
    print(f"right: {_pct(s['right'], s['incidents'])}  (found, and type, sub-type, deaths)")
    print(
        f"unmatched candidates: {s['unmatched']} of {s['candidates']} "
        f"({s['unmatched_per_report']:.2f} per report)"
    )
    kinds = ", ".join(f"{k} {n}" for k, n in s["miss_kinds"].items())
    print(f"misses by kind: {kinds or 'none'}")


def _print_reports(rows: list[dict[str, Any]]) -> None:
    print()
    print("per report: found/incidents, right, unmatched/candidates")
    for row in rows:
        print(
            f"  {row['report']}: {row['found']}/{row['incidents']} found, "
            f"{row['right']} right, {row['unmatched']}/{row['candidates']} unmatched"
        )
        for label in row["unmatched_candidates"]:
            print(f"      unmatched: {label}")


def _print_misses(misses: list[dict[str, Any]]) -> None:
    if not misses:
        return
    print()
    print("misses:")
    for m in misses:
        print(f"  {m['report']} [{m['incident']}] {m['kind']}: {m['detail']}")
