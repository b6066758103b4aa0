"""The prepared copy of a CSV store: the file format, its freshness and its upkeep.

Beside a store ``incidents.csv`` lives ``.incidents.csv.prepared.parquet``:
the typed incident frame plus the columns :func:`geo.analysis.pipeline.prepare`
adds (area, area code, snap flag, border km, neighbour ...), in plain
Parquet with ``latitude``/``longitude`` columns. Its metadata stamp names
the CSV it was built from (size and SHA-256 of its bytes, and its stat
when hashed) and the boundary data it was joined to. The CSV stays the
source of truth and the interchange format; the copy is a cache that is
used only when its stamp matches the CSV and the boundaries byte for
byte, and is otherwise rebuilt (:func:`geo.io.columnar.prepared_incidents`).
The stat spares the hash of an unchanged CSV (:meth:`CopyStamp.matches`).

An append adds a part file (``.incidents.csv.prepared.part1.parquet``,
``part2`` ...) holding only its rows, stamped with the CSV after it and
the checksum of the copy it continues; the base file and the chain of
parts read as one frame, and are written again as one file now and then
(:func:`extend_copy`).

This module is what the store's writers need (:mod:`geo.io.store` keeps the
copy current on append); reading the CSV and rebuilding belong to
:mod:`geo.io.columnar`, a floor above it in the same room.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from geo import config
from geo.analysis import pipeline
from geo.analysis.spatial import JOIN_COLUMNS
from geo.io.files import atomic_write_bytes

__all__ = [
    "COMPACT_SHARE",
    "FORMAT",
    "KEY_COLUMNS",
    "MAX_PARTS",
    "PREPARED_COLUMNS",
    "CopyStamp",
    "boundary_version",
    "carry_over",
    "copy_path",
    "copy_state",
    "csv_checksum",
    "data_version",
    "extend_copy",
    "part_path",
    "prepare_rows",
    "read_copy",
    "typed_part",
    "write_copy",
]

log = logging.getLogger(__name__)

FORMAT = 1
"""Version of the copy's layout and of the join it holds; a change rebuilds every copy."""

PREPARED_COLUMNS = (*JOIN_COLUMNS, "border_km", "border_neighbour")
"""Columns the copy holds beyond the typed incident frame (docs/architecture.md)."""

KEY_COLUMNS = ("latitude", "longitude", "iso3", "geo_precision", "admin1")
"""Everything :data:`PREPARED_COLUMNS` of a row depend on: rows equal in these get equal values."""

_RACY_NS = 100_000_000
"""A file touched this close (ns) before its stamp is hashed again, whatever its stat says."""

_DEDUPE_SHARE = 0.8
"""Above this share of distinct keys among the rows, preparing each row is as quick."""

MAX_PARTS = 8
"""Part files an append may add to a copy before it is written again as one file."""

COMPACT_SHARE = 0.25
"""Rows in part files, as a share of the base file's, above which the copy is written whole."""

_META_KEY = b"geo.prepared"
_CHUNK = 1 << 20


def copy_path(path: str | os.PathLike[str]) -> Path:
    """Where the prepared copy of the store ``path`` lives (hidden, beside it)."""
    p = Path(path)
    return p.with_name(f".{p.name}.prepared.parquet")


@functools.lru_cache(maxsize=16)
def _file_sha256(path: str, size: int, mtime_ns: int, inode: int) -> str:
    # Keyed on the file's stat as well as its name: a rewrite gets a new key.
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def csv_checksum(path: str | os.PathLike[str]) -> str:
    """SHA-256 of the file's bytes (hex), computed once per version of the file.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    """
    st = Path(path).stat()
    return _file_sha256(os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino)


def data_version(path: str | os.PathLike[str]) -> str:
    """A version of the store's data: changes whenever a byte of the CSV does.

    ``"sha256:<first 16 hex digits>"`` of the CSV; the same file gives the
    same version on every machine, so a cache keyed by it is never stale.
    A missing store has the version ``"missing"``.
    """
    try:
        return "sha256:" + csv_checksum(path)[:16]
    except FileNotFoundError:
        return "missing"


def _boundary_files() -> tuple[Path, ...]:
    # What the copy's join and border distance read: the covered countries'
    # areas, the world's (for any other country) and the land borders.
    return (
        Path(config.ADMIN1_FILE),
        Path(config.ADMIN1_WORLD_FILE),
        Path(config.LAND_BORDERS_FILE),
    )


def boundary_version() -> str:
    """A version of the boundary data the join and border distance use (and of :data:`FORMAT`).

    A copy built against other boundaries is rebuilt, so replacing a layer
    never leaves incidents in the old areas.
    """
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for path in _boundary_files():
        digest.update(path.name.encode())
        digest.update(csv_checksum(path).encode() if path.exists() else b"missing")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class CopyStamp:
    """What a copy was built from: the CSV's bytes and the boundary data."""

    csv_sha256: str
    csv_size: int
    boundaries: str
    rows: int
    format: int = FORMAT
    # The CSV's stat when it was hashed, and when that was (ns since the
    # epoch); zero in copies written before the pre-check: they are hashed.
    csv_mtime_ns: int = 0
    csv_ctime_ns: int = 0
    csv_inode: int = 0
    stamped_ns: int = 0
    # A part file's: the csv_sha256 of the stamp it continues (the copy
    # before the append); empty for the base file.
    parent: str = ""

    @classmethod
    def of(cls, store: str | os.PathLike[str], rows: int, parent: str = "") -> CopyStamp:
        """The stamp a copy of ``rows`` rows built now from ``store`` gets."""
        stamped = time.time_ns()
        before = Path(store).stat()
        sha = csv_checksum(store)
        after = Path(store).stat()
        if _stat_key(before) != _stat_key(after):  # changed while hashed: never trusted by stat
            return cls(sha, after.st_size, boundary_version(), rows, parent=parent)
        return cls(
            sha,
            after.st_size,
            boundary_version(),
            rows,
            parent=parent,
            csv_mtime_ns=after.st_mtime_ns,
            csv_ctime_ns=after.st_ctime_ns,
            csv_inode=after.st_ino,
            stamped_ns=stamped,
        )

    def matches(self, store: str | os.PathLike[str]) -> bool:
        """True when ``store`` still holds the bytes this stamp was made from.

        The SHA-256 of the CSV decides; it is skipped (0.15 s for 220 MB)
        only when the file's size, modification and change times and inode
        are those it had when it was hashed, and it had not been touched in
        the last moments before (:func:`_settled`). The change time cannot
        be set back from user space: an edit that restores the old size and
        modification time (``touch -r``) still moves it.
        """
        st = Path(store).stat()
        if st.st_size != self.csv_size:
            return False
        same = _stat_key(st) == (
            self.csv_size,
            self.csv_mtime_ns,
            self.csv_ctime_ns,
            self.csv_inode,
        )
        if self.stamped_ns and same and _settled(st, self.stamped_ns):
            return True
        return self.csv_sha256 == csv_checksum(store)


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _settled(st: os.stat_result, stamped_ns: int) -> bool:
    """Whether the file was last touched clearly before it was hashed.

    File times tick in steps (a few ms on Linux file systems, whole
    seconds or 2 s on some others): a write in the same step as the hash
    could leave every time unchanged, so a file touched within a step of
    the stamp is hashed again (git's "racily clean" rule).
    """
    whole_seconds = st.st_mtime_ns % 1_000_000_000 == 0 and st.st_ctime_ns % 1_000_000_000 == 0
    step = 2_000_000_000 if whole_seconds else _RACY_NS
    return max(st.st_mtime_ns, st.st_ctime_ns) < stamped_ns - step


def _stamp_of(path: Path) -> CopyStamp | None:
    try:
        meta = pq.read_schema(path).metadata or {}
        return CopyStamp(**json.loads(meta[_META_KEY]))
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None  # unreadable or foreign: treated as no copy, rebuilt


def _current(stamp: CopyStamp | None) -> bool:
    return stamp is not None and stamp.format == FORMAT and stamp.boundaries == boundary_version()


def part_path(store: str | os.PathLike[str], k: int) -> Path:
    """Where the ``k``-th part file (from 1) of the copy of ``store`` lives."""
    base = copy_path(store)
    return base.with_name(f"{base.name.removesuffix('.parquet')}.part{k}.parquet")


def _parts_from(store: str | os.PathLike[str], k: int) -> list[Path]:
    """Part files of ``store``'s copy numbered ``k`` or more (stale after a rewrite)."""
    base = copy_path(store)
    pattern = f"{glob.escape(base.name.removesuffix('.parquet'))}.part*.parquet"
    found = []
    for path in base.parent.glob(pattern):
        number = path.name.removesuffix(".parquet").rsplit(".part", 1)[-1]
        if number.isdigit() and int(number) >= k:
            found.append(path)
    return found


def _chain(store: str | os.PathLike[str]) -> list[tuple[Path, CopyStamp]]:
    """The copy's base file and the part files that continue it, in order.

    Part ``k`` continues the chain when its stamp names the previous
    file's CSV checksum as its parent: each part holds the rows one append
    added to exactly that CSV, so a chain whose last stamp matches the CSV
    holds every row of it, whatever stale parts lie around. Empty when
    there is no base file built against the current boundaries.
    """
    base = copy_path(store)
    stamp = _stamp_of(base) if base.exists() else None
    if stamp is None or not _current(stamp):
        return []
    chain = [(base, stamp)]
    while (part := part_path(store, len(chain))).exists():
        stamp = _stamp_of(part)
        last = chain[-1][1]
        if stamp is None or not _current(stamp) or stamp.parent != last.csv_sha256:
            break
        if stamp.rows <= last.rows:
            break
        chain.append((part, stamp))
    return chain


def read_copy(store: str | os.PathLike[str], *, any_csv: bool = False) -> pd.DataFrame | None:
    """The prepared frame from the copy, or None when there is no copy matching the store.

    A copy matches when it was built from exactly the store's current bytes
    (size and SHA-256) against the current boundary data and layout. The
    copy is its base file and the part files appends added after it
    (:func:`extend_copy`), read as one frame. With ``any_csv`` the CSV is
    not compared: an outdated copy whose rows can still lend their
    prepared columns (:func:`carry_over`).
    """
    if not Path(store).exists():
        return None
    chain = _chain(store)
    if not chain or (not any_csv and not chain[-1][1].matches(store)):
        return None
    try:
        # Memory-mapped: the copy is replaced by rename, never written in place.
        table = _stack_tables([pq.read_table(path, memory_map=True) for path, _ in chain])
    except (OSError, pa.ArrowException):
        return None
    frame = table.to_pandas(types_mapper=_pandas_type)
    return frame if len(frame) == chain[-1][1].rows else None


def copy_state(store: str | os.PathLike[str]) -> str:
    """Why the copy of ``store`` cannot be used as it is, in words; ``""`` when it can."""
    path = copy_path(store)
    stamp = _stamp_of(path) if path.exists() else None
    if stamp is None:
        return (
            "it has no prepared copy yet"
            if not path.exists()
            else "its prepared copy is unreadable"
        )
    if not _current(stamp):
        return "the boundary data changed since its prepared copy was built"
    if not _chain(store)[-1][1].matches(store):
        return "the CSV changed since its prepared copy was built (edited by hand?)"
    return ""


def _stack_tables(tables: list[pa.Table]) -> pa.Table:
    """The base file's and the parts' rows as one table, with the last part's columns.

    What :func:`_stack` does to frames, done in Arrow before the one
    conversion to pandas: the chunks are kept, not copied (0.15 s saved at
    a million rows). A column the base lacks is empty text (or null).
    """
    if len(tables) == 1:
        return tables[0]
    schema = tables[-1].schema
    aligned = []
    for table in tables:
        columns = []
        for field in schema:
            if field.name in table.column_names:
                columns.append(table.column(field.name).cast(field.type))
            elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
                columns.append(pc.fill_null(pa.nulls(table.num_rows, field.type), ""))
            else:
                columns.append(pa.nulls(table.num_rows, field.type))
        aligned.append(pa.Table.from_arrays(columns, schema=schema))
    return pa.concat_tables(aligned)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``frames`` one after the other, with the last frame's columns.

    A column an append brought (``added_by``) is empty text on the rows
    stored before it, as the CSV reader gives them.
    """
    if len(frames) == 1:
        return frames[0]
    order = list(typed_part(frames[-1]).columns) + list(PREPARED_COLUMNS)
    dtypes: dict[str, object] = {}
    for frame in reversed(frames):
        for col in frame.columns:
            dtypes.setdefault(col, frame[col].dtype)
    aligned = []
    for frame in frames:
        missing = {
            col: pd.Series("", index=frame.index, dtype=dtypes[col])
            for col in order
            if col not in frame.columns
        }
        aligned.append((frame.assign(**missing) if missing else frame)[order])
    return pd.concat(aligned, ignore_index=True)


def _pandas_type(arrow_type: pa.DataType) -> object:
    # The frame the CSV reader gives holds text as pyarrow-backed "string"
    # (NA, not NaN, for missing); the copy must give the very same dtypes.
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None


def write_copy(store: str | os.PathLike[str], prepared: pd.DataFrame) -> bool:
    """Write the copy of ``store`` (atomically), stamped with the store's current bytes.

    Returns False, with a warning in the log, when the copy cannot be
    written (a read-only folder): the frame is still good, only not cached.
    """
    written = _write_stamped(copy_path(store), prepared, CopyStamp.of(store, len(prepared)))
    if written:
        # Parts of the copy written before continue no chain from the new
        # base (their parents are older checksums); they only take room.
        for stale in _parts_from(store, 1):
            stale.unlink(missing_ok=True)
    return written


def _write_stamped(path: Path, frame: pd.DataFrame, stamp: CopyStamp) -> bool:
    """Write ``frame`` as Parquet with ``stamp`` in its metadata, atomically; False on failure."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = json.dumps(asdict(stamp)).encode()
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(meta), sink, compression="zstd")
    try:
        atomic_write_bytes(path, sink.getvalue().to_pybytes(), backup=False)
    except OSError as exc:
        log.warning("the prepared copy %s was not written: %s", path, exc)
        return False
    return True


def prepare_rows(typed: pd.DataFrame) -> pd.DataFrame:
    """Join typed incident rows to areas and measure them to borders, as the app does.

    The areas are the covered countries' plus any other country the rows
    need (:func:`geo.analysis.pipeline.covered_areas_for`); each row's
    result depends on its own :data:`KEY_COLUMNS` only, so rows prepared
    apart equal rows prepared together.
    """
    areas, _ = pipeline.covered_areas_for(typed)
    # Real stores repeat places: incidents coded to a town share its
    # coordinates. Each distinct key is joined and measured once and the
    # result given to every row with that key.
    if not set(KEY_COLUMNS) <= set(typed.columns) or (
        _distinct_points(typed) > _DEDUPE_SHARE * len(typed)
    ):
        return pipeline.prepare(typed, areas=areas)  # grouping would cost more than it saves
    group = typed.groupby(list(KEY_COLUMNS), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(group).drop_duplicates().index.to_numpy()  # ngroup numbers them in order
    prepared = pipeline.prepare(typed[list(KEY_COLUMNS)].iloc[first], areas=areas)
    values = prepared[list(PREPARED_COLUMNS)].iloc[group].set_axis(typed.index)
    return pd.concat([typed, values], axis=1)


def _distinct_points(typed: pd.DataFrame) -> int:
    """How many distinct (latitude, longitude) pairs ``typed`` holds (at most its keys)."""
    lat = pd.to_numeric(typed["latitude"], errors="coerce").to_numpy("float64")
    lon = pd.to_numeric(typed["longitude"], errors="coerce").to_numpy("float64")
    # One complex number per pair: pd.unique hashes it in 0.14 s per million
    # rows, where grouping on the five key columns takes 0.35-0.6 s.
    return len(pd.unique(lat + 1j * lon))


def typed_part(prepared: pd.DataFrame) -> pd.DataFrame:
    """The typed incident frame inside a prepared one (its columns, in order)."""
    return prepared[[c for c in prepared.columns if c not in PREPARED_COLUMNS]]


def carry_over(before: pd.DataFrame | None, typed: pd.DataFrame) -> pd.DataFrame:
    """``typed`` prepared, reusing ``before``'s prepared columns for rows with the same key.

    Rows whose :data:`KEY_COLUMNS` appear in ``before`` take its values;
    only the others are joined and measured, so a hand edit of a few rows
    recomputes those rows only.
    """
    if before is None or not len(before) or not len(typed):
        return prepare_rows(typed)
    keys, cols = list(KEY_COLUMNS), list(PREPARED_COLUMNS)
    known = before[keys + cols].drop_duplicates(subset=keys)
    # A left merge keeps the left rows' order; NaN keys match NaN keys.
    merged = typed[keys].merge(known, on=keys, how="left", indicator=True, sort=False)
    found = (merged["_merge"] == "both").to_numpy()
    parts = [merged.loc[found, cols].set_axis(typed.index[found])]
    if not found.all():
        parts.append(prepare_rows(typed.loc[~found])[cols])
    values = pd.concat(parts).reindex(typed.index)
    return pd.concat([typed, values.astype({c: before[c].dtype for c in cols})], axis=1)


def extend_copy(
    store: str | os.PathLike[str], before: pd.DataFrame, added: pd.DataFrame
) -> pd.DataFrame:
    """The copy of ``store`` after ``added`` typed rows were appended to it; written.

    Only the new rows are joined and measured, and only they are written:
    as a part file continuing the copy (:func:`part_path`), not a rewrite
    of every row (1.4-2.1 s at a million). After :data:`MAX_PARTS` parts,
    or once the parts hold more than :data:`COMPACT_SHARE` of the base's
    rows, the whole copy is written again as one file. ``before`` is the
    prepared frame of the store before the append (its copy, which
    matched); ``added`` the new rows exactly as the CSV reader gives them
    back, with the store's columns. Columns the append brought
    (``added_by``) are empty on the old rows, as the CSV reader gives them.
    """
    fresh = prepare_rows(added.reset_index(drop=True))
    fresh = fresh[list(typed_part(fresh).columns) + list(PREPARED_COLUMNS)]
    merged = _stack([before, fresh])
    chain = _chain(store)
    base_rows = chain[0][1].rows if chain else 0
    if (
        not chain
        or chain[-1][1].rows != len(before)
        or len(chain) > MAX_PARTS
        or len(merged) - base_rows > COMPACT_SHARE * base_rows
    ):
        write_copy(store, merged)
        return merged
    k = len(chain)
    stamp = CopyStamp.of(store, len(merged), parent=chain[-1][1].csv_sha256)
    if _write_stamped(part_path(store, k), fresh, stamp):
        for stale in _parts_from(store, k + 1):
            stale.unlink(missing_ok=True)
    return merged
