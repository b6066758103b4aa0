"""The ``python -m geo`` command line.

Each command group lives in ``geo/commands/<name>.py`` and exposes
``register(subparsers)``; handlers take the parsed arguments and return an
exit code. A user mistake exits 2 with a message, bad data exits 1 with one
line per problem, and neither prints a Python traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from geo.schema import IncidentFileError

COMMAND_MODULES: tuple[str, ...] = (
    "geo.commands.core",
    "geo.commands.risk",
    "geo.commands.brief",
    "geo.commands.ingest",
    "geo.commands.bench",
)


class UsageError(Exception):
    """A mistake in how a command was called (exit status 2)."""


class DataError(Exception):
    """Input data that cannot be used (exit status 1)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\n\n{self.format_usage().strip()}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command group registered."""
    parser = _Parser(
        prog="python -m geo",
        description="Sahel conflict map: incidents, gazetteer, boundaries, risk, briefings.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except IncidentFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
