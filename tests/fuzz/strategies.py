"""Hypothesis strategies for every input format the commands read.

Each strategy starts from a valid file (the test fixtures) and breaks it
the ways the fuzzing pass of issue 10 did: cells from pools of hostile
values (non-finite and huge numbers, dates outside pandas' range, formula
and Markdown payloads, control characters), then, now and then, the file's
structure (a repeated header, a row wider than the header, a missing
column, a byte-order mark, bytes that are not UTF-8, an empty file).
Strategies return the file's bytes, so a test writes them wherever it likes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from hypothesis import strategies as st

from geo.model.schema import COLUMNS, EVENT_TYPES
from tests.conftest import make_rows

DATA = Path(__file__).resolve().parents[1] / "data"

_LATE = (dt.date.today() + dt.timedelta(days=400)).isoformat()
NUMBERS = (
    "", " ", "0", "1", "3", "-1", "-5", "2.5", "1e20", "1e400", "-1e400", "inf", "-inf",
    "nan", "NaN", "99999999999999999999", "100000", "100001", "0x10", "1_000", "١٢", "½",
    "1,5", "+7", "  12  ",
)  # fmt: skip
DATES = (
    "2013-02-10", "2013-02-30", "1500-01-01", "1676-12-31", "2262-04-12", "2263-01-01",
    "9999-12-31", "0001-01-01", "1899-12-31", "1900-01-01", "22 February 2013",
    "10/02/2013", "2013-2-1", " 2013-02-10 ", "", _LATE, "2013-02-10T00:00:00", "０２",
)  # fmt: skip
TEXTS = (
    "", "=1+1", "+cmd", "-2+3", "@SUM(A1:A2)", "\t=1+1", " =HYPERLINK(\"http://x\")",
    "<img src=x onerror=alert(1)>", "![x](http://evil.example/x.png)", "[a](javascript:x)",
    "Ménaka", "Gao", "a,b", 'quote"inside', "line\nbreak", "nul\x00byte", "🙂", "x" * 2000,
    "${alert(1)}", "**bold**", ":material/home:",
)  # fmt: skip
COORDINATES = (
    "16.27", "-0.04", "1.4078", "200", "-200", "95", "-91", "181", "inf", "-inf", "nan", "",
    "abc", "0", "1e400", "18,44", "16.2717 ",
)  # fmt: skip
PRECISIONS = ("1", "2", "3", "0", "4", "1.0", "", "inf", "-1", "1e400")
COUNTRIES = (
    ("Mali", "MLI"), ("Algeria", "MLI"), ("Mali", "ZZZ"), ("Mali", "XYZ"), ("Niger", "NER"),
    ("", ""), ("Mali", "mli"), ("Atlantis", "MLI"), ("Mali", ""), ("Burkina Faso", "BFA"),
)  # fmt: skip

_POOLS: dict[str, tuple[str, ...]] = {
    "event_date": DATES,
    "time_precision": PRECISIONS,
    "geo_precision": PRECISIONS,
    "fatalities": NUMBERS,
    "latitude": COORDINATES,
    "longitude": COORDINATES,
    "event_type": (*EVENT_TYPES[:3], "Battle", "", "battles"),
    "event_id": ("", "T1", "GEO-000001", "GEO-999999", "=id", "T1 "),
}


def cell_for(column: str) -> st.SearchStrategy[str]:
    """Hostile values for one column: its own pool, the text pool, or any text."""
    own = _POOLS.get(column, ())
    choices = [st.sampled_from(TEXTS), st.text(max_size=12)]
    if own:
        choices.insert(0, st.sampled_from(own))
    return st.one_of(*choices)


@st.composite
def edited_rows(
    draw: st.DrawFn, base: list[dict[str, str]], columns: tuple[str, ...], max_rows: int = 5
) -> list[dict[str, str]]:
    """1..max_rows copies of base rows with a few cells replaced by hostile values."""
    n = draw(st.integers(1, max_rows))
    rows = [dict(base[i % len(base)]) for i in range(n)]
    for _ in range(draw(st.integers(0, 6))):
        column = draw(st.sampled_from(columns))
        rows[draw(st.integers(0, n - 1))][column] = draw(cell_for(column))
    if draw(st.integers(0, 4)) == 0:
        country, iso3 = draw(st.sampled_from(COUNTRIES))
        row = rows[draw(st.integers(0, n - 1))]
        if "iso3" in row:
            row.update(country=country, iso3=iso3)
    return rows


def to_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(c, "") for c in header] for row in rows])
    return buffer.getvalue()


STRUCTURES = (
    "none", "none", "none", "none", "repeat_header", "wide_row", "drop_column", "bom",
    "crlf", "empty", "header_only", "latin1", "garbage", "blank_lines", "shuffle",
)  # fmt: skip


@st.composite
def structured(draw: st.DrawFn, header: list[str], rows: list[dict[str, str]]) -> bytes:
    """The CSV of ``rows``, with its structure broken now and then."""
    kind = draw(st.sampled_from(STRUCTURES))
    header = list(header)
    if kind == "repeat_header":
        header.append(draw(st.sampled_from(header)))
    elif kind == "drop_column":
        header.remove(draw(st.sampled_from(header)))
    elif kind == "shuffle":
        header = draw(st.permutations(header))
    text = to_csv(header, rows)
    lines = text.splitlines(keepends=True)
    if kind == "wide_row" and len(lines) > 1:
        k = draw(st.integers(1, len(lines) - 1))
        lines[k] = lines[k].rstrip("\n") + ",stray\n"
        text = "".join(lines)
    elif kind == "blank_lines":
        text = "\n\n".join(lines)
    elif kind == "crlf":
        text = text.replace("\n", "\r\n")
    return _encoded(kind, text, draw(st.binary(max_size=64)))


def _encoded(kind: str, text: str, junk: bytes) -> bytes:
    if kind == "empty":
        return b""
    if kind == "header_only":
        return text.splitlines(keepends=True)[0].encode("utf-8")
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if kind == "latin1":
        return text.encode("latin-1", errors="replace") + "é".encode("latin-1")
    if kind == "garbage":
        return junk
    return text.encode("utf-8", errors="surrogatepass")


def _fixture_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def incident_csv() -> st.SearchStrategy[bytes]:
    """An incident file in the store's own layout."""
    base = make_rows(3)
    return edited_rows(base, COLUMNS).flatmap(lambda rows: structured(list(COLUMNS), rows))


ACLED_EDITS = (
    "event_date", "time_precision", "geo_precision", "fatalities", "latitude", "longitude",
    "iso", "country", "event_type", "sub_event_type", "event_id_cnty", "notes", "actor1",
)  # fmt: skip
_POOLS["iso"] = ("466", "1e400", "inf", "", "abc", "99999999999999999999", "-1", "466.0", "12")
_POOLS["event_id_cnty"] = ("", "MLI9001", "MLI9001", "=x")


def acled_csv() -> st.SearchStrategy[bytes]:
    header, base = _fixture_rows("ingest_acled.csv")
    return edited_rows(base, ACLED_EDITS).flatmap(lambda rows: structured(header, rows))


UCDP_EDITS = (
    "id", "date_start", "date_prec", "where_prec", "type_of_violence", "best", "low", "high",
    "latitude", "longitude", "country", "side_a", "side_b", "where_coordinates",
)  # fmt: skip
_POOLS.update(
    date_start=(*DATES, "2013-02-10 00:00:00.000", "9999-01-01 00:00:00.000"),
    date_prec=PRECISIONS + ("5",),
    where_prec=PRECISIONS + ("6", "7"),
    type_of_violence=PRECISIONS,
    best=NUMBERS,
    low=NUMBERS,
    high=NUMBERS,
)


def ucdp_csv() -> st.SearchStrategy[bytes]:
    header, base = _fixture_rows("ingest_ucdp.csv")
    return edited_rows(base, UCDP_EDITS).flatmap(lambda rows: structured(header, rows))


PARTNER_EDITS = ("Ref", "Date", "Town", "Lat", "Lon", "Kind", "Detail", "Killed", "Who")
_POOLS.update(
    Date=DATES + ("21/02/2013", "31/02/2013", "01/01/1500"),
    Killed=NUMBERS,
    Lat=COORDINATES,
    Lon=COORDINATES,
    Ref=("P-1", "", "P-1", "=x"),
)

MAPPINGS = (
    (DATA / "ingest_partner_mapping.toml").read_text(encoding="utf-8"),
    "",
    "[columns\nbroken",
    '[columns]\nnot_a_column = "Date"\n',
    '[columns]\nevent_date = "NoSuchColumn"\n',
    '[columns]\nevent_date = 5\n',
    "columns = 3\n",
    '[options]\ndate_formats = "%d/%m/%Y"\n',
    '[options]\ndate_formats = ["%Q", "%d/%m/%Y"]\n[columns]\nevent_date = "Date"\n',
    '[options]\nbogus = 1\n',
    '[options]\norigin = "p"\nid_column = "Nope"\n',
    '[columns]\n"![m](http://evil.example/m.png)" = "Date"\n',
    '[defaults]\nfatalities = 1e400\ncountry = "Mali"\niso3 = "DZA"\n',
)  # fmt: skip


@st.composite
def mapped_csv(draw: st.DrawFn) -> tuple[bytes, str]:
    """A partner spreadsheet and a column mapping for it, either broken now and then."""
    header, base = _fixture_rows("ingest_partner.csv")
    rows = draw(edited_rows(base, PARTNER_EDITS))
    mapping = draw(st.sampled_from(MAPPINGS))
    if draw(st.integers(0, 5)) == 0:
        mapping = draw(st.text(max_size=80))
    return draw(structured(header, rows)), mapping


GEOMETRIES = (
    '{"type": "Point", "coordinates": [-0.0447, 16.2717]}',
    '{"type": "Point", "coordinates": [1.0119, 20.2013]}',
    '{"type": "Point", "coordinates": [NaN, Infinity]}',
    '{"type": "Point", "coordinates": [-Infinity, 16.2]}',
    '{"type": "Point", "coordinates": [1.0]}',
    '{"type": "Point", "coordinates": []}',
    '{"type": "Point", "coordinates": "1,2"}',
    '{"type": "Point", "coordinates": [1e400, 2]}',
    '{"type": "Point", "coordinates": [200, 95]}',
    '{"type": "Point", "coordinates": [[1, 2], [3, 4]]}',
    '{"type": "Polygon", "coordinates": [[[0, 18], [2, 18], [2, 20], [0, 18]]]}',
    '{"type": "Point"}',
    "null",
    '"Point"',
    "[1, 2]",
    '{"type": "Point", "coordinates": [true, false]}',
    '{"type": "Point", "coordinates": [123456789012345678901234567890, 1]}',
)  # fmt: skip
_GEOJSON_WRAPPERS = (
    '{"type": "FeatureCollection", "features": [%s]}',
    '{"type": "FeatureCollection", "features": [%s]}',
    '{"type": "FeatureCollection", "features": [%s]}',
    '{"type": "FeatureCollection", "features": {"a": [%s]}}',
    "[%s]",
    '{"type": "FeatureCollection", "features": [%s, 1, "x", null]}',
    '{"type": "FeatureCollection", "features": [%s',
)  # fmt: skip


@st.composite
def geojson(draw: st.DrawFn) -> bytes:
    """A GeoJSON FeatureCollection of incident points, with broken geometries and members."""
    rows = draw(edited_rows(make_rows(3), COLUMNS))
    features = []
    for row in rows:
        props = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        if draw(st.integers(0, 6)) == 0:
            props = draw(st.sampled_from(([1, 2], "text", None, {"latitude": "inf"})))
        geometry = draw(st.sampled_from(GEOMETRIES))
        props_text = json.dumps(props, ensure_ascii=draw(st.booleans()))
        features.append(
            f'{{"type": "Feature", "geometry": {geometry}, "properties": {props_text}}}'
        )
    wrapper = draw(st.sampled_from(_GEOJSON_WRAPPERS))
    if draw(st.integers(0, 30)) == 0:
        return b"[" * 50_000 + b"]" * 50_000
    return wrapper.replace("%s", ", ".join(features)).encode("utf-8")


SENTENCES = (
    "On Tuesday, seven people died when a suicide car bomb struck a checkpoint in Menaka.",
    "A roadside bomb exploded on Sunday near Gao, killing 1e400 soldiers.",
    "Clashes erupted in the Ifoghas mountains on 2 March, leaving 99999999999999999999 dead.",
    "GAO (9999-12-31) - Gunmen attacked a market in Gao on 31 February 9999.",
    "MOPTI, 0001-01-01: an attack near Sevare killed two.",
    "In 99999999999 days an attack in Kidal killed three soldiers.",
    "Sahel Watch (6 March 2013)",
    "Attaque à Ménaka le 3 février 2013 : douze morts.",
    "=HYPERLINK(\"http://x\") killed four in Timbuktu on 1 January 2013.",
    "",
)  # fmt: skip


@st.composite
def report(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Report prose (short: extraction speed is another test's subject) and --date options."""
    parts = draw(
        st.lists(
            st.one_of(st.sampled_from(SENTENCES), st.text(max_size=60)), min_size=1, max_size=6
        )
    )
    date = draw(
        st.sampled_from(
            (None, "2013-03-06", "0001-01-01", "9999-12-31", "2013-02-30", "abc", "1900-01-01")
        )
    )
    return "\n\n".join(parts), ([] if date is None else ["--date", date])


GAZETTEERS = (
    "",
    '"unterminated\n',
    "name,latitude,longitude\nFixture Well,18.45,2.48\n",
    "name,latitude,longitude\nX,abc,1\n",
    "name,latitude,longitude\nX,1e400,inf\n",
    "a,b\n1,2\n",
    "name,latitude,longitude\n",
    "name,name,latitude,longitude\nX,Y,1,2\n",
    "name,latitude,longitude\nX,1,2,3,4\n",
)


@st.composite
def geocode_args(draw: st.DrawFn) -> tuple[list[str], str | None]:
    """geocode options (name, hints) and, sometimes, a user gazetteer's content."""
    names = ("Gao", "Ménaka", "Fixture Well", "Tessalit", "", "=1+1", "   ", "Kidal")
    name = draw(st.one_of(st.sampled_from(names), st.text(max_size=30)))
    argv = ["geocode", name]
    if draw(st.booleans()):
        argv += ["--country", draw(st.sampled_from(("ML", "MLI", "Mali", "XX", "Atlantis", "")))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--admin1", draw(st.text(max_size=12))]
    if draw(st.booleans()):
        argv.append("--json")
    gazetteer = draw(st.one_of(st.none(), st.sampled_from(GAZETTEERS)))
    return argv, gazetteer
