"""Shared fixtures of the risk tests (tests/analysis/risk/ and tests/cli/test_risk.py).

Fixtures (written for these tests, no real places):

- ``data/risk_incidents.csv``: six incidents in a made-up country "Testland"
  (ZZZ). North has a clash on the as-of date (R1), a suicide bombing 30 days
  before it (R2, civilian targeting) and a clash 90 days before it (R3, just
  outside a 90-day window); South has a peaceful protest 3 days before (R4)
  and an attack the day after the as-of date (R5, ignored); R6 is in no area.
- ``data/risk_areas.geojson``: three squares North, South, East (East has no
  incidents).

The Hypothesis strategy ``incident`` and the helpers after it build random
incident sets for the property tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from geo.analysis.risk import RiskConfig, score_areas
from geo.io.store import read_incidents

DATA = Path(__file__).resolve().parents[2] / "data"
INCIDENTS = DATA / "risk_incidents.csv"
AREAS_FILE = DATA / "risk_areas.geojson"
AS_OF = "2013-02-28"
AREA_OF = {"R1": "North", "R2": "North", "R3": "North", "R4": "South", "R5": "South", "R6": ""}
CODE_OF = {"North": "ZZ-N", "South": "ZZ-S", "East": "ZZ-E", "": ""}
CFG = RiskConfig()


def _areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["North", "South", "East"],
            "area_code": ["ZZ-N", "ZZ-S", "ZZ-E"],
            "iso3": ["ZZZ"] * 3,
            "aliases": ["Nord|Septentrion", "", ""],
        }
    )


def _joined() -> pd.DataFrame:
    """The fixture incidents with their area, as geo.analysis.pipeline.prepare would add it."""
    df = read_incidents(INCIDENTS)
    df["area"] = df["event_id"].map(AREA_OF).astype("string")
    df["area_code"] = df["area"].map(CODE_OF).astype("string")
    return df


def _row(out: pd.DataFrame, area: str) -> pd.Series:
    return out.set_index("area").loc[area]


def _sat(x: float, half: float) -> float:
    return 100 * (1 - 2 ** (-x / half))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "area,level,reason,expires,set_by,set_on\n"


_TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Violence against civilians", "Attack"),
    ("Protests", "Peaceful protest"),
    ("Strategic developments", "Agreement"),
    ("Riots", ""),
]
_ACTORS = ["", "Group A", "Group B", "Military Forces of Testland", "Civilians (Testland)"]
_AREA_NAMES = ["North", "South", "East"]

incident = st.fixed_dictionaries(
    {
        "area": st.sampled_from(_AREA_NAMES),
        "age": st.integers(-5, 130),
        "kind": st.sampled_from(_TYPES),
        "fatalities": st.integers(0, 300),
        "civ": st.booleans(),
        "lat": st.integers(0, 3),
        "lon": st.integers(0, 3),
        "actor1": st.sampled_from(_ACTORS),
        "actor2": st.sampled_from(_ACTORS),
    }
)


def _frame(items: list[dict]) -> pd.DataFrame:
    as_of = pd.Timestamp(AS_OF)
    return pd.DataFrame(
        {
            "area": pd.Series([i["area"] for i in items], dtype="string"),
            "area_code": pd.Series([CODE_OF[i["area"]] for i in items], dtype="string"),
            "event_date": pd.Series(
                [as_of - pd.Timedelta(days=i["age"]) for i in items], dtype="datetime64[ns]"
            ),
            "event_type": pd.Series([i["kind"][0] for i in items], dtype="string"),
            "sub_event_type": pd.Series([i["kind"][1] for i in items], dtype="string"),
            "fatalities": pd.Series([i["fatalities"] for i in items], dtype="Int64"),
            "civilian_targeting": pd.Series(
                ["Civilian targeting" if i["civ"] else "" for i in items], dtype="string"
            ),
            "latitude": pd.Series([15.0 + 0.1 * i["lat"] for i in items], dtype="float64"),
            "longitude": pd.Series([1.0 + 0.1 * i["lon"] for i in items], dtype="float64"),
            "actor1": pd.Series([i["actor1"] for i in items], dtype="string"),
            "actor2": pd.Series([i["actor2"] for i in items], dtype="string"),
        }
    )


def _score(items: list[dict], window: int = 90) -> pd.DataFrame:
    return score_areas(_frame(items), _areas(), AS_OF, window_days=window, config=CFG)


def _by_area(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("area").sort_index()


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
