"""What only the PostGIS store has: its tables and indexes, SQL duplicate matching
that agrees with the file store's, URLs, layers. Shared behaviour is in
test_backends.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.io import store
from geo.io.backend import open_store
from geo.io.postgis import PostgisStore, is_database_url
from geo.model.schema import COLUMNS
from tests.conftest import make_rows

# Points of the shared test rows (tests/conftest.py: Gao, Kidal region, Bamako).
_BASES = [(r["latitude"], r["longitude"], r["location"], r["admin1"]) for r in make_rows(3)]


def _batch(rng: np.random.Generator, n: int, first_origin: int) -> pd.DataFrame:
    """Rows that crowd a few days and places: near, same-name, same-source and far pairs."""
    rows = []
    for i in range(n):
        lat, lon, name, admin1 = _BASES[int(rng.integers(len(_BASES)))]
        kind = str(rng.choice(["Battles", "Protests"]))
        origin = int(rng.integers(first_origin, first_origin + n // 3))
        rows.append(
            dict(
                make_rows(1)[0],
                event_id="",
                event_date=f"2013-03-{1 + int(rng.integers(8)):02d}",
                event_type=kind,
                sub_event_type="Armed clash" if kind == "Battles" else "Peaceful protest",
                location=str(rng.choice([name, name.upper(), "Elsewhere"])),
                admin1=admin1,
                # Up to about 20 km off the town: some pairs within 10 km, some not.
                latitude=f"{float(lat) + rng.uniform(-0.13, 0.13):.5f}",
                longitude=f"{float(lon) + rng.uniform(-0.13, 0.13):.5f}",
                origin_id=str(rng.choice(["", f"acled:{origin}", f"ucdp:{origin}"])),
                notes=f"row {i}",
            )
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_duplicate_matching_agrees_with_the_file_store(tmp_path, postgis_url, pg_schema, seed):
    rng = np.random.default_rng(seed)
    first, second = _batch(rng, 40, 0), _batch(rng, 40, 5)
    file_store = open_store(tmp_path / "s.csv")
    db_store = open_store(postgis_url, schema=pg_schema)
    for batch in (first, second):
        got = db_store.append(batch, dedupe_days=2, dedupe_km=10)
        want = file_store.append(batch, dedupe_days=2, dedupe_km=10)
        assert got.added_ids == want.added_ids
        assert got.duplicates > 0
        pd.testing.assert_frame_equal(got.duplicate_rows, want.duplicate_rows)
    pd.testing.assert_frame_equal(db_store.read_raw(), file_store.read_raw())
    reasons = " ".join(db_store.append(second, dedupe_days=2).duplicate_rows["reason"])
    for rule in ("same source record", " km", "same location name"):
        assert rule in reasons


def test_a_new_database_reads_as_an_empty_store(postgis_url, pg_schema):
    fresh = PostgisStore(postgis_url, schema=pg_schema)
    assert fresh.data_version() == "0"
    assert list(fresh.read_incidents().columns) == list(COLUMNS)
    assert len(fresh.read_prepared()) == 0


def test_incidents_have_a_point_geometry_with_a_gist_index_and_unique_ids(postgis_url, pg_schema):
    import psycopg

    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(pd.DataFrame(make_rows(3), columns=list(COLUMNS)))
    with db.connect() as conn:
        kind = conn.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_schema = %s "
            "AND f_table_name = 'incidents'",
            (pg_schema,),
        ).fetchone()
        indexes = " ".join(
            r[0] for r in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = %s", (pg_schema,)
            ).fetchall()
        )  # fmt: skip
        near_gao = conn.execute(
            "SELECT event_id FROM incidents WHERE ST_DWithin(geom::geography, "
            "ST_SetSRID(ST_MakePoint(-0.0447, 16.2717), 4326)::geography, 1000)"
        ).fetchall()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("UPDATE incidents SET event_id = 'T1' WHERE event_id = 'T2'")
    assert kind == ("POINT", 4326)
    assert "USING gist (geom)" in indexes and "(event_id)" in indexes
    assert [r[0] for r in near_gao] == ["T1"]


def test_stored_join_columns_are_the_ones_read_back(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(store.read_raw(store.config.INCIDENTS_CSV))
    with db.connect() as conn:
        areas = conn.execute("SELECT DISTINCT area FROM incidents ORDER BY 1").fetchall()
    assert {"Gao", "Kidal"} <= {a[0] for a in areas}
    assert set(db.read_prepared()["area"].dropna()) == {a[0] for a in areas if a[0] is not None}


def test_layers_become_tables(postgis_url, pg_schema):
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.load_layers()
    with db.connect() as conn:
        n_areas = conn.execute("SELECT count(*) FROM areas").fetchone()
        gao = conn.execute(
            "SELECT count(*) FROM areas WHERE ST_Contains(geometry, "
            "ST_SetSRID(ST_MakePoint(-0.0447, 16.2717), 4326))"
        ).fetchone()
        n_borders = conn.execute("SELECT count(*) FROM borders").fetchone()
    assert n_areas and n_areas[0] > 20
    assert gao == (1,)
    assert n_borders and n_borders[0] > 0


def test_urls_and_schema_names_are_checked():
    assert is_database_url("postgresql://u@h/db") and is_database_url("postgres://h/db")
    assert not is_database_url("data/incidents.csv")
    with pytest.raises(ValueError, match="schema"):
        PostgisStore("postgresql://u@h/db", schema='x"; DROP TABLE incidents; --')
    shown = PostgisStore("postgresql://ana:secret@db.example/geo", schema="team").location
    assert "secret" not in shown and shown.endswith("#team")
    assert "secret" not in PostgisStore("postgresql://db.example/geo?password=secret").location


def test_grid_cells_counted_by_the_server_match_the_rows(postgis_url, pg_schema):
    from geo.model.schema import EVENT_TYPES

    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(store.read_raw(store.config.INCIDENTS_CSV))
    rows = db.read_incidents()
    rows = rows.assign(
        fy=np.floor(rows["latitude"] / 0.05).astype("int64"),
        fx=np.floor(rows["longitude"] / 0.05).astype("int64"),
    )
    cells = rows.groupby(["fy", "fx"])
    got = db.grid_cells()
    assert got[["fy", "fx"]].values.tolist() == [list(k) for k in cells.groups]
    assert got["n"].tolist() == cells.size().tolist()
    assert got["fatalities"].tolist() == cells["fatalities"].sum().tolist()
    assert np.allclose(got["lat_sum"] / got["n"], cells["latitude"].mean())
    per_type = pd.crosstab([rows["fy"], rows["fx"]], rows["event_type"])
    for kind in EVENT_TYPES:
        want = per_type[kind].tolist() if kind in per_type else [0] * len(got)
        assert got[kind].tolist() == want, kind
    assert got["n"].sum() == len(rows) and len(got) < len(rows)
    battles = db.grid_cells(event_types=["Battles"], start="2013-02-01", end="2013-02-20")
    in_days = rows["event_date"].between("2013-02-01", "2013-02-20")
    chosen = rows[(rows["event_type"] == "Battles") & in_days]
    assert battles["n"].sum() == battles["Battles"].sum() == len(chosen) > 0
    assert battles["Protests"].sum() == 0


def test_a_bulk_write_builds_the_indexes_again(postgis_url, pg_schema, monkeypatch):
    import geo.io.postgis as postgis

    monkeypatch.setattr(postgis, "_BULK_ROWS", 2)
    db = PostgisStore(postgis_url, schema=pg_schema)
    db.write_raw(pd.DataFrame(make_rows(3), columns=list(COLUMNS)))
    db.write_raw(store.read_raw(store.config.INCIDENTS_CSV))
    with db.connect() as conn:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (pg_schema,)
            ).fetchall()
        }
    assert {"incidents_geom", "incidents_near", "incidents_type_day", "incidents_name",
            "incidents_origin"} <= names  # fmt: skip
    pd.testing.assert_frame_equal(db.read_raw(), store.read_raw(store.config.INCIDENTS_CSV))
    assert db.data_version() == "2"
