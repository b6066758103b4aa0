"""The Poisson upper tail the spike rule tests with.

``P(X >= k)`` for ``X ~ Poisson(rate)``: scipy's regularised gamma when
scipy is installed (it is not a dependency of the project), otherwise a sum
of terms in log space, which is exact to double precision for the small
counts a week holds.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["poisson_tail"]


def poisson_tail(count: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """``P(X >= count)`` for ``X ~ Poisson(rate)``, elementwise.

    >>> float(poisson_tail(np.array([3]), np.array([0.25]))[0])  # doctest: +ELLIPSIS
    0.00216...

    A count of 0 or less has probability 1.
    """
    k = np.asarray(count, dtype=np.float64)
    lam = np.asarray(rate, dtype=np.float64)
    k, lam = np.broadcast_arrays(k, lam)
    try:
        from scipy.special import gammainc
    except ImportError:  # scipy is optional
        return np.array(
            [_tail(int(a), float(b)) for a, b in zip(k.ravel(), lam.ravel(), strict=True)]
        ).reshape(k.shape)
    out = np.ones(k.shape)
    positive = k > 0
    # P(X >= k) = P(k, rate), the lower regularised incomplete gamma function.
    out[positive] = gammainc(k[positive], lam[positive])
    return out


def _tail(k: int, lam: float) -> float:
    """``P(X >= k)`` summed from ``k`` upwards until the terms stop counting."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1)
    total, j = 0.0, k
    while True:
        term = math.exp(log_term)
        total += term
        j += 1
        log_term += math.log(lam) - math.log(j)
        if j > lam and term < total * 1e-17:
            return min(total, 1.0)
