"""Property-based fuzzing of every command with every input format (issue 10).

The default run tries 3 derandomized examples per test (a fast subset);
``pytest -m fuzz`` or ``pytest --fuzz tests/fuzz`` tries the numbers given
to ``fuzz_settings`` (over 2,000 cases in all, figures in docs/security.md).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.fuzz import strategies as fz
from tests.fuzz.harness import (
    check_accepted,
    check_import,
    fuzz_settings,
    run,
    snapshot,
)

pytestmark = pytest.mark.fuzz

STORE_FIXTURE = ROOT / "tests" / "data" / "risk_incidents.csv"
# Where an import writes: a new store, one with rows, a path the CLI must refuse.
TARGETS = ("new", "existing", "existing", "read_only", "under_file", "missing_folder", "create")


def _target(folder: Path, kind: str) -> tuple[Path, list[str]]:
    """The store path for ``kind`` and any extra options it needs."""
    store = folder / "store" / "incidents.csv"
    store.parent.mkdir()
    if kind in ("existing", "read_only"):
        shutil.copy(STORE_FIXTURE, store)
        if kind == "read_only":
            store.chmod(0o444)
    if kind == "under_file":
        return store / "inner.csv", []
    if kind in ("missing_folder", "create"):
        store = store.parent / "not" / "yet" / "incidents.csv"
        return store, ["--create"] if kind == "create" else []
    return store, []


def _import(data: bytes, suffix: str, fmt: str, kind: str, extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        store, options = _target(folder, kind)
        watched = store.parent if store.parent.is_dir() else folder / "store"
        before = snapshot(watched)
        argv = ["import", "--format", fmt, source, "--into", store, *options, *extra]
        outcome = run(argv, f"import {fmt}")
        if kind in ("read_only", "under_file", "missing_folder"):
            assert outcome.code != 0, outcome.out
        check_import(outcome, before, watched, store)
        assert source.read_bytes() == data


@fuzz_settings(full=250)
@given(fz.incident_csv(), st.sampled_from(TARGETS))
def test_import_incident_csv(data, kind):
    _import(data, ".csv", "csv", kind, [])


@fuzz_settings(full=250)
@given(fz.acled_csv(), st.sampled_from(TARGETS), st.booleans())
def test_import_acled(data, kind, no_dedupe):
    _import(data, ".csv", "acled", kind, ["--no-dedupe"] if no_dedupe else [])


@fuzz_settings(full=200)
@given(fz.ucdp_csv(), st.sampled_from(TARGETS), st.booleans())
def test_import_ucdp(data, kind, keep_vague):
    _import(data, ".csv", "ucdp", kind, ["--keep-vague"] if keep_vague else [])


@fuzz_settings(full=200)
@given(fz.mapped_csv(), st.sampled_from(TARGETS))
def test_import_mapped_csv(case, kind):
    data, mapping = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mapping.toml"
        path.write_text(mapping, encoding="utf-8")
        _import(data, ".csv", "csv", kind, ["--mapping", str(path)])


@fuzz_settings(full=250)
@given(fz.geojson(), st.sampled_from(TARGETS))
def test_import_geojson(data, kind):
    _import(data, ".geojson", "csv", kind, [])


def _read_only_command(data: bytes, argv: list[str], command: str) -> None:
    """Run a command that reads an incident file; it must never change it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        path.write_bytes(data)
        outcome = run([argv[0], path, *argv[1:]], command)
        assert path.read_bytes() == data
        if outcome.code == 0 and command in ("validate", "summary", "risk", "join"):
            check_accepted(path)
        if outcome.code == 0 and command == "summary":
            assert " -" not in outcome.out.splitlines()[0]  # no negative totals


@fuzz_settings(full=250)
@given(fz.incident_csv(), st.booleans())
def test_validate(data, consistency):
    _read_only_command(
        data, ["validate"] if consistency else ["validate", "--no-consistency"], "validate"
    )


@fuzz_settings(full=150)
@given(fz.incident_csv())
def test_summary(data):
    _read_only_command(data, ["summary"], "summary")


@fuzz_settings(full=150)
@given(
    fz.incident_csv(),
    st.sampled_from(
        (
            [],
            ["--as-of", "2013-03-01"],
            ["--as-of", "0001-01-01"],
            ["--as-of", "9999-12-31"],
            ["--window-days", "0"],
            ["--window-days", "999999999"],
        )
    ),
    st.sampled_from(("table", "csv", "json")),
)
def test_risk(data, options, fmt):
    _read_only_command(data, ["risk", *options, "--no-overrides", "--format", fmt], "risk")


@fuzz_settings(full=150)
@given(fz.incident_csv(), st.sampled_from(("none", "self", "folder", "missing")))
def test_join(data, boundaries):
    with tempfile.TemporaryDirectory() as tmp:
        extra = {
            "none": [],
            "self": ["--boundaries", str(Path(tmp) / "incidents.csv")],
            "folder": ["--boundaries", tmp],
            "missing": ["--boundaries", str(Path(tmp) / "nope.geojson")],
        }[boundaries]
        _read_only_command(data, ["join", *extra], "join")


@fuzz_settings(full=150)
@given(fz.geocode_args())
def test_geocode(case):
    argv, gazetteer = case
    with tempfile.TemporaryDirectory() as tmp:
        options = ["--store", str(Path(tmp) / "store.csv")]
        if gazetteer is not None:
            path = Path(tmp) / "places.csv"
            path.write_text(gazetteer, encoding="utf-8")
            options += ["--gazetteer", str(path)]
        run([*argv, *options], "geocode")


@fuzz_settings(full=200)
@given(fz.report(), st.sampled_from(("file", "file", "file", "folder", "missing", "latin1")))
def test_extract(case, where):
    text, options = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.txt"
        if where == "file":
            path.write_text(text, encoding="utf-8")
        elif where == "latin1":
            path.write_bytes(text.encode("latin-1", errors="replace") + b"\xe9")
        elif where == "folder":
            path = Path(tmp)
        store = ["--store", str(Path(tmp) / "store.csv")]
        run(["extract", path, *options, *store], "extract")
