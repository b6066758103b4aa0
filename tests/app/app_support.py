"""Shared set-up for the dashboard tests: a small incident store and an AppTest runner.

The store is written at test time: each row names a town and takes its
coordinates from the shipped GeoNames index (``data/gazetteer/places.parquet``),
so no coordinate is typed by hand. The incidents are invented for the tests
(their ``source`` says so) and cover two months, several areas, event types,
actors and precisions, so every filter has something to remove.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from geo import config
from geo.io.store import write_incidents

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")

XSS_NOTES = "<img src=x onerror=alert(1)> and ${alert(1)} `${alert(2)}`"
# The same row's place name carries markup too: it shows in the map's tooltip.
XSS_PLACE = "Tessalit <img src=x onerror=alert(3)> ${alert(4)}"

# id, date, event type, sub-event type, actor1, actor2, town, iso3, geo_precision,
# fatalities, notes
ROWS: tuple[tuple[str, str, str, str, str, str, str, str, int, int, str], ...] = (
    (
        "T01",
        "2013-01-14",
        "Battles",
        "Armed clash",
        "Military Forces of France",
        "Ansar Dine",
        "Douentza",
        "MLI",
        2,
        12,
        "Clash near the town.",
    ),
    (
        "T02",
        "2013-01-26",
        "Battles",
        "Government regains territory",
        "Military Forces of France",
        "MUJAO",
        "Gao",
        "MLI",
        1,
        3,
        "Town retaken.",
    ),
    (
        "T03",
        "2013-01-28",
        "Battles",
        "Government regains territory",
        "Military Forces of France",
        "Ansar Dine",
        "Timbuktu",
        "MLI",
        1,
        0,
        "Town retaken without a fight.",
    ),
    (
        "T04",
        "2013-02-08",
        "Explosions/Remote violence",
        "Suicide bomb",
        "MUJAO",
        "",
        "Gao",
        "MLI",
        1,
        1,
        "Attacker killed at a checkpoint.",
    ),
    (
        "T05",
        "2013-02-10",
        "Battles",
        "Armed clash",
        "MUJAO",
        "Military Forces of Mali",
        "Gao",
        "MLI",
        1,
        5,
        "Fighting in the town centre.",
    ),
    (
        "T06",
        "2013-02-16",
        "Violence against civilians",
        "Attack",
        "Unidentified Armed Group (Mali)",
        "Civilians (Mali)",
        "Mopti",
        "MLI",
        2,
        2,
        "Two civilians killed.",
    ),
    (
        "T07",
        "2013-02-21",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        "MUJAO",
        "Military Forces of France",
        "Kidal",
        "MLI",
        2,
        0,
        "Car bomb short of the camp.",
    ),
    (
        "T08",
        "2013-02-22",
        "Explosions/Remote violence",
        "Suicide bomb",
        "Unidentified Armed Group (Mali)",
        "MNLA",
        "Tessalit",
        "MLI",
        1,
        5,
        XSS_NOTES,
    ),
    (
        "T09",
        "2013-02-25",
        "Protests",
        "Peaceful protest",
        "Protesters (Niger)",
        "",
        "Niamey",
        "NER",
        1,
        0,
        "March in the capital.",
    ),
    (
        "T10",
        "2013-02-28",
        "Strategic developments",
        "Other",
        "Military Forces of Chad",
        "",
        "Ménaka",
        "MLI",
        3,
        0,
        "Troops arrive in the region.",
    ),
)
FIRST_DAY = dt.date(2013, 1, 14)
LAST_DAY = dt.date(2013, 2, 28)


def town_points() -> pd.DataFrame:
    """``name, iso3, latitude, longitude`` of the shipped GeoNames places."""
    columns = ["name", "iso3", "admin1", "latitude", "longitude"]
    return pd.read_parquet(config.GAZETTEER_FILE, columns=columns)


def incident_frame() -> pd.DataFrame:
    """The test incidents as a typed incident frame."""
    places = town_points()
    records = []
    for eid, date, etype, sub, a1, a2, town, iso3, gp, fat, notes in ROWS:
        match = places[(places["name"] == town) & (places["iso3"] == iso3)]
        assert len(match) >= 1, f"{town} ({iso3}) is not in the shipped gazetteer"
        place = match.iloc[0]
        records.append(
            {
                "event_id": eid,
                "event_date": date,
                "time_precision": "1",
                "event_type": etype,
                "sub_event_type": sub,
                "actor1": a1,
                "actor2": a2,
                "country": {"MLI": "Mali", "NER": "Niger"}[iso3],
                "iso3": iso3,
                "admin1": place["admin1"],
                "admin2": "",
                "location": XSS_PLACE if notes == XSS_NOTES else town,
                "latitude": place["latitude"],
                "longitude": place["longitude"],
                "geo_precision": str(gp),
                "fatalities": str(fat),
                "source": "Test fixture (invented incident, not a report)",
                "notes": notes,
            }
        )
    from geo.model.schema import coerce_frame

    return coerce_frame(pd.DataFrame(records))


def write_store(path: Path) -> Path:
    """Write the test incidents to ``path`` (a CSV the app can read)."""
    write_incidents(incident_frame(), path)
    return path


OVERRIDES = (
    "area,level,reason,expires,set_by,set_on\n"
    "Kidal,Extreme,Test override: pinned for the tests,2013-12-31,Tests,2013-02-01\n"
)


def write_overrides(path: Path) -> Path:
    """One analyst override (Kidal pinned at Extreme from 1 February 2013)."""
    path.write_text(OVERRIDES, encoding="utf-8")
    return path


def app_test(store: Path, monkeypatch: object, **params: str) -> AppTest:
    """An AppTest of the whole app reading ``store``, with ``params`` in the URL.

    The risk overrides are the test's own file beside the store, so the
    shipped overrides never change a test's figures.
    """
    overrides = write_overrides(store.parent / "risk_overrides.csv")
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)  # type: ignore[attr-defined]
    monkeypatch.setattr(config, "RISK_OVERRIDES_FILE", overrides)  # type: ignore[attr-defined]
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    return at


def expected_high_areas(store: Path, as_of: dt.date, window: int = 90) -> int:
    """Areas at High or Extreme computed straight from the library, for comparison."""
    from geo.analysis import risk
    from geo.analysis.pipeline import prepare
    from geo.io.store import read_incidents
    from geo.reference import boundaries

    joined = prepare(read_incidents(store))
    scored = risk.score_areas(
        joined,
        boundaries.load_admin1(),
        as_of,
        window_days=window,
        overrides=risk.load_overrides(store.parent / "risk_overrides.csv"),
    )
    return int(scored["final_level"].isin(["High", "Extreme"]).sum())


# -- a running server (browser tests) ----------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_health(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until a started Streamlit server answers its health check (2 min at most)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply,  # noqa: S310
        ):
            if reply.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer on {base}:\n{log.read_text()}")


@contextlib.contextmanager
def streamlit_server(port: int, log: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """``streamlit run app.py`` in a child process on ``port``; yields its base URL.

    The child gets this process's environment without proxy variables (the
    app must never need the network), plus ``env``; its output goes to
    ``log``. It is stopped, and killed if it lingers, when the block ends.
    Shared by the browser tests and scripts/bench_app_filter.py.
    """
    child_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    child_env.update(env or {})
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    base = f"http://localhost:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=child_env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            wait_for_health(base, proc, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
