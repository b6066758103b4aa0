"""``python -m geo sites``: import (add or replace), list, near; bad files change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo import config
from geo.cli import main
from geo.io.audit import read_log
from geo.io.sites import sites_path
from geo.io.store import read_incidents


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "incidents.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", path)
    return path


def _site_file(tmp_path: Path, store: Path, name: str = "Example base") -> Path:
    """A site placed on the first stored incident (its coordinates, read from the store)."""
    first = read_incidents(store).iloc[0]
    path = tmp_path / f"{name}.csv"
    path.write_text(
        f"name,kind,latitude,longitude,radius_km\n"
        f"{name},office,{first.latitude},{first.longitude},5\n",
        encoding="utf-8",
    )
    return path


def test_import_list_and_near(store, tmp_path, capsys):
    assert main(["sites", "import", str(_site_file(tmp_path, store)), "--store", str(store)]) == 0
    assert "kept 1 site(s) with incidents.csv" in capsys.readouterr().out
    assert sites_path(store).exists()
    (entry,) = read_log(store).entries
    assert (entry.action, entry.source) == ("sites.add", "Example base.csv")
    assert entry.who.startswith("cli:")
    assert main(["sites", "list", "--store", str(store)]) == 0
    assert capsys.readouterr().out.startswith("Example base  office")
    assert main(["sites", "list", "--json", "--store", str(store)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [f["properties"]["name"] for f in listed["features"]] == ["Example base"]
    assert main(["sites", "near", "--store", str(store)]) == 0
    out = capsys.readouterr()
    first = read_incidents(store).iloc[0]
    assert f"{first.event_id}" in out.out and "at Example base" in out.out
    assert "near 1 site(s)" in out.err


def test_a_name_already_kept_is_refused_unless_replacing(store, tmp_path, capsys):
    site = _site_file(tmp_path, store)
    assert main(["sites", "import", str(site), "--store", str(store)]) == 0
    kept = sites_path(store).read_bytes()
    assert main(["sites", "import", str(site), "--store", str(store)]) == 1
    assert "'Example base'; a site of this name is already kept" in capsys.readouterr().err
    assert sites_path(store).read_bytes() == kept
    other = _site_file(tmp_path, store, name="Example airstrip")
    assert main(["sites", "import", str(other), "--replace", "--store", str(store)]) == 0
    assert main(["sites", "list", "--store", str(store)]) == 0
    assert "Example base" not in capsys.readouterr().out


def test_a_bad_file_names_every_problem_and_keeps_nothing(store, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,latitude,longitude\n,16,0\nExample base,16,500\n", encoding="utf-8")
    assert main(["sites", "import", str(bad), "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: line 2, column 'name'" in err
    assert f"{bad}: line 3, column 'latitude/longitude': got 'lon 500, lat 16'" in err
    assert not sites_path(store).exists()
    assert main(["sites", "import", str(bad), "--radius", "0", "--store", str(store)]) == 2


def test_a_database_stores_sites_are_kept_in_it(store, tmp_path, postgis_url, pg_schema, capsys):
    from geo.io.backend import open_store

    database = open_store(postgis_url, schema=pg_schema)
    database.write_raw(open_store(store).read_raw())
    where = ["--store", postgis_url, "--schema", pg_schema]
    assert main(["sites", "import", str(_site_file(tmp_path, store)), *where]) == 0
    assert "kept 1 site(s) with postgresql://" in capsys.readouterr().out
    assert database.sites()["name"].tolist() == ["Example base"]
    assert not sites_path(store).exists()  # nothing beside any CSV
    (entry,) = read_log(database).entries
    assert entry.action == "sites.add"
    assert main(["sites", "near", *where]) == 0
    out = capsys.readouterr()
    assert "at Example base" in out.out and "near 1 site(s)" in out.err
