"""Print the fuzz figures (cases, tracebacks, wrong acceptances, lost rows, time, memory).

With ``GEO_FUZZ_REPORT=<path>`` the same figures are written there as JSON,
so the documented figures come from a run rather than by hand.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.fuzz.harness import PEAKS, STATS

_START = time.monotonic()
FIGURES = (
    "tracebacks", "bad exit codes", "wrong acceptances", "lost rows",
    "store changed on failure", "over time", "over memory",
)  # fmt: skip


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS["cases"]:
        return
    figures = {
        "cases": STATS["cases"],
        **{name: STATS[name] for name in FIGURES},
        "exit codes": {k.split()[1]: v for k, v in sorted(STATS.items()) if k.startswith("exit ")},
        "cases by command": {
            k.removeprefix("cases "): v for k, v in sorted(STATS.items()) if k.startswith("cases ")
        },
        "slowest case s": round(PEAKS["seconds"], 2),
        "largest memory growth MB": round(PEAKS["megabytes"], 1),
        "wall time s": round(time.monotonic() - _START, 1),
    }
    terminalreporter.section("fuzz figures")
    for key, value in figures.items():
        terminalreporter.write_line(f"{key}: {value}")
    report = os.environ.get("GEO_FUZZ_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
