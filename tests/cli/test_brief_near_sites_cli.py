"""``python -m geo brief --near-sites [KM]``: the store's kept sites in the briefing, on request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo import config
from geo.cli import main
from geo.io.sites import load_sites, save_sites
from geo.io.store import read_incidents

SITE = "Example base"
PERIOD = ["--from", "2013-02-01", "--to", "2013-02-28", "--country", "ML"]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A copy of the shipped store with one site, 5 km round, on its first incident."""
    path = tmp_path / "incidents.csv"
    shutil.copy(config.DATA_DIR / "incidents.csv", path)
    first = read_incidents(path).iloc[0]
    site_file = tmp_path / "site.csv"
    site_file.write_text(
        f"name,kind,latitude,longitude,radius_km\n{SITE},office,{first.latitude},"
        f"{first.longitude},5\n",
        encoding="utf-8",
    )
    save_sites(path, load_sites(site_file))
    return path


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_near_sites_adds_the_section_and_warns_it_is_sensitive(store, tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    assert main(["brief", str(store), *PERIOD, "--near-sites", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "names 1 of the team's sites: it is sensitive" in err
    text = _text(out)
    assert "Near our sites" in text and f"at {SITE}" in text
    assert "within a site's radius" in text
    # A distance of our own instead of the site's radius.
    assert main(["brief", str(store), *PERIOD, "--near-sites", "2000", "--out", str(out)]) == 2
    assert "expected km from 0 to 1000" in capsys.readouterr().err
    assert main(["brief", str(store), *PERIOD, "--near-sites", "500", "--out", str(out)]) == 0
    assert "within 500 km of a site" in _text(out)


def test_without_the_option_no_site_is_printed(store, tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    assert main(["brief", str(store), *PERIOD, "--out", str(out)]) == 0
    assert "sensitive" not in capsys.readouterr().err
    text = _text(out)
    assert SITE not in text and "Near our sites" not in text


def test_bad_distance_and_no_kept_sites(store, tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    assert main(["brief", *PERIOD, "--near-sites", str(store), "--out", str(out)]) == 2
    assert "is not a distance in km" in capsys.readouterr().err
    bare = tmp_path / "bare.csv"
    shutil.copy(store, bare)  # the same incidents, no sites kept beside them
    assert main(["brief", str(bare), *PERIOD, "--sites", "--out", str(out)]) == 0
    assert "no sites are kept with" in capsys.readouterr().err
    assert "Near our sites" not in _text(out)


def test_help_says_the_option_prints_sensitive_names(capsys):
    with pytest.raises(SystemExit):
        main(["brief", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--near-sites [KM]" in help_text and "SENSITIVE" in help_text
