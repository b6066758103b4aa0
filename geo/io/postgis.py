"""The incident store in PostGIS, for a team: one database, many app replicas.

The same behaviour as the file store (:mod:`geo.io.store`) - the same
validation, duplicate rules, generated ids, rejects and :class:`AppendReport`
- with what a file cannot give: transactions, concurrent writers on several
hosts, and a data version every replica can poll.

* An append runs in one transaction under an advisory lock (appends queue;
  readers never wait). Duplicates of stored rows are found in SQL against
  the indexes (:data:`geo.io.postgis_sql.MATCH_STORE`); duplicates inside
  the incoming batch by :func:`geo.io.dedupe.find_duplicates`, so the rules
  and reasons are the file store's.
* The admin-1 join and border distance (:func:`geo.io.prepared_copy.prepare_rows`,
  as the file store's columnar copy) are computed for the new rows only and
  stored, so reading needs no join.
* Every write bumps ``store_meta.version`` in its own transaction and sends
  ``NOTIFY geo_store``: :meth:`PostgisStore.data_version` is the cache key
  that tells a replica another one wrote.
* A killed writer leaves nothing: the transaction never committed.
* Blank ids of an audited append are numbered in the store's scheme inside
  its transaction (:mod:`geo.io.numbering`), and a store made by an older
  version is brought up to date the first time a process opens it.

The drivers (psycopg 3, SQLAlchemy, GeoAlchemy2) are the ``postgis`` extra
and are imported only here, when a PostGIS store is used.

Example
-------
>>> store = PostgisStore("postgresql://geo@127.0.0.1:55432/geo")  # doctest: +SKIP
>>> store.append_incidents(new_rows).summary()  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.io import postgis_sql as q
from geo.io.dedupe import _keys as dedupe_keys
from geo.io.dedupe import check_tolerances, find_duplicates
from geo.io.store import (
    NEW_ID_PREFIX,
    AppendReport,
    _duplicate_rows,
    _merge_rejected,
    _typed_for_store,
    _with_fresh_ids,
    check_rows,
    in_store_scheme,
    split_incoming,
    to_csv_frame,
)
from geo.model.schema import (
    COLUMNS,
    EVENT_TYPES,
    IncidentFileError,
    coerce_frame,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import psycopg

__all__ = ["PostgisStore", "StoreUnavailableError", "is_database_url"]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# One advisory-lock key for writers of a store: "geo1" in ASCII, plus the schema's hash.
_LOCK_BASE = 0x67656F31
_CELL_COLUMNS = tuple(c for c in COLUMNS if c != "event_id")
# From this many rows a whole-store write drops the indexes and builds them afterwards.
_BULK_ROWS = 50_000
_GRID_COLUMNS = ["fy", "fx", "n", "lat_sum", "lon_sum", "fatalities"]
# The (url, schema) of stores this process has found up to date (PostgisStore._upgrade).
_UPGRADED: set[tuple[str, str]] = set()


class StoreUnavailableError(ConnectionError):
    """The database server cannot be reached (down, wrong host or port, refused login)."""


def is_database_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL database rather than a file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


class PostgisStore:
    """An incident store in a PostGIS database.

    Parameters
    ----------
    url : str
        ``postgresql://user@host:port/database`` (libpq form; a password
        belongs in ``~/.pgpass`` or the deployment's secrets, not in code).
    schema : str
        The schema holding the tables; one database can hold several stores.
        Created on first write.
    """

    def __init__(self, url: str, *, schema: str = "public") -> None:
        if not is_database_url(url):
            raise ValueError(f"{url!r} is not a postgresql:// URL")
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"{schema!r} is not a plain lower-case schema name")
        self.url = url
        self.schema = schema

    def __repr__(self) -> str:
        return f"PostgisStore({self.location!r})"

    @property
    def location(self) -> str:
        """The store as a person reads it: the URL without a password, and the schema."""
        shown = re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", self.url)
        shown = re.sub(r"([?&]password=)[^&]*", r"\1***", shown)
        return shown if self.schema == "public" else f"{shown}#{self.schema}"

    # --- connections -----------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection with the store's schema first on the search path.

        Used as a context manager: commits when the block ends, rolls back
        when it raises.
        """
        import psycopg
        from psycopg import sql

        try:
            opened = psycopg.connect(self.url, connect_timeout=10)
        except psycopg.OperationalError as exc:
            # The driver's text can quote the URL; say where with the password masked.
            first = str(exc).strip().splitlines()[:1]
            raise StoreUnavailableError(
                "the database refused or could not be reached "
                f"({self.location}: {first[0] if first else type(exc).__name__})"
            ) from None
        with opened as conn:
            if (self.url, self.schema) not in _UPGRADED:
                self._upgrade(conn)
            conn.execute(
                sql.SQL("SET search_path TO {}, public").format(sql.Identifier(self.schema))
            )
            yield conn

    def _upgrade(self, conn: psycopg.Connection[Any]) -> None:
        """Give a store made by an older version what it lacks; once per process and store.

        A store made before the ``store_meta.generation`` trigger gets it
        (:data:`geo.io.postgis_sql.UPGRADE`, idempotent) under the writers'
        lock, committed before the caller's work starts; one catalog query
        when there is nothing to do. A role that may not alter the store
        (or a read-only standby) leaves it as it is: a replica's cache then
        reads it whole after any new version, as it did.
        """
        import psycopg
        from psycopg import sql

        state = conn.execute(q.UP_TO_DATE, {"schema": self.schema}).fetchone()
        if state is None or state[0] is None:  # no store yet: ensure() makes it whole
            conn.rollback()
            return
        if not state[0]:
            try:
                path = sql.SQL("SET LOCAL search_path TO {}, public")
                conn.execute(path.format(sql.Identifier(self.schema)))
                self._lock_and_ensure(conn)
                conn.execute(q.UPGRADE, prepare=False)
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction):
                conn.rollback()
        conn.commit()
        _UPGRADED.add((self.url, self.schema))

    def ensure(self, conn: psycopg.Connection[Any]) -> None:
        """Create the schema, tables and indexes when absent (in ``conn``'s transaction)."""
        from psycopg import sql

        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
        # Several statements in one: sent unprepared, without parameters.
        conn.execute(q.CREATE, prepare=False)
        conn.execute(q.SEED, {"columns": list(COLUMNS)})

    def _exists(self, conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(
            "SELECT to_regclass(format('%%I.store_meta', %s::text)) IS NOT NULL", (self.schema,)
        ).fetchone()
        return bool(row and row[0])

    def _lock_and_ensure(self, conn: psycopg.Connection[Any]) -> None:
        """Queue behind any other writer of this store, then create its tables if absent.

        The lock comes first and is held until the transaction ends: creating
        tables and indexes takes table locks, and two writers taking those
        in different orders would deadlock.
        """
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_BASE, self.schema))
        if not self._exists(conn):
            self.ensure(conn)

    # --- reading ----------------------------------------------------------

    def data_version(self) -> str:
        """The store's version: changes with every committed write ("0" before the first).

        Cheap (one indexed row), so an app can call it on every rerun and
        key its caches by it.
        """
        with self.connect() as conn:
            if not self._exists(conn):
                return "0"
            row = conn.execute("SELECT version FROM store_meta").fetchone()
        return str(row[0]) if row else "0"

    def columns(self) -> list[str]:
        """The store's columns in CSV order (the schema's alone for a new store)."""
        with self.connect() as conn:
            return self._columns(conn)

    def _columns(self, conn: psycopg.Connection[Any]) -> list[str]:
        if not self._exists(conn):
            return list(COLUMNS)
        row = conn.execute("SELECT columns FROM store_meta").fetchone()
        return list(row[0]) if row else list(COLUMNS)

    def read_raw(self) -> pd.DataFrame:
        """Every cell as stored, as text, in store order and CSV column order (lossless)."""
        with self.connect() as conn:
            columns = self._columns(conn)
            if not self._exists(conn):
                return pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
            return self._copy_out(conn, columns, [])

    def read_incidents(self) -> pd.DataFrame:
        """The typed incident frame, as :func:`geo.io.store.read_incidents` gives it.

        Rows were validated when they were stored, so they are only typed here.
        """
        return coerce_frame(self.read_raw())

    def read_prepared(self) -> pd.DataFrame:
        """The typed frame with the stored join and border columns (no join at read).

        Read in blocks and typed by pyarrow (:mod:`geo.io.postgis_read`);
        an app replica reads it through its own cache instead
        (:func:`geo.io.postgis_cache.prepared_incidents`).
        """
        from geo.io.postgis_read import empty_prepared, prepared_by_blocks

        with self.connect() as conn:
            columns = self._columns(conn)
            if not self._exists(conn):
                return empty_prepared(columns)
            return prepared_by_blocks(conn, columns, connect=self.connect)[0]

    def _copy_out(
        self, conn: psycopg.Connection[Any], columns: list[str], prepared: list[str]
    ) -> pd.DataFrame:
        """Rows through ``COPY ... TO STDOUT`` as CSV: far faster than fetching tuples."""
        from psycopg import sql

        cells = [
            sql.Identifier(c)
            if c in COLUMNS
            else sql.SQL("coalesce(extra->>{}, '') AS {}").format(sql.Literal(c), sql.Identifier(c))
            for c in columns
        ]
        chosen = sql.SQL(", ").join(cells + [sql.Identifier(c) for c in prepared])
        copy = sql.SQL("COPY (SELECT {} FROM incidents ORDER BY row_no) TO STDOUT "
                       "WITH (FORMAT csv, HEADER, NULL '\\N')").format(chosen)  # fmt: skip
        return pd.read_csv(
            _copy_bytes(conn, copy),
            dtype=str,
            keep_default_na=False,
            na_values={c: ["\\N"] for c in prepared},
            encoding="utf-8",
        )

    # --- writing ----------------------------------------------------------

    def write_raw(self, text: pd.DataFrame, *, file: str | None = None) -> None:
        """Replace the store with validated text rows, column order kept (lossless).

        One transaction: readers see the old rows until it commits. A big
        write (``_BULK_ROWS`` or more) empties the table and builds its
        indexes after the rows are in, and readers wait for it instead.

        Raises
        ------
        IncidentFileError
            When any row is invalid; nothing is written then.
        """
        text = text.reset_index(drop=True).astype("string").fillna("")
        problems = check_rows(text, file=file or self.location)
        if problems:
            raise IncidentFileError(problems)
        typed = coerce_frame(text)
        prepared = _prepare(typed)
        bulk = len(text) >= _BULK_ROWS
        with self.connect() as conn:
            self._lock_and_ensure(conn)
            if bulk:
                # Indexes built once over all rows beat a million index
                # insertions (GiST most of all); readers wait for the commit.
                conn.execute("TRUNCATE incidents")
                conn.execute(q.DROP_INDEXES)
                conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            else:
                conn.execute("DELETE FROM incidents")
            self._insert(conn, text, typed, prepared, start=1)
            if bulk:
                conn.execute(q.CREATE, prepare=False)
            self._bump(conn, list(text.columns))

    def write_incidents(self, df: pd.DataFrame) -> None:
        """Validate and replace the store with a typed frame, as the file store writes it."""
        text = to_csv_frame(df)
        extra = [c for c in text.columns if c not in COLUMNS]
        self.write_raw(text[list(COLUMNS) + extra])

    def append_incidents(
        self,
        new: pd.DataFrame,
        *,
        dedupe_days: int | None = 1,
        dedupe_km: float = 10.0,
        rejected_path: str | None = None,
        rejected: pd.DataFrame | None = None,
        file: str = "<new rows>",
        source_rows: Sequence[int] | None = None,
        id_prefix: str = NEW_ID_PREFIX,
        added_by: str | None = None,
        added_at: str | None = None,
        in_transaction: Callable[[psycopg.Connection[Any], AppendReport], None] | None = None,
        number_in_scheme: bool = False,
    ) -> AppendReport:
        """Append incidents in one transaction; see :func:`geo.io.store.append_incidents`.

        Parameters and report are the file store's. Rejected rows go to the
        side CSV ``rejected_path`` (a file: rejects are for a person to fix)
        once the transaction has committed. ``in_transaction`` runs last in
        the append's transaction, with the filled report, even when no row
        was added (the audit entry, :mod:`geo.io.postgis_audit`): should it
        raise, no row is stored. With ``number_in_scheme``, blank ids are
        numbered in the store's scheme inside the transaction, under the
        lock (:func:`geo.io.postgis_sql.id_scheme`).
        """
        check_tolerances(dedupe_days, dedupe_km)
        report = AppendReport(path=self.location, rejected_path=rejected_path)
        good, good_rows, reject_frames = split_incoming(new, report, rejected, file, source_rows)
        if len(good):
            ids = (id_prefix, number_in_scheme)
            self._append_good(good, good_rows, report, (dedupe_days, dedupe_km), ids,
                              (added_by, added_at), in_transaction)  # fmt: skip
        elif in_transaction is not None:
            with self.connect() as conn:
                self._lock_and_ensure(conn)
                in_transaction(conn, report)
        if reject_frames and rejected_path is not None:
            from pathlib import Path

            _merge_rejected(Path(rejected_path), pd.concat(reject_frames, ignore_index=True))
        return report

    def _append_good(
        self,
        good: pd.DataFrame,
        good_rows: list[int],
        report: AppendReport,
        tolerance: tuple[int | None, float],
        ids: tuple[str, bool],
        audit: tuple[str | None, str | None],
        then: Callable[[psycopg.Connection[Any], AppendReport], None] | None = None,
    ) -> None:
        """The transaction of an append: lock, number, match, insert, bump, then ``then``."""
        id_prefix, number_in_scheme = ids
        typed, report.ignored_columns = _typed_for_store(good, pd.DataFrame(columns=self.columns()))
        # Before the lock: the join is the slow part and depends on the row alone.
        prepared = _prepare(typed)
        with self.connect() as conn:
            self._lock_and_ensure(conn)
            columns = self._columns(conn)
            typed, report.ignored_columns = _typed_for_store(good, pd.DataFrame(columns=columns))
            if number_in_scheme:
                typed = in_store_scheme(typed, lambda: q.id_scheme(conn, self.schema))
            dups = self._duplicates(conn, typed, tolerance)
            if len(dups):
                report.duplicate_rows = _duplicate_rows(typed, dups, good_rows)
            report.duplicates = len(dups)
            keep = np.setdiff1d(np.arange(len(typed)), dups["pos"].to_numpy())
            to_add = typed.iloc[keep].reset_index(drop=True)
            to_add, report.renumbered = _with_fresh_ids(
                to_add, self._taken_ids(conn, to_add["event_id"], id_prefix), id_prefix
            )
            if audit[0] is not None:
                to_add = to_add.assign(added_by=audit[0], added_at=audit[1] or "")
            if len(to_add):
                merged = list(dict.fromkeys([*columns, *to_add.columns]))
                text = to_csv_frame(to_add)
                text = text[[c for c in merged if c in text.columns]]
                start = self._next_row(conn)
                self._insert(conn, text, to_add, prepared.iloc[keep], start=start)
                self._bump(conn, merged)
            report.added = len(to_add)
            report.added_ids = to_add["event_id"].astype(str).tolist()
            if then is not None:
                then(conn, report)

    def _duplicates(
        self,
        conn: psycopg.Connection[Any],
        typed: pd.DataFrame,
        tolerance: tuple[int | None, float],
    ) -> pd.DataFrame:
        """:func:`geo.io.dedupe.find_duplicates` with the stored side matched in SQL."""
        days, km = tolerance
        inside = find_duplicates(typed, typed.iloc[:0], days=days, km=km)
        store = q.store_matches(conn, typed, days, km)
        if not len(store):  # as find_duplicates gives it, dtypes included
            return inside
        out = pd.concat([store, inside], ignore_index=True).drop_duplicates("pos")
        return out.sort_values("pos").reset_index(drop=True)

    def _taken_ids(self, conn: psycopg.Connection[Any], ids: pd.Series, prefix: str) -> pd.Series:
        """The incoming ids the store already uses, and its highest ``<prefix>N`` id.

        Enough for :func:`geo.io.store._with_fresh_ids` to number exactly as
        the file store does, without reading every id.
        """
        wanted = [i for i in ids.astype(str) if i]
        used = conn.execute(
            "SELECT event_id FROM incidents WHERE event_id = ANY(%s)", (wanted,)
        ).fetchall()
        pattern = "^" + re.escape(prefix) + r"(\d+)$"
        top = conn.execute(
            "SELECT max((substring(event_id from %s))::numeric) FROM incidents WHERE event_id ~ %s",
            (pattern, pattern),
        ).fetchone()
        taken = [r[0] for r in used]
        if top and top[0] is not None:
            taken.append(f"{prefix}{int(top[0])}")
        return pd.Series(taken, dtype="string")

    def _next_row(self, conn: psycopg.Connection[Any]) -> int:
        row = conn.execute("SELECT coalesce(max(row_no), 0) + 1 FROM incidents").fetchone()
        return int(row[0]) if row else 1

    def _insert(
        self,
        conn: psycopg.Connection[Any],
        text: pd.DataFrame,
        typed: pd.DataFrame,
        prepared: pd.DataFrame,
        *,
        start: int,
    ) -> None:
        """COPY rows into a staging table, then into ``incidents`` in one statement."""
        conn.execute(q.STAGE)
        stage = _stage_frame(text, typed, prepared, start)
        q.copy_in(conn, "stage", stage)
        names = ", ".join(stage.columns)
        conn.execute(
            f"INSERT INTO incidents ({names}, geom) "  # noqa: S608 - names are ours
            f"SELECT {names}, ST_SetSRID(ST_MakePoint(lon, lat), 4326) FROM stage"
        )

    def _bump(self, conn: psycopg.Connection[Any], columns: list[str]) -> None:
        """New data version and column list, in the writer's transaction; tell listeners."""
        row = conn.execute(
            "UPDATE store_meta SET version = version + 1, changed_at = now(), columns = %s "
            "RETURNING version",
            (columns,),
        ).fetchone()
        conn.execute(
            "SELECT pg_notify('geo_store', %s)", (f"{self.schema}:{row[0] if row else 0}",)
        )

    def grid_cells(
        self,
        cell_deg: float = 0.05,
        *,
        start: str | None = None,
        end: str | None = None,
        event_types: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Incidents counted per grid cell by the server (one SQL ``GROUP BY``).

        One row per occupied cell: ``fy`` and ``fx`` (``floor(lat / cell_deg)``,
        ``floor(lon / cell_deg)``), ``n``, ``lat_sum``, ``lon_sum``,
        ``fatalities``, then one count column per event type
        (:data:`geo.model.schema.EVENT_TYPES` order). The grid mode's fine
        pass without sending every row to the app; ``start`` / ``end`` (ISO
        dates) and ``event_types`` filter first.
        """
        query = q.grid_query(cell_deg, start, end, event_types)
        with self.connect() as conn:
            if not self._exists(conn):
                return pd.DataFrame(columns=_GRID_COLUMNS + list(EVENT_TYPES))
            return pd.read_csv(_copy_bytes(conn, query))

    # --- reference layers ---------------------------------------------------

    def load_layers(
        self, areas: gpd.GeoDataFrame | None = None, borders: gpd.GeoDataFrame | None = None
    ) -> None:
        """Store the admin-1 areas and land borders as the ``areas`` and ``borders`` tables.

        Defaults are the shipped layers the join uses. Written with geopandas'
        ``to_postgis`` (SQLAlchemy and GeoAlchemy2), replacing earlier copies.
        """
        from sqlalchemy import create_engine

        from geo.reference import boundaries

        areas = boundaries.load_admin1() if areas is None else areas
        borders = boundaries.load_land_borders() if borders is None else borders
        engine = create_engine(_sqlalchemy_url(self.url))
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            for name, layer in (("areas", areas), ("borders", borders)):
                layer.to_crs(4326).to_postgis(
                    name, engine, schema=self.schema, if_exists="replace", index=False
                )
        finally:
            engine.dispose()


def _copy_bytes(conn: psycopg.Connection[Any], statement: Any) -> io.BytesIO:
    """What a ``COPY ... TO STDOUT`` sends, in memory and rewound."""
    buffer = io.BytesIO()
    with conn.cursor().copy(statement) as stream:
        for block in stream:
            buffer.write(block)
    buffer.seek(0)
    return buffer


def _sqlalchemy_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 dialect named (its default is psycopg2)."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def _prepare(typed: pd.DataFrame) -> pd.DataFrame:
    """The join and border columns of ``typed``, computed for these rows only.

    With the areas the app and the file store's columnar copy use
    (:func:`geo.io.prepared_copy.prepare_rows`), so both backends store the
    same answers.
    """
    from geo.io.prepared_copy import prepare_rows

    names = [c for c, _ in q.PREPARED]
    if not len(typed):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in names})
    return prepare_rows(typed)[names].reset_index(drop=True)


def _stage_frame(
    text: pd.DataFrame, typed: pd.DataFrame, prepared: pd.DataFrame, start: int
) -> pd.DataFrame:
    """The staging table's columns: cells, ``extra`` as JSON, derived keys, join columns."""
    import json

    n = len(text)
    keys = dedupe_keys(typed.reset_index(drop=True))
    others = [c for c in text.columns if c not in COLUMNS]
    extra = (
        [json.dumps(dict(zip(others, vals, strict=True))) for vals in text[others].to_numpy()]
        if others
        else ["{}"] * n
    )
    out = pd.DataFrame(
        {"row_no": np.arange(start, start + n), "event_id": text["event_id"].to_numpy()}
    )
    for col in _CELL_COLUMNS:
        out[col] = text[col].to_numpy() if col in text.columns else ""
    out["extra"] = extra
    out["event_day"] = pd.to_datetime(typed["event_date"]).dt.strftime("%Y-%m-%d").to_numpy()
    out["lat"], out["lon"] = keys["lat"].to_numpy(), keys["lon"].to_numpy()
    out["loc_key"], out["country_key"] = keys["loc"].to_numpy(), keys["country"].to_numpy()
    out["origin"], out["src"] = keys["origin"].to_numpy(), keys["src"].to_numpy()
    for col, _ in q.PREPARED:
        out[col] = prepared[col].to_numpy()
    return out
