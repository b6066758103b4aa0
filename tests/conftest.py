"""Shared fixtures: a small valid incident file written by hand for the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from geo.model.schema import COLUMNS

# One headless Chromium per browser-test module (tests/browser_support.py).
from tests.browser_support import browser  # noqa: F401

# A PostGIS server for the session and a schema per test (tests/postgis_support.py).
from tests.postgis_support import pg_schema, postgis_url  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def make_rows(n: int = 3) -> list[dict[str, str]]:
    """``n`` valid raw rows (text cells) around Gao and Kidal in February 2013."""
    base = [
        {
            "event_id": "T1",
            "event_date": "2013-02-10",
            "time_precision": "1",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "actor1": "Group A",
            "actor2": "Military Forces of Mali",
            "country": "Mali",
            "iso3": "MLI",
            "admin1": "Gao",
            "admin2": "",
            "location": "Gao",
            "latitude": "16.2717",
            "longitude": "-0.0447",
            "geo_precision": "1",
            "fatalities": "3",
            "source": "Test report, 11 February 2013",
            "notes": "A made-up clash for tests.",
        },
        {
            "event_id": "T2",
            "event_date": "2013-02-21",
            "time_precision": "1",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Remote explosive/landmine/IED",
            "actor1": "Group B",
            "actor2": "",
            "country": "Mali",
            "iso3": "MLI",
            "admin1": "Kidal",
            "admin2": "",
            "location": "Kidal",
            "latitude": "18.4411",
            "longitude": "1.4078",
            "geo_precision": "2",
            "fatalities": "0",
            "source": "Test report, 22 February 2013",
            "notes": "A made-up blast for tests.",
        },
        {
            "event_id": "T3",
            "event_date": "2013-01-15",
            "time_precision": "3",
            "event_type": "Protests",
            "sub_event_type": "Peaceful protest",
            "actor1": "Protesters (Mali)",
            "actor2": "",
            "country": "Mali",
            "iso3": "MLI",
            "admin1": "Bamako",
            "admin2": "",
            "location": "Bamako",
            "latitude": "12.65",
            "longitude": "-8.0",
            "geo_precision": "1",
            "fatalities": "0",
            "source": "Test report, January 2013",
            "notes": "",
        },
    ]
    return [dict(base[i % len(base)], event_id=f"T{i + 1}") for i in range(n)]


@pytest.fixture
def raw_rows() -> pd.DataFrame:
    return pd.DataFrame(make_rows(), columns=list(COLUMNS))


@pytest.fixture
def incident_csv(tmp_path: Path, raw_rows: pd.DataFrame) -> Path:
    path = tmp_path / "incidents.csv"
    raw_rows.to_csv(path, index=False)
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz",
        action="store_true",
        help="run the full fuzz suite (tests/fuzz, over 2,000 cases) instead of its fast subset",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Read by tests/fuzz/harness.py when its tests are collected; "-m fuzz" asks
    # for the fuzz tests alone, so it gets the full run too.
    if config.getoption("--fuzz") or config.getoption("markexpr", "").strip() == "fuzz":
        os.environ["GEO_FUZZ_FULL"] = "1"
