"""Headless Chromium for the browser tests: where it is, and one launch per test module.

The ``browser`` fixture is registered in tests/conftest.py, so a browser test
module only asks for it and marks itself with :data:`needs_chromium`.
``GEO_CHROMIUM`` names another binary (as it does for the snapshot exporter).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.render.snapshot import BROWSER_ARGS

CHROMIUM = Path(os.environ.get("GEO_CHROMIUM") or "/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (Debian package chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium launched with the project's flags, closed after the module."""
    # Imported here so that collecting the non-browser tests never needs Playwright.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=str(CHROMIUM), args=list(BROWSER_ARGS))
        yield chromium
        chromium.close()
