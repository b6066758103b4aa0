"""Benchmark the dashboard's filters and map on SYNTHETIC incidents (not real data).

Same as ``python -m geo bench``; see ``geo/cli/bench.py`` for what is
measured and ``docs/performance.md`` for the figures.

Run: python scripts/bench.py [--sizes 10000,100000,1000000] [--naive-max 10000] [--repeat 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
