"""How report extraction's time grows with the size of the report.

Builds reports of 1, 2, 4, 8, ... KB from the evaluation corpus
(``tests/data/eval/*.txt``, 47 reports written for the project: wire copy,
blog posts, French, lists), taken in a fixed shuffled order and cut at a
paragraph, so each size is varied prose rather than one text repeated. A
second series repeats one sentence, the shape that was slowest (an 84 KB
report of repeated sentences once took 97 s). For each size it times
:func:`geo.io.extract.extract_candidates` (best of ``--repeat`` runs, the
gazetteer loaded beforehand) and fits the growth exponent: time ~ size^k
over the sizes from 4 KB up, so k near 1 is linear, near 2 quadratic.

With ``--profile`` it runs cProfile at the two largest sizes of each series
and lists the functions whose own time grew fastest between them: a
function whose time doubles when the input doubles is linear; one whose
time quadruples is quadratic, and it is the one to fix.

Run: python scripts/bench_extract.py [--max-kb 64] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import math
import pstats
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.io.extract import extract_candidates  # noqa: E402
from geo.reference.gazetteer import load_gazetteer  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "eval"
SENTENCE = (
    "On Tuesday gunmen killed four soldiers and wounded eleven in an attack on an army "
    "camp near Menaka, the defence ministry said. "
)


def varied_report(kb: int, seed: int = 0) -> str:
    """About ``kb`` KB of the corpus's paragraphs, reports in a fixed shuffled order."""
    files = sorted(CORPUS.glob("*.txt"))
    random.Random(seed).shuffle(files)  # noqa: S311 - an order to vary prose, not a secret
    paragraphs = [p for f in files for p in f.read_text(encoding="utf-8").split("\n\n") if p]
    out: list[str] = []
    size, i = 0, 0
    while size < kb * 1000:
        paragraph = paragraphs[i % len(paragraphs)]
        out.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(out)


def repeated_report(kb: int) -> str:
    """One sentence repeated to about ``kb`` KB (one paragraph per ten sentences)."""
    n = max(1, kb * 1000 // len(SENTENCE))
    paragraphs = [SENTENCE * 10] * (n // 10) + ([SENTENCE * (n % 10)] if n % 10 else [])
    return "\n\n".join(paragraphs)


def _best_time(run: Callable[[], object], repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def growth_exponent(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(time) against log(size), from 4 KB up."""
    pts = [(math.log(s), math.log(t)) for s, t in zip(sizes, seconds, strict=True) if s >= 4]
    if len(pts) < 2:
        return math.nan
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    num = sum((x - mx) * (y - my) for x, y in pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return num / den


def run_series(name: str, make: Callable[[int], str], sizes: list[int], repeat: int, gaz) -> dict:
    """Time one series and print a row per size; returns sizes, times and the exponent."""
    times = []
    print(f"\n{name}: size (KB), candidates, best of {repeat} (s), s per KB")
    for kb in sizes:
        text = make(kb)
        found = extract_candidates(text, "2024-03-12", gazetteer=gaz)
        t = _best_time(
            functools.partial(extract_candidates, text, "2024-03-12", gazetteer=gaz), repeat
        )
        times.append(t)
        print(f"  {kb:>5} {len(found):>6} {t:>9.3f} {t / kb:>8.4f}")
    k = growth_exponent(sizes, times)
    print(f"  growth exponent k = {k:.2f} (time ~ size^k; 1 linear, 2 quadratic)")
    return {"sizes": sizes, "times": times, "exponent": k}


def _own_times(text: str, gaz) -> dict[str, tuple[float, int]]:
    """cProfile's own time and call count per function for one run."""
    prof = cProfile.Profile()
    prof.runcall(extract_candidates, text, "2024-03-12", gazetteer=gaz)
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    out = {}
    for (file, line, func), (_cc, calls, own, _cum, _callers) in stats.items():
        out[f"{Path(file).name}:{line}({func})"] = (own, calls)
    return out


def profile_growth(make: Callable[[int], str], small: int, large: int, gaz, top: int = 8) -> None:
    """The functions whose own time grew most from ``small`` to ``large`` KB."""
    a, b = _own_times(make(small), gaz), _own_times(make(large), gaz)
    rows = []
    for name, (own, calls) in b.items():
        before, calls_before = a.get(name, (0.0, 0))
        if own > 0.05:
            ratio = own / before if before > 0 else math.inf
            rows.append((own, ratio, calls, calls_before, name))
    rows.sort(reverse=True)
    print(f"  own time at {large} KB (s), growth from {small} KB (x{large // small} input), calls")
    for own, ratio, calls, calls_before, name in rows[:top]:
        print(f"    {own:>7.2f}  x{ratio:>6.1f}  {calls_before:>9,} -> {calls:>9,}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kb", type=int, default=64, help="largest report (default 64)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size, best kept")
    parser.add_argument("--profile", action="store_true", help="profile the two largest sizes")
    args = parser.parse_args(argv)
    sizes = [2**i for i in range(int(math.log2(args.max_kb)) + 1)]
    gaz = load_gazetteer()
    extract_candidates(varied_report(1), "2024-03-12", gazetteer=gaz)  # warm caches
    series = {"varied prose": varied_report, "one sentence repeated": repeated_report}
    for name, make in series.items():
        run_series(name, make, sizes, args.repeat, gaz)
        if args.profile and len(sizes) >= 2:
            profile_growth(make, sizes[-2], sizes[-1], gaz)
    return 0


if __name__ == "__main__":
    sys.exit(main())
