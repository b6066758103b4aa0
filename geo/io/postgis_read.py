"""Reading a PostGIS store's prepared frame fast: whole blocks, parsed and typed by pyarrow.

What :meth:`geo.io.postgis.PostgisStore.read_prepared` gives, and what an
app replica reads at a cold start. The first way of reading it (kept here
as :func:`prepared_by_text`, the reference and the benchmark's baseline)
took 6.3-6.9 s at 1,000,000 rows: psycopg's ``COPY`` loop, then pandas
parsing the CSV text into Python strings, then
:func:`geo.model.schema.coerce_frame` typing each column again.
:func:`prepared_by_blocks` receives the same ``COPY`` into one buffer,
parses it with pyarrow's multi-threaded CSV reader (every cell as text, so
parsing never guesses), and types the columns with pyarrow compute: the
text columns stay Arrow strings (the dtype the frame holds them in anyway),
numbers and dates are cast in C.

The typed frame must equal the reference exactly (dtypes, values, order,
missing values). The fast casts are kept to what both read alike (finite
decimals, ``YYYY-MM-DD`` dates), and where a column holds anything else
the whole frame is typed by the reference code instead, so
an unusual cell costs time, never a different answer
(``tests/io/test_postgis_read.py`` compares both on the shipped and
synthetic stores).

Rows can be read from a row number on (``after``): the per-replica cache
(:mod:`geo.io.postgis_cache`) fetches only the rows appended since it was
written.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from geo.io import postgis_sql as q
from geo.model.schema import COLUMNS, DATE_MIN, OPTIONAL_COLUMNS, coerce_frame, date_max

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    import psycopg
    from psycopg.sql import Composed

    Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]

__all__ = [
    "PARALLEL_ROWS",
    "empty_prepared",
    "prepared_by_blocks",
    "prepared_by_text",
    "prepared_types",
]

_NULL = "\\N"

PARALLEL_ROWS = 200_000
"""From this many rows a read with a ``connect`` is fetched in two halves side by side."""


class _NotPlain(ValueError):
    """A column holds a value the fast casts do not read: type the frame the reference way."""


def _copy_statement(
    columns: list[str], after: int, *, row_no: bool, upto: int | None = None
) -> Composed:
    """``COPY`` of the cells and prepared columns of rows ``after < row_no <= upto``, in order."""
    from psycopg import sql

    cells = [
        sql.Identifier(c)
        if c in COLUMNS
        else sql.SQL("coalesce(extra->>{}, '') AS {}").format(sql.Literal(c), sql.Identifier(c))
        for c in columns
    ]
    first = [sql.Identifier("row_no")] if row_no else []
    chosen = sql.SQL(", ").join(first + cells + [sql.Identifier(c) for c, _ in q.PREPARED])
    until = sql.SQL("") if upto is None else sql.SQL(" AND row_no <= {}").format(sql.Literal(upto))
    return sql.SQL(
        "COPY (SELECT {} FROM incidents WHERE row_no > {}{} ORDER BY row_no) TO STDOUT "
        "WITH (FORMAT csv, NULL {})"
    ).format(chosen, sql.Literal(int(after)), until, sql.Literal(_NULL))


def _received(conn: psycopg.Connection[Any], statement: Composed) -> bytes:
    """Everything a ``COPY ... TO STDOUT`` sends, joined once (no per-row buffer writes)."""
    blocks: list[bytes] = []
    with conn.cursor().copy(statement) as stream:
        for block in stream:
            blocks.append(bytes(block))
    return b"".join(blocks)


def prepared_by_text(conn: psycopg.Connection[Any], columns: list[str]) -> pd.DataFrame:
    """The prepared frame the first way: pandas parses the CSV text, then it is typed.

    The reference :func:`prepared_by_blocks` must equal, and the benchmark's
    baseline. ``conn`` has the store's schema on its search path and the
    store exists.
    """
    import io

    names = columns + [c for c, _ in q.PREPARED]
    raw = pd.read_csv(
        io.BytesIO(_received(conn, _copy_statement(columns, 0, row_no=False))),
        names=names,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_values={c: [_NULL] for c, _ in q.PREPARED},
        encoding="utf-8",
    )
    return pd.concat([coerce_frame(raw[columns]), prepared_types(raw)], axis=1)


def prepared_types(raw: pd.DataFrame) -> pd.DataFrame:
    """The stored join columns (read as text, ``NaN`` for NULL) in the dtypes ``prepare`` gives."""
    out = pd.DataFrame(index=raw.index)
    for col, kind in q.PREPARED:
        values = raw[col]
        if kind == "boolean":
            out[col] = values.eq("t").astype(bool)
        elif kind.startswith("double"):
            out[col] = pd.to_numeric(values).astype("float64")
        else:
            out[col] = values.astype("string")
    return out


def empty_prepared(columns: list[str]) -> pd.DataFrame:
    """The prepared frame of a store with no rows, with ``columns``."""
    raw = pd.DataFrame({c: pd.Series([], dtype=str) for c in columns + [c for c, _ in q.PREPARED]})
    return pd.concat([coerce_frame(raw[columns]), prepared_types(raw)], axis=1)


def prepared_by_blocks(
    conn: psycopg.Connection[Any],
    columns: list[str],
    *,
    after: int = 0,
    connect: Connect | None = None,
) -> tuple[pd.DataFrame, int]:
    """The prepared frame of the rows numbered above ``after``, and the last row number read.

    Equal to :func:`prepared_by_text` (for ``after=0``). The last row
    number is ``after`` when there are no such rows.

    Parameters
    ----------
    conn : psycopg.Connection
        With the store's schema on its search path; the store exists.
    columns : list of str
        The store's columns in CSV order (``store_meta.columns``).
    after : int
        Read only rows numbered above this (a cache's top-up).
    connect : callable, optional
        Opens another connection to the store (``PostgisStore.connect``).
        Given, a read of :data:`PARALLEL_ROWS` rows or more is split in two
        halves fetched and parsed side by side, each on a connection that
        imports ``conn``'s snapshot (``pg_export_snapshot``), so both see
        exactly the rows ``conn`` sees.
    """
    names = ["row_no", *columns, *(c for c, _ in q.PREPARED)]
    # Only to choose how to read: the rows read are those of the COPY's own snapshot.
    counted = conn.execute(
        "SELECT count(*), max(row_no) FROM incidents WHERE row_no > %s", (after,)
    ).fetchone()
    n, top = (int(counted[0]), int(counted[1] or after)) if counted else (0, after)
    if connect is None or n < PARALLEL_ROWS:
        table = _parse(_received(conn, _copy_statement(columns, after, row_no=True)), names)
    else:
        table = _in_halves(conn, connect, columns, names, (after + top) // 2, after)
    if not table.num_rows:
        return empty_prepared(columns), after
    last = int(pc.max(table.column("row_no")).as_py())
    try:
        typed = _typed(table, columns)
    except _NotPlain:
        raw = pd.DataFrame({n: _pandas_text(table.column(n)) for n in names[1:]})
        typed = pd.concat([coerce_frame(raw[columns]), prepared_types(raw)], axis=1)
    return typed, last


def _in_halves(
    conn: psycopg.Connection[Any],
    connect: Connect,
    columns: list[str],
    names: list[str],
    middle: int,
    after: int,
) -> pa.Table:
    """The rows above ``after`` fetched and parsed in two threads (split at ``middle``).

    Both connections import one snapshot exported by ``conn``, so the two
    halves are one state of the store, as one ``COPY`` would read it.
    """
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from psycopg import sql

    snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()

    def half(bounds: tuple[int, int | None]) -> pa.Table:
        with connect() as other:
            other.commit()  # the snapshot is imported as a transaction's first statement
            other.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            other.read_only = True
            other.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(
                sql.Literal(snapshot[0] if snapshot else "")))  # fmt: skip
            statement = _copy_statement(columns, bounds[0], row_no=True, upto=bounds[1])
            return _parse(_received(other, statement), names)

    with ThreadPoolExecutor(2, thread_name_prefix="geo-postgis-read") as pool:
        tables = list(pool.map(half, [(after, middle), (middle, None)]))
    return pa.concat_tables(tables)


def _parse(data: bytes, names: list[str]) -> pa.Table:
    """The ``COPY`` text as an Arrow table of strings (row numbers as integers).

    ``\\N`` unquoted is NULL; a quoted ``"\\N"`` is that text, as the server
    quotes a value equal to the NULL marker.
    """
    if not data:
        return pa.table({n: pa.array([], pa.int64() if n == "row_no" else pa.string())
                         for n in names})  # fmt: skip
    return pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.int64() if n == "row_no" else pa.string() for n in names},
            null_values=[_NULL],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


@functools.cache
def _kinds() -> dict[str, str]:
    """How :func:`coerce_frame` types each schema column: ``"int"``, ``"float"``, ``"date"``."""
    names = COLUMNS + OPTIONAL_COLUMNS
    dtypes = coerce_frame(pd.DataFrame({c: pd.Series([], dtype=str) for c in names})).dtypes
    kinds = {}
    for col in names:
        kind = str(dtypes[col])
        found = {"Int64": "int", "float64": "float"}.get(kind)
        kinds[col] = found or ("date" if "datetime" in kind else "text")
    return kinds


def _typed(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    """The frame :func:`prepared_by_text` gives, typed by pyarrow compute.

    Raises
    ------
    _NotPlain
        When a number or date column holds a value outside the fast casts.
    """
    kinds = _kinds()
    order = [c for c in COLUMNS + OPTIONAL_COLUMNS if c in columns or c in COLUMNS]
    order += [c for c in columns if c not in order]
    n = table.num_rows
    out: dict[str, Any] = {}
    for col in order:
        if col not in kinds:  # a column of the store's own: kept as stored, not trimmed
            out[col] = _text(pc.fill_null(table.column(col), ""))
            continue
        text = table.column(col) if col in columns else pa.chunked_array([pa.array([""] * n)])
        out[col] = _typed_cell(pc.utf8_trim_whitespace(text), kinds[col])
    for col, kind in q.PREPARED:
        out[col] = _typed_prepared(table.column(col), kind)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _typed_cell(text: pa.ChunkedArray, kind: str) -> Any:
    """One stored text column (whitespace trimmed) typed as :func:`coerce_frame` types it."""
    if kind == "text":
        return _text(pc.fill_null(text, ""))
    blank = pc.equal(text, "")
    try:
        if kind == "date":
            if not pc.all(pc.or_(blank, pc.equal(pc.utf8_length(text), 10))).as_py():
                raise _NotPlain
            days = pc.cast(pc.if_else(blank, None, text), pa.date32())
        else:
            values = _finite(pc.cast(pc.if_else(blank, None, text), pa.float64()))
    except pa.ArrowInvalid as exc:
        raise _NotPlain from exc
    if kind == "date":
        low = pa.scalar(DATE_MIN.date(), pa.date32())
        high = pa.scalar(date_max().date(), pa.date32())
        inside = pc.and_(pc.greater_equal(days, low), pc.less_equal(days, high))
        stamps = pc.cast(pc.if_else(inside, days, None), pa.timestamp("ns"))
        return stamps.to_numpy().astype("datetime64[ns]")
    num = pd.Series(values.to_numpy(), dtype="float64")
    if kind == "float":
        return num.to_numpy()
    return num.where(num.abs() <= 2**53).round().astype("Int64").array


def _typed_prepared(values: pa.ChunkedArray, kind: str) -> Any:
    """One stored join column (NULL as missing) in the dtype :func:`prepared_types` gives."""
    if kind == "boolean":
        return pc.fill_null(pc.equal(values, "t"), False).to_numpy()
    if kind.startswith("double"):
        try:
            return _finite(pc.cast(values, pa.float64())).to_numpy()
        except pa.ArrowInvalid as exc:
            raise _NotPlain from exc
    return _text(values)


def _finite(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """``values`` when every one is finite or missing; stored rows never hold others.

    Arrow reads ``NaN`` and ``Infinity`` where pandas refuses or reads them
    otherwise: such a cell (typed into the database by hand) is left to the
    reference path.
    """
    if pc.any(pc.invert(pc.is_finite(values))).as_py():
        raise _NotPlain
    return values


def _text(values: pa.ChunkedArray) -> pd.arrays.ArrowStringArray:
    """Arrow strings as the frame's text dtype (``string``, pyarrow-backed), without a copy."""
    return pd.arrays.ArrowStringArray(values)


def _pandas_text(values: pa.ChunkedArray) -> pd.Series:
    """A column as the reference path's pandas reader gives it: Python text, NaN for NULL."""
    return pd.Series(values.to_pylist(), dtype=object).fillna(np.nan)
