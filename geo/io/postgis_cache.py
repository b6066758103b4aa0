"""A replica's own columnar cache of a PostGIS store's prepared frame, topped up by row number.

An app replica on a PostGIS store reads every row with its stored join at
a cold start (:func:`geo.io.postgis_read.prepared_by_blocks`, seconds at
1,000,000 rows) and again after any other replica's append. This cache
keeps what it read as Parquet on the replica's own disk, so that:

* a **warm start** (the cache present, the store unchanged) reads the
  Parquet and asks the database for one row of ``store_meta``;
* **after an append** (the data version moved on, no stored row changed)
  only the rows numbered above the cache's last ``row_no`` are fetched and
  written as one more part file; appends are numbered in commit order under
  the writers' lock, so every row the cache lacks is above that number;
* **after a rewrite** (``write_raw``, a migration, any ``UPDATE``,
  ``DELETE`` or ``TRUNCATE`` of ``incidents``: a trigger gives
  ``store_meta.generation`` a new random value,
  :data:`geo.io.postgis_sql.CREATE`) the cache is dropped and the whole
  frame read again. The generation is random, not a counter, so a store
  dropped and created again never matches an old cache.

Layout: ``<cache dir>/postgis/<hash of the store's location>/part-<after>-<last>.parquet``,
each part stamped (Parquet metadata) with the cache format, the store's
generation and data version, the row numbers it follows and ends
at, its row count and columns. Parts chain from row 0; a part that is
unreadable, fails its page checksums, or disagrees with its stamp makes the
whole cache be ignored and rebuilt: it is never served. A store created
before the generation marker existed is served from the cache only when
its version is the cached one, and read whole otherwise.

The meta row and the new rows are read in one ``REPEATABLE READ``
snapshot, so a part never holds rows of another version than its stamp.
Deleting the cache folder is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo import config
from geo.io.files import atomic_write_bytes
from geo.io.postgis_read import empty_prepared, prepared_by_blocks
from geo.model.schema import COLUMNS

if TYPE_CHECKING:
    import psycopg

    from geo.io.postgis import PostgisStore

__all__ = ["FORMAT", "Part", "cache_folder", "prepared_incidents", "wait_for_writes"]

log = logging.getLogger(__name__)

FORMAT = 1
"""Version of the cache's layout; parts of another format are ignored and rebuilt."""

_META_KEY = b"geo.postgis_cache"
# Past this many parts the chain is written again as one (reading many small files costs).
_MAX_PARTS = 16
# Whole-cache writes still running in this process (see _replace_later).
_PENDING: list[threading.Thread] = []
_PENDING_LOCK = threading.Lock()


@dataclass(frozen=True)
class Part:
    """The stamp of one part file: which rows of which state of the store it holds."""

    generation: str | None
    version: int
    after: int
    last: int
    rows: int
    columns: tuple[str, ...]
    format: int = FORMAT


@dataclass(frozen=True)
class _Meta:
    version: int
    generation: str | None
    columns: list[str]


def cache_folder(store: PostgisStore, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where this replica caches ``store`` (``GEO_CACHE_DIR``, default ``~/.cache/...``).

    Named by a hash of the store's location (host, port, database, schema;
    never the password), so one folder serves several stores.
    """
    base = Path(cache_dir) if cache_dir is not None else Path(config.CACHE_DIR)
    key = hashlib.sha256(store.location.encode()).hexdigest()[:20]
    return base / "postgis" / key


def prepared_incidents(
    store: PostgisStore, *, cache_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """The store's prepared frame (as ``store.read_prepared()``), through this replica's cache.

    Reads the cache and the rows appended since it was written, or the
    whole store when there is no usable cache; writes what it fetched (a
    whole store in a background thread, :func:`wait_for_writes`). A cache
    folder that cannot be written only costs the next start its speed.
    """
    import psycopg

    folder = cache_folder(store, cache_dir)
    with store.connect() as conn:
        # One snapshot for the meta row and the rows: a part is exactly its stamp's state.
        conn.commit()
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        meta = _meta(conn, store.schema)
        if meta is None:
            return empty_prepared(list(COLUMNS))
        chain = _chain(folder, meta)
        if chain is None:
            frame, last = prepared_by_blocks(conn, meta.columns, connect=store.connect)
            if not len(frame):  # nothing worth keeping; an empty store reads fast
                return frame
            _replace_later(folder, frame, Part(meta.generation, meta.version, 0, last, len(frame),
                                               tuple(meta.columns)))  # fmt: skip
            return frame
        parts, frames = chain
        top = parts[-1]
        if top.version != meta.version:
            new, last = prepared_by_blocks(
                conn, meta.columns, after=top.last, connect=store.connect
            )
            if len(new):
                part = Part(meta.generation, meta.version, top.last, last, len(new),
                            tuple(meta.columns))  # fmt: skip
                _write(folder, new, part)
                parts, frames = [*parts, part], [*frames, new]
    frame = _joined(frames, meta.columns)
    if len(parts) > _MAX_PARTS:
        whole = Part(meta.generation, meta.version, 0, parts[-1].last, len(frame),
                     tuple(meta.columns))  # fmt: skip
        _replace_later(folder, frame, whole)
    return frame


def _meta(conn: psycopg.Connection[Any], schema: str) -> _Meta | None:
    """The store's version, rewrite marker and columns; None when the store has no tables."""
    exists = conn.execute(
        "SELECT to_regclass(format('%%I.store_meta', %s::text)) IS NOT NULL", (schema,)
    ).fetchone()
    if not (exists and exists[0]):
        return None
    # Through to_jsonb: a store made before the marker existed has no such column.
    row = conn.execute(
        "SELECT version, to_jsonb(m) ->> 'generation', columns FROM store_meta m"
    ).fetchone()
    if row is None:
        return None
    return _Meta(int(row[0]), row[1], list(row[2]))


def _stamp(path: Path) -> Part | None:
    try:
        meta = pq.read_schema(path).metadata or {}
        fields = json.loads(meta[_META_KEY])
        fields["columns"] = tuple(fields["columns"])
        return Part(**fields)
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None


def _chain(folder: Path, meta: _Meta) -> tuple[list[Part], list[pd.DataFrame]] | None:
    """The cached parts from row 0 on and their frames; None when the cache cannot serve ``meta``.

    Where two replicas sharing a folder each wrote a part after the same
    row, the longer one is followed.
    """
    stamps = {}
    for path in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []:
        stamp = _stamp(path)
        if stamp is None or stamp.format != FORMAT:
            return None
        stamps[path] = stamp
    usable = {p: s for p, s in stamps.items() if s.generation == meta.generation}
    parts, frames, after = [], [], 0
    while True:
        following = [(s.last, p) for p, s in usable.items() if s.after == after and s.last > after]
        if not following:
            break
        path = max(following)[1]
        frame = _read(path, usable[path])
        if frame is None:
            return None
        parts.append(usable[path])
        frames.append(frame)
        after = usable[path].last
    if not parts or (meta.generation is None and parts[-1].version != meta.version):
        return None
    if not set(parts[-1].columns) <= set(meta.columns):
        return None
    return parts, frames


def _read(path: Path, stamp: Part) -> pd.DataFrame | None:
    """One part's frame, or None when it is damaged (checksums, row count) or gone."""
    try:
        table = pq.read_table(path, page_checksum_verification=True)
    except (OSError, pa.ArrowException):
        return None
    if table.num_rows != stamp.rows:
        return None
    return table.to_pandas(types_mapper=_pandas_type)


def _pandas_type(arrow_type: pa.DataType) -> object:
    # Text is held as pyarrow-backed "string" in the frame the store reads.
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None


def _joined(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The parts as one frame in the store's current column order.

    A column an append brought is empty text on the rows before it, as the
    store reads them.
    """
    order = list(empty_prepared(columns).columns)
    aligned = []
    for frame in frames:
        missing = {c: pd.Series("", index=frame.index, dtype="string") for c in order
                   if c not in frame.columns}  # fmt: skip
        aligned.append(frame.assign(**missing)[order] if missing else frame[order])
    if len(aligned) == 1:
        return aligned[0]
    return pd.concat(aligned, ignore_index=True)


def _bytes(frame: pd.DataFrame, part: Part) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = json.dumps(asdict(part)).encode()
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(meta), sink, compression="zstd",
                   write_page_checksum=True)  # fmt: skip
    return bytes(sink.getvalue().to_pybytes())


def _name(part: Part) -> str:
    return f"part-{part.after:012d}-{part.last:012d}.parquet"


def _write(folder: Path, frame: pd.DataFrame, part: Part) -> bool:
    try:
        # Incident rows: the store's folder is its user's alone, as the database is.
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_bytes(folder / _name(part), _bytes(frame, part), backup=False)
    except OSError as exc:
        log.warning("the PostGIS cache in %s was not written: %s", folder, exc)
        return False
    return True


def _replace_later(folder: Path, frame: pd.DataFrame, part: Part) -> None:
    """:func:`_replace` in a thread: the caller draws its map while Arrow writes (about 1 s
    at 1,000,000 rows, off the cold start's path).

    Not a daemon thread, so an interpreter that exits still finishes the
    file; a write cut short by a kill leaves only a temporary the next
    write removes.
    """
    thread = threading.Thread(
        target=_replace, args=(folder, frame, part), name="geo-postgis-cache", daemon=False
    )
    with _PENDING_LOCK:
        _PENDING[:] = [t for t in _PENDING if t.is_alive()]
        _PENDING.append(thread)
    thread.start()


def wait_for_writes() -> None:
    """Return once every cache file this process started writing is written."""
    with _PENDING_LOCK:
        pending = list(_PENDING)
    for thread in pending:
        thread.join()


def _replace(folder: Path, frame: pd.DataFrame, part: Part) -> None:
    """The cache as one part holding ``frame``; older parts removed after it is written."""
    if not _write(folder, frame, part):
        return
    for path in folder.glob("part-*.parquet"):
        if path.name != _name(part):
            # Another replica removed it, or a read-only folder: ignored when read.
            with contextlib.suppress(OSError):
                path.unlink()
