"""The SQL of the PostGIS store: tables, indexes, and duplicate matching.

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
    write), when it changed, and the store's ``columns`` in CSV order.
``areas``, ``borders``
    The admin-1 areas and land borders the rows were joined with
    (:meth:`geo.io.postgis.PostgisStore.load_layers`).
"""

from __future__ import annotations

from geo.model.schema import COLUMNS

__all__ = [
    "CREATE",
    "DERIVED",
    "MATCH_STORE",
    "PREPARED",
    "SEED",
    "STAGE",
    "haversine_sql",
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
CREATE INDEX IF NOT EXISTS incidents_geog ON incidents USING gist ((geom::geography));
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
# distance (through the geography index) or shares the folded name and
# country (through the name index); ties go to the earliest stored row. A
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
     AND b.event_day BETWEEN a.event_day - %(days)s AND a.event_day + %(days)s
     AND ST_DWithin(b.geom::geography, a.geog, %(metres)s, false)
    WHERE %(fuzzy)s AND {_ALLOWED} AND {_DIST} <= %(km)s
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
