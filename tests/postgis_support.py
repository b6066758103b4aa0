"""A PostGIS to test against, for every test that needs one (fixtures).

Registered in tests/conftest.py, so one server serves the whole session. The
PostGIS side uses ``GEO_TEST_DATABASE_URL`` when set (``.ci/run`` sets
it). Otherwise, when Debian's PostgreSQL and PostGIS packages are installed,
the session starts its own throw-away server with
``scripts/postgis_local.sh`` and stops it at the end. Only when neither is
there does the PostGIS parameter skip, saying why. Each test gets a schema of
its own, dropped afterwards; the database is never mocked.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "postgis_local.sh"
NO_POSTGIS = (
    "no PostGIS to test against: set GEO_TEST_DATABASE_URL=postgresql://... or install "
    "Debian's postgresql and postgresql-<version>-postgis-3 (scripts/postgis_local.sh "
    "starts one)"
)


def _binaries_installed() -> bool:
    return bool(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
        and glob.glob("/usr/share/postgresql/*/extension/postgis.control")
        and shutil.which("bash")
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostGIS database URL for the session, or a skip saying why there is none."""
    given = os.environ.get("GEO_TEST_DATABASE_URL", "").strip()
    if given:
        yield given
        return
    if not _binaries_installed():
        pytest.skip(NO_POSTGIS)
    # A folder of our own under /tmp: the server's owner (postgres) must reach it.
    folder = Path("/tmp") / f"geo-test-pg-{uuid.uuid4().hex[:10]}"
    env = dict(os.environ, GEO_PG_DIR=str(folder), GEO_PG_PORT=str(_free_port()))
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=120
    )
    if started.returncode != 0:
        pytest.fail(f"scripts/postgis_local.sh start failed:\n{started.stderr}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_schema(postgis_url: str) -> Iterator[str]:
    """A fresh schema name in the test database, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield schema
    drop_schema(postgis_url, schema)
