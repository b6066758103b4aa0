"""CSV written for people never carries a live spreadsheet formula (issue 10, OWASP).

Text cells starting with ``= + - @``, a tab or a carriage return get a
leading single quote in the Incidents page's download, ``join`` output and
``risk --format csv``; numbers (a negative longitude) are left alone, and the
store and ACLED imports keep every cell exactly as given.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.io import export, store
from geo.io.ingest import import_file
from geo.model.schema import COLUMNS
from tests.conftest import ROOT, make_rows

DATA = ROOT / "tests" / "data"
PAYLOADS = (
    '=HYPERLINK("http://x.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
)


def _live(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_neutralise_prefixes_text_cells_and_leaves_numbers():
    frame = pd.DataFrame(
        {
            "notes": pd.Series([*PAYLOADS, "plain", None], dtype="string"),
            "mixed": pd.Series([*PAYLOADS, -5.0, None], dtype=object),
            "longitude": [-0.04] * 8,
            "fatalities": pd.Series([-1] * 8, dtype="Int64"),
        }
    )
    out = export.neutralise_formulas(frame)
    assert out["notes"].tolist()[:6] == ["'" + p for p in PAYLOADS]
    assert out["notes"].tolist()[6] == "plain" and pd.isna(out["notes"].iloc[7])
    assert out["mixed"].tolist()[6] == -5.0  # a number in a text column stays a number
    assert out["longitude"].tolist() == frame["longitude"].tolist()
    assert out["fatalities"].tolist() == frame["fatalities"].tolist()
    assert frame["notes"].iloc[0] == PAYLOADS[0]  # the input is not changed


def _frame_with_payloads() -> pd.DataFrame:
    rows = make_rows(len(PAYLOADS))
    for row, payload in zip(rows, PAYLOADS, strict=True):
        # Every point at Gao: the longitude is the one the outputs are checked for,
        # and a point must lie in its stated country (geo.io.placement).
        row.update(notes=payload, actor2=payload, latitude="16.2717", longitude="-0.0447")
    return store.coerce_frame(pd.DataFrame(rows, columns=list(COLUMNS)))


def test_the_incidents_download_neutralises_formulas_but_not_negative_numbers():
    table = export.incidents_table(_frame_with_payloads())
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(table)), dtype=str, keep_default_na=False)
    for column in ("notes", "actor2"):
        assert not any(_live(v) for v in back[column]), back[column].tolist()
        # The typed frame holds stripped cells: "\t=1+1" is "=1+1" there, live unless quoted.
        assert sorted(v[1:] for v in back[column]) == sorted(p.strip() for p in PAYLOADS)
    assert set(back["longitude"]) == {"-0.0447"}


def test_the_store_and_an_acled_import_keep_the_cells_exactly(tmp_path):
    target = tmp_path / "s.csv"
    store.write_incidents(_frame_with_payloads(), target)
    stored = store.read_raw(target)
    # The store strips cells, as it always has; the text after the blank is kept.
    assert sorted(stored["notes"]) == sorted(p.strip() for p in PAYLOADS)

    with open(DATA / "ingest_acled.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["notes"] = PAYLOADS[0]
    rows[0]["actor2"] = "@cmd"
    acled = tmp_path / "acled.csv"
    with open(acled, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = import_file(acled, "acled")
    store.append_incidents(result.frame, target, file=str(acled), source_rows=result.source_rows)
    kept = store.read_raw(target).set_index("event_id").loc["MLI9001"]
    assert kept["notes"] == PAYLOADS[0] and kept["actor2"] == "@cmd"


@pytest.fixture
def payload_csv(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.csv"
    store.write_incidents(_frame_with_payloads(), path)
    return path


def test_join_out_and_standard_output_neutralise_formulas(capsys, tmp_path, payload_csv):
    out = tmp_path / "joined.csv"
    assert main(["join", str(payload_csv), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["join", str(payload_csv)]) == 0
    printed = capsys.readouterr().out
    for text in (out.read_text(encoding="utf-8"), printed):
        back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        assert not any(
            _live(v)
            for column in back.columns
            for v in back[column]
            if column not in ("longitude", "latitude")
        )
        assert set(back["longitude"]) == {"-0.0447"}


def test_risk_csv_neutralises_formulas(capsys, tmp_path):
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "area,level,reason,set_by,set_on,expires\n"
        'North,High,"=HYPERLINK(""http://x.example"")",@analyst,2013-02-01,2013-06-01\n',
        encoding="utf-8",
    )
    argv = [
        "risk",
        str(DATA / "risk_incidents.csv"),
        "--boundaries",
        str(DATA / "risk_areas.geojson"),
        "--name-field",
        "name",
        "--code-field",
        "code",
        "--overrides",
        str(overrides),
        "--as-of",
        "2013-02-28",
        "--format",
        "csv",
    ]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    back = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    north = back.set_index("area").loc["North"]
    assert north["override_reason"].startswith("'=HYPERLINK")
    assert north["override_set_by"] == "'@analyst"
