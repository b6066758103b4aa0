"""``python -m geo evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

from geo.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "eval"


def _corpus(folder: Path) -> Path:
    (folder / "gao.txt").write_text(
        "GAO, Mali (wire) - Gunmen attacked an army post in Gao on Tuesday, "
        "killing three soldiers, the army said.\n",
        encoding="utf-8",
    )
    key = {
        "reports": {
            "gao.txt": {
                "post_date": "2013-02-20",
                "incidents": [
                    {
                        "id": "g-1",
                        "date": "2013-02-19",
                        "where": {
                            "lat": 16.27167,
                            "lon": -0.04472,
                            "km": 10,
                            "source": {"geonameid": 2457163},
                        },
                        "event_type": "Battles",
                        "sub_event_type": "Armed clash",
                        "fatalities": [3, 3],
                    },
                    {
                        "id": "g-2",
                        "date": "2013-02-18",
                        "where": {"iso3": "MLI", "area": "Kidal", "source": {"layer": "x"}},
                        "event_type": "Protests",
                        "fatalities": [0, 0],
                    },
                ],
            }
        }
    }
    (folder / "key.json").write_text(json.dumps(key), encoding="utf-8")
    return folder


def test_evaluate_prints_figures_and_misses(tmp_path, capsys):
    code = main(["evaluate", str(_corpus(tmp_path)), "--verbose"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 report(s), 2 key incident(s)" in out
    assert "found: 1/2 (50.0%)" in out
    assert "gao.txt: 1/2 found" in out
    assert "gao.txt [g-2] missed: no candidate on 2013-02-18" in out


def test_evaluate_json(tmp_path, capsys):
    code = main(["evaluate", str(_corpus(tmp_path)), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (data["incidents"], data["found"]) == (2, 1)
    assert data["per_report"][0]["report"] == "gao.txt"
    assert {m["incident"] for m in data["misses"]} >= {"g-2"}


def test_evaluate_shipped_corpus_runs(capsys):
    # The score is not asserted: other work raises it.
    assert main(["evaluate", str(CORPUS), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reports"] >= 40 and 0 <= data["found"] <= data["incidents"]


def test_evaluate_usage_and_data_errors(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nowhere")]) == 2
    assert "corpus folder not found" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path)]) == 1
    assert "no key file" in capsys.readouterr().err
    _corpus(tmp_path)
    assert main(["evaluate", str(tmp_path), "--report", "other.txt"]) == 1
    assert "not in the key: other.txt" in capsys.readouterr().err
