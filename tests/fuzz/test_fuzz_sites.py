"""Fuzzing ``python -m geo sites import`` with hostile CSV, GeoJSON and KML site files.

Whatever the file, the command exits 0, 1 or 2 with a message (the harness
fails on a traceback or an internal error), a refused file leaves the kept
sites byte for byte, and an accepted one is kept exactly as read back.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.io.sites import load_sites, sites_path, store_sites
from tests.fuzz import strategies as fz
from tests.fuzz.harness import fuzz_settings, run, snapshot

pytestmark = pytest.mark.fuzz

NAMES = st.one_of(st.sampled_from(fz.TEXTS), st.text(max_size=12), st.just("Example base"))
NUMBERS = st.one_of(st.sampled_from(fz.COORDINATES), st.text(max_size=6))
WKT = st.sampled_from(
    (
        "",
        "LINESTRING (0 16, 1 17)",
        "LINESTRING (0 16)",
        "POINT EMPTY",
        "POLYGON ((0 0, 1 0, 1 1, 0 0))",
        "LINESTRING (0 95, 1 17)",
        "GEOMETRYCOLLECTION (POINT (0 16))",
        "LINESTRING (inf 16, 1 17)",
        "nonsense",
    )
)


def _cell(draw: st.DrawFn, good: str, hostile: st.SearchStrategy[str]) -> str:
    """Mostly a usable value (so some files are accepted), sometimes a hostile one."""
    return draw(hostile) if draw(st.integers(0, 6)) == 0 else good


@st.composite
def site_csv(draw: st.DrawFn) -> bytes:
    header = draw(
        st.sampled_from(
            (
                ["name", "kind", "latitude", "longitude", "radius_km", "wkt"],
                ["Name", "Type", "lat", "lon", "radius"],
                ["name", "wkt"],
                ["site", "latitude"],
            )
        )
    )
    good = {"latitude": "16.2", "lat": "16.2", "longitude": "-0.5", "lon": "-0.5"}
    good |= {"radius_km": "5", "radius": "5", "kind": "office", "Type": "office"}
    rows = []
    for i in range(draw(st.integers(0, 4))):
        good |= {"name": f"Example {i}", "Name": f"Example {i}", "site": f"Example {i}"}
        good["wkt"] = draw(st.sampled_from(("", f"LINESTRING ({i} 16, 1 17)")))
        hostile = {"wkt": WKT, "name": NAMES, "Name": NAMES, "site": NAMES}
        rows.append({h: _cell(draw, good[h], hostile.get(h, NUMBERS)) for h in header})
    return fz.to_csv(header, rows).encode("utf-8")


@st.composite
def site_geojson(draw: st.DrawFn) -> bytes:
    features = []
    for i in range(draw(st.integers(0, 3))):
        geometry = _cell(
            draw, '{"type": "Point", "coordinates": [0.5, 16.0]}', st.sampled_from(fz.GEOMETRIES)
        )
        props = {"name": _cell(draw, f"Example {i}", NAMES), "radius_km": _cell(draw, "5", NUMBERS)}
        features.append(
            f'{{"type": "Feature", "geometry": {geometry}, "properties": {json.dumps(props)}}}'
        )
    collection = '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"
    return collection.encode()


@st.composite
def site_kml(draw: st.DrawFn) -> bytes:
    marks = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(NAMES).replace("&", "&amp;").replace("<", "&lt;")
        coords = " ".join(
            f"{draw(NUMBERS)},{draw(NUMBERS)}" for _ in range(draw(st.integers(0, 3)))
        )
        shape = draw(st.sampled_from(("Point", "LineString", "Polygon", "MultiGeometry")))
        marks.append(
            f"<Placemark><name>{name}</name><{shape}><coordinates>{coords}</coordinates>"
            f"</{shape}></Placemark>"
        )
    head = _cell(draw, "", st.sampled_from(('<!DOCTYPE kml [<!ENTITY a "x">]>', "<?xml?>")))
    body = f'{head}<kml xmlns="http://www.opengis.net/kml/2.2">{"".join(marks)}</kml>'
    if draw(st.integers(0, 10)) == 0:
        body = body[: len(body) // 2]
    return body.encode("utf-8")


@fuzz_settings(full=150)
@given(
    st.one_of(
        st.tuples(site_csv(), st.just(".csv")),
        st.tuples(site_geojson(), st.just(".geojson")),
        st.tuples(site_kml(), st.just(".kml")),
    ),
    st.booleans(),
)
def test_sites_import(case, replace):
    data, suffix = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = folder / "store" / "incidents.csv"
        store.parent.mkdir()
        kept = sites_path(store)
        kept.write_text(
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"name": "Kept site", "kind": "office", "radius_km": 5.0}, "geometry": '
            '{"type": "Point", "coordinates": [0.0, 16.0]}}]}',
            encoding="utf-8",
        )
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        before = snapshot(store.parent)
        argv = ["sites", "import", source, "--store", store, *(["--replace"] if replace else [])]
        outcome = run(argv, "sites import")
        if outcome.code != 0:
            assert snapshot(store.parent) == before, outcome.err[-2000:]
            return
        read = load_sites(source)
        names = store_sites(store)["name"].tolist()
        assert names == ([] if replace else ["Kept site"]) + read["name"].tolist()
