"""Benchmark: the briefing's key-judgement draft at a filter change (issue 15).

The Map page drafts key judgements every time the filters change. The old
draft filtered and copied every column of the store three times (the
briefing's incidents, the previous period, the actors' 90-day look-back);
the new one reads the columns it needs, coded once per store version
(:func:`geo.render.brief.judgements.draft_data`, kept by the app in
``appkit.data.draft_data``), and counts integer codes over row positions.

Timed in one run, best of ``--repeat`` each, on a **synthetic** store
(``geo.io.synthetic``; never ``data/``) read the way the app reads it
(its prepared copy, :func:`geo.io.columnar.prepared_incidents`), with the
app's areas and the risk table, for all event types and for Battles over
the whole period (the state of a fresh visit, and one filter change):

* **old**: the algorithm the draft replaced (its reference in
  ``tests/render/test_brief_judgements.py``, which the tests hold the new
  draft equal to);
* **new, from the frame**: ``draft_judgements(joined, ...)``, coding the
  columns at every call (what ``python -m geo brief --draft-judgements`` does);
* **new, kept codes**: ``draft_judgements(draft_data(joined), ...)`` with
  the coded columns made once (what the app does at a filter change).

Every pair of drafts is checked to be the same sentences.

Usage::

    python scripts/bench_judgements.py [--store /tmp/F/store/incidents.csv] [--repeat 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The app-filter bench's store: written with geo.io.synthetic, with its copy.
from bench_app_filter import ensure_store  # noqa: E402

from geo.analysis import periods, pipeline, risk  # noqa: E402
from geo.analysis.filters import filter_mask  # noqa: E402
from geo.io.columnar import prepared_incidents  # noqa: E402
from geo.render.brief.judgements import draft_data, draft_judgements  # noqa: E402

# The old algorithm, kept only as the tests' reference.
from tests.render.test_brief_judgements import old_draft  # noqa: E402


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of ``repeat`` calls (seconds) and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def run(store: Path, repeat: int) -> None:
    """Time the three drafts for all event types and for Battles; print a table."""
    t0 = time.perf_counter()
    joined = prepared_incidents(store)
    print(
        f"read {len(joined):,} incidents from the prepared copy in {time.perf_counter() - t0:.1f} s"
    )
    areas, outlines = pipeline.covered_areas_for(joined)
    every = periods.default_state(joined)
    scored = risk.score_areas(joined, areas, every.date_to)
    t_code, data = best(lambda: draft_data(joined), repeat)
    size = data.frame.memory_usage(deep=True).sum() / 2**20
    print(f"draft_data (once per store version): {t_code:.3f} s, {size:.0f} MiB held\n")
    print("| state | rows | old | new, from the frame | new, kept codes | old / kept |")
    print("|---|---|---|---|---|---|")
    for label, state in (
        ("all event types", every),
        ("Battles", dataclasses.replace(every, event_types=("Battles",))),
    ):
        t_old, old = best(partial(old_draft, joined, state, scored, areas, outlines), repeat)
        t_frame, fresh = best(
            partial(draft_judgements, joined, state, scored, areas, outlines), repeat
        )
        t_kept, kept = best(partial(draft_judgements, data, state, scored, areas, outlines), repeat)
        if not old == fresh == kept:
            raise SystemExit(f"{label}: the drafts differ:\n{old}\n{fresh}\n{kept}")
        rows = int(filter_mask(joined, state).sum())
        print(
            f"| {label} | {rows:,} | {t_old:.3f} s | {t_frame:.3f} s | {t_kept:.4f} s "
            f"| {t_old / t_kept:.0f}× |"
        )
    print(f"\nbest of {repeat}; every draft: {len(kept)} sentences, the same in all three")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store",
        default=str(Path(tempfile.gettempdir()) / "geo_bench_app" / "incidents.csv"),
        help="a synthetic store (written with --size rows, and its copy built, if missing)",
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    store = Path(args.store)
    ensure_store(store, args.size, args.seed)
    run(store, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
