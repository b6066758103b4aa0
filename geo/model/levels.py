"""Risk levels, lowest first: part of the model, not of the palette.

Scoring decides levels; drawing only colours them. Keeping the names here
lets ``geo.analysis.risk`` use them without importing anything that draws.
"""

from __future__ import annotations

__all__ = ["LEVELS"]

LEVELS: tuple[str, ...] = ("Low", "Moderate", "Elevated", "High", "Extreme")
