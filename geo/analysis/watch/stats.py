"""The upper tails the spike rule tests with: Poisson and negative binomial.

``P(X >= k)`` for ``X ~ Poisson(rate)`` or a negative binomial of that mean
and dispersion ``size`` (variance ``rate + rate**2 / size``): scipy's
regularised gamma and beta functions when scipy is installed (it is not a
dependency of the project), otherwise sums of terms in log space, exact to
double precision for the counts a week holds.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["negbin_tail", "poisson_tail"]


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


def negbin_tail(count: np.ndarray, rate: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``P(X >= count)`` for a negative binomial of mean ``rate`` and dispersion ``size``.

    The variance is ``rate + rate**2 / size``; an infinite ``size`` is the
    Poisson law. With ``p = size / (size + rate)``, ``P(X >= k)`` is the
    regularised incomplete beta function ``I_{1-p}(k, size)``.
    """
    k, lam, r = np.broadcast_arrays(
        np.asarray(count, dtype=np.float64),
        np.asarray(rate, dtype=np.float64),
        np.asarray(size, dtype=np.float64),
    )
    out = poisson_tail(k, lam)
    mixed = np.isfinite(r) & (k > 0)
    if not mixed.any():
        return out
    q = lam[mixed] / (r[mixed] + lam[mixed])
    try:
        from scipy.special import betainc
    except ImportError:  # scipy is optional
        out[mixed] = [
            _nb_tail(int(a), float(b), float(c))
            for a, b, c in zip(k[mixed], r[mixed], q, strict=True)
        ]
        return out
    out[mixed] = betainc(k[mixed], r[mixed], q)
    return out


def _nb_tail(k: int, size: float, q: float) -> float:
    """``1 - P(X < k)``, the head summed term by term (``q`` = 1 - p)."""
    if q <= 0:
        return 0.0
    log_p, log_q = math.log1p(-q), math.log(q)
    head = sum(
        math.exp(
            math.lgamma(x + size)
            - math.lgamma(size)
            - math.lgamma(x + 1)
            + size * log_p
            + x * log_q
        )
        for x in range(k)
    )
    return max(0.0, 1.0 - head)
