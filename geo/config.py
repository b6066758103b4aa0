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

BOUNDARIES_DIR = DATA_DIR / "boundaries"
ADMIN1_FILE = BOUNDARIES_DIR / "admin1.geojson"
ADMIN0_FILE = BOUNDARIES_DIR / "admin0.geojson"
BORDERS_FILE = BOUNDARIES_DIR / "borders.geojson"
LAND_BORDERS_FILE = BOUNDARIES_DIR / "land_borders.geojson"

GAZETTEER_DIR = DATA_DIR / "gazetteer"
GAZETTEER_FILE = GAZETTEER_DIR / "places.parquet"
PLACE_OVERRIDES_FILE = DATA_DIR / "places.csv"

RISK_CONFIG_FILE = ROOT / "config" / "risk.toml"
RISK_OVERRIDES_FILE = DATA_DIR / "risk_overrides.csv"
ACTORS_FILE = ROOT / "config" / "actors.toml"

STATIC_DIR = ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

CACHE_DIR = Path(os.environ.get("GEO_CACHE_DIR", Path.home() / ".cache" / "sahel-conflict-map"))

# Countries whose boundaries and places ship with the project: Mali, its seven
# neighbours, and the other countries the seed reports describe incidents in.
MALI_NEIGHBOURS = ("DZA", "NER", "BFA", "MRT", "SEN", "GIN", "CIV")
REPORT_COUNTRIES = ("EGY", "BHR", "SYR", "TUN", "LBY", "TCD", "NGA", "LBN", "ISR", "PSE", "SAU")
COVERED_ISO3 = ("MLI", *MALI_NEIGHBOURS, *REPORT_COUNTRIES)
