"""The SQL of the PostGIS store: tables, indexes, duplicate matching, grid cells.

Kept apart from :mod:`geo.io.postgis` so the statements read as one piece.
Every statement runs with ``search_path`` set to the store's schema (then
``public``, where the PostGIS extension lives).

Tables
------
``incidents``
    One row per incident. Every CSV cell is kept as the text it was stored
    as (schema columns as columns, any other column in ``extra``), so a
    store moves to PostGIS and back byte for byte. Beside them, derived for
    SQL: ``event_day`` (date), ``geom`` (Point, EPSG:4326, GiST index),
    ``loc_key`` / ``country_key`` / ``src`` (the folded keys duplicate
    detection compares, :mod:`geo.io.dedupe`), and the columns
    :func:`geo.analysis.pipeline.prepare` adds (admin-1 area, snap flag,
    border distance and neighbour), computed once when the row is stored.
``store_meta``
    One row: the data ``version`` (bumped in the same transaction as every
    write), when it changed, the store's ``columns`` in CSV order, and its
    ``generation``: a random value a trigger renews whenever stored rows
    are updated, deleted or truncated, so a replica's
    cache (:mod:`geo.io.postgis_cache`) knows to read the store whole again
    instead of fetching only the rows appended since. A store made before
    the marker gets it (:data:`UPGRADE`) when a process first opens it.
``areas``, ``borders``
    The admin-1 areas and land borders the rows were joined with
    (:meth:`geo.io.postgis.PostgisStore.load_layers`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.io.dedupe import _keys as dedupe_keys
from geo.io.dedupe import haversine_km
from geo.io.numbering import PATTERN, IdScheme
from geo.model.schema import COLUMNS, EVENT_TYPES

if TYPE_CHECKING:
    import psycopg
    from psycopg.sql import Composable, Composed

__all__ = [
    "CREATE",
    "DERIVED",
    "DROP_INDEXES",
    "MATCH_STORE",
    "PREPARED",
    "SEED",
    "STAGE",
    "UPGRADE",
    "UP_TO_DATE",
    "copy_in",
    "grid_query",
    "haversine_sql",
    "id_scheme",
    "store_matches",
]

# The columns prepare() adds, with their SQL types, in its order.
PREPARED: tuple[tuple[str, str], ...] = (
    ("area", "text"),
    ("area_code", "text"),
    ("area_iso3", "text"),
    ("area_snapped", "boolean"),
    ("area_snap_km", "double precision"),
    ("area_abroad", "boolean"),
    ("country_level", "boolean"),
    ("border_km", "double precision"),
    ("border_neighbour", "text"),
)
# Derived from the typed row for SQL; filled from the staging table.
DERIVED: tuple[tuple[str, str], ...] = (
    ("event_day", "date NOT NULL"),
    ("lat", "double precision NOT NULL"),
    ("lon", "double precision NOT NULL"),
    ("loc_key", "text NOT NULL"),
    ("country_key", "text NOT NULL"),
    ("origin", "text NOT NULL"),
    ("src", "text NOT NULL"),
)

_CELLS = ",\n    ".join(f"{c} text NOT NULL DEFAULT ''" for c in COLUMNS if c != "event_id")
_DERIVED = ",\n    ".join(f"{c} {t}" for c, t in DERIVED)
_PREPARED = ",\n    ".join(f"{c} {t}" for c, t in PREPARED)

CREATE = f"""
CREATE TABLE IF NOT EXISTS incidents (
    row_no bigint PRIMARY KEY,
    event_id text NOT NULL UNIQUE,
    {_CELLS},
    extra jsonb NOT NULL DEFAULT '{{}}',
    {_DERIVED},
    geom geometry(Point, 4326) NOT NULL,
    {_PREPARED}
);
CREATE INDEX IF NOT EXISTS incidents_geom ON incidents USING gist (geom);
-- Space and time in one N-D GiST index: the duplicate check's candidates
-- (same few days, a few km) in one probe (see MATCH_STORE).
CREATE INDEX IF NOT EXISTS incidents_near ON incidents
    USING gist ((ST_MakePoint(lon, lat, (event_day - DATE '1970-01-01')::double precision))
    gist_geometry_ops_nd);
CREATE INDEX IF NOT EXISTS incidents_type_day ON incidents (event_type, event_day);
CREATE INDEX IF NOT EXISTS incidents_name
    ON incidents (loc_key, country_key, event_type, event_day) WHERE loc_key <> '';
CREATE INDEX IF NOT EXISTS incidents_origin ON incidents (origin) WHERE origin <> '';
CREATE TABLE IF NOT EXISTS store_meta (
    id integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    columns text[] NOT NULL
);
"""  # noqa: S608 - assembled from this module's constant column names only
# What stores made before it lack: run again (idempotent) when such a store is opened.
UPGRADE = """
-- Which rows a replica's cache may keep (geo.io.postgis_cache): a new random
-- value whenever stored rows change or go, not when rows are only added.
ALTER TABLE store_meta ADD COLUMN IF NOT EXISTS generation text NOT NULL
    DEFAULT gen_random_uuid()::text;
CREATE OR REPLACE FUNCTION geo_rows_rewritten() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE %I.store_meta SET generation = gen_random_uuid()::text',
                   TG_TABLE_SCHEMA);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER incidents_rewritten AFTER UPDATE OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION geo_rows_rewritten();
"""
CREATE = CREATE + UPGRADE
# Whether a store has everything UPGRADE adds (a parameter: its schema); NULL when no store.
UP_TO_DATE = """
SELECT CASE WHEN to_regclass(format('%%I.store_meta', %(schema)s::text)) IS NULL THEN NULL
ELSE EXISTS (SELECT 1 FROM pg_attribute
             WHERE attrelid = to_regclass(format('%%I.store_meta', %(schema)s::text))
               AND attname = 'generation' AND NOT attisdropped)
 AND EXISTS (SELECT 1 FROM pg_trigger
             WHERE tgrelid = to_regclass(format('%%I.incidents', %(schema)s::text))
               AND tgname = 'incidents_rewritten' AND NOT tgisinternal) END
"""
# Before a bulk load; CREATE builds them again (IF NOT EXISTS) once the rows are in.
DROP_INDEXES = """
DROP INDEX IF EXISTS incidents_geom, incidents_near, incidents_type_day, incidents_name,
    incidents_origin
"""
# The one row of store_meta, for a new store (a parameter: its columns).
SEED = """
INSERT INTO store_meta (id, version, columns) VALUES (1, 0, %(columns)s)
    ON CONFLICT (id) DO NOTHING
"""

# New rows arrive by COPY into this temporary table, then move in one INSERT.
STAGE = f"""
CREATE TEMPORARY TABLE stage (
    row_no bigint,
    event_id text,
    {",".join(f"{c} text" for c in COLUMNS if c != "event_id")},
    extra jsonb,
    {",".join(f"{c} {t.removesuffix(' NOT NULL')}" for c, t in DERIVED)},
    {",".join(f"{c} {t}" for c, t in PREPARED)}
) ON COMMIT DROP
"""


def haversine_sql(a: str, b: str) -> str:
    """The great-circle distance in km between ``a.lat/lon`` and ``b.lat/lon``.

    The formula and radius of :func:`geo.io.dedupe.haversine_km`, so both
    backends call the same pairs near.
    """
    return (
        f"2 * 6371.0088 * asin(sqrt(least(greatest("
        f"sin(radians({b}.lat - {a}.lat) / 2) ^ 2 + cos(radians({a}.lat)) * "
        f"cos(radians({b}.lat)) * sin(radians({b}.lon - {a}.lon) / 2) ^ 2, 0), 1)))"
    )


_DIST = haversine_sql("a", "b")
# The source rule of geo.io.dedupe: two different ids of one source are two events.
_ALLOWED = "(a.src = '' OR a.src <> b.src)"

# Each incoming row's best stored match (incoming keys in the temporary table
# ``incoming``): the first stored row of the same source record (rank -1),
# else the closest same-type row within the day window that is within the
# distance or shares the folded name and country (through the name index);
# ties go to the earliest stored row. The distance rule's candidates come
# from the space-and-time index: each incoming row's ``reach`` is a 3-D box
# (longitude, latitude, day number) holding every point within the distance
# and the window, so one probe returns the few rows of those days nearby
# instead of every row of the place (a geography index alone returned ~800
# rows per probe at 5,000,000 incidents) or of the days. ST_DWithin on
# geography and the haversine formula of geo.io.dedupe then decide. A
# same-name row that is near is also found by the distance rule, so the
# closest over both rules is the distance rule's best when it has one, as in
# geo.io.dedupe.
MATCH_STORE = f"""
WITH same AS (
    SELECT DISTINCT ON (a.pos) a.pos, b.row_no, b.event_id, b.lat, b.lon,
           -1.0::double precision AS rank, 'same' AS rule
    FROM incoming a JOIN incidents b ON b.origin = a.origin
    WHERE a.origin <> ''
    ORDER BY a.pos, b.row_no
), near AS (
    SELECT a.pos, b.row_no, b.event_id, b.lat, b.lon, {_DIST} AS rank
    FROM incoming a JOIN incidents b
      ON b.event_type = a.event_type
     AND ST_MakePoint(b.lon, b.lat, (b.event_day - DATE '1970-01-01')::double precision)
         &&& a.reach
     AND b.event_day BETWEEN a.event_day - %(days)s AND a.event_day + %(days)s
    WHERE %(fuzzy)s AND {_ALLOWED} AND {_DIST} <= %(km)s
      AND ST_DWithin(b.geom::geography, a.geog, %(metres)s, false)
), named AS (
    SELECT a.pos, b.row_no, b.event_id, b.lat, b.lon, {_DIST} AS rank
    FROM incoming a JOIN incidents b
      ON b.loc_key = a.loc_key AND b.country_key = a.country_key
     AND b.event_type = a.event_type
     AND b.event_day BETWEEN a.event_day - %(days)s AND a.event_day + %(days)s
    WHERE %(fuzzy)s AND a.loc_key <> '' AND b.loc_key <> '' AND {_ALLOWED}
), close AS (
    SELECT DISTINCT ON (pos) pos, row_no, event_id, lat, lon, rank, 'close' AS rule
    FROM (SELECT * FROM near UNION ALL SELECT * FROM named) c
    ORDER BY pos, rank, row_no
)
SELECT DISTINCT ON (pos) pos, event_id, lat, lon, rule
FROM (SELECT * FROM same UNION ALL SELECT * FROM close) m
ORDER BY pos, rank, row_no
"""  # noqa: S608 - assembled from this module's constants; values are bound parameters


# The grid mode's fine pass done by the server: one row per occupied
# 0.05-degree cell (anchored at 0, 0 as geo.render.maps.grid) with its count
# per event type and the sums the map needs, so the app receives occupied
# cells instead of every row.
def grid_query(
    cell_deg: float,
    start: str | None = None,
    end: str | None = None,
    event_types: Sequence[str] | None = None,
) -> Composed:
    """The ``COPY ... TO STDOUT`` statement of :meth:`PostgisStore.grid_cells`.

    Values are composed as SQL literals by psycopg (``COPY`` takes no bound
    parameters); the per-type columns are named after :data:`EVENT_TYPES`.
    """
    from psycopg import sql

    base = sql.Literal(float(cell_deg))
    per_type = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE event_type = {}) AS {}").format(
            sql.Literal(t), sql.Identifier(t)
        )
        for t in EVENT_TYPES
    )
    where: list[Composable] = [sql.SQL("TRUE")]
    if start is not None:
        where.append(sql.SQL("event_day >= {}::date").format(sql.Literal(start)))
    if end is not None:
        where.append(sql.SQL("event_day <= {}::date").format(sql.Literal(end)))
    if event_types is not None:
        where.append(sql.SQL("event_type = ANY({})").format(sql.Literal(list(event_types))))
    return sql.SQL(
        "COPY (SELECT floor(lat / {base})::bigint AS fy, floor(lon / {base})::bigint AS fx, "
        "count(*) AS n, sum(lat) AS lat_sum, sum(lon) AS lon_sum, "
        "sum(fatalities::bigint) AS fatalities, {per_type} "
        "FROM incidents WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2) "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    ).format(base=base, per_type=per_type, where=sql.SQL(" AND ").join(where))


def copy_in(conn: psycopg.Connection[Any], table: str, frame: pd.DataFrame) -> None:
    """``COPY table FROM STDIN`` of a frame written as CSV (missing values as ``\\N``).

    pandas writes a text cell ``\\N`` unquoted, like a missing value: the
    columns with no missing value are read with ``FORCE_NOT_NULL``, so such
    a cell stays that text (a report's notes may hold it).
    """
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N", lineterminator="\n")
    columns = ", ".join(frame.columns)
    full = ", ".join(c for c in frame.columns if not frame[c].isna().any())
    force = f", FORCE_NOT_NULL ({full})" if full else ""
    with conn.cursor().copy(
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N'{force})"
    ) as stream:
        stream.write(buffer.getvalue())


def store_matches(
    conn: psycopg.Connection[Any], typed: pd.DataFrame, days: int | None, km: float
) -> pd.DataFrame:
    """Each incoming row's best stored duplicate, found in SQL, worded as geo.io.dedupe words it."""
    keys = dedupe_keys(typed.reset_index(drop=True))
    conn.execute(
        "CREATE TEMPORARY TABLE incoming (pos integer, event_type text, event_day date, "
        "lat double precision, lon double precision, loc_key text, country_key text, "
        "origin text, src text, x0 float8, y0 float8, z0 float8, x1 float8, y1 float8, "
        "z1 float8, geog geography, reach geometry) ON COMMIT DROP"
    )
    frame = pd.DataFrame(
        {
            "pos": keys["pos"],
            "event_type": keys["type"],
            "event_day": pd.to_datetime(typed["event_date"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "lat": keys["lat"],
            "lon": keys["lon"],
            "loc_key": keys["loc"],
            "country_key": keys["country"],
            "origin": keys["origin"],
            "src": keys["src"],
            **_reach(keys, days if days is not None and days >= 0 else 0, km),
        }
    )
    copy_in(conn, "incoming", frame)
    conn.execute(
        "UPDATE incoming SET geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, "
        "reach = ST_MakeLine(ST_MakePoint(x0, y0, z0), ST_MakePoint(x1, y1, z1))"
    )
    conn.execute("ANALYZE incoming")
    # Compiling this plan (JIT) took longer than running it: 1.4 s at 5,000,000 rows.
    conn.execute("SET LOCAL jit = off")
    fuzzy = days is not None and days >= 0
    found = conn.execute(
        MATCH_STORE,
        {"days": int(days or 0), "km": km, "metres": km * 1000 + 1, "fuzzy": fuzzy},
    ).fetchall()
    return _match_frame(keys, found, days, km)


def _reach(keys: pd.DataFrame, days: int, km: float) -> dict[str, np.ndarray]:
    """Corners of each row's search box: every point within ``km`` and ``days`` lies inside.

    A degree of latitude is at least 110.57 km, so ``km / 110`` degrees
    reach far enough north and south; east and west the reach widens by
    ``1 / cos`` of the box's farthest latitude, and a box near a pole or
    across the antimeridian spans every longitude (the exact checks follow).
    """
    lat, lon = keys["lat"].to_numpy(), keys["lon"].to_numpy()
    dlat = km / 110.0 + 1e-6
    cos_edge = np.cos(np.radians(np.minimum(np.abs(lat) + dlat, 90.0)))
    dlon = 1.02 * dlat / np.maximum(cos_edge, 1e-9)
    full = (cos_edge < 0.1) | (lon - dlon < -180) | (lon + dlon > 180)
    day = keys["day"].to_numpy().astype(float)
    return {
        "x0": np.where(full, -180.0, lon - dlon),
        "y0": lat - dlat,
        "z0": day - days - 0.5,
        "x1": np.where(full, 180.0, lon + dlon),
        "y1": lat + dlat,
        "z1": day + days + 0.5,
    }


def _match_frame(keys: pd.DataFrame, found: list[Any], days: int | None, km: float) -> pd.DataFrame:
    """``pos``, ``duplicate_of``, ``reason`` of the stored matches, worded as in geo.io.dedupe."""
    if not found:
        return pd.DataFrame(
            {"pos": pd.Series([], dtype="int64"), "duplicate_of": pd.Series([], dtype="string"),
             "reason": pd.Series([], dtype="string")}
        )  # fmt: skip
    got = pd.DataFrame(found, columns=["pos", "event_id", "lat", "lon", "rule"])
    pos = got["pos"].to_numpy()
    dist = haversine_km(
        keys["lat"].to_numpy()[pos], keys["lon"].to_numpy()[pos],
        got["lat"].to_numpy(dtype=float), got["lon"].to_numpy(dtype=float),
    )  # fmt: skip
    where = np.where(
        dist <= km,
        np.array(["within " + str(d) + " km" for d in np.round(dist, 1)], dtype=object),
        "same location name",
    )
    close = "same event type, date within " + str(days) + " day(s), " + where
    origin = "same source record (" + keys["origin"].to_numpy()[pos] + ")"
    reason = np.where(got["rule"] == "same", origin, close)
    return pd.DataFrame(
        {
            "pos": pos.astype("int64"),
            # object arrays, as geo.io.dedupe builds them: the same dtypes come out
            "duplicate_of": got["event_id"].to_numpy(dtype=object),
            "reason": reason,
        }
    )


def id_scheme(conn: psycopg.Connection[Any], schema: str) -> IdScheme:
    """The store's :class:`geo.io.numbering.IdScheme`, counted by the server.

    What :func:`geo.io.numbering.number_blank` needs of every stored id, in
    a few rows instead of a million; in ``conn``'s transaction, so under the
    writer's lock an append numbers against what is committed.
    """
    exists = conn.execute(
        "SELECT to_regclass(format('%%I.incidents', %s::text)) IS NOT NULL", (schema,)
    ).fetchone()
    if not (exists and exists[0]):
        return IdScheme()
    total = conn.execute("SELECT count(*) FROM incidents").fetchone()
    # One pass of the pattern: per country, its highest number, longest digits, and count.
    per_code = conn.execute(
        "SELECT left(event_id, 3), max(substr(event_id, 4)::numeric), "
        "max(length(event_id) - 3), count(*) FROM incidents WHERE event_id ~ %s GROUP BY 1",
        (PATTERN,),
    ).fetchall()
    return IdScheme(
        rows=int(total[0]) if total else 0,
        matched=sum(int(r[3]) for r in per_code),
        digits=max((int(r[2]) for r in per_code), default=0),
        tops={str(r[0]): int(r[1]) for r in per_code},
    )
