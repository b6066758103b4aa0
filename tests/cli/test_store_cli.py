"""``python -m geo store``: migrate between the CSV file and PostGIS and back, losslessly."""

from __future__ import annotations

import shutil

import pytest

from geo import cli, config
from geo.io import store


def test_the_shipped_store_round_trips_through_postgis_byte_for_byte(
    tmp_path, postgis_url, pg_schema, capsys
):
    back = tmp_path / "back.csv"
    assert cli.main(["store", "migrate", "--from", str(config.INCIDENTS_CSV),
                     "--to", postgis_url, "--schema", pg_schema]) == 0  # fmt: skip
    assert "19 incident(s) copied" in capsys.readouterr().out
    assert cli.main(["store", "migrate", "--from", postgis_url, "--to", str(back),
                     "--schema", pg_schema]) == 0  # fmt: skip
    assert back.read_bytes() == config.INCIDENTS_CSV.read_bytes()


def test_extra_columns_and_their_order_survive_the_round_trip(
    tmp_path, postgis_url, pg_schema, incident_csv
):
    raw = store.read_raw(incident_csv)
    # An audit column, an optional one and a user's own, before a schema column.
    raw.insert(3, "added_by", ["ana", "", "bo"])
    raw["origin_id"] = ["acled:1", "", "acled:3"]
    raw["my_note"] = ['a, quoted "cell"', "", "line\nbreak"]
    source = tmp_path / "source.csv"
    source.write_text(raw.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    back = tmp_path / "back.csv"
    for src, dst in ((str(source), postgis_url), (postgis_url, str(back))):
        assert cli.main(["store", "migrate", "--from", src, "--to", dst,
                         "--schema", pg_schema]) == 0  # fmt: skip
    assert back.read_bytes() == source.read_bytes()


def test_a_target_with_incidents_is_kept_unless_replace_is_given(
    tmp_path, postgis_url, pg_schema, incident_csv, capsys
):
    target = tmp_path / "target.csv"
    shutil.copy(config.INCIDENTS_CSV, target)
    before = target.read_bytes()
    assert cli.main(["store", "migrate", "--from", str(incident_csv), "--to", str(target)]) == 2
    assert "already holds incidents; pass --replace" in capsys.readouterr().err
    assert target.read_bytes() == before
    assert cli.main(["store", "migrate", "--from", str(incident_csv), "--to", str(target),
                     "--replace"]) == 0  # fmt: skip
    assert len(store.read_incidents(target)) == 3


def test_invalid_source_rows_are_named_and_nothing_is_written(
    tmp_path, postgis_url, pg_schema, capsys
):
    bad = tmp_path / "bad.csv"
    text = config.INCIDENTS_CSV.read_text(encoding="utf-8").replace(",20.20126,", ",120.2,", 1)
    bad.write_text(text, encoding="utf-8")
    assert cli.main(["store", "migrate", "--from", str(bad), "--to", postgis_url,
                     "--schema", pg_schema]) == 1  # fmt: skip
    assert "latitude" in capsys.readouterr().err
    assert cli.main(["store", "version", postgis_url, "--schema", pg_schema]) == 0
    assert capsys.readouterr().out.strip() == "0"


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path, capsys):
    from tests.postgis_support import _free_port

    url = f"postgresql://nobody@127.0.0.1:{_free_port()}/nothing"
    code = cli.main(["store", "migrate", "--from", str(config.INCIDENTS_CSV), "--to", url])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: the database refused or could not be reached")
    assert "Traceback" not in err


@pytest.mark.parametrize("same", ["data/incidents.csv"])
def test_migrating_a_store_onto_itself_is_refused(same, capsys):
    assert cli.main(["store", "migrate", "--from", same, "--to", same]) == 2
    assert "same store" in capsys.readouterr().err


def test_append_adds_a_files_rows_to_a_database_store(tmp_path, postgis_url, pg_schema, capsys):
    raw = store.read_raw(config.INCIDENTS_CSV)
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    raw.iloc[:10].to_csv(first, index=False)
    bad = raw.iloc[10:].copy()
    bad.iloc[0, bad.columns.get_loc("latitude")] = "north"
    bad.to_csv(later, index=False)
    side = tmp_path / "rejected.csv"
    base = ["--to", postgis_url, "--schema", pg_schema]
    assert cli.main(["store", "append", str(first), *base]) == 0
    assert "10 added" in capsys.readouterr().out
    assert cli.main(["store", "append", str(later), *base, "--rejected", str(side)]) == 1
    out, err = capsys.readouterr()
    assert "8 added, 0 skipped as duplicates, 1 rejected" in out
    assert str(later) in err and "latitude" in err and "north" in err
    assert store.read_raw(side)["latitude"].tolist() == ["north"]
    assert cli.main(["store", "append", str(first), *base]) == 0
    assert "0 added, 10 skipped as duplicates" in capsys.readouterr().out


def _companion_files(store_csv) -> dict[str, bytes]:
    """The files a file store keeps beside its CSV: sites, overrides, gazetteers."""
    folder = store_csv.with_name(f"{store_csv.stem}.gazetteers")
    kept = [
        store_csv.with_name(f"{store_csv.stem}.sites.geojson"),
        store_csv.with_name(f"{store_csv.stem}.overrides.csv"),
        *sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".json")),
    ]
    return {p.name: p.read_bytes() for p in kept}


def test_sites_overrides_and_gazetteers_travel_with_the_store_both_ways(
    tmp_path, postgis_url, pg_schema, capsys
):
    from geo.io.backend import open_store
    from geo.io.gazetteer_files import ColumnMapping, guess_mapping, read_place_file
    from geo.io.gazetteers import add_gazetteer
    from tests.io.test_store_companions import COD, OVERRIDES, _sites

    source = tmp_path / "source.csv"
    shutil.copy(config.INCIDENTS_CSV, source)
    kept = open_store(source)
    kept.save_sites(_sites())
    kept.save_overrides(OVERRIDES)
    places = read_place_file(COD)
    add_gazetteer(kept, places, ColumnMapping(**guess_mapping(places)), name="Mali COD")
    back = tmp_path / "back.csv"
    assert cli.main(["store", "migrate", "--from", str(source), "--to", postgis_url,
                     "--schema", pg_schema]) == 0  # fmt: skip
    assert "3 site(s), the risk overrides and 1 gazetteer(s) copied" in capsys.readouterr().out
    database = open_store(postgis_url, schema=pg_schema)
    assert database.sites()["name"].tolist() == _sites()["name"].tolist()
    assert database.overrides_text() == OVERRIDES
    assert [g.name for g in database.gazetteers()] == ["Mali COD"]
    assert cli.main(["store", "migrate", "--from", postgis_url, "--to", str(back),
                     "--schema", pg_schema]) == 0  # fmt: skip
    before, after = _companion_files(source), _companion_files(back)
    assert [n.replace("source", "back") for n in before] == list(after)
    assert list(before.values()) == list(after.values())


def test_a_damaged_companion_stops_the_migration_before_anything_is_written(
    tmp_path, postgis_url, pg_schema, capsys
):
    source = tmp_path / "source.csv"
    shutil.copy(config.INCIDENTS_CSV, source)
    (tmp_path / "source.overrides.csv").write_text(
        "area,level,reason,expires,set_by,set_on\nGao,Severe,why,2013-04-30,A,2013-02-25\n",
        encoding="utf-8",
    )
    assert cli.main(["store", "migrate", "--from", str(source), "--to", postgis_url,
                     "--schema", pg_schema]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "source.overrides.csv" in err and "Severe" in err
    assert cli.main(["store", "version", postgis_url, "--schema", pg_schema]) == 0
    assert capsys.readouterr().out.strip() == "0"


@pytest.mark.parametrize("kind", ["file", "postgis"])
def test_store_overrides_are_set_checked_printed_and_recorded(kind, tmp_path, request, capsys):
    from geo.io.audit import read_log
    from geo.io.backend import open_store
    from tests.io.test_store_companions import OVERRIDES

    if kind == "file":
        where = [str(tmp_path / "incidents.csv")]
    else:
        where = [request.getfixturevalue("postgis_url"), "--schema",
                 request.getfixturevalue("pg_schema")]  # fmt: skip
    kept = open_store(where[0], schema=where[-1] if kind == "postgis" else "public")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(OVERRIDES, encoding="utf-8")
    bad.write_text(OVERRIDES.replace("High", "Severe"), encoding="utf-8")
    assert cli.main(["store", "overrides", *where]) == 0
    assert "no risk overrides kept" in capsys.readouterr().err
    assert cli.main(["store", "overrides", *where, "--set", str(good)]) == 0
    assert "kept 1 risk override(s)" in capsys.readouterr().out
    assert cli.main(["store", "overrides", *where, "--set", str(bad)]) == 1
    assert f"{bad}: row 2, column 'level'" in capsys.readouterr().err
    assert cli.main(["store", "overrides", *where]) == 0
    assert capsys.readouterr().out == OVERRIDES
    (entry,) = read_log(kept).entries
    assert (entry.action, entry.source, entry.detail) == ("override", "good.csv", {"overrides": 1})
    if kind == "file":
        assert (tmp_path / "incidents.overrides.csv").read_text(encoding="utf-8") == OVERRIDES
