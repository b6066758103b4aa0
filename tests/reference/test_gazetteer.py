"""Gazetteer: shipped data, matching rules, user layers, bulk lookup, online fallback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import config
from geo.reference.gazetteer import (
    ALWAYS_LABEL,
    Gazetteer,
    GeocodeResult,
    load_gazetteer,
    load_overrides,
)
from geo.reference.place_files import INDEX_COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


# -- shipped data ------------------------------------------------------------


def test_tessalit_from_shipped_data(gaz: Gazetteer) -> None:
    r = gaz.lookup("Tessalit")
    assert r is not None
    assert r.latitude == pytest.approx(20.20, abs=0.01)
    assert r.longitude == pytest.approx(1.01, abs=0.01)
    assert (r.iso3, r.admin1, r.source, r.geo_precision) == ("MLI", "Kidal", "geonames", 1)
    assert r.geonameid == 2449893
    assert not r.ambiguous


@pytest.mark.parametrize(
    ("name", "country", "iso3"),
    [
        ("Gao", "MLI", "MLI"),
        ("Kidal", None, "MLI"),
        ("Tessalit", None, "MLI"),
        ("Timbuktu", None, "MLI"),
        ("Tombouctou", None, "MLI"),
        ("Aguelhok", None, "MLI"),
        ("Ménaka", None, "MLI"),
        ("Menaka", None, "MLI"),
        ("Douentza", None, "MLI"),
        ("Bamako", None, "MLI"),
        ("In Amenas", None, "DZA"),
        ("Suez", None, "EGY"),
        ("Rafah", "Egypt", "EGY"),
        ("Manama", None, "BHR"),
        ("Tunis", None, "TUN"),
        ("Damascus", None, "SYR"),
        ("Adrar des Ifoghas", None, "MLI"),
        ("King Fahd Causeway", None, "BHR"),
    ],
)
def test_report_places_present(gaz: Gazetteer, name: str, country: str | None, iso3: str) -> None:
    r = gaz.lookup(name, country=country)
    assert r is not None, name
    assert r.iso3 == iso3


def test_timbuktu_spellings_are_one_place(gaz: Gazetteer) -> None:
    ids = {gaz.lookup(n).geonameid for n in ("Tombouctou", "Timbuktu", "Tombouctou ", "TIMBUKTU")}
    assert ids == {2449067}


def test_aguelhoc_variants_find_aguelhok(gaz: Gazetteer) -> None:
    for spelling in ("Aguel'hoc", "Aguel-hoc", "Aguelhoc", "Aguel’hoc", "aguelhok"):
        r = gaz.lookup(spelling)
        assert r is not None and r.name == "Aguelhok", spelling


def test_gao_ambiguity_rules(gaz: Gazetteer) -> None:
    plain = gaz.lookup("Gao")
    assert plain is not None
    assert plain.iso3 == "MLI" and plain.ambiguous
    assert {c["iso3"] for c in plain.candidates} == {"MLI", "BFA"}
    assert plain.candidates[0]["iso3"] == "MLI"
    assert "largest population" in plain.note

    for hint in ("BF", "BFA", "Burkina Faso", "burkina-faso"):
        r = gaz.lookup("Gao", country=hint)
        assert r is not None and r.iso3 == "BFA", hint
        assert not r.ambiguous and "country BFA" in r.note

    by_area = gaz.lookup("Gao", admin1="Ziro")
    assert by_area is not None and by_area.iso3 == "BFA"
    assert by_area.ambiguous and "admin1 hint" in by_area.note


def test_admin1_hint_uses_aliases(gaz: Gazetteer) -> None:
    # "Tombouctou" is an alias of Natural Earth's "Timbuktu" region.
    r = gaz.lookup("Timbuktu", admin1="Tombouctou")
    assert r is not None and r.admin1 == "Timbuktu"
    assert "ignored" not in r.note
    wrong = gaz.lookup("Kidal", admin1="Tombouctou")
    assert wrong is not None and wrong.name == "Kidal"
    assert "matched no candidate, ignored" in wrong.note


def test_country_hint_filters_or_is_reported(gaz: Gazetteer) -> None:
    assert gaz.lookup("Tessalit", country="NER") is None
    r = gaz.lookup("Tessalit", country="Atlantis")
    assert r is not None and "not recognised" in r.note


def test_countries_geocode_to_a_country_point(gaz: Gazetteer) -> None:
    bahrain = gaz.lookup("Bahrain")
    assert bahrain is not None
    assert (bahrain.iso3, bahrain.geo_precision, bahrain.admin1) == ("BHR", 3, "")
    assert 25.5 < bahrain.latitude < 26.5 and 50.3 < bahrain.longitude < 50.9
    syria = gaz.lookup("Syria")
    assert syria is not None and syria.iso3 == "SYR" and syria.geo_precision == 3
    assert gaz.lookup("Syrian Arab Republic").iso3 == "SYR"
    # A town called Mali exists in Guinea; the country outranks it.
    mali = gaz.lookup("Mali")
    assert mali is not None and mali.iso3 == "MLI" and mali.geo_precision == 3


def test_country_points_lie_in_their_country() -> None:
    # Shipped data: a missing layer is a failure, not a reason to skip.
    assert config.ADMIN0_FILE.exists(), "admin-0 layer missing; run scripts/build_boundaries.py"
    admin0 = gpd.read_file(config.ADMIN0_FILE)
    places = pd.read_parquet(config.GAZETTEER_FILE, columns=INDEX_COLUMNS)
    countries = places[places["feature_code"] == "PCLI"]
    # The index has more countries than the covered ones; each covered one has its point.
    covered = countries[countries["iso3"].isin(config.COVERED_ISO3)]
    assert set(covered["iso3"]) == set(config.COVERED_ISO3)
    points = gpd.GeoDataFrame(
        countries[["iso3"]],
        geometry=gpd.points_from_xy(countries["longitude"], countries["latitude"]),
        crs=4326,
    )
    joined = gpd.sjoin(points, admin0[["iso3", "geometry"]], predicate="within")
    assert (joined["iso3_left"] == joined["iso3_right"]).sum() == len(countries)


def test_overrides_cover_places_geonames_lacks(gaz: Gazetteer) -> None:
    ifoghas = gaz.lookup("Adrar des Ifoghas")
    assert ifoghas is not None
    assert (ifoghas.source, ifoghas.geo_precision, ifoghas.admin1) == ("override", 3, "Kidal")
    for spelling in ("Adrar de Ifoghas", "Adrar de Ifoghas mountains", "Adrar des Ifoghas region"):
        assert gaz.lookup(spelling).name == "Adrar des Ifoghas"  # the reports' spellings
    assert gaz.lookup("Ain Amenas").name == "In Amenas"
    plant = gaz.lookup("Ain Amenas gas complex")
    assert plant is not None and plant.name == "Tiguentourine gas plant"
    causeway = gaz.lookup("King Fahd causeway (Bahrain end)")
    assert causeway is not None and causeway.iso3 == "BHR"


def test_shipped_overrides_cite_sources_and_sit_in_their_admin1() -> None:
    overrides = load_overrides()
    raw = pd.read_csv(config.PLACE_OVERRIDES_FILE, keep_default_na=False)
    assert (raw["source"].str.len() > 20).all()
    assert raw["source"].str.contains("http").all()
    assert config.ADMIN1_FILE.exists(), "admin-1 layer missing; run scripts/build_boundaries.py"
    admin1 = gpd.read_file(config.ADMIN1_FILE)
    points = gpd.GeoDataFrame(
        overrides[["name", "iso3", "admin1"]],
        geometry=gpd.points_from_xy(overrides["longitude"], overrides["latitude"]),
        crs=4326,
    )
    joined = gpd.sjoin(points, admin1[["area", "iso3", "geometry"]], predicate="within")
    assert len(joined) == len(overrides)
    assert (joined["admin1"] == joined["area"]).all()
    assert (joined["iso3_left"] == joined["iso3_right"]).all()


def test_shipped_index_is_what_the_builder_makes() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (
        "data/gazetteer differs from a rebuild; run python scripts/build_gazetteer.py\n"
        + done.stdout
        + done.stderr
    )


def test_shipped_index_columns_and_order() -> None:
    assert config.GAZETTEER_FILE.suffix == ".parquet"
    places = pd.read_parquet(config.GAZETTEER_FILE)
    # The earlier CSV's columns, in its order, with the GeoNames admin-1 name
    # and feature class the Parquet index adds.
    added = ("admin1_geonames", "feature_class")
    assert [c for c in places.columns if c not in added] == [
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
    assert set(config.COVERED_ISO3) < set(places["iso3"])
    assert set(INDEX_COLUMNS) <= set(places.columns)
    assert places["geonameid"].is_unique
    assert config.GAZETTEER_FILE.stat().st_size < 3_000_000
    assert not (config.GAZETTEER_DIR / "places.csv").exists()  # the Parquet file replaced it


def test_towns_include_report_towns_whatever_population(gaz: Gazetteer) -> None:
    towns = gaz.towns(["MLI", "DZA"], min_population=100_000)
    names = set(towns["name"])
    for town in ("Tessalit", "Aguelhok", "Kidal", "Gao", "Timbuktu", "Ménaka", "In Amenas"):
        assert town in names
    assert "Sikasso" in names  # large
    assert "Mali" not in names  # countries are not towns
    assert set(towns["iso3"]) <= {"MLI", "DZA"}
    assert towns.columns.tolist()[:5] == ["name", "latitude", "longitude", "population", "iso3"]
    assert towns["population"].dropna().is_monotonic_decreasing
    small = gaz.towns(["MLI"], min_population=100_000, always=())
    assert "Tessalit" not in set(small["name"])
    assert all(gaz.lookup(n, country=c) is not None for n, c in ALWAYS_LABEL)


def test_result_to_dict_is_json(gaz: Gazetteer) -> None:
    r = gaz.lookup("Gao")
    assert r is not None
    data = json.loads(json.dumps(r.to_dict()))
    assert data["name"] == "Gao" and len(data["candidates"]) == 2
    assert set(data) >= {"query", "geo_precision", "source", "ambiguous", "note"}


# -- rules on hand-made layers -------------------------------------------------


def _layer(rows: list[dict[str, Any]], source: str, tier: int) -> pd.DataFrame:
    base = {
        "alternates": "",
        "admin1": "",
        "geo_precision": 1,
        "population": pd.NA,
        "geonameid": pd.NA,
        "feature_code": "",
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["source"] = source
    frame["tier"] = tier
    return frame


def _three_layers() -> Gazetteer:
    geonames = _layer(
        [
            {"name": "Alpha", "iso3": "MLI", "latitude": 15.0, "longitude": 0.0, "population": 10},
            {"name": "Alpha", "iso3": "NER", "latitude": 14.0, "longitude": 5.0, "population": 99},
            {"name": "Beta", "iso3": "MLI", "latitude": 16.0, "longitude": 1.0, "population": 5},
        ],
        "geonames",
        1_000_000,
    )
    user = _layer(
        [{"name": "Beta", "iso3": "MLI", "latitude": 16.05, "longitude": 1.05}], "user:x.csv", 1
    )
    override = _layer(
        [
            {
                "name": "Alpha",
                "alternates": "Alfa|Al-Pha",
                "iso3": "MLI",
                "latitude": 15.01,
                "longitude": 0.01,
                "geo_precision": 2,
            }
        ],
        "override",
        0,
    )
    return Gazetteer(pd.concat([geonames, user, override], ignore_index=True))


def test_precedence_override_then_user_then_geonames() -> None:
    gaz = _three_layers()
    alpha = gaz.lookup("Alpha")
    assert alpha is not None and alpha.source == "override" and alpha.geo_precision == 2
    assert "precedence" in alpha.note
    # The NER Alpha is a different place: the name stays ambiguous.
    assert alpha.ambiguous
    beta = gaz.lookup("Beta")
    assert beta is not None and beta.source == "user:x.csv"
    # User and GeoNames Beta are 7 km apart in one country: one place.
    assert not beta.ambiguous
    ner = gaz.lookup("Alpha", country="NER")
    assert ner is not None and ner.source == "geonames" and ner.population == 99
    assert gaz.lookup("alfa").name == "Alpha"
    assert gaz.lookup("Al Pha") is not None  # matched ignoring spaces
    assert "ignoring spaces" in gaz.lookup("Al Pha").note


def test_lookup_unknown_and_empty_names() -> None:
    gaz = _three_layers()
    assert gaz.lookup("Gamma") is None
    assert gaz.lookup("") is None
    assert gaz.lookup(None) is None
    assert gaz.lookup("'-") is None


# -- bulk lookup -------------------------------------------------------------


def test_lookup_many_matches_lookup_row_by_row(gaz: Gazetteer) -> None:
    names = pd.Series(
        ["Gao", "Tessalit", None, "Tombouctou ", "Nowhere-ville", "Gao", "Bahrain", "gao"],
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )
    country = pd.Series(["BF", "", "", "", "", "ML", "", "MLI"], index=names.index)
    out = gaz.lookup_many(names, country=country)
    assert out.index.tolist() == names.index.tolist()
    assert out["query"].tolist()[:2] == ["Gao", "Tessalit"]
    for idx in names.index:
        single = gaz.lookup(names[idx], country=country[idx] or None)
        row = out.loc[idx]
        if single is None:
            assert not row["matched"] and pd.isna(row["latitude"])
        else:
            assert row["matched"]
            assert (row["name"], row["iso3"], row["source"]) == (
                single.name,
                single.iso3,
                single.source,
            )
            assert row["latitude"] == single.latitude
            assert row["ambiguous"] == single.ambiguous
    assert out.loc[10, "iso3"] == "BFA" and out.loc[15, "iso3"] == "MLI"
    assert str(out["geo_precision"].dtype) == "Int64"
    assert out["latitude"].dtype == "float64"


def test_lookup_many_scalar_country_and_empty_input(gaz: Gazetteer) -> None:
    out = gaz.lookup_many(pd.Series(["Gao", "Rafah"]), country="BFA")
    assert out["matched"].tolist() == [True, False]
    empty = gaz.lookup_many(pd.Series([], dtype="string"))
    assert len(empty) == 0 and "latitude" in empty.columns


_NAMES = ["Gao", "Kidal", "Tessalit", "Aguel'hoc", "Tombouctou", "Nowhere", "Bahrain", ""]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=30), st.randoms())
def test_lookup_many_row_order_never_changes_a_result(names: list[str], rnd: Any) -> None:
    gaz = _shared_gaz()
    series = pd.Series(names)
    shuffled = series.sample(frac=1, random_state=rnd.randint(0, 10_000))
    a = gaz.lookup_many(series)
    b = gaz.lookup_many(shuffled).loc[series.index]
    pd.testing.assert_frame_equal(a, b)


_CACHE: dict[str, Gazetteer] = {}


def _shared_gaz() -> Gazetteer:
    if "gaz" not in _CACHE:
        _CACHE["gaz"] = load_gazetteer()
    return _CACHE["gaz"]


# -- user gazetteers and validation ---------------------------------------------

_OCHA = {
    "name_col": "featureName",
    "lat_col": "Latitude",
    "lon_col": "Longitude",
    "admin1_col": "admin1Name",
    "country_col": "iso3",
    "alt_col": "alternateNames",
}


def test_user_layer_sits_between_overrides_and_geonames() -> None:
    gaz = load_gazetteer(user_files=[(DATA / "gaz_ocha_places.csv", _OCHA)])
    tessalit = gaz.lookup("Tessalit")
    assert tessalit is not None and tessalit.source == "user:gaz_ocha_places.csv"
    assert tessalit.latitude == 16.0
    assert tessalit.ambiguous  # the misplaced user point is far from GeoNames'
    assert gaz.lookup("Camp Fixture").name == "Fixture Camp"
    assert gaz.lookup("Puits Fixture").name == "Fixture Well"
    ifoghas = gaz.lookup("Adrar des Ifoghas")
    assert ifoghas is not None and ifoghas.source == "override"


def test_add_user_changes_the_gazetteer_in_place() -> None:
    gaz = load_gazetteer()
    assert gaz.lookup("Fixture Well") is None
    same = gaz.add_user(DATA / "gaz_ocha_places.csv", **_OCHA)
    assert same is gaz
    r = gaz.lookup("Fixture Well")
    assert r is not None and r.source == "user:gaz_ocha_places.csv" and r.geo_precision == 1


def test_load_gazetteer_is_deterministic() -> None:
    a = load_gazetteer().places
    b = load_gazetteer().places
    pd.testing.assert_frame_equal(a, b)


# -- online fallback -------------------------------------------------------------


class _StubOnline:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.calls: list[tuple[str, str | None]] = []

    def geocode(self, query: str, country: str | None = None) -> GeocodeResult:
        self.calls.append((query, country))
        return GeocodeResult(query, "Somewhere", 1.0, 2.0, "MLI", "", 1, "online:stub")


def test_online_fallback_only_when_enabled(gaz: Gazetteer) -> None:
    off = _StubOnline(enabled=False)
    assert gaz.lookup("Nowhere-ville", online=off) is None  # type: ignore[arg-type]
    assert off.calls == []
    on = _StubOnline(enabled=True)
    r = gaz.lookup("Nowhere-ville", country="Mali", online=on)  # type: ignore[arg-type]
    assert r is not None and r.source == "online:stub"
    assert on.calls == [("Nowhere-ville", "MLI")]
    assert gaz.lookup("Tessalit", online=on).source == "geonames"  # type: ignore[arg-type]
    assert len(on.calls) == 1
