"""One place for paths and settings.

Every path is built from this file's location so the library works from any
working directory. Environment variables let a deployment point at its own
store or cache without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"

INCIDENTS_CSV = Path(os.environ.get("GEO_INCIDENTS", DATA_DIR / "incidents.csv"))
# A team's shared store: postgresql://user@host:port/database. When set, the
# app and `python -m geo store` read and write PostGIS instead of the CSV
# above (geo/io/backend.py); empty means the file. Credentials belong in
# ~/.pgpass or the deployment's secrets, not in this URL.
DATABASE_URL = os.environ.get("GEO_DATABASE_URL", "").strip()

BOUNDARIES_DIR = DATA_DIR / "boundaries"
ADMIN1_FILE = BOUNDARIES_DIR / "admin1.geojson"
ADMIN0_FILE = BOUNDARIES_DIR / "admin0.geojson"
BORDERS_FILE = BOUNDARIES_DIR / "borders.geojson"
LAND_BORDERS_FILE = BOUNDARIES_DIR / "land_borders.geojson"
# Every country's admin-1 units, read a few countries at a time: simplified
# for joins (0.01 degree) and for drawing at low zoom (0.05 degree).
ADMIN1_WORLD_FILE = BOUNDARIES_DIR / "admin1_world.parquet"
ADMIN1_WORLD_COARSE_FILE = BOUNDARIES_DIR / "admin1_world_coarse.parquet"

GAZETTEER_DIR = DATA_DIR / "gazetteer"
GAZETTEER_FILE = GAZETTEER_DIR / "places.parquet"
PLACE_OVERRIDES_FILE = DATA_DIR / "places.csv"

RISK_CONFIG_FILE = ROOT / "config" / "risk.toml"
RISK_OVERRIDES_FILE = DATA_DIR / "risk_overrides.csv"


def risk_overrides_file(store: str | os.PathLike[str] | None = None) -> Path:
    """The analysts' risk overrides of an incident store: they travel with the store.

    ``<store stem>.overrides.csv`` beside the store when it exists; else,
    for the store named ``incidents.csv`` in the folder of
    :data:`RISK_OVERRIDES_FILE`, that file (the shipped February 2013
    overrides belong to the shipped ``data/incidents.csv`` only); else
    ``<store stem>.overrides.csv`` again, absent: no overrides. A store
    elsewhere (``GEO_INCIDENTS``) never gets another store's overrides.
    """
    p = Path(store) if store is not None else Path(INCIDENTS_CSV)
    own = p.with_name(f"{p.stem}.overrides.csv")
    shipped = Path(RISK_OVERRIDES_FILE)
    if own.exists():
        return own
    same = p.resolve() == (shipped.parent / "incidents.csv").resolve()
    return shipped if same else own


ACTORS_FILE = ROOT / "config" / "actors.toml"

STATIC_DIR = ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

CACHE_DIR = Path(os.environ.get("GEO_CACHE_DIR", Path.home() / ".cache" / "sahel-conflict-map"))

# Countries whose boundaries and places ship with the project: Mali, its seven
# neighbours, and the other countries the seed reports describe incidents in.
MALI_NEIGHBOURS = ("DZA", "NER", "BFA", "MRT", "SEN", "GIN", "CIV")
REPORT_COUNTRIES = ("EGY", "BHR", "SYR", "TUN", "LBY", "TCD", "NGA", "LBN", "ISR", "PSE", "SAU")
COVERED_ISO3 = ("MLI", *MALI_NEIGHBOURS, *REPORT_COUNTRIES)


# --------------------------------------------------------------------------
# Resource caps: one upload or command must not exhaust the server. Each is
# refused with a message before the heavy work starts; a deployment can move
# them with the environment variable named beside it. Why these figures:
# docs/performance.md, "Imports, duplicates and extraction".


def _env_number(name: str, default: int) -> int:
    """A positive whole number from the environment, else ``default``.

    A value that is not one is ignored with a warning naming the variable,
    so a typo in a deployment's settings cannot stop the app from starting.
    """
    raw = os.environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    import warnings

    warnings.warn(f"{name}={raw!r} is not a positive whole number; using {default}", stacklevel=2)
    return default


# A file to import (ACLED, UCDP GED, mapped CSV / GeoJSON). Keep
# IMPORT_MAX_MB equal to server.maxUploadSize in .streamlit/config.toml.
IMPORT_MAX_MB = _env_number("GEO_IMPORT_MAX_MB", 50)
IMPORT_MAX_ROWS = _env_number("GEO_IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = _env_number("GEO_IMPORT_MAX_COLUMNS", 300)
IMPORT_MAX_PROPERTIES = _env_number("GEO_IMPORT_MAX_PROPERTIES", 300)
# Rows times columns: the frame pandas builds, whatever its shape.
IMPORT_MAX_CELLS = _env_number("GEO_IMPORT_MAX_CELLS", 6_000_000)

# Duplicate detection: the widest date window and distance, and the most
# row pairs left to compare after bucketing (thousands of distinct points a
# few km apart on one day).
DEDUPE_MAX_DAYS = _env_number("GEO_DEDUPE_MAX_DAYS", 31)
DEDUPE_MAX_KM = _env_number("GEO_DEDUPE_MAX_KM", 100)
DEDUPE_MAX_PAIRS = _env_number("GEO_DEDUPE_MAX_PAIRS", 50_000_000)

# Report text given to extraction (the extract command, the Ingest page).
EXTRACT_MAX_KB = _env_number("GEO_EXTRACT_MAX_KB", 100)
