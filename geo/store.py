"""Reading and writing incident files.

Writes are atomic: the new content goes to a temporary file in the same
folder, is flushed to disk, and replaces the old file in one rename, so a
crash leaves either the old file or the new one, never half of each. The
previous version is kept beside it as ``<name>.bak``. Writers hold an
exclusive lock on ``<name>.lock`` so two sessions appending at once both land.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from geo import config
from geo.schema import COLUMNS, IncidentFileError, Problem, coerce_frame, validate_frame

_DATE_FORMAT = "%Y-%m-%d"


def read_raw(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an incident CSV as text cells, exactly as stored (no type guessing).

    Raises
    ------
    IncidentFileError
        When the file is missing or is not readable CSV.
    """
    p = Path(path)
    try:
        return pd.read_csv(
            p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
        )
    except FileNotFoundError:
        raise IncidentFileError([Problem(str(p), 0, "", None, "file not found")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise IncidentFileError(
            [Problem(str(p), 0, "", None, f"not a readable UTF-8 CSV file ({exc})")]
        ) from None


def read_incidents(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate an incident file into the typed incident frame.

    Parameters
    ----------
    path : path-like, optional
        Defaults to the configured store (``data/incidents.csv``).

    Raises
    ------
    IncidentFileError
        With every problem found, when any row is invalid.
    """
    p = Path(path) if path is not None else config.INCIDENTS_CSV
    raw = read_raw(p)
    problems = validate_frame(raw, file=str(p))
    if problems:
        raise IncidentFileError(problems)
    return coerce_frame(raw)


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Text form of a typed incident frame, as it is written to disk."""
    out = df.copy()
    if "event_date" in out.columns:
        out["event_date"] = pd.to_datetime(out["event_date"]).dt.strftime(_DATE_FORMAT)
    for col in ("latitude", "longitude"):
        if col in out.columns:
            # Six decimals is ~0.1 m: more than any source's precision, and it
            # keeps round-trips exact for the values we write.
            out[col] = out[col].map(
                lambda v: "" if pd.isna(v) else f"{v:.6f}".rstrip("0").rstrip(".")
            )
    return out.astype("string").fillna("")


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive advisory lock for ``path`` (on ``path + '.lock'``)."""
    lock_path = Path(f"{os.fspath(path)}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def atomic_write_text(path: str | os.PathLike[str], text: str, backup: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically, keeping the old file as ``.bak``."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and p.exists():
            bak = p.with_name(p.name + ".bak")
            with open(p, "rb") as src, open(bak, "wb") as dst:
                dst.write(src.read())
                dst.flush()
                os.fsync(dst.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(p.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_incidents(
    df: pd.DataFrame, path: str | os.PathLike[str] | None = None, *, backup: bool = True
) -> None:
    """Validate and atomically write a typed incident frame.

    Nothing is written when any row is invalid.

    Raises
    ------
    IncidentFileError
        When the frame does not validate.
    """
    p = Path(path) if path is not None else config.INCIDENTS_CSV
    text = to_csv_frame(df)
    problems = validate_frame(text, file=str(p))
    if problems:
        raise IncidentFileError(problems)
    extra = [c for c in text.columns if c not in COLUMNS]
    text = text[list(COLUMNS) + extra]
    atomic_write_text(p, text.to_csv(index=False, lineterminator="\n"), backup=backup)
