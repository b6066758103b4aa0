"""`validate` and `import` refuse points that are nowhere near their stated country."""

from __future__ import annotations

import pandas as pd

from geo.cli import main
from geo.io.placement import AT_SEA_COLUMN
from geo.io.store import read_incidents
from geo.reference.gazetteer import load_gazetteer
from tests.conftest import ROOT, make_rows

PARIS = (48.85341, 2.3488)  # GeoNames 2988507


def _place(name: str) -> tuple[float, float]:
    hit = load_gazetteer().lookup(name)
    assert hit is not None, name
    return hit.latitude, hit.longitude


def _rows() -> pd.DataFrame:
    gao = _place("Gao")
    cells = [
        {"latitude": gao[0], "longitude": gao[1]},
        {"latitude": PARIS[0], "longitude": PARIS[1]},
        {"latitude": gao[1], "longitude": gao[0], "admin1": ""},  # swapped
        {"latitude": _place("Tamanrasset")[0], "longitude": _place("Tamanrasset")[1],
         "iso3": "", "admin1": ""},
        {"latitude": 0.0, "longitude": -30.0, "country": "High seas", "iso3": "", "admin1": "",
         AT_SEA_COLUMN: "yes"},
    ]  # fmt: skip
    base = make_rows(1)[0]
    rows = [base | {k: str(v) for k, v in c.items()} | {"event_id": f"P{i}"} for i, c in
            enumerate(cells)]  # fmt: skip
    return pd.DataFrame(rows).fillna("")


def test_validate_names_every_misplaced_row(capsys, tmp_path):
    path = tmp_path / "placed.csv"
    _rows().to_csv(path, index=False)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.strip().splitlines()
    assert [line.split(", column")[0].rsplit("row ", 1)[1] for line in lines] == ["3", "4", "5"]
    assert all("not in Mali (MLI) nor within 10 km of it" in line for line in lines)
    assert "3 problem(s)" in err


def test_the_shipped_store_still_validates(capsys):
    assert main(["validate", str(ROOT / "data" / "incidents.csv")]) == 0


def test_import_rejects_the_misplaced_rows_and_keeps_the_rest(capsys, tmp_path):
    path = tmp_path / "placed.csv"
    _rows().to_csv(path, index=False)
    store = tmp_path / "incidents.csv"
    code = main(["import", "--format", "csv", str(path), "--into", str(store)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "added: 2" in out and "rejected: 3" in out
    assert "not in Mali (MLI)" in out
    assert sorted(read_incidents(store)["country"]) == ["High seas", "Mali"]
