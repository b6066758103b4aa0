"""The two ways a command fails, shared by every command module.

They live apart from ``geo.cli`` itself so that command modules, which the
parser imports, never import the parser back.
"""

from __future__ import annotations

__all__ = ["DataError", "UsageError"]


class UsageError(Exception):
    """A mistake in how a command was called (exit status 2)."""


class DataError(Exception):
    """Input data that cannot be used (exit status 1)."""
