"""What belongs to a PostGIS store besides its incidents: sites, overrides, gazetteers.

A file store keeps its companions as files beside the CSV (the team's
sites, the analysts' risk overrides, the user gazetteers). A database store
keeps them in its own schema, so every replica and every colleague sees the
same ones, and they move with the store:

``sites``
    One row per site or route: ``position`` (the order they were kept in),
    ``name`` (unique), ``kind``, ``radius_km`` (above 0) and ``geom`` (any
    geometry, EPSG:4326, GiST index), so QGIS opens it as a layer.
``store_documents``
    Text kept whole, by ``companion`` and ``name``: the overrides CSV
    (``overrides`` / ``risk_overrides.csv``), the gazetteer manifest and
    each gazetteer's place file (``gazetteers`` / ``manifest.json``, ...).
``companion_versions``
    One counter per companion, bumped in the transaction of every write to
    it: the key an app keys its caches by (``""`` before the first write).

Every write runs in one transaction under an advisory lock of the store's
companions (apart from the incident writers' lock, so a site change never
waits behind a long append): a write that fails midway leaves the old
companion as it was. This module moves rows and text only; checking them
is :mod:`geo.io.sites`', :mod:`geo.io.gazetteers`' and the risk overrides'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import psycopg

    from geo.io.postgis import PostgisStore

__all__ = [
    "CREATE_COMPANIONS",
    "as_database",
    "change_documents",
    "companion_version",
    "read_documents",
    "read_sites",
    "write_sites",
]

# "geo2" in ASCII: the companions' writer lock, beside the incidents' "geo1".
_LOCK_BASE = 0x67656F32

CREATE_COMPANIONS = """
CREATE TABLE IF NOT EXISTS sites (
    position integer NOT NULL,
    name text NOT NULL UNIQUE,
    kind text NOT NULL,
    radius_km double precision NOT NULL CHECK (radius_km > 0),
    geom geometry(Geometry, 4326) NOT NULL
);
CREATE INDEX IF NOT EXISTS sites_geom ON sites USING gist (geom);
CREATE TABLE IF NOT EXISTS store_documents (
    companion text NOT NULL,
    name text NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (companion, name)
);
CREATE TABLE IF NOT EXISTS companion_versions (
    companion text PRIMARY KEY,
    version bigint NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
"""


def as_database(store: Any) -> PostgisStore | None:
    """The PostGIS store ``store`` names, or ``None`` when it names a file store.

    ``store`` is what the companion functions take: a store object
    (:func:`geo.io.backend.open_store`), a ``postgresql://`` URL, or an
    incident CSV's path.
    """
    from geo.io.postgis import PostgisStore, is_database_url

    if isinstance(store, PostgisStore):
        return store
    if is_database_url(store):
        return PostgisStore(str(store))
    return None


def _exists(conn: psycopg.Connection[Any], schema: str) -> bool:
    row = conn.execute(
        "SELECT to_regclass(format('%%I.companion_versions', %s::text)) IS NOT NULL", (schema,)
    ).fetchone()
    return bool(row and row[0])


def _lock_and_ensure(store: PostgisStore, conn: psycopg.Connection[Any]) -> None:
    """Queue behind any other companion writer of this store; create the tables if absent."""
    from psycopg import sql

    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_BASE, store.schema))
    if not _exists(conn, store.schema):
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(store.schema)))
        conn.execute(CREATE_COMPANIONS, prepare=False)


def _bump(conn: psycopg.Connection[Any], companion: str) -> None:
    conn.execute(
        "INSERT INTO companion_versions (companion, version) VALUES (%s, 1) "
        "ON CONFLICT (companion) DO UPDATE SET version = companion_versions.version + 1, "
        "changed_at = now()",
        (companion,),
    )


def companion_version(store: PostgisStore, companion: str) -> str:
    """The companion's version: changes with every committed write ("" before the first)."""
    with store.connect() as conn:
        if not _exists(conn, store.schema):
            return ""
        row = conn.execute(
            "SELECT version FROM companion_versions WHERE companion = %s", (companion,)
        ).fetchone()
    return str(row[0]) if row else ""


# --------------------------------------------------------------------------
# Sites


def read_sites(store: PostgisStore) -> gpd.GeoDataFrame | None:
    """The kept sites in the order they were kept (``None`` when none are kept).

    The columns of :data:`geo.io.sites.SITE_COLUMNS`; geometries come back
    as stored (WKB: every coordinate's double exactly).
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    with store.connect() as conn:
        if not _exists(conn, store.schema):
            return None
        rows = conn.execute(
            "SELECT name, kind, radius_km, ST_AsBinary(geom) FROM sites ORDER BY position"
        ).fetchall()
    if not rows:
        return None
    names, kinds, radius, wkb = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {"name": list(names), "kind": list(kinds), "radius_km": np.asarray(radius, float)}
    )
    geoms = shapely.from_wkb(np.array([bytes(g) for g in wkb], dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def write_sites(
    store: PostgisStore,
    names: Iterable[str],
    kinds: Iterable[str],
    radius: Iterable[float],
    geoms: Iterable[Any],
) -> None:
    """Replace the kept sites in one transaction and bump their version (checked by the caller)."""
    import shapely

    rows = [
        (i, str(n), str(k), float(r), shapely.to_wkb(g))
        for i, (n, k, r, g) in enumerate(zip(names, kinds, radius, geoms, strict=True))
    ]
    with store.connect() as conn:
        _lock_and_ensure(store, conn)
        conn.execute("DELETE FROM sites")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sites (position, name, kind, radius_km, geom) "
                "VALUES (%s, %s, %s, %s, ST_SetSRID(ST_GeomFromWKB(%s), 4326))",
                rows,
            )
        _bump(conn, "sites")


# --------------------------------------------------------------------------
# Documents


def read_documents(store: PostgisStore, companion: str) -> dict[str, str]:
    """Every document of ``companion``: name -> text (empty before the first write)."""
    with store.connect() as conn:
        if not _exists(conn, store.schema):
            return {}
        rows = conn.execute(
            "SELECT name, body FROM store_documents WHERE companion = %s ORDER BY name",
            (companion,),
        ).fetchall()
    return {str(name): str(body) for name, body in rows}


Change = Callable[[Mapping[str, str]], tuple[Mapping[str, str], Sequence[str]]]


def change_documents(store: PostgisStore, companion: str, change: Change) -> None:
    """Read, change and write a companion's documents in one locked transaction.

    ``change`` gets the current documents (name -> text) and returns the
    documents to put (name -> new text) and the names to drop. When it
    raises, nothing is written.
    """
    with store.connect() as conn:
        _lock_and_ensure(store, conn)
        rows = conn.execute(
            "SELECT name, body FROM store_documents WHERE companion = %s", (companion,)
        ).fetchall()
        put, drop = change({str(n): str(b) for n, b in rows})
        with conn.cursor() as cur:
            if drop:
                cur.execute(
                    "DELETE FROM store_documents WHERE companion = %s AND name = ANY(%s)",
                    (companion, list(drop)),
                )
            if put:
                cur.executemany(
                    "INSERT INTO store_documents (companion, name, body) VALUES (%s, %s, %s) "
                    "ON CONFLICT (companion, name) DO UPDATE SET body = EXCLUDED.body",
                    [(companion, name, body) for name, body in put.items()],
                )
        _bump(conn, companion)
