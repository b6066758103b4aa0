"""The ``python -m geo`` command line.

Each command group lives in ``geo/cli/<name>.py`` and exposes
``register(subparsers)``; handlers take the parsed arguments and return an
exit code. A user mistake exits 2 with a message, bad data exits 1 with one
line per problem, and neither prints a Python traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
from collections.abc import Sequence

from geo.cli.errors import DataError, UsageError
from geo.model.schema import IncidentFileError

COMMAND_MODULES: tuple[str, ...] = (
    "geo.cli.core",
    "geo.cli.risk",
    "geo.cli.brief",
    "geo.cli.ingest",
    "geo.cli.bench",
    "geo.cli.evaluate",
    "geo.cli.sites",
    "geo.cli.store",
    "geo.cli.digest",
)


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
    _tolerant_output()
    try:
        return _run(argv)
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
    except OSError as exc:
        # A folder or file the system refuses (permissions, a full disk): name it.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence, see below
        # Every input a user can give has its own message above; reaching this
        # is a bug. Say so in one line rather than print a traceback at them.
        if os.environ.get("GEO_DEBUG"):
            raise
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); this is a bug: please "
            "report it with the command that caused it (GEO_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return int(args.func(args))


def _tolerant_output() -> None:
    """Show characters the terminal cannot encode as escapes instead of crashing.

    Under an ASCII locale (``LC_ALL=C`` without UTF-8 mode) printing "Ménaka"
    raised UnicodeEncodeError; it now prints ``M\\xe9naka``.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                reconfigure(errors="backslashreplace")


__all__ = ["DataError", "UsageError", "build_parser", "main"]
