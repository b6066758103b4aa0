"""Tests for what a director's briefing adds: draft key judgements, fonts for
Arabic and CJK names, separated symbols, and the ``brief`` command's options.

The small world of tests/render/test_brief.py is reused (fictional places in
the South Atlantic); the draft is checked against counts worked out by hand
from tests/data/brief_incidents.csv.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.analysis.filters import FilterState
from geo.cli import main
from geo.render.brief import draft_judgements
from geo.render.brief.fonts import font_families, has_cjk_font
from geo.render.brief.symbols import _spread
from tests.render import test_brief as base
from tests.render.test_brief import FEB, pdf_pages, render

world = base.world  # the same fictional world as test_brief.py

DATA = Path(__file__).resolve().parents[1] / "data"


def test_draft_judgements_name_change_deadliest_and_new_actors(
    world: dict[str, object],
) -> None:
    joined = world["joined"]
    assert isinstance(joined, pd.DataFrame)
    draft = draft_judgements(
        joined,
        FEB,
        world["risk"],
        world["areas"],
        world["admin0"],  # type: ignore[arg-type]
    )
    assert 3 <= len(draft) <= 6
    text = "\n".join(draft)
    # North-West: 8 incidents in February against the January ones before.
    jan = FilterState(dt.date(2013, 1, 4), dt.date(2013, 1, 31))
    from geo.analysis.filters import apply_filters

    before = int((apply_filters(joined, jan)["area"] == "North-West").sum())
    assert f"North-West: 8 incidents, 93 deaths; {before} in the 28 days before." in text
    # The deadliest incident (B01, 30 dead on 2 February) is named.
    assert "2 Feb: armed clash, Alpha (North-West), 30 deaths." in text
    assert "At High or Extreme on 28 Feb 2013: North-East, North-West." in text


def test_draft_is_empty_for_an_empty_period(world: dict[str, object]) -> None:
    empty = FilterState(dt.date(2014, 1, 1), dt.date(2014, 1, 31))
    draft = draft_judgements(
        world["joined"],
        empty,
        None,
        world["areas"],
        world["admin0"],  # type: ignore[arg-type]
    )
    assert draft == []


def test_new_actors_are_those_not_seen_before(world: dict[str, object]) -> None:
    joined = world["joined"]
    assert isinstance(joined, pd.DataFrame)
    fresh = joined.copy()
    fresh.loc[fresh["event_id"] == "B04", "actor1"] = "Newcomers: Front for Testing"
    draft = draft_judgements(fresh, FEB, None, world["areas"], world["admin0"])  # type: ignore[arg-type]
    line = next(s for s in draft if s.startswith("New actors"))
    assert "Newcomers" in line and "Front for Testing" not in line


def test_touching_symbols_are_fanned_out_and_far_ones_stay() -> None:
    # Three symbols a few pixels apart (as at Gao), and one far away.
    xy = np.array([[100.0, 100.0], [104.0, 98.0], [99.0, 105.0], [400.0, 400.0]])
    r = np.array([10.0, 8.0, 6.0, 9.0])
    out = _spread(xy, r, np.array([5.0, 1.0, 0.0, 3.0]))
    for i in range(3):
        for j in range(i + 1, 3):
            assert np.hypot(*(out[i] - out[j])) >= r[i] + r[j] - 1e-6, (i, j)
    assert np.allclose(out[3], xy[3])
    # Deadliest at the top of the ring (display y grows upwards).
    assert out[0, 1] == out[:3, 1].max()


def test_cjk_and_arabic_names_print_without_missing_glyphs(world: dict[str, object]) -> None:
    if not has_cjk_font():
        pytest.skip(
            "no CJK font installed (Debian fonts-wqy-microhei, installed by .ci/run); "
            "CJK names would print as boxes"
        )
    joined = world["joined"]
    assert isinstance(joined, pd.DataFrame)
    named = joined.assign(notes="北京 東京 서울 and تمبكتو")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = render(dict(world, joined=named), fmt="pdf", title="简报 تقرير")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    text = "\n".join(pdf_pages(data))
    assert "北京" in text and "서울" in text and "简报" in text
    assert font_families()[0] == "DejaVu Sans" and len(font_families()) == 2


# --------------------------------------------------------------------------
# Command line


@pytest.fixture()
def incident_csv(tmp_path: Path) -> Path:
    src = pd.read_csv(DATA / "brief_incidents.csv", dtype=str)
    # The shipped layers are used: put the fixture rows in northern Mali.
    src = src.assign(
        iso3="MLI", country="Mali", latitude="16.27", longitude="-0.04", location="Gao"
    )
    src = src.drop(columns=["area", "area_code", "area_iso3"])
    path = tmp_path / "incidents.csv"
    src.to_csv(path, index=False)
    return path


def test_cli_judgements_from_a_file_with_marking_and_author(
    incident_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "judgements.txt"
    notes.write_text("Gao is the focus.\n\nExpect more.\n", encoding="utf-8")
    out = tmp_path / "b.pdf"
    args = ["brief", str(incident_csv), "--from", "2013-02-01", "--to", "2013-02-28"]
    code = main(
        args
        + [
            "--judgements",
            str(notes),
            "--marking",
            "TLP:RED",
            "--author",
            "Desk",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = " ".join(pdf_pages(out.read_bytes())[0].split())
    assert "Gao is the focus." in text and "Expect more." in text
    assert text.count("TLP:RED") == 2 and "Prepared by Desk" in text
    # Text given inline, judgements split on " | ".
    code = main(args + ["--judgements", "One. | Two.", "--out", str(out)])
    assert code == 0
    text = " ".join(pdf_pages(out.read_bytes())[0].split())
    assert "One." in text and "Two." in text and "|" not in text


def test_cli_prints_a_draft(incident_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "brief",
            str(incident_csv),
            "--from",
            "2013-02-01",
            "--to",
            "2013-02-28",
            "--draft-judgements",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "Gao: 14 incidents" in out


def test_cli_needs_an_output(incident_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brief", str(incident_csv)]) == 2
    assert "--out" in capsys.readouterr().err
