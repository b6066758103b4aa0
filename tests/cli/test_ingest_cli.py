"""``python -m geo import`` and ``python -m geo extract``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geo.cli import main
from geo.io.audit import read_log
from geo.io.store import read_incidents

DATA = Path(__file__).resolve().parents[1] / "data"


def test_import_reports_added_duplicates_and_rejected(tmp_path, capsys):
    store = tmp_path / "incidents.csv"
    code = main(
        ["import", "--format", "acled", str(DATA / "ingest_acled.csv"), "--into", str(store)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "added: 3" in out and "skipped as duplicates: 0" in out and "rejected: 2" in out
    assert "row 5, column 'latitude': got 'sixteen'" in out
    side = Path(f"{store}.rejected.csv")
    assert pd.read_csv(side, dtype=str)["event_id_cnty"].tolist() == ["MLI9004", "MLI9005"]
    assert read_incidents(store)["origin_id"].tolist() == [
        "acled:MLI9001", "acled:MLI9002", "acled:MLI9003",
    ]  # fmt: skip

    # The same file again: nothing new, the duplicates named.
    code = main(
        ["import", "--format", "acled", str(DATA / "ingest_acled.csv"), "--into", str(store)]
    )
    out = capsys.readouterr().out
    assert "added: 0" in out and "skipped as duplicates: 3" in out
    assert "same source record (acled:MLI9001)" in out
    assert len(read_incidents(store)) == 3


def test_ucdp_import_into_a_store_with_acled_rows_skips_the_same_events(tmp_path, capsys):
    store = tmp_path / "incidents.csv"
    main(["import", "--format", "acled", str(DATA / "ingest_acled.csv"), "--into", str(store)])
    capsys.readouterr()
    code = main(["import", "--format", "ucdp", str(DATA / "ingest_ucdp.csv"), "--into", str(store),
                 "--rejected", str(tmp_path / "r.csv")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    # UCDP's Gao battle of 10 February is ACLED's MLI9003 (same day, town and type).
    assert "added: 2" in out and "skipped as duplicates: 1" in out and "rejected: 2" in out
    stored = read_incidents(store)
    # Numbered in the store's scheme, as the Ingest page numbers them: ids are
    # given before duplicates are matched, so the skipped Gao row used MLI9004.
    assert stored["event_id"].tolist()[-2:] == ["MLI9005", "MLI9006"]
    assert stored["fatalities_high"].tolist()[-2:] == [3, 4]


def test_a_command_line_import_is_in_the_audit_trail(tmp_path, capsys):
    store = tmp_path / "incidents.csv"
    code = main(
        ["import", "--format", "acled", str(DATA / "ingest_acled.csv"), "--into", str(store)]
    )
    capsys.readouterr()
    assert code == 0
    entries = read_log(store).entries
    assert [e.action for e in entries] == ["import"]
    assert entries[0].who.startswith("cli:")
    assert entries[0].source == "ingest_acled.csv"
    assert len(entries[0].event_ids) == 3
    assert set(read_incidents(store)["added_by"]) == {entries[0].who}


def test_import_usage_errors_exit_2(tmp_path, capsys):
    code = main(["import", "--format", "acled", "x.csv", "--mapping", "m.toml"])
    assert code == 2
    code = main(["import", "--format", "nope", "x.csv"])
    assert code == 2


def test_import_of_a_missing_file_exits_1(tmp_path, capsys):
    code = main(["import", "--format", "ucdp", str(tmp_path / "none.csv"), "--into",
                 str(tmp_path / "s.csv")])  # fmt: skip
    assert code == 1
    assert "file not found" in capsys.readouterr().err


def test_extract_json(capsys):
    code = main(["extract", str(DATA / "ingest_report.txt"), "--json"])
    assert code == 0
    records = json.loads(capsys.readouterr().out)
    menaka = records[0]
    assert menaka["location"] == "Ménaka"  # the report's "Menaka", as the gazetteer spells it
    assert [r["location"] for r in records[1:]] == ["Gao", "Adrar des Ifoghas"]
    assert menaka["event_date"] == "2013-03-05"
    assert menaka["fatalities"] == 7
    assert isinstance(menaka["unresolved"], list)


def test_extract_text_output_and_date_option(tmp_path, capsys):
    report = tmp_path / "r.txt"
    report.write_text(
        "On Friday, fighting erupted in Gao, killing three soldiers.", encoding="utf-8"
    )
    assert main(["extract", str(report), "--date", "2013-02-22"]) == 0
    out = capsys.readouterr().out
    assert "2013-02-22" in out and "Battles" in out and "fatalities: 3" in out
    assert "nothing was stored" in out
    assert main(["extract", str(report), "--date", "22/02/2013"]) == 2
