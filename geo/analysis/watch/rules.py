"""The five "what changed" rules, each over every area and week at once.

Each rule takes the frame of :func:`geo.analysis.watch.events.events` and
returns alerts (:func:`geo.analysis.watch.events.alert_frame`) with a
``why`` that states the test and its numbers. Work is done per column
(groupby, cumulative sums over an area-by-week matrix), never per incident.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.analysis.watch.config import WatchConfig
from geo.analysis.watch.events import alert_frame
from geo.analysis.watch.stats import negbin_tail, poisson_tail
from geo.analysis.watch.weeks import weekly_matrix

__all__ = [
    "baseline_matrix",
    "baselines",
    "dispersion_matrix",
    "fatality_alerts",
    "new_actor_alerts",
    "quiet_alerts",
    "site_alerts",
    "spike_alerts",
    "spike_matrix",
]


def _day(value: pd.Timestamp) -> str:
    return f"{value:%d %b %Y}".lstrip("0")


def _law(size: float, test: str) -> str:
    if np.isinf(size):
        return "a Poisson law" + (
            " (the area's weeks vary no more than under one)" if test == "negbin" else ""
        )
    return f"a negative binomial law (dispersion {size:.2g}, from the area's weekly variance)"


def _ids(events: pd.DataFrame, by: list[str], wanted: pd.DataFrame) -> list[tuple[str, ...]]:
    """The sorted event ids of each row of ``wanted`` (distinct values of the ``by`` columns).

    Only the rows of the wanted groups are sorted and cut, with numpy: a
    groupby over every group of the store cost seconds at 100,000 incidents.
    """
    if wanted.empty:
        return []
    want = pd.MultiIndex.from_frame(wanted[by])
    rows = pd.MultiIndex.from_frame(events[by])
    pos = want.get_indexer(rows)
    keep = pos >= 0
    pos, ids = pos[keep], events["event_id"].to_numpy(dtype=object)[keep]
    order = np.lexsort((ids.astype(str), pos))
    pos, ids = pos[order], ids[order]
    bounds = np.searchsorted(pos, np.arange(len(want) + 1))
    return [tuple(ids[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def baseline_matrix(counts: np.ndarray, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the previous ``weeks`` columns of each row, and how many columns it spans.

    ``counts`` is areas by weeks (oldest first). Column ``j`` averages
    columns ``max(0, j - weeks)`` to ``j - 1`` (NaN for ``j = 0``), from
    cumulative sums, so the cost does not grow with ``weeks``.
    """
    counts = np.asarray(counts)
    before = np.concatenate([np.zeros((len(counts), 1)), counts.cumsum(axis=1)], axis=1)
    j = np.arange(counts.shape[1])
    span = np.minimum(j, weeks)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (before[:, j] - before[:, j - span]) / span
    return np.where(span > 0, mean, np.nan), np.broadcast_to(span, counts.shape)


def spike_matrix(
    counts: np.ndarray, config: WatchConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spike test on an areas-by-weeks count matrix: ``(fires, p_value, size)``.

    ``size`` is the dispersion tested with (infinite: the Poisson law).

    What :func:`spike_alerts` applies to the store and the backtest
    (``scripts/backtest_alerts.py``) to synthetic series; ``p_value`` is 1
    where the week is not tested (too few incidents or too little history).
    """
    counts = np.asarray(counts)
    mean, span = baseline_matrix(counts, config.baseline_weeks)
    tested = (counts >= config.spike_min_count) & (span >= config.min_baseline_weeks)
    p = np.ones(counts.shape)
    size = np.full(counts.shape, np.inf)
    rate = np.maximum(np.nan_to_num(mean[tested]), config.baseline_floor)
    if config.spike_test == "negbin":
        size[tested] = dispersion_matrix(counts, config.dispersion_weeks)[tested]
        p[tested] = negbin_tail(counts[tested], rate, size[tested])
    else:
        p[tested] = poisson_tail(counts[tested], rate)
    return tested & (p < config.spike_alpha), p, size


def dispersion_matrix(counts: np.ndarray, weeks: int) -> np.ndarray:
    """Negative-binomial dispersion of each row over the previous ``weeks`` columns.

    Moment estimate ``size = m**2 / (v - m)`` from the mean ``m`` and sample
    variance ``v`` of those weeks; infinite (the Poisson law) where the
    counts vary no more than a Poisson law's would, or fewer than two weeks
    precede.
    """
    counts = np.asarray(counts, dtype=np.float64)
    mean, span = baseline_matrix(counts, weeks)
    square, _ = baseline_matrix(counts**2, weeks)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (square - mean**2) * span / (span - 1)
        size = mean**2 / (var - mean)
    return np.where((span >= 2) & (var > mean) & (mean > 0), size, np.inf)


def baselines(events: pd.DataFrame, config: WatchConfig, last: pd.Timestamp) -> pd.DataFrame:
    """Each area's count and baseline for every week from the store's first to ``last``.

    Returns
    -------
    DataFrame
        Long format: ``key``, ``monday``, ``count``, ``weeks`` (how many
        earlier weeks of the store the baseline spans, at most
        ``baseline_weeks``), ``baseline`` (their mean count; NaN with no
        earlier week).
    """
    if events.empty:
        return pd.DataFrame(columns=["key", "monday", "count", "weeks", "baseline"])
    first = events["monday"].min()
    last = max(pd.Timestamp(last), events["monday"].max())
    matrix = weekly_matrix(events["key"], events["monday"], first, last)
    counts = matrix.to_numpy()
    mean, span = baseline_matrix(counts, config.baseline_weeks)
    return pd.DataFrame(
        {
            "key": np.repeat(matrix.index.to_numpy(), counts.shape[1]),
            "monday": np.tile(matrix.columns.to_numpy(), len(counts)),
            "count": counts.ravel(),
            "weeks": span.ravel(),
            "baseline": mean.ravel(),
        }
    )


def spike_alerts(events: pd.DataFrame, config: WatchConfig, last: pd.Timestamp) -> pd.DataFrame:
    """Weeks whose count is improbably high against the area's own baseline.

    Test: with ``b`` the mean weekly count of the area's previous
    ``baseline_weeks`` weeks (at least ``min_baseline_weeks`` of the
    store's history) and ``rate = max(b, baseline_floor)``, the week fires
    when it holds at least ``spike_min_count`` incidents and
    ``P(X >= count) < spike_alpha`` for ``X ~ Poisson(rate)``.
    """
    table = baselines(events, config, last)
    if table.empty:
        return alert_frame({}, "spike")
    n_weeks = table["monday"].nunique()
    fires, p_all, size_all = spike_matrix(table["count"].to_numpy().reshape(-1, n_weeks), config)
    fire = fires.ravel()
    table, p, size = table[fire], p_all.ravel()[fire], size_all.ravel()[fire]
    rate = np.maximum(table["baseline"].to_numpy(float), config.baseline_floor)
    ids = _ids(events, ["key", "monday"], table)
    why = [
        f"{c} incidents this week against a baseline of {b:.2f} a week (mean of the previous "
        f"{w} weeks{'' if b >= config.baseline_floor else f', tested at the floor of {r:g}'}): "
        f"P(at least {c}) = {q:.2g} under {_law(k, config.spike_test)}, "
        f"below {config.spike_alpha:g}"
        for c, b, w, r, q, k in zip(
            table["count"], table["baseline"], table["weeks"], rate, p, size, strict=True
        )
    ]
    return alert_frame(
        {
            "key": table["key"].to_numpy(),
            "monday": table["monday"].to_numpy(),
            "event_ids": ids,
            "value": table["count"].to_numpy(float),
            "reference": table["baseline"].to_numpy(float),
            "p_value": p,
            "why": why,
        },
        "spike",
    )


def quiet_alerts(events: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    """The first incident in an area after at least ``quiet_days`` without one.

    An area's first incident in the store counts from the store's first
    day: the store does not know what happened before it began.
    """
    if events.empty:
        return alert_frame({}, "quiet")
    days = events[["key", "day", "monday"]].drop_duplicates().sort_values(["key", "day"])
    previous = days.groupby("key")["day"].shift()
    start = events["day"].min()
    days = days.assign(gap=(days["day"] - previous.fillna(start)).dt.days, previous=previous)
    hit = days[days["gap"] >= config.quiet_days]
    ids = _ids(events, ["key", "day"], hit)
    why = [
        f"first incident in {g} days (at least {config.quiet_days} quiet days): "
        + (
            f"the previous one was on {_day(p)}"
            if pd.notna(p)
            else f"none since the store's records begin on {_day(start)}"
        )
        for g, p in zip(hit["gap"], hit["previous"], strict=True)
    ]
    return alert_frame(
        {
            "key": hit["key"].to_numpy(),
            "monday": hit["monday"].to_numpy(),
            "event_ids": ids,
            "value": hit["gap"].to_numpy(float),
            "reference": float(config.quiet_days),
            "why": why,
        },
        "quiet",
    )


def _actors(events: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    """Actor1 and actor2 as one long column, without blanks and non-armed actors."""
    long = pd.concat(
        [
            events[["event_id", "key", "day", "monday"]].assign(actor=events[column])
            for column in ("actor1", "actor2")
        ],
        ignore_index=True,
    )
    keep = long["actor"] != ""
    for prefix in config.ignore_actor_prefixes:
        keep &= ~long["actor"].str.startswith(prefix)
    return long[keep].drop_duplicates(["event_id", "key", "actor"])


def new_actor_alerts(events: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    """An actor (actor1 or actor2) active in an area for the first time in the store.

    Judged only once the store holds ``actor_history_days`` before the
    incident: in its first days every actor would be new.
    """
    if events.empty:
        return alert_frame({}, "new_actor")
    long = _actors(events, config)
    start = events["day"].min()
    first_here = long.groupby(["key", "actor"])["day"].transform("min")
    first_anywhere = long.groupby("actor")["day"].transform("min")
    new = long[
        (long["day"] == first_here) & ((long["day"] - start).dt.days >= config.actor_history_days)
    ]
    new = new.assign(elsewhere=first_anywhere[new.index])
    grouped = new.groupby(["key", "monday", "actor"], sort=True).agg(
        day=("day", "min"), elsewhere=("elsewhere", "min")
    )
    ids = _ids(new, ["key", "monday", "actor"], grouped.index.to_frame(index=False))
    why = [
        f"{actor} is active in this area for the first time in the store's records "
        f"(which begin on {_day(start)}); "
        + (
            f"it was seen elsewhere from {_day(other)}"
            if other < day
            else "it appears nowhere in them before"
        )
        for (_, _, actor), day, other in zip(
            grouped.index, grouped["day"], grouped["elsewhere"], strict=True
        )
    ]
    return alert_frame(
        {
            "key": grouped.index.get_level_values(0),
            "monday": grouped.index.get_level_values(1),
            "subject": grouped.index.get_level_values(2),
            "event_ids": ids,
            "why": why,
        },
        "new_actor",
    )


def fatality_alerts(events: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    """An incident whose fatalities exceed the quantile of the area's earlier incidents.

    Earlier means before it in (day, event id) order, so same-day rows are
    ordered the same way on every run. Needs ``fatality_min_history``
    earlier incidents and at least ``fatality_min`` fatalities.
    """
    if events.empty:
        return alert_frame({}, "fatalities")
    ordered = events.sort_values(["key", "day", "event_id"])
    earlier = ordered.groupby("key")["fatalities"].shift().astype(float)
    quantile = (
        earlier.groupby(ordered["key"])
        .expanding(min_periods=config.fatality_min_history)
        .quantile(config.fatality_quantile)
        .droplevel(0)
        .reindex(ordered.index)
    )
    history = ordered.groupby("key").cumcount()
    fire = (ordered["fatalities"] > quantile) & (ordered["fatalities"] >= config.fatality_min)
    hit = ordered[fire.to_numpy()]
    q, n = quantile[fire.to_numpy()], history[fire.to_numpy()]
    pct = f"{config.fatality_quantile * 100:g}th percentile"
    why = [
        f"{f} fatalities, above the {pct} ({v:g}) of the area's {c} earlier incidents"
        for f, v, c in zip(hit["fatalities"], q, n, strict=True)
    ]
    return alert_frame(
        {
            "key": hit["key"].to_numpy(),
            "monday": hit["monday"].to_numpy(),
            "event_ids": [(e,) for e in hit["event_id"]],
            "value": hit["fatalities"].to_numpy(float),
            "reference": q.to_numpy(float),
            "why": why,
        },
        "fatalities",
    )


def site_alerts(events: pd.DataFrame, near: pd.DataFrame, radius: dict[str, float]) -> pd.DataFrame:
    """Incidents within a site's radius, one alert per area, week and site.

    ``near`` is :func:`geo.analysis.proximity.near_sites` of the same
    incidents (indexed like them); ``radius`` gives each site's radius in km.
    """
    from geo.analysis.proximity import describe

    if events.empty or near is None or near.empty:
        return alert_frame({}, "site")
    inside = near.loc[near.index.intersection(events.index)]
    inside = inside[inside["within_radius"].fillna(False).astype(bool)]
    rows = events.loc[inside.index, ["event_id", "key", "monday"]].join(
        inside[["site", "distance_km", "bearing_deg"]]
    )
    rows = rows.sort_values(["key", "monday", "site", "distance_km", "event_id"])
    grouped = rows.groupby(["key", "monday", "site"], sort=True)
    nearest = grouped.head(1).set_index(["key", "monday", "site"])
    ids = grouped["event_id"].agg(lambda s: tuple(sorted(s)))
    why = [
        f"{len(ids[i])} incident(s) within the {radius.get(i[2], float('nan')):g} km radius of "
        f"{i[2]}; the nearest {describe(d, b, i[2])}"
        for i, d, b in zip(
            nearest.index, nearest["distance_km"], nearest["bearing_deg"], strict=True
        )
    ]
    return alert_frame(
        {
            "key": nearest.index.get_level_values(0),
            "monday": nearest.index.get_level_values(1),
            "subject": nearest.index.get_level_values(2),
            "event_ids": [ids[i] for i in nearest.index],
            "value": nearest["distance_km"].to_numpy(float),
            "reference": [radius.get(i[2], np.nan) for i in nearest.index],
            "why": why,
        },
        "site",
    )
