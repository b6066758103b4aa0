"""The held-out evaluation corpus: every report keyed, every key point sourced.

``tests/data/eval_holdout/`` was written without reading the extraction
rules, to measure whether they generalise beyond the tuning corpus. These
tests check the key, never the score: the corpus is a measurement, and a
rule must not be tuned to it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from geo.io.evaluate import AreaKey, load_key, shipped_area_test
from tests.io.test_evaluate import _geonames, _source_point

HOLDOUT = Path(__file__).resolve().parents[1] / "data" / "eval_holdout"
STYLES = {"wire", "ocha", "ngo", "brief", "fr-press"}


def test_holdout_key_covers_every_report_and_parses():
    reports = load_key(HOLDOUT)
    assert {r.name for r in reports} == {p.name for p in HOLDOUT.glob("*.txt")}
    assert len(reports) >= 24
    french = [r for r in reports if r.meta.get("language") == "fr"]
    assert 3 * len(french) >= len(reports)
    assert {r.meta.get("style") for r in reports} == STYLES
    assert sum("mena" in r.meta.get("patterns", ()) for r in reports) >= 3
    ids = [inc.id for r in reports for inc in r.incidents]
    assert len(ids) == len(set(ids))
    for report in reports:
        assert report.incidents, report.name
        assert dt.date(2012, 1, 1) <= report.post_date <= dt.date(2024, 12, 31)
        for inc in report.incidents:
            for day in inc.dates:
                assert dt.timedelta(0) <= report.post_date - day <= dt.timedelta(days=31), inc.id


def test_holdout_key_points_match_their_sources():
    points = _geonames()
    for report in load_key(HOLDOUT):
        for inc in report.incidents:
            where = inc.where
            if isinstance(where, AreaKey):
                continue
            assert where.km > 0 and where.source.get("how"), inc.id
            lat, lon = _source_point(where.source, points)
            assert math.isclose(where.lat, lat, abs_tol=1e-5), inc.id
            assert math.isclose(where.lon, lon, abs_tol=1e-5), inc.id


def test_holdout_key_areas_exist_in_the_shipped_layers():
    inside = shipped_area_test()
    for report in load_key(HOLDOUT):
        for inc in report.incidents:
            if isinstance(inc.where, AreaKey):
                assert inc.where.source.get("layer") and inc.where.source.get("how"), inc.id
                inside(inc.where, 0.0, 0.0)  # raises CorpusKeyError for an unknown area


def test_holdout_readme_lists_every_report():
    readme = (HOLDOUT / "README.md").read_text(encoding="utf-8")
    for report in load_key(HOLDOUT):
        assert report.name in readme
