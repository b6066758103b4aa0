"""Tests for geo.analysis.risk.trends: the weekly trend classes at their boundaries."""

from __future__ import annotations

import pytest

from geo.analysis.risk import trend_class


@pytest.mark.parametrize(
    ("recent", "previous", "label"),
    [
        (10, 32, "Moderate increase"),  # +25 % exactly: not above 25
        (11, 32, "Large increase"),  # +37.5 %
        (9, 32, "Moderate increase"),  # +12.5 %
        (11, 40, "Limited change"),  # +10 % exactly: not above 10
        (6, 32, "Limited change"),  # -25 % exactly: not below -25
        (7, 32, "Limited change"),  # -12.5 %: no "moderate decrease" class
        (5, 32, "Large decrease"),  # -37.5 %
        (5, 8, "Limited change"),  # low baseline (2 a week) and <= 5 this week
        (6, 8, "Large increase"),  # low baseline but 6 this week
        (0, 9, "Large decrease"),  # 2.25 a week is not a low baseline
        (5, 0, "Limited change"),
        (6, 0, "Large increase"),  # no baseline at all, more than 5 this week
    ],
)
def test_trend_classes(recent: int, previous: int, label: str) -> None:
    assert trend_class(recent, previous) == label
