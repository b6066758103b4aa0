"""Counting incidents on a regular lon/lat grid, for the grid mode and the heat map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "GRID_BASE_DEG",
    "GRID_MAX_CELLS",
    "GRID_MULTIPLES",
    "HEAT_MAX_CELLS",
    "GridAggregate",
    "grid_aggregate",
]

GRID_MAX_CELLS = 6_000
HEAT_MAX_CELLS = 20_000
# Candidate grid cell sizes in degrees, finest first; all are multiples of
# the first so that one fine pass serves every coarser size.
GRID_BASE_DEG = 0.05
GRID_MULTIPLES: tuple[int, ...] = (1, 2, 4, 5, 10, 15, 20, 30, 40, 60, 100)


@dataclass(frozen=True)
class GridAggregate:
    """Incidents counted on a regular lon/lat grid (one row per occupied cell)."""

    cell_deg: float
    lat: np.ndarray  # mean latitude of the cell's incidents
    lon: np.ndarray
    counts: np.ndarray  # (cells, types) incidents per event type
    fatalities: np.ndarray  # per cell

    @property
    def total(self) -> np.ndarray:
        """Incidents per cell."""
        return np.asarray(self.counts.sum(axis=1))


def grid_aggregate(
    lat: np.ndarray,
    lon: np.ndarray,
    type_codes: np.ndarray,
    n_types: int,
    fatalities: np.ndarray,
    max_cells: int = GRID_MAX_CELLS,
    min_cell_deg: float = 0.0,
) -> GridAggregate:
    """Aggregate points onto the finest grid that gives at most ``max_cells`` cells.

    The grid is anchored at (0, 0), so a cell covers the same ground whatever
    the filters. Cell sizes are multiples of :data:`GRID_BASE_DEG` (0.05°,
    ~5.5 km); the coarsest candidate is used when none fits. Vectorized: one
    sort of the points, then work on distinct cells only.

    Parameters
    ----------
    lat, lon : arrays of float
        Point coordinates (finite).
    type_codes : array of int
        Category of each point, ``0 <= code < n_types``.
    n_types : int
        Number of categories.
    fatalities : array of number
        Summed per cell.
    max_cells : int
        Upper bound on occupied cells.
    min_cell_deg : float
        Smallest cell size to consider (cells too close on screen read as
        a carpet rather than as places).
    """
    width = 1 << 20  # cell-column offset; far more columns than a 0.05° world grid has
    fx = np.floor(lon / GRID_BASE_DEG).astype(np.int64)
    fy = np.floor(lat / GRID_BASE_DEG).astype(np.int64)
    fine_keys, fine_of_point = np.unique(fy * width + fx, return_inverse=True)
    ufy, ufx = np.divmod(fine_keys, width)
    multiple = _cell_multiple(ufy, ufx, width, max_cells, min_cell_deg)
    cell_keys, cell_of_fine = np.unique(
        (ufy // multiple) * width + ufx // multiple, return_inverse=True
    )
    cell = cell_of_fine[fine_of_point]
    n_cells = len(cell_keys)
    counts = np.bincount(cell * n_types + type_codes, minlength=n_cells * n_types).reshape(
        n_cells, n_types
    )
    total = counts.sum(axis=1)
    return GridAggregate(
        cell_deg=round(GRID_BASE_DEG * multiple, 6),
        lat=np.bincount(cell, weights=lat, minlength=n_cells) / total,
        lon=np.bincount(cell, weights=lon, minlength=n_cells) / total,
        counts=counts,
        fatalities=np.bincount(cell, weights=fatalities, minlength=n_cells),
    )


def _cell_multiple(
    ufy: np.ndarray, ufx: np.ndarray, width: int, max_cells: int, min_cell_deg: float
) -> int:
    """The smallest candidate multiple of the fine cell that keeps within ``max_cells``.

    ``ufy``/``ufx`` are the distinct fine cells occupied, so each candidate
    costs work on occupied cells only.
    """
    for k in GRID_MULTIPLES:
        if k * GRID_BASE_DEG < min_cell_deg - 1e-9:
            continue
        if len(np.unique((ufy // k) * width + ufx // k)) <= max_cells:
            return k
    return GRID_MULTIPLES[-1]
