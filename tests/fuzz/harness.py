"""Running one fuzz case through ``python -m geo`` and checking what must always hold.

For every case: no traceback (nor the CLI's last-resort "internal error"),
an exit status of 0, 1 or 2, and time and memory within generous bounds.
For imports: rows read = added + duplicates + rejected, and on failure no
file of the store's folder changes. Whenever a command accepts a file, an
independent check (plain Python, not the schema's code) finds nothing wrong
with what was accepted: a "wrong acceptance" otherwise. The tallies are
printed at the end of the run (tests/fuzz/conftest.py).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings

from geo.cli import main

# Generous: a case is a few rows; the fuzzing pass found runs of minutes.
MAX_SECONDS = 60.0
MAX_MEGABYTES = 1024.0

STATS: Counter[str] = Counter()
PEAKS = {"seconds": 0.0, "megabytes": 0.0}


def full_run() -> bool:
    """True under ``--fuzz`` or ``-m fuzz`` (set by tests/conftest.py)."""
    return os.environ.get("GEO_FUZZ_FULL") == "1"


def fuzz_settings(full: int) -> settings:
    """Hypothesis settings: ``full`` examples in the fuzz run, 3 in the default run."""
    return settings(
        max_examples=full if full_run() else 3,
        deadline=None,
        derandomize=not full_run(),
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    megabytes: float


def _rss_mb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> None:
    # Linux resets the peak resident size (VmHWM) on "5"; elsewhere it keeps growing.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run(argv: Sequence[str | os.PathLike[str]], command: str) -> Outcome:
    """Run one command in-process and check the invariants every command keeps."""
    out, err = io.StringIO(), io.StringIO()
    _reset_peak()
    before = _rss_mb("VmRSS")
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([os.fspath(a) for a in argv])
        except Exception:  # escaped main: a user would see this traceback
            err.write(traceback.format_exc())
            code = -1
    seconds = time.perf_counter() - start
    grown = max(_rss_mb("VmHWM") - before, 0.0)
    outcome = Outcome(code, out.getvalue(), err.getvalue(), seconds, grown)
    _tally(command, outcome)
    return outcome


def _tally(command: str, outcome: Outcome) -> None:
    STATS["cases"] += 1
    STATS[f"cases {command}"] += 1
    STATS[f"exit {outcome.code}"] += 1
    PEAKS["seconds"] = max(PEAKS["seconds"], outcome.seconds)
    PEAKS["megabytes"] = max(PEAKS["megabytes"], outcome.megabytes)
    text = outcome.out + outcome.err
    crashed = "Traceback (most recent call last)" in text or "internal error" in outcome.err
    checks = {
        "tracebacks": crashed,
        "bad exit codes": outcome.code not in (0, 1, 2),
        "over time": outcome.seconds > MAX_SECONDS,
        "over memory": outcome.megabytes > MAX_MEGABYTES,
    }
    for name, failed in checks.items():
        STATS[name] += bool(failed)
    assert not crashed, text[-3000:]
    assert outcome.code in (0, 1, 2), outcome.code
    assert outcome.seconds <= MAX_SECONDS, outcome.seconds
    assert outcome.megabytes <= MAX_MEGABYTES, outcome.megabytes


def snapshot(folder: Path) -> dict[str, str]:
    """Digest of every file in ``folder`` (lock files aside: they only ever exist)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".lock")
    }


_COUNT = re.compile(r"^(read|added|skipped as duplicates|rejected):? (\d+)", re.MULTILINE)


def check_import(outcome: Outcome, before: dict[str, str], folder: Path, store: Path) -> None:
    """Rows in = added + duplicates + rejected; nothing changed on failure; store valid."""
    if outcome.code != 0:
        changed = snapshot(folder) != before
        STATS["store changed on failure"] += changed
        assert not changed, outcome.err[-2000:]
        return
    counts = {k: int(v) for k, v in _COUNT.findall(outcome.out)}
    lost = counts["read"] != counts["added"] + counts["skipped as duplicates"] + counts["rejected"]
    STATS["lost rows"] += lost
    assert not lost, outcome.out[-2000:]
    if store.exists():
        check_accepted(store)


def check_accepted(path: Path) -> None:
    """A file a command accepted holds nothing an independent check calls wrong."""
    problems = independent_problems(path)
    STATS["wrong acceptances"] += bool(problems)
    assert not problems, problems[:5]


def independent_problems(path: Path) -> list[str]:
    """What is wrong with an incident file, checked with the csv module and plain Python."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records = [r for r in csv.reader(handle) if r]
    if not records:
        return ["no header"]
    header, rows = records[0], records[1:]
    named = [h for h in header if h]
    problems = ["repeated header name"] if len(set(named)) != len(named) else []
    wide = [i + 2 for i, r in enumerate(rows) if len(r) > len(header)]
    problems += [f"row {row} wider than header" for row in wide]
    for i, cells in enumerate(rows):
        row = dict(zip(header, cells, strict=False))
        problems += [f"row {i + 2}: {p}" for p in _row_problems(row)]
    return problems


def _row_problems(row: dict[str, str]) -> list[str]:
    found = []
    for col in ("fatalities", "fatalities_low", "fatalities_high"):
        value = row.get(col, "").strip()
        if (col == "fatalities" or value) and not _whole_in(value, 0, 100_000):
            found.append(f"{col} {value!r}")
    for col, limit in (("latitude", 90), ("longitude", 180)):
        number = _number(row.get(col, ""))
        if number is None or not -limit <= number <= limit:
            found.append(f"{col} {row.get(col)!r}")
    for col in ("time_precision", "geo_precision"):
        if row.get(col, "").strip() not in ("1", "2", "3", "1.0", "2.0", "3.0"):
            found.append(f"{col} {row.get(col)!r}")
    if not _date_in_range(row.get("event_date", "")):
        found.append(f"event_date {row.get('event_date')!r}")
    return found + _country_problems(row)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _whole_in(text: str, low: int, high: int) -> bool:
    value = _number(text)
    return value is not None and value == int(value) and low <= value <= high


def _date_in_range(text: str) -> bool:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    today = dt.date.today()
    return dt.date(1900, 1, 1) <= day <= today + dt.timedelta(days=367)


def _country_problems(row: dict[str, str]) -> list[str]:
    from geo.reference.countries import iso3_from_name

    iso3, country = row.get("iso3", "").strip(), row.get("country", "").strip()
    known = iso3_from_name(country)
    private = re.fullmatch(r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z]", iso3)
    if iso3 and known and not private and known != iso3:
        return [f"country {country!r} is {known}, not {iso3}"]
    return []
