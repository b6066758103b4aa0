"""What one upload costs: duplicate detection, "Check file", memory kept afterwards.

Every case runs in a fresh Python process, so its time and its peak memory
(the kernel's high-water mark, VmHWM) are its own. Each runs against two
versions of the library in the same run with the same inputs and repeats:

* **before**: ``geo/`` as of ``--before`` (default: the commit before the
  near-linear duplicate check and the caps), exported with ``git archive``;
* **after**: the working tree, or ``--after`` (a revision, so that other
  work landing in between, such as a costlier validation, is not counted).

and duplicate detection also against the strongest thing a user would write
instead: a pandas self-merge on (day, event type), one merge per day of the
window, then a distance filter and the closest match per row (it applies the
distance rule only, so it does less than ours).

Cases (inputs are written once to a temporary folder; nothing is written to
``data/``; the incidents are SYNTHETIC):

* dedupe: 4,000 rows of one day and event type at one point, in one town
  (distinct points within ~5 km, one place name) and across Mali; 10,000
  new rows against a store of 100,000 (synthetic, realistic spread); 5 rows
  with a 20,000-day window.
* check file (``import_file``): 300,000 empty CSV rows, a CSV of 100,000
  columns, 3,000 GeoJSON features with distinct property keys, and a valid
  CSV of 100,000 synthetic rows (inside the caps: what a real big import
  costs), plus 100,000 empty rows (at the row cap: the worst file let in).
* memory kept: import and append the 100,000-row file, drop everything, and
  read the resident memory (VmRSS) before and after handing it back.

A run that passes ``--timeout`` is stopped and shown as "> N s"; it is not
repeated. Figures go to docs/performance.md ("Imports, duplicates and
extraction").

Run: python scripts/bench_ingest.py [--repeat 3] [--timeout 180] [--before REV]
         [--after REV] [--only dedupe|check|memory]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BEFORE = "40fdd80~1"
DAY = "2013-02-10"


# --------------------------------------------------------------------------
# Inputs (written by the parent, read by every worker)


def _rows_frame(n: int, spread: str, seed: int = 0):
    """``n`` valid text rows of one day and type: at one point, in one town, or across Mali."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    if spread == "point":
        lat, lon, names = np.full(n, 16.2717), np.full(n, -0.0447), ["Gao"] * n
    elif spread == "town":
        lat = 16.2717 + rng.uniform(-0.05, 0.05, n)
        lon = -0.0447 + rng.uniform(-0.05, 0.05, n)
        names = ["Gao"] * n
    else:
        lat, lon = rng.uniform(10.2, 25.0, n), rng.uniform(-12.2, 4.2, n)
        names = [f"Synthetic place {i}" for i in range(n)]
    return pd.DataFrame(
        {
            "event_id": [f"SYN{i:06d}" for i in range(n)],
            "event_date": DAY,
            "time_precision": "1",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "actor1": "Synthetic group A",
            "actor2": "Synthetic forces",
            "country": "Mali",
            "iso3": "MLI",
            "admin1": "",
            "admin2": "",
            "location": names,
            "latitude": np.round(lat, 5).astype(str),
            "longitude": np.round(lon, 5).astype(str),
            "geo_precision": "1",
            "fatalities": rng.integers(0, 5, n).astype(str),
            "source": "SYNTHETIC benchmark data, not a real report",
            "notes": "SYNTHETIC",
        }
    )


def write_inputs(folder: Path, only: str | None) -> None:
    """Every input file of the cases selected."""
    sys.path.insert(0, str(ROOT))
    from geo.io.store import to_csv_frame
    from geo.io.synthetic import synthetic_incidents
    from geo.model.schema import COLUMNS

    if only in (None, "dedupe"):
        for spread in ("point", "town", "mali"):
            _rows_frame(4000, spread).to_csv(folder / f"same_day_{spread}.csv", index=False)
        _rows_frame(5, "mali").to_csv(folder / "five.csv", index=False)
        to_csv_frame(synthetic_incidents(100_000, seed=1)).to_csv(folder / "store.csv", index=False)
        to_csv_frame(synthetic_incidents(10_000, seed=2)).to_csv(folder / "new.csv", index=False)
    if only in (None, "check", "memory"):
        valid = to_csv_frame(synthetic_incidents(100_000, seed=3)).assign(event_id="")
        valid.to_csv(folder / "valid_100k.csv", index=False)
    if only in (None, "check"):
        header, blank = ",".join(COLUMNS) + "\n", "," * (len(COLUMNS) - 1) + "\n"
        for n in (300_000, 100_000):
            (folder / f"empty_{n}.csv").write_text(header + blank * n)
        wide = ",".join(f"c{i}" for i in range(100_000))
        (folder / "wide.csv").write_text(wide + "\n" + ",".join("1" * 100_000) + "\n")
        features = [
            {"type": "Feature", "properties": {f"key{i}": "x"},
             "geometry": {"type": "Point", "coordinates": [-0.04, 16.27]}}
            for i in range(3000)
        ]  # fmt: skip
        (folder / "keys.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features})
        )


# --------------------------------------------------------------------------
# Cases (run inside a worker process; the library on sys.path is the one measured)


def _memory_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return math.nan


def _reset_peak() -> None:
    """Start the high-water mark afresh, so loading the inputs does not count (Linux >= 4.0)."""
    with contextlib.suppress(OSError):  # else the peak includes loading the inputs
        Path("/proc/self/clear_refs").write_text("5")


def _typed(path: Path):
    import pandas as pd

    from geo.model.schema import coerce_frame

    return coerce_frame(pd.read_csv(path, dtype=str, keep_default_na=False))


def naive_duplicates(new, existing, days: int = 1, km: float = 10.0):
    """What a user would write: one self-merge per day of the window, a distance filter.

    Only the distance rule (no place names, no source ids), closest match
    per row; ``existing`` is ``new`` itself for duplicates inside a file.
    """
    import numpy as np
    import pandas as pd

    cols = ["event_date", "event_type", "latitude", "longitude"]
    a = new[cols].assign(pos_a=np.arange(len(new)))
    b = existing[cols].assign(pos_b=np.arange(len(existing)))
    parts = []
    for offset in range(-days, days + 1):
        shifted = a.assign(event_date=a["event_date"] + pd.Timedelta(days=offset))
        pairs = shifted.merge(b, on=["event_date", "event_type"])
        if existing is new:
            pairs = pairs[pairs["pos_b"] < pairs["pos_a"]]
        lat1, lat2 = np.radians(pairs["latitude_x"]), np.radians(pairs["latitude_y"])
        dlon = np.radians(pairs["longitude_y"] - pairs["longitude_x"])
        h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
        pairs = pairs.assign(km=2 * 6371.0088 * np.arcsin(np.sqrt(h)))
        parts.append(pairs.loc[pairs["km"] <= km, ["pos_a", "pos_b", "km"]])
    found = pd.concat(parts).sort_values(["pos_a", "km", "pos_b"])
    return found.drop_duplicates("pos_a")


def _dedupe_case(case: str, folder: Path):
    """(load, run) of a duplicate-detection case: run is what is timed."""
    from geo.io.dedupe import find_duplicates

    if case.startswith("same_day_") or case.startswith("naive_same_day_"):
        name = case.removeprefix("naive_")
        new = _typed(folder / f"{name}.csv")
        if case.startswith("naive_"):
            return lambda: len(naive_duplicates(new, new))
        return lambda: len(find_duplicates(new, new.iloc[:0]))
    if case == "window_20000":
        new = _typed(folder / "five.csv")
        return lambda: len(find_duplicates(new, new.iloc[:0], days=20000))
    new, store = _typed(folder / "new.csv"), _typed(folder / "store.csv")
    if case == "naive_realistic":
        return lambda: len(naive_duplicates(new, store)) + len(naive_duplicates(new, new))
    return lambda: len(find_duplicates(new, store))


def _check_case(case: str, folder: Path):
    from geo.io.ingest import import_file

    path = folder / {"empty_300k": "empty_300000.csv", "empty_100k": "empty_100000.csv",
                     "wide": "wide.csv", "keys": "keys.geojson",
                     "valid_100k": "valid_100k.csv"}[case]  # fmt: skip
    return lambda: import_file(path, "csv").rows_read


def _memory_case(folder: Path) -> dict:
    """RSS after a 100,000-row import and append, with everything dropped, then handed back."""
    import gc

    from geo.io.ingest import import_file
    from geo.io.store import append_incidents

    base = _memory_mb("VmRSS")
    with tempfile.TemporaryDirectory() as tmp:
        result = import_file(folder / "valid_100k.csv", "csv")
        report = append_incidents(result.frame, Path(tmp) / "store.csv")
        added = report.added
        del result, report
    gc.collect()
    kept = _memory_mb("VmRSS")
    time.sleep(10)  # what a server holds a little later with no session (allocator decay)
    idle = _memory_mb("VmRSS")
    released = math.nan
    try:
        from geo.io.ingest.limits import release_memory
    except ImportError:
        pass  # the version before had nothing to hand memory back with
    else:
        release_memory()
        released = _memory_mb("VmRSS")
    return {
        "base_mb": base, "kept_mb": kept, "idle_mb": idle, "released_mb": released,
        "outcome": f"{added} added",
    }  # fmt: skip


def worker(case: str, folder: Path) -> dict:
    """Run one case once; time, memory and what came out."""
    if case == "memory":
        out = _memory_case(folder)
        out["peak_mb"] = _memory_mb("VmHWM")
        return out
    run = _check_case(case, folder) if case in _CHECK_CASES else _dedupe_case(case, folder)
    _reset_peak()
    base = _memory_mb("VmRSS")
    start = time.perf_counter()
    try:
        outcome = f"{run()} rows"
    except ValueError as exc:  # a cap: IncidentFileError, DedupeLimitError
        # the message without the temporary folder's path
        outcome = "refused: " + str(exc).splitlines()[-1].split(": ", 1)[-1][:80]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "base_mb": base, "peak_mb": _memory_mb("VmHWM"), "outcome": outcome}


_CHECK_CASES = ("empty_300k", "wide", "keys", "valid_100k", "empty_100k")
_DEDUPE_CASES = ("same_day_point", "same_day_town", "same_day_mali", "realistic", "window_20000")


# --------------------------------------------------------------------------
# The parent: versions, repeats, tables


def export_revision(rev: str, into: Path) -> Path:
    """``geo/`` as of ``rev`` in ``into``, beside links to today's data and config."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "geo"],
        check=True,
        capture_output=True,
    ).stdout
    tar_path = into / "geo.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    for shared in ("data", "config", "static"):
        (into / shared).symlink_to(ROOT / shared)
    return into


def run_case(case: str, code: Path, folder: Path, repeat: int, timeout: float) -> dict:
    """Best time and highest peak over ``repeat`` fresh processes; a timeout is not repeated."""
    runs = []
    for _ in range(repeat):
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            case,
            "--code",
            str(code),
            "--inputs",
            str(folder),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {
                "seconds": math.inf,
                "peak_mb": math.nan,
                "outcome": f"stopped after {timeout:.0f} s",
            }
        if done.returncode != 0:
            return {
                "seconds": math.nan,
                "peak_mb": math.nan,
                "outcome": "crashed: " + done.stderr.strip().splitlines()[-1][:90],
            }
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r.get("seconds", 0))
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def _fmt_s(t: float) -> str:
    return "> timeout" if t == math.inf else "-" if math.isnan(t) else f"{t:.2f}"


def _ratio(before: float, after: float) -> str:
    if math.isnan(before) or math.isnan(after) or after <= 0:
        return "-"
    return f"> {before / after:,.0f}x" if before == math.inf else f"{before / after:,.1f}x"


def compare(
    cases: tuple[str, ...], versions: tuple[Path, Path], folder: Path, args: argparse.Namespace
) -> None:
    """Before and after for each case, printed as Markdown table rows."""
    print("\n| case | before: s | before: MB | after: s | after: MB | time | memory | outcome |")
    print("|:--|--:|--:|--:|--:|--:|--:|:--|")
    for case in cases:
        b = run_case(case, versions[0], folder, args.repeat, args.timeout)
        a = run_case(case, versions[1], folder, args.repeat, args.timeout)
        mb_b, mb_a = b["peak_mb"] - b.get("base_mb", 0), a["peak_mb"] - a.get("base_mb", 0)
        print(f"| {case} | {_fmt_s(b['seconds'])} | {mb_b:,.0f} | {_fmt_s(a['seconds'])} | "
              f"{mb_a:,.0f} | {_ratio(b['seconds'], a['seconds'])} | {_ratio(mb_b, mb_a)} | "
              f"{a['outcome']} |", flush=True)  # fmt: skip


def against_naive(code: Path, folder: Path, args: argparse.Namespace) -> None:
    """Our duplicate check against the pandas self-merge, same inputs, same repeats."""
    print("\n| case | ours: s | ours: MB | self-merge: s | self-merge: MB | time | memory |")
    print("|:--|--:|--:|--:|--:|--:|--:|")
    for case in ("same_day_point", "same_day_town", "same_day_mali", "realistic"):
        ours = run_case(case, code, folder, args.repeat, args.timeout)
        naive = run_case("naive_" + case, code, folder, args.repeat, args.timeout)
        mb_o, mb_n = ours["peak_mb"] - ours["base_mb"], naive["peak_mb"] - naive.get("base_mb", 0)
        print(f"| {case} | {_fmt_s(ours['seconds'])} | {mb_o:,.0f} | {_fmt_s(naive['seconds'])} | "
              f"{mb_n:,.0f} | {_ratio(naive['seconds'], ours['seconds'])} | {_ratio(mb_n, mb_o)} |",
              flush=True)  # fmt: skip


def memory_kept(versions: tuple[Path, Path], folder: Path, repeat: int) -> None:
    """Resident memory (MB) after a big import and append with everything dropped; a row per run."""
    print("\n| version | RSS before | peak | kept | 10 s later | after release_memory |")
    print("|:--|--:|--:|--:|--:|--:|")
    for name, code in zip(("before", "after"), versions, strict=True):
        for _ in range(repeat):
            r = run_case("memory", code, folder, 1, 600)
            print(f"| {name} | {r['base_mb']:,.0f} | {r['peak_mb']:,.0f} | {r['kept_mb']:,.0f} | "
                  f"{r['idle_mb']:,.0f} | {r['released_mb']:,.0f} |", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a stop")
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="git revision of 'before'")
    parser.add_argument("--after", help="git revision of 'after' (default: the working tree)")
    parser.add_argument("--only", choices=("dedupe", "check", "memory"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        sys.path.insert(0, str(args.code))
        print(json.dumps(worker(args.worker, args.inputs)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inputs"
        folder.mkdir()
        before = export_revision(args.before, Path(tmp) / "before")
        after = export_revision(args.after, Path(tmp) / "after") if args.after else ROOT
        write_inputs(folder, args.only)
        print(f"before = {args.before}, after = {args.after or 'the working tree'}; best of "
              f"{args.repeat}, timeout {args.timeout:.0f} s; MB = peak RSS of the step minus "
              "RSS before it")  # fmt: skip
        if args.only in (None, "dedupe"):
            compare(_DEDUPE_CASES, (before, after), folder, args)
            against_naive(after, folder, args)
        if args.only in (None, "check"):
            compare(_CHECK_CASES, (before, after), folder, args)
        if args.only in (None, "memory"):
            memory_kept((before, after), folder, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
