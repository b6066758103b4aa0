"""The app on a PostGIS store (GEO_DATABASE_URL): it reads the database, and an
append by another writer (a second replica, the command line) shows on the
next rerun because the cache is keyed by the data version."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import config
from geo.io import postgis_cache, store
from geo.io.backend import open_store
from tests.app.app_support import app_test, write_store


@pytest.fixture
def database(postgis_url: str) -> Iterator[str]:
    """A database of its own (the app opens the URL's default schema), dropped afterwards."""
    import psycopg

    name = f"app_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", postgis_url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    yield url
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_app_reads_postgis_and_sees_another_writers_append(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = write_store(tmp_path / "incidents.csv")
    db = open_store(database)
    db.write_raw(store.read_raw(csv))
    # The CSV is moved away: every row the app shows must come from the database.
    empty = tmp_path / "elsewhere.csv"
    monkeypatch.setattr(config, "DATABASE_URL", database)
    # The replica's own cache (geo.io.postgis_cache): the append below is a top-up.
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    at = app_test(empty, monkeypatch).run()
    at.switch_page("views/incidents.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe[0].value) == 10

    postgis_cache.wait_for_writes()  # the first read's cache, written in a thread
    row = (
        store.read_raw(csv)
        .iloc[[0]]
        .assign(event_id="", event_date="2013-02-27", notes="appended by another replica")
    )
    assert open_store(database).append(row, dedupe_days=None).added == 1
    at.run()
    table = at.dataframe[0].value
    assert len(table) == 11
    assert "appended by another replica" in set(table["notes"])
    assert len(list((tmp_path / "cache").glob("postgis/*/part-*.parquet"))) == 2


def test_a_store_that_cannot_be_reached_is_said_plainly_with_its_password_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 1 on this machine refuses connections: a database that is down.
    monkeypatch.setattr(config, "DATABASE_URL", "postgresql://geo:hunter2@127.0.0.1:1/geo")
    at = app_test(tmp_path / "absent.csv", monkeypatch).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot be reached" in e.value for e in at.error)
    shown = " ".join(str(c.value) for c in at.code)
    assert "127.0.0.1:1" in shown
    assert "hunter2" not in shown + " ".join(e.value for e in at.error)
