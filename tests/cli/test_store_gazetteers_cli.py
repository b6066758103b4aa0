"""``geocode`` and ``extract`` use the store's gazetteers (``--store``, else the configured store).

The villages are the fictional ones of tests/data/gaz_cod_places.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import config
from geo.cli import main
from geo.io.gazetteer_files import ColumnMapping, guess_mapping, read_place_file
from geo.io.gazetteers import add_gazetteer, gazetteer_dir

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "incidents.csv"
    source = read_place_file(DATA / "gaz_cod_places.csv")
    add_gazetteer(path, source, ColumnMapping(**guess_mapping(source)), name="Mali COD")
    return path


def test_geocode_finds_a_village_of_the_store_given_with_store(store, capsys):
    assert main(["geocode", "Kessoubere", "--store", str(store), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["name"], found["latitude"], found["longitude"]) == (
        "Kessoubéré",
        14.9333,
        -2.6667,
    )
    assert found["source"] == "user:mali-cod.csv"


def test_geocode_uses_the_configured_store_by_default(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "INCIDENTS_CSV", tmp_path / "other.csv")
    assert main(["geocode", "Djouraboni"]) == 1  # a store without gazetteers
    capsys.readouterr()
    monkeypatch.setattr(config, "INCIDENTS_CSV", store)
    assert main(["geocode", "Djouraboni"]) == 0
    assert "15.1111 N, -2.2222 E" in capsys.readouterr().out


def test_gazetteer_files_on_the_command_line_come_before_the_stores(store, tmp_path, capsys):
    own = tmp_path / "own.csv"
    own.write_text("name,latitude,longitude\nKessoubéré,11.5,-4.5\n", encoding="utf-8")
    assert main(["geocode", "Kessoubéré", "--store", str(store), "--gazetteer", str(own)]) == 0
    assert "11.5000 N, -4.5000 E" in capsys.readouterr().out


def test_extract_places_a_village_of_the_store(store, tmp_path, capsys):
    report = tmp_path / "report.txt"
    report.write_text(
        "Gunmen attacked the village of Kessoubéré on Sunday, killing four civilians.",
        encoding="utf-8",
    )
    argv = ["extract", str(report), "--date", "2013-03-05", "--json"]
    assert main(argv) == 0
    [before] = json.loads(capsys.readouterr().out)
    assert before["latitude"] is None
    assert main([*argv, "--store", str(store)]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert (found["location"], found["latitude"], found["longitude"]) == (
        "Kessoubéré",
        14.9333,
        -2.6667,
    )
    assert (found["event_date"], found["fatalities"], found["geo_precision"]) == (
        "2013-03-03",
        4,
        1,
    )


def test_a_broken_store_configuration_exits_1_naming_the_manifest(store, capsys):
    (gazetteer_dir(store) / "manifest.json").write_text("{", encoding="utf-8")
    assert main(["geocode", "Gao", "--store", str(store)]) == 1
    assert "manifest.json: not a gazetteer manifest" in capsys.readouterr().err
