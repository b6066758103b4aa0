"""The name index: keys per level, scope, fuzzy scoring in batches; parquet loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo import config
from geo.reference.gazetteer import load_gazetteer
from geo.reference.names import name_keys
from geo.reference.place_files import INDEX_COLUMNS, GazetteerError, read_index
from geo.reference.place_index import FUZZY_MIN_LENGTH, NameIndex
from geo.reference.places import PLACE_COLUMNS


def _places() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Ké-Macina", "Gao", "Gao", "Al Minya", "Tessalit"],
            "alternates": ["Ke Macina|Ke-Masina", "", "", "El Minia", ""],
            "iso3": ["MLI", "MLI", "BFA", "EGY", "MLI"],
        }
    )


def test_levels_find_positions_in_scope() -> None:
    index = NameIndex(_places())
    assert index.find(name_keys("Gao", query=True), None) == ("exact", [1, 2], [1, 2])
    assert index.find(name_keys("Gao", query=True), "BFA") == ("exact", [2], [1, 2])
    assert index.find(name_keys("Ke Masina", query=True), None)[:2] == ("spacing", [0])
    assert index.find(name_keys("Masina", query=True), None)[:2] == ("prefix", [0])
    assert index.find(name_keys("Minia", query=True), None)[:2] == ("prefix", [3])
    assert index.find(name_keys("Gao", query=True), "NER") == ("", [], [])
    assert index.known(name_keys("Gao", query=True))
    assert not index.known(name_keys("Tessalitt", query=True))
    assert not index.known(name_keys("", query=True))


def test_fuzzy_scores_a_batch_per_scope() -> None:
    index = NameIndex(_places())
    hits = index.fuzzy(["tessalitt", "kemacinaa", "gaoo", "zzzzzzz"], None)
    assert list(hits[0]) == [4] and 90 < hits[0][4] < 100
    assert list(hits[1]) == [0]
    assert hits[2] == {} and len("gaoo") < FUZZY_MIN_LENGTH
    assert hits[3] == {}
    assert index.fuzzy(["tessalitt"], "EGY") == [{}]
    # Batches bigger than one cdist chunk give the same scores as one by one.
    many = ["tessalitt", "kemacinaa"] * 150
    assert index.fuzzy(many, "MLI") == [index.fuzzy([q], "MLI")[0] for q in many]


def test_empty_index() -> None:
    index = NameIndex(pd.DataFrame({"name": [], "alternates": [], "iso3": []}, dtype="string"))
    assert index.find(name_keys("Gao"), None) == ("", [], [])
    assert index.fuzzy(["tessalit"], None) == [{}]


# -- the Parquet index -----------------------------------------------------------


def test_read_index_reads_the_parquet_file_into_the_place_table() -> None:
    layer = read_index(config.GAZETTEER_FILE)
    assert layer.columns.tolist() == PLACE_COLUMNS
    assert set(layer["source"]) == {"geonames"}
    assert len(layer) == pq.read_metadata(config.GAZETTEER_FILE).num_rows
    assert set(INDEX_COLUMNS) <= set(pq.read_schema(config.GAZETTEER_FILE).names)
    assert str(layer["population"].dtype) == "Int64"
    assert layer["latitude"].dtype == np.float64


def test_load_gazetteer_from_another_parquet_file(tmp_path: Path) -> None:
    table = pq.read_table(config.GAZETTEER_FILE)
    mask = pa.compute.equal(table["iso3"], "MLI")
    small = tmp_path / "mali.parquet"
    pq.write_table(table.filter(mask), small)
    gaz = load_gazetteer(places_file=small, overrides_file=None)
    assert set(gaz.places["iso3"]) == {"MLI"}
    assert gaz.lookup("Macina").name == "Ké-Macina"
    assert gaz.lookup("Rafah") is None


def test_read_index_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="build_gazetteer"):
        read_index(tmp_path / "missing.parquet")
    csv = tmp_path / "places.csv"
    csv.write_text("name,latitude\nGao,16.2\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="cannot read the place index"):
        read_index(csv)
    thin = tmp_path / "thin.parquet"
    pq.write_table(pa.table({"name": ["Gao"], "latitude": [16.2]}), thin)
    with pytest.raises(GazetteerError, match="cannot read"):
        read_index(thin)
