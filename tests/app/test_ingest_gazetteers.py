"""The Ingest page's Gazetteers tab (appkit/gazetteers.py) driven with Streamlit's AppTest.

The places are the fictional villages of ``tests/data/gaz_cod_places.csv``
(invented names and coordinates, see ``tests/data/gaz_README.md``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo import config
from geo.io.gazetteers import gazetteer_dir, list_gazetteers

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "ingest.py")
DATA = Path(__file__).resolve().parents[1] / "data"
COD = DATA / "gaz_cod_places.csv"
REPORT = (
    "Gunmen attacked the village of Kessoubéré on 3 March 2013, killing four civilians, "
    "residents said."
)


@pytest.fixture
def store(tmp_path, monkeypatch, incident_csv) -> Path:
    monkeypatch.setattr(config, "INCIDENTS_CSV", incident_csv)
    return incident_csv


def _shown(element: Any) -> str:
    """An element's Markdown as read on screen: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", str(element.value))


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def _widget(widgets, name: str):
    """The current file's widget ``name`` (its key carries the form number)."""
    return next(w for w in widgets if w.key.rsplit("_", 1)[0] == name)


def _upload(at: AppTest, name: str, content: bytes) -> None:
    at.file_uploader(key="gaz_file").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception


def _extract(at: AppTest):
    at.text_area(key="ingest_report_text").set_value(REPORT)
    at.date_input(key="ingest_post_date").set_value(dt.date(2013, 3, 5))
    _button(at, "ingest_extract").click()
    at.run()
    assert not at.exception
    return at.data_editor[0].value


def test_a_cod_csv_loaded_on_the_page_places_a_reported_village(store):
    at = _page()
    before = _extract(at)
    # Not in the shipped places: the village is not placed.
    assert before["latitude"].isna().all()
    assert "'Kessoubéré' not found" in before["unresolved"].iloc[0]

    _upload(at, "mali_cod_ppl.csv", COD.read_bytes())
    # The COD columns are guessed; the preview shows the file's rows.
    assert _widget(at.selectbox, "gaz_col_name").value == "featureName"
    assert _widget(at.selectbox, "gaz_col_latitude").value == "Latitude"
    assert _widget(at.selectbox, "gaz_col_admin1").value == "admin1Name_fr"
    assert _widget(at.selectbox, "gaz_col_country").value == "admin0Pcode"
    preview = at.dataframe[-1].value
    assert preview["featureName"].tolist()[1] == "Kessoubéré"
    assert preview["(row)"].tolist()[1] == "line 4"  # as problems name it
    _widget(at.text_input, "gaz_name").set_value("Mali COD (fictional)")
    _button(at, "gaz_save").click()
    at.run()
    assert not at.exception
    # Names are Markdown-escaped on the page; compare the text a person reads.
    assert any("Loaded 'Mali COD (fictional)': 5 places" in _shown(s) for s in at.success)
    [entry] = list_gazetteers(store)
    assert (entry.source_file, entry.rows) == ("mali_cod_ppl.csv", 5)
    [listed] = [d.value for d in at.dataframe if "gazetteer" in d.value.columns]
    assert listed["gazetteer"].tolist() == ["Mali COD (fictional)"]
    assert listed["places"].tolist() == [5]

    found = _extract(at)
    row = found[found["location"] == "Kessoubéré"].iloc[0]
    assert (row["latitude"], row["longitude"]) == (14.9333, -2.6667)
    assert row["geo_precision"] == 1 and row["admin1"] == "Mopti"
    assert any("Mali COD (fictional) (5 places)" in c.value for c in at.caption)


def test_a_bad_file_shows_every_problem_and_saves_nothing(store):
    at = _page()
    _upload(at, "bad.csv", (DATA / "gaz_cod_bad.csv").read_bytes())
    _button(at, "gaz_save").click()
    at.run()
    assert not at.exception
    assert any("Nothing was saved" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert problems["row"].tolist() == ["line 3", "line 4", "line 5", "line 6"]
    assert problems["value"].tolist() == ["", "14.5N", "-200", "XX"]
    assert set(problems["file"]) == {"bad.csv"}
    assert not gazetteer_dir(store).exists()


def test_a_gazetteer_can_be_removed(store):
    at = _page()
    _upload(at, "mali_cod_ppl.csv", COD.read_bytes())
    _button(at, "gaz_save").click()
    at.run()
    assert len(list_gazetteers(store)) == 1
    _button(at, "gaz_remove").click()
    at.run()
    assert not at.exception
    assert list_gazetteers(store) == []
    assert any("Removed 'mali_cod_ppl' (5 places)" in _shown(s) for s in at.success)
    assert any("No gazetteers loaded" in i.value for i in at.info)


def test_a_new_file_gets_its_own_guesses_not_the_last_files_picks(store):
    at = _page()
    _upload(at, "mali_cod_ppl.csv", COD.read_bytes())
    _widget(at.selectbox, "gaz_col_admin1").set_value("(none)")
    at.run()
    other = b"Nom;Lat;Lon;Region\nDjouraboni;15,1;-2,2;Mopti\n"
    _upload(at, "villages.csv", other)
    assert _widget(at.selectbox, "gaz_col_name").value == "Nom"
    assert _widget(at.selectbox, "gaz_col_admin1").value == "Region"
    assert _widget(at.selectbox, "gaz_col_country").value == "(none)"
    assert _widget(at.text_input, "gaz_name").value == "villages"
    _widget(at.text_input, "gaz_country").set_value("Mali")
    _button(at, "gaz_save").click()
    at.run()
    assert not at.exception
    [entry] = list_gazetteers(store)
    assert (entry.name, entry.file, entry.country, entry.rows) == (
        "villages",
        "villages.csv",
        "MLI",
        1,
    )


def test_an_unreadable_file_says_why(store):
    at = _page()
    _upload(at, "places.zip", b"not a zip")
    assert any("cannot be read" in e.value for e in at.error)
    assert "not a readable zip archive" in at.dataframe[-1].value["problem"].iloc[0]
    assert not any(b.key == "gaz_save" for b in at.button)
