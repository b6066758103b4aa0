"""Getting data in and out: the store, imports, extraction, downloads.

Modules
-------
::

    store      reading and writing incident files: atomic writes, lock, append
    backend    one store interface over the CSV file or PostGIS (GEO_DATABASE_URL)
    postgis    the incident store in PostGIS: transactions, SQL dedupe, data version
    postgis_sql  the PostGIS store's tables, indexes and duplicate-matching SQL
    postgis_companions  a PostGIS store's sites, overrides and gazetteers, in its schema
    postgis_audit  the PostGIS store's append-only audit_log table and its SQL
    postgis_read   a PostGIS store's prepared frame read in blocks, parsed and typed by pyarrow
    postgis_cache  a replica's own Parquet cache of that frame, topped up with new rows only
    columnar   the store's prepared incidents from its columnar copy (cold start in seconds)
    prepared_copy  the columnar copy beside a CSV store: format, freshness, incremental upkeep
    audit      the append-only audit trail kept with its store (file or PostGIS), audited appends
    numbering  new incidents' ids in the store's own scheme (MLI0042), numbered under its lock
    csvfile    a CSV as text cells, refused when its header or row widths are wrong
    files      safe writes: atomic replace, lock, read-only files, killed writers' leftovers
    dedupe     duplicate detection between stored and incoming rows
    placement  whether each point lies in or near its stated country, or on land
    rejects    the layout of rejected rows
    ingest     ACLED, UCDP GED and mapped CSV/GeoJSON imports
    extract    candidate incidents from report prose
    evaluate   scoring extraction against a keyed corpus
    eval_key   reading an evaluation corpus's key
    export     the incidents table as CSV and GeoJSON
    gazetteer_files  reading a user's populated-places file (COD CSV, shapefile, ...)
    gazetteers       the user gazetteers kept beside a store, ahead of the shipped list
    sites      the team's sites and routes: reading a user's file, keeping them with the store
    store_overrides  the analysts' risk overrides, kept with their store (file or PostGIS)
    kml        placemarks of a KML file, read with no DTD, entities or network
    synthetic  labelled synthetic incidents for benchmarks
    deliver    sending a digest: e-mail through the team's SMTP server, webhook POST

Import what you need from its module (``from geo.io.store import ...``);
the package itself loads nothing, so a light import stays light.
"""

__all__ = [
    "store",
    "backend",
    "postgis",
    "postgis_audit",
    "postgis_sql",
    "postgis_companions",
    "postgis_read",
    "postgis_cache",
    "columnar",
    "prepared_copy",
    "audit",
    "numbering",
    "csvfile",
    "files",
    "dedupe",
    "placement",
    "rejects",
    "ingest",
    "extract",
    "evaluate",
    "eval_key",
    "export",
    "gazetteer_files",
    "gazetteers",
    "sites",
    "store_overrides",
    "kml",
    "synthetic",
    "deliver",
]
