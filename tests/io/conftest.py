"""Store fixtures: every store-behaviour test runs on the CSV file and on PostGIS.

The PostGIS server and the per-test schema come from tests/postgis_support.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.io.backend import IncidentStore, open_store


@pytest.fixture(params=["file", "postgis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> IncidentStore:
    """An empty store of each backend (the CSV does not exist yet; the schema neither)."""
    if request.param == "file":
        return open_store(tmp_path / "incidents.csv")
    url = request.getfixturevalue("postgis_url")
    return open_store(url, schema=request.getfixturevalue("pg_schema"))
