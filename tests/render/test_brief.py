"""Tests for geo.render.brief and the ``brief`` command.

The fixture is a made-up world in the South Atlantic, where there is no
land: "Testland" (XTS) with four admin-1 boxes and "Otherland" (XOT) east of
it, with their border line; their codes come from ISO 3166's range for user
codes (XA-XZ), which validation accepts as no real country's. Incidents
are in tests/data/brief_incidents.csv (fictional places, already joined to
the boxes); the risk table is written by hand, so the expected colours are
known without running the risk model.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import LineString, box

from geo.analysis.filters import FilterState
from geo.cli import main
from geo.io import store
from geo.render import brief, style
from geo.render.brief.page import Page
from geo.render.brief.tables import trend_cell

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
FEB = FilterState(dt.date(2013, 2, 1), dt.date(2013, 2, 28))
PINNED = dt.datetime(2024, 5, 1, 9, 30)

# Level of each fixture area. Elevated is deliberately absent.
LEVELS = {"TS-NW": "Extreme", "TS-NE": "High", "TS-SW": "Moderate", "TS-SE": "Low"}


@pytest.fixture(scope="module")
def world() -> dict[str, object]:
    areas = gpd.GeoDataFrame(
        {
            "area": ["North-West", "North-East", "South-West", "South-East", "Border Area"],
            "area_code": ["TS-NW", "TS-NE", "TS-SW", "TS-SE", "OT-1"],
            "iso3": ["XTS", "XTS", "XTS", "XTS", "XOT"],
        },
        geometry=[
            box(-30, 15, -25, 20),
            box(-25, 15, -20, 20),
            box(-30, 10, -25, 15),
            box(-25, 10, -20, 15),
            box(-20, 10, -14, 20),
        ],
        crs="EPSG:4326",
    )
    admin0 = gpd.GeoDataFrame(
        {"iso3": ["XTS", "XOT"], "name": ["Testland", "Otherland"]},
        geometry=[box(-30, 10, -20, 20), box(-20, 10, -14, 20)],
        crs="EPSG:4326",
    )
    borders = gpd.GeoDataFrame(
        {"neighbour_iso3": ["XOT"], "neighbour_name": ["Otherland"]},
        geometry=[LineString([(-20, 10), (-20, 20)])],
        crs="EPSG:4326",
    )
    towns = pd.DataFrame(
        {
            "name": ["Alpha", "Charlie", "Delta", "Golf", "Hotel"],
            "latitude": [17.3, 16.5, 12.4, 14.0, 13.0],
            "longitude": [-27.4, -22.4, -26.8, -24.0, -17.0],
            "population": [120_000, 40_000, 60_000, 20_000, 80_000],
            "iso3": ["XTS", "XTS", "XTS", "XTS", "XOT"],
        }
    )
    score = {"TS-NW": 82.0, "TS-NE": 64.0, "TS-SW": 22.0, "TS-SE": 3.0, "OT-1": 0.0}
    risk = areas[["area", "area_code", "iso3"]].copy()
    risk["score"] = risk["area_code"].map(score)
    risk["level"] = risk["area_code"].map(LEVELS).fillna("Low")
    risk["final_level"] = risk["level"]
    risk["trend"] = ["Large increase", "Large decrease", "Limited change", "Limited change", ""]
    risk["trend_pct"] = [150.0, -40.0, 0.0, np.nan, np.nan]
    risk = pd.DataFrame(risk).sort_values("score", ascending=False)
    joined = store.read_incidents(DATA / "brief_incidents.csv")
    return {
        "joined": joined,
        "areas": areas,
        "admin0": admin0,
        "borders": borders,
        "towns": towns,
        "risk": risk,
    }


def render(world: dict[str, object], state: FilterState = FEB, **kw: object) -> bytes:
    args = {k: world[k] for k in ("risk", "areas", "borders", "admin0", "towns")}
    args |= {"generated_at": PINNED}
    args |= kw
    return brief.render_brief(world["joined"], state, **args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def png(world: dict[str, object]) -> bytes:
    return render(world)


@pytest.fixture(scope="module")
def pdf(world: dict[str, object]) -> bytes:
    return render(world, fmt="pdf")


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def count_colour(img: np.ndarray, hex_colour: str) -> int:
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return int(np.all(img == rgb, axis=-1).sum())


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """The first page's text (the map page)."""
    return pdf_pages(data)[0]


def test_png_is_slide_sized_and_not_blank(png: bytes) -> None:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = pixels(png)
    height, width, _ = img.shape
    assert width >= 1600 and width / height == pytest.approx(16 / 9, rel=0.01)
    non_white = np.any(img < 245, axis=-1).mean()
    assert non_white > 0.3
    distinct = len(np.unique(img.reshape(-1, 3), axis=0))
    assert distinct > 500


def test_png_shows_the_levels_present_as_large_flat_fills(png: bytes) -> None:
    img = pixels(png)
    # A fixture area fills about a tenth of the map; a legend swatch is far
    # smaller, so only real shading passes the first threshold.
    for level in LEVELS.values():
        assert count_colour(img, style.LEVEL_COLOURS[level]) > 20_000, level
    assert count_colour(img, style.LEVEL_COLOURS["Elevated"]) < 5_000
    # Otherland has no incidents: not assessed, not shaded "Low".
    assert count_colour(img, brief.NOT_ASSESSED_COLOUR) > 20_000


def test_png_shows_borders_and_event_types(png: bytes, world: dict[str, object]) -> None:
    img = pixels(png)
    assert count_colour(img, style.BORDER_COLOUR) > 150
    for etype in ("Battles", "Explosions/Remote violence", "Violence against civilians"):
        assert count_colour(img, style.EVENT_TYPE_COLOURS[etype]) > 50, etype
    # Riots are not in the data: at most stray antialiasing matches.
    assert count_colour(img, style.EVENT_TYPE_COLOURS["Riots"]) < 20


def test_pdf_is_a4_landscape_pages_with_real_text(pdf: bytes) -> None:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595)
    text = pdf_text(pdf)
    assert "Security briefing: Testland" in text
    assert "February 2013" in text
    assert "14 incidents, 107 fatalities" in text
    assert "Highest-risk areas" in text and "North-West" in text
    # Without judgements, the space under the map lists the deadliest.
    assert "Key incidents (" in text
    assert "GeoNames (CC BY 4.0)" in text
    assert "Fixture report A; Fixture report B; Fixture report C" in text
    assert "Fixture report Z" not in text  # only sources of the period's rows
    listing = "\n".join(pdf_pages(pdf)[1:])
    # The incident pages: every incident of the period, date, note and source.
    assert "Incidents in the period" in listing
    assert "2 Feb 2013" in listing and "Heavy fighting around Alpha for two days." in listing
    assert "Suicide bomb" in listing
    assert len(re.findall(r"\d{1,2} Feb 2013", listing)) == 14


def test_long_descriptions_wrap_and_flow_to_more_pages(world: dict[str, object]) -> None:
    joined = world["joined"]
    assert isinstance(joined, pd.DataFrame)
    long_note = " ".join(f"word{i}" for i in range(120)) + " END-OF-NOTE"
    data = dict(world, joined=joined.assign(notes=long_note))
    pages = pdf_pages(render(data, fmt="pdf"))
    listing = "\n".join(pages[1:])
    # Nothing is cut: every note is printed to its last word, over 2+ pages.
    assert listing.count("END-OF-NOTE") == 14
    assert "…" not in listing
    assert len(pages) >= 3 and "Incidents in the period (continued)" in listing
    assert all(f"Page {i} of {len(pages)}" in page for i, page in enumerate(pages, start=1))


def test_judgements_marking_author_and_coverage_are_printed(world: dict[str, object]) -> None:
    data = render(
        world,
        fmt="pdf",
        judgements=["North-West is the epicentre.", "  ", "- Expect more attacks on Alpha."],
        marking="TLP:AMBER",
        author="Desk analyst",
    )
    pages = pdf_pages(data)
    text = " ".join(pages[0].split())  # lines wrapped on the page read as one
    assert "Key judgements" in text and "Key incidents (" not in text
    assert "North-West is the epicentre." in text
    assert "Expect more attacks on Alpha." in text and "- Expect" not in text
    assert "Prepared by Desk analyst" in text
    assert "14 reported incidents from 3 distinct sources" in text
    assert "reported and coded, not of all that happened" in text
    # The marking is at the top and the bottom of every page.
    assert all(page.count("TLP:AMBER") == 2 for page in pages)
    assert render(world, fmt="pdf", judgements=["x"]) != data


def test_override_reasons_are_printed_beside_the_asterisk(world: dict[str, object]) -> None:
    risk = world["risk"]
    assert isinstance(risk, pd.DataFrame)
    ne = risk["area_code"] == "TS-NE"
    risk = risk.assign(
        final_level=risk["final_level"].where(~ne, "Extreme"),
        override_reason=np.where(ne, "Convoy ambushes reported by the field team.", ""),
    )
    text = " ".join(pdf_text(render(world, fmt="pdf", risk=risk)).split())
    assert "High *" not in text and "Extreme *" in text
    assert "North-East: Extreme (analyst), computed High 64." in text
    assert "Convoy ambushes reported by the field team." in text


def test_pdf_text_is_at_least_8_pt(
    world: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[float] = []
    original = Page.text

    def record(self: Page, x: float, y: float, s: str, size: float, **k: object) -> object:
        sizes.append(size)
        return original(self, x, y, s, size, **k)

    monkeypatch.setattr(Page, "text", record)
    render(world, fmt="pdf", judgements=["One."], marking="TLP:GREEN", author="A")
    assert min(sizes) >= 8.0


def test_report_text_is_printed_literally_not_as_math(pdf: bytes) -> None:
    text = "\n".join(pdf_pages(pdf))
    assert "$5,000" in text
    assert "$x^2$" in text


def test_key_incidents_are_the_deadliest_in_date_order(world: dict[str, object]) -> None:
    from geo.analysis.filters import apply_filters

    filtered = apply_filters(world["joined"], FEB)  # type: ignore[arg-type]
    key = brief.key_incidents(filtered)
    assert len(key) == brief.MAX_KEY_INCIDENTS
    # The two protests (0 deaths) are the least deadly of the 14 and drop out.
    assert set(filtered["event_id"]) - set(key["event_id"]) == {"B06", "B11"}
    assert key["event_date"].is_monotonic_increasing
    few = brief.key_incidents(filtered, limit=3)
    assert few["event_id"].tolist() == ["B01", "B02", "B07"]


def _printed(world: dict[str, object], monkeypatch: pytest.MonkeyPatch, **kw: object) -> list[str]:
    """Every string the briefing prints on its page, in drawing order."""
    printed: list[str] = []
    original = Page.text

    def record(self: Page, x: float, y: float, s: str, size: float, **k: object) -> object:
        printed.append(s)
        return original(self, x, y, s, size, **k)

    monkeypatch.setattr(Page, "text", record)
    render(world, **kw)
    return printed


def test_trends_use_the_risk_module_words(pdf: bytes) -> None:
    # One vocabulary with the risk table: ACLED's classes, never "stable".
    text = pdf_text(pdf)
    assert "Large increase" in text and "Large decrease" in text and "Limited change" in text
    assert "stable" not in text
    assert trend_cell("Moderate increase", 12.0)[0] == "▲ Moderate increase"
    assert trend_cell("", 30.0)[0] == "▲ Large increase"
    assert trend_cell("", -5.0)[0] == "Limited change"
    assert trend_cell(None, np.nan)[0] == "–"


def test_slide_list_says_how_many_of_the_period_it_shows(
    world: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = _printed(world, monkeypatch)
    # 14 incidents in February, more than fit beside the map: the heading says
    # how many of them the list shows, and it shows that many.
    headings = [s for s in printed if s.startswith("Key incidents (")]
    assert len(headings) == 1
    match = re.fullmatch(r"Key incidents \((\d+) deadliest of 14\)", headings[0])
    assert match is not None
    shown = int(match.group(1))
    assert 2 <= shown <= brief.MAX_SLIDE_INCIDENTS
    after = printed[printed.index(headings[0]) + 1 :]
    assert sum(bool(re.fullmatch(r"\d{1,2} Feb", s)) for s in after) == shown


def test_slide_list_shows_every_incident_when_they_fit(
    world: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short period whose incidents all fit beside the map: every one is
    # listed, under a plain heading (Mali's February 2013 lost its sixth).
    from geo.analysis.filters import apply_filters

    joined = world["joined"]
    assert isinstance(joined, pd.DataFrame)
    kept = brief.key_incidents(apply_filters(joined, FEB), limit=4)
    small = {**world, "joined": joined[joined["event_id"].isin(kept["event_id"])]}
    printed = _printed(small, monkeypatch)
    assert "Key incidents" in printed
    after = printed[printed.index("Key incidents") + 1 :]
    days = [s for s in after if re.fullmatch(r"\d{1,2} Feb", s)]
    assert days == [f"{d.day} Feb" for d in kept["event_date"]]


def test_same_inputs_give_identical_bytes(world: dict[str, object], png: bytes, pdf: bytes) -> None:
    assert render(world) == png
    assert render(world, fmt="pdf") == pdf
    later = render(world, generated_at=dt.datetime(2024, 5, 2, 9, 30))
    assert later != png


def test_png_has_no_timestamp_or_software_metadata(png: bytes) -> None:
    info = Image.open(io.BytesIO(png)).info
    assert not any(k.lower() in {"software", "creation time", "date"} for k in info)


def test_empty_period_renders_and_says_so(world: dict[str, object]) -> None:
    empty = FilterState(dt.date(2014, 1, 1), dt.date(2014, 1, 31))
    pages = pdf_pages(render(world, empty, fmt="pdf"))
    assert "0 incidents, 0 fatalities" in pages[0]
    assert "No incidents match the filters" in pages[1]


def test_filters_and_far_incidents_are_stated(world: dict[str, object]) -> None:
    joined = world["joined"]
    far = joined[joined["event_id"] == "B01"].assign(
        event_id="FAR1", latitude=45.0, longitude=60.0, iso3="FAR", country="Farland"
    )
    data = dict(world, joined=pd.concat([joined, far], ignore_index=True))
    state = FilterState(FEB.date_from, FEB.date_to, event_types=("Battles",))
    text = pdf_text(render(data, state, fmt="pdf"))
    assert "event types: Battles" in text
    assert "Not in this briefing: 1 incident of the period elsewhere (Farland 1)" in text


def test_many_incidents_are_counted_per_cell(world: dict[str, object]) -> None:
    from geo.io.synthetic import synthetic_incidents

    n = brief.DENSE_THRESHOLD + 500
    syn = synthetic_incidents(
        n, seed=1, bounds=(-29.9, 10.1, -20.1, 19.9), start="2013-02-01", days=28
    )
    north, west = syn["latitude"] >= 15, syn["longitude"] < -25
    code = np.select([north & west, north, west], ["TS-NW", "TS-NE", "TS-SW"], "TS-SE")
    names = {
        "TS-NW": "North-West",
        "TS-NE": "North-East",
        "TS-SW": "South-West",
        "TS-SE": "South-East",
    }
    syn = syn.assign(
        iso3="XTS",
        country="Testland",
        area_code=code,
        area_iso3="XTS",
        area=pd.Series(code).map(names).to_numpy(),
    )
    pages = pdf_pages(render(dict(world, joined=syn), fmt="pdf"))
    text = pages[0]
    assert f"{n:,} incidents" in text
    assert "Incidents per" in text and "km cell" in text
    assert f"the {brief.MAX_LISTED_INCIDENTS} deadliest of {n:,}" in pages[1]


def test_bad_arguments_are_refused(world: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="fmt"):
        render(world, fmt="jpg")
    with pytest.raises(ValueError, match="1600"):
        render(world, dpi=72)
    with pytest.raises(ValueError, match="event_date"):
        brief.render_brief(world["joined"].drop(columns="event_date"), FEB)  # type: ignore[union-attr]


def test_risk_is_computed_when_not_given(world: dict[str, object]) -> None:
    args = {k: world[k] for k in ("areas", "borders", "admin0", "towns")}
    data = brief.render_brief(world["joined"], FEB, generated_at=PINNED, **args)  # type: ignore[arg-type]
    img = pixels(data)
    assert img.shape[1] >= 1600
    # Whatever levels the model gives, the shaded areas use the level ramp.
    assert sum(count_colour(img, c) for c in style.LEVEL_COLOURS.values()) > 50_000


# --------------------------------------------------------------------------
# Command line


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2013-02-30"], "not a date"),
        (["--from", "2013-03-01", "--to", "2013-02-01"], "after --to"),
        (["--country", "Narnia"], "not a country"),
        (["--event-type", "Skirmish"], "expected one of"),
        (["--window-days", "0"], "window-days"),
        (["--dpi", "50"], "--dpi"),
    ],
)
def test_cli_user_mistakes_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A copy: the command keeps a prepared copy beside the CSV it reads, and
    # tests must not write into the checkout.
    csv = tmp_path / "incidents.csv"
    csv.write_bytes((DATA / "brief_incidents.csv").read_bytes())
    code, err = run(["brief", str(csv), *args, "--out", str(tmp_path / "b.png")], capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_cli_output_name_and_folder_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["brief", "--out", str(tmp_path / "b.jpg")], capsys)
    assert code == 2 and ".png or .pdf" in err
    code, err = run(["brief", "--out", str(tmp_path / "nowhere" / "b.png")], capsys)
    assert code == 2 and "does not exist" in err


def test_cli_bad_data_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(
        ["brief", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "b.png")], capsys
    )
    assert code == 1 and "file not found" in err
    bad = tmp_path / "bad.csv"
    text = (DATA / "brief_incidents.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("2013-02-02", "2013-02-31"), encoding="utf-8")
    code, err = run(["brief", str(bad), "--out", str(tmp_path / "b.png")], capsys)
    assert code == 1 and "row 2" in err and "event_date" in err


def _shipped_layers_present() -> bool:
    names = ("admin1.geojson", "admin0.geojson", "borders.geojson")
    return (
        all((ROOT / "data" / "boundaries" / n).exists() for n in names)
        and (ROOT / "data" / "gazetteer" / "places.parquet").exists()
    )


def test_cli_renders_png_and_pdf_with_the_shipped_layers(
    incident_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    # The layers ship with the project: without them this is a broken checkout.
    assert _shipped_layers_present(), "shipped boundary/gazetteer data absent under data/"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714555800")
    out = tmp_path / "brief.png"
    code = main(
        [
            "brief",
            str(incident_csv),
            "--from",
            "2013-02-01",
            "--to",
            "2013-02-28",
            "--country",
            "ML",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert pixels(out.read_bytes()).shape[1] >= 1600
    pdf_out = tmp_path / "brief.pdf"
    assert (
        main(
            [
                "brief",
                str(incident_csv),
                "--from",
                "2013-02-01",
                "--to",
                "2013-02-28",
                "--country",
                "mali",
                "--out",
                str(pdf_out),
            ]
        )
        == 0
    )
    text = pdf_text(pdf_out.read_bytes())
    assert "Security briefing: Mali" in text
    assert "Generated 1 May 2024 09:30 UTC" in text
