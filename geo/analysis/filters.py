"""The filter state shared by the map, the shareable URL and the briefing.

A :class:`FilterState` is immutable and converts to and from URL query
parameters, so a link reproduces exactly the filters that were shared.
Values that cannot be read fall back to the defaults, and each fallback is
reported as a notice a person can act on.

Example
-------
>>> import datetime as dt
>>> d = FilterState(date_from=dt.date(2013, 1, 1), date_to=dt.date(2013, 2, 28))
>>> state, notices = FilterState.from_params(d.to_params() | {"minfat": "x"}, d)
>>> state == d, len(notices)
(True, 1)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.model.params import last_param
from geo.model.schema import EVENT_TYPES

# Short, stable query-parameter names: links stay readable and survive
# renames of the Python fields.
PARAMS = {
    "date_from": "from",
    "date_to": "to",
    "as_of": "asof",
    "countries": "country",
    "admin1": "admin1",
    "event_types": "type",
    "actors": "actor",
    "min_fatalities": "minfat",
    "max_geo_precision": "prec",
}
_LIST_SEP = ","
_ESCAPE = "\\"


def join_list(values: tuple[str, ...]) -> str:
    r"""One query-parameter value for a list; commas inside items are escaped.

    >>> join_list(("Gao", "Forces of A, B"))
    'Gao,Forces of A\\, B'
    """
    return _LIST_SEP.join(
        v.replace(_ESCAPE, _ESCAPE * 2).replace(_LIST_SEP, _ESCAPE + _LIST_SEP) for v in values
    )


def split_list(text: str) -> list[str]:
    r"""Items of a list written by :func:`join_list` (trimmed, empty ones dropped).

    >>> split_list(r"Gao, Forces of A\, B,")
    ['Gao', 'Forces of A, B']
    """
    items, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == _ESCAPE:
            escaped = True
        elif char == _LIST_SEP:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [i.strip() for i in items if i.strip()]


@dataclass(frozen=True)
class FilterState:
    """What subset of incidents is shown, and the date risk is assessed at.

    Empty tuples mean "all". ``as_of`` defaults to ``date_to``.
    """

    date_from: dt.date
    date_to: dt.date
    as_of: dt.date | None = None
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    min_fatalities: int = 0
    max_geo_precision: int = 3

    @property
    def assessed_at(self) -> dt.date:
        """The as-of date, which defaults to the end of the period."""
        return self.as_of or self.date_to

    def to_params(self) -> dict[str, str]:
        """Query parameters for this state (values equal to nothing are left out)."""
        out: dict[str, str] = {
            PARAMS["date_from"]: self.date_from.isoformat(),
            PARAMS["date_to"]: self.date_to.isoformat(),
        }
        if self.as_of is not None:
            out[PARAMS["as_of"]] = self.as_of.isoformat()
        for name in ("countries", "admin1", "event_types", "actors"):
            values = getattr(self, name)
            if values:
                out[PARAMS[name]] = join_list(values)
        if self.min_fatalities:
            out[PARAMS["min_fatalities"]] = str(self.min_fatalities)
        if self.max_geo_precision != 3:
            out[PARAMS["max_geo_precision"]] = str(self.max_geo_precision)
        return out

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, str | list[str]],
        defaults: FilterState,
        choices: Mapping[str, tuple[str, ...]] | None = None,
    ) -> tuple[FilterState, list[str]]:
        """Read a state from query parameters, falling back to ``defaults``.

        Parameters
        ----------
        params : mapping
            Query parameters (a list value uses its last item).
        defaults : FilterState
            Used for anything absent or invalid.
        choices : mapping, optional
            Known values for ``countries``, ``admin1`` and ``actors``; unknown
            ones are dropped with a notice. Event types are always checked.

        Returns
        -------
        (FilterState, list of str)
            The state and one notice per value that was not used.
        """
        known = dict(choices or {})
        known["event_types"] = EVENT_TYPES
        values: dict[str, object] = {}
        notices = _read_dates(params, values)
        notices += _read_lists(params, known, values)
        notices += _read_numbers(params, values)
        state = dataclasses.replace(defaults, **values)  # type: ignore[arg-type]
        if state.date_from > state.date_to:
            notices.append(
                f"Ignored the period {state.date_from} to {state.date_to}: "
                "it ends before it starts."
            )
            state = dataclasses.replace(
                state, date_from=defaults.date_from, date_to=defaults.date_to
            )
        return state, notices


def _read_dates(params: Mapping[str, str | list[str]], values: dict[str, object]) -> list[str]:
    notices = []
    for name in ("date_from", "date_to", "as_of"):
        text = last_param(params, PARAMS[name])
        if not text:
            continue
        try:
            values[name] = dt.date.fromisoformat(text)
        except ValueError:
            notices.append(f"Ignored {PARAMS[name]}={text!r}: not a date (YYYY-MM-DD).")
    return notices


def _read_lists(
    params: Mapping[str, str | list[str]],
    known: Mapping[str, tuple[str, ...]],
    values: dict[str, object],
) -> list[str]:
    notices = []
    for name in ("countries", "admin1", "event_types", "actors"):
        text = last_param(params, PARAMS[name])
        if not text:
            continue
        items = tuple(dict.fromkeys(split_list(text)))
        if name in known:
            unknown = [i for i in items if i not in known[name]]
            if unknown:
                notices.append(f"Ignored unknown {PARAMS[name]} value(s): {', '.join(unknown)}.")
            items = tuple(i for i in items if i in known[name])
        values[name] = items
    return notices


def _read_numbers(params: Mapping[str, str | list[str]], values: dict[str, object]) -> list[str]:
    notices = []
    for name, low, high in (("min_fatalities", 0, 10**9), ("max_geo_precision", 1, 3)):
        text = last_param(params, PARAMS[name])
        if not text:
            continue
        try:
            number = int(text)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            notices.append(
                f"Ignored {PARAMS[name]}={text!r}: expected a whole number {low}..{high}."
            )
            continue
        values[name] = number
    return notices


def apply_filters(df: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """Rows of an incident frame that match ``state`` (order kept).

    Dates are compared on whole days: ``date_to`` is inclusive.
    """
    return df.loc[filter_mask(df, state)]


def filter_mask(df: pd.DataFrame, state: FilterState) -> np.ndarray:
    """Which rows of ``df`` match ``state``: one boolean per row.

    What :func:`apply_filters` selects, for callers that only count or
    look up the rows and need not copy every column of them.
    """
    dates = df["event_date"]
    mask = (dates >= pd.Timestamp(state.date_from)) & (dates <= pd.Timestamp(state.date_to))
    if state.countries:
        mask &= df["country"].isin(state.countries) | df["iso3"].isin(state.countries)
    if state.admin1:
        col = "area" if "area" in df.columns else "admin1"
        mask &= df[col].isin(state.admin1)
    if state.event_types:
        mask &= df["event_type"].isin(state.event_types)
    if state.actors:
        mask &= df["actor1"].isin(state.actors) | df["actor2"].isin(state.actors)
    if state.min_fatalities:
        mask &= df["fatalities"].fillna(0) >= state.min_fatalities
    if state.max_geo_precision < 3:
        mask &= df["geo_precision"].fillna(3) <= state.max_geo_precision
    return mask.fillna(False).to_numpy(dtype=bool)


class Selection:
    """The rows of a frame where a mask holds, copied only when asked for.

    Copying every column of 170,000 rows out of a million takes about 0.1 s
    (the text columns) and holds their memory; a page that only counts the
    rows, sums one column or draws a map that is already rendered needs
    none of it. A selection takes the rows when :attr:`frame` is first read,
    or only some columns with :meth:`columns`.

    Parameters
    ----------
    source : DataFrame
        The frame the rows come from; not copied, and not to be changed
        while the selection is in use.
    mask : array of bool
        One per row of ``source``: which rows are selected.
    """

    def __init__(self, source: pd.DataFrame, mask: np.ndarray):
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(source),):
            raise ValueError(
                f"Selection: the mask has shape {mask.shape}, the frame {len(source)} rows"
            )
        self.source = source
        self.mask = mask
        self._count = int(mask.sum())
        self._frame: pd.DataFrame | None = None

    @classmethod
    def of(cls, source: pd.DataFrame, state: FilterState) -> Selection:
        """The rows of ``source`` that match ``state`` (:func:`apply_filters`, lazily)."""
        return cls(source, filter_mask(source, state))

    def __len__(self) -> int:
        return self._count

    @property
    def frame(self) -> pd.DataFrame:
        """The selected rows with every column, as ``source.loc[mask]`` (taken once)."""
        if self._frame is None:
            self._frame = self.source.loc[self.mask]
        return self._frame

    def columns(self, names: Iterable[str]) -> pd.DataFrame:
        """The selected rows with only the ``names`` that ``source`` has, in that order."""
        present = [name for name in names if name in self.source.columns]
        if self._frame is not None:
            return self._frame[present]
        return self.source[present].loc[self.mask]

    def narrowed(self, keep: np.ndarray) -> Selection:
        """These rows where ``keep`` holds (one bool per selected row)."""
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != (self._count,):
            raise ValueError(
                f"Selection.narrowed: {keep.shape} flags for {self._count} selected rows"
            )
        mask = np.zeros(len(self.source), dtype=bool)
        mask[np.flatnonzero(self.mask)[keep]] = True
        return Selection(self.source, mask)


# ---------------------------------------------------------------- choices


def _present(*columns: pd.Series) -> tuple[str, ...]:
    """The distinct non-blank values of ``columns``, stripped and sorted."""
    # Distinct values first: a million rows hold a few hundred names, and
    # stripping each row's text in Python took 1.8 s at 1,000,000 incidents.
    distinct = pd.concat([pd.Series(pd.unique(c.dropna()), dtype=object) for c in columns])
    text = distinct.astype(str).str.strip()
    return tuple(sorted(set(text[text != ""])))


def filter_choices(df: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Values the filter widgets offer, from the incidents themselves.

    Returns
    -------
    dict
        ``countries`` (names), ``admin1`` (areas, or the stated admin-1 when
        the frame is not joined), ``event_types`` (ACLED order),
        ``actors`` (actor 1 and 2).
    """
    area_col = "area" if "area" in df.columns else "admin1"
    return {
        "countries": _present(df["country"]),
        "admin1": _present(df[area_col]),
        "event_types": EVENT_TYPES,
        "actors": _present(df["actor1"], df["actor2"]),
    }


def areas_by_country(df: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Country name -> the areas (or stated admin-1) its incidents fall in."""
    area_col = "area" if "area" in df.columns else "admin1"
    pairs = df[["country", area_col]].astype("string").fillna("").drop_duplicates()
    pairs = pairs[pairs[area_col].str.strip() != ""]
    return {
        str(country): tuple(sorted(group[area_col].astype(str)))
        for country, group in pairs.groupby("country", sort=True)
    }


def admin1_choices(
    by_country: Mapping[str, Sequence[str]], countries: Sequence[str], keep: Iterable[str] = ()
) -> tuple[str, ...]:
    """Areas of the selected countries (all when none), plus ``keep``.

    ``keep`` holds the current selection so that narrowing the countries never
    makes a selected area vanish under the user's hands.
    """
    chosen = by_country.values() if not countries else (by_country.get(c, ()) for c in countries)
    return tuple(sorted({a for areas in chosen for a in areas} | set(keep)))
