"""The incident model and its validation.

The model keeps ACLED's core columns so that files move between this tool,
ACLED exports and spreadsheets without loss. Validation reports every problem
at once, each naming file, spreadsheet row, column, value and what was
expected; it never drops or rewrites a row.

Example
-------
>>> import pandas as pd
>>> raw = pd.DataFrame({c: [""] for c in COLUMNS})
>>> problems = validate_frame(raw, file="x.csv")
>>> problems[0].row
2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "iso3",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "source",
    "notes",
)

# Optional columns understood by the library; kept when present.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "civilian_targeting",
    "fatalities_low",
    "fatalities_high",
    "origin_id",
    # "yes" for an incident at sea: exempt from the land and country-outline
    # check of geo.io.placement (which reads this column).
    "at_sea",
)

REQUIRED: tuple[str, ...] = (
    "event_id",
    "event_date",
    "time_precision",
    "event_type",
    "country",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "source",
)

SUB_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
EVENT_TYPES: tuple[str, ...] = tuple(SUB_EVENT_TYPES)
# Every ACLED sub-event type belongs to exactly one event type.
SUB_EVENT_TO_TYPE: dict[str, str] = {s: t for t, subs in SUB_EVENT_TYPES.items() for s in subs}

TIME_PRECISIONS = {1: "exact day", 2: "week", 3: "month"}
GEO_PRECISIONS = {
    1: "the named town itself",
    2: "near a town / part of a district, coded to that town",
    3: "a larger region or natural feature, at a representative point",
}

CIVILIAN_TARGETING = "Civilian targeting"
_INT_COLUMNS = (
    "time_precision",
    "geo_precision",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
)
_FLOAT_COLUMNS = ("latitude", "longitude")

# The largest toll one incident row may carry. The worst single events ACLED
# or UCDP record are in the low thousands; a figure past this is a typo or a
# unit mix-up, and past 2**63 it would wrap to a negative integer.
MAX_FATALITIES = 100_000
# Conflict data starts in the 20th century (UCDP from 1989, ACLED from 1997);
# an earlier date is a typo, and anything before 1677 or after 2262 cannot be
# held by pandas' nanosecond timestamps at all.
DATE_MIN = pd.Timestamp("1900-01-01")


def date_max() -> pd.Timestamp:
    """The latest date an incident may carry: one year after today.

    Reports are dated at most a little ahead (time zones, a planned event
    announced); a year leaves room for that and still catches 2031 for 2013.
    """
    today = dt.date.today()
    try:
        return pd.Timestamp(today.replace(year=today.year + 1))
    except ValueError:  # 29 February
        return pd.Timestamp(today.replace(year=today.year + 1, day=28))


@dataclass(frozen=True)
class CountryCodes:
    """How validation reads country names and ISO3 codes.

    The country table lives a floor up (``geo.reference.countries``), so the
    readers that can see it pass one in; without it the agreement of
    ``country`` and ``iso3`` is not checked.

    Attributes
    ----------
    iso3_of_name : callable
        Country name -> ISO3 code; ``""`` or ``None`` when the name is unknown.
    known_iso3 : collection of str
        Every ISO 3166-1 alpha-3 code.
    """

    iso3_of_name: Callable[[str], str | None]
    known_iso3: Collection[str]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row) of an incident file.

    ``row`` is the spreadsheet row: the header is row 1, the first incident
    row 2, so a person can go straight to it.
    """

    file: str
    row: int
    column: str
    value: object
    expected: str

    def __str__(self) -> str:
        if self.row == 0 and not self.column:
            # about the whole file (missing, unreadable): no cell to point at
            return f"{self.file}: {self.expected}"
        where = f"{self.file}: row {self.row}, column {self.column!r}"
        return f"{where}: got {self.value!r}; {self.expected}"


class IncidentFileError(ValueError):
    """An incident file or frame failed validation; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s):\n{head}{more}")


def spreadsheet_row(position: int) -> int:
    """Spreadsheet row of the data row at 0-based ``position`` (header is row 1)."""
    return position + 2


def _problems(
    file: str, mask: pd.Series, raw: pd.Series, column: str, expected: str
) -> list[Problem]:
    # A comparison with a blank cell is NA, not False: count it as "no problem
    # here" (the blank cell has its own check) instead of failing to convert.
    positions = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
    values = raw.to_numpy()
    return [Problem(file, spreadsheet_row(int(i)), column, values[i], expected) for i in positions]


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _parse_dates(s: pd.Series) -> pd.Series:
    """Dates written YYYY-MM-DD; anything else, or outside the conflict range, is NaT."""
    text = s.astype("string").str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    # Compared before any cast to nanoseconds, which would overflow for 1500 or 9999.
    return dates.where((dates >= DATE_MIN) & (dates <= date_max()))


def _parse_numbers(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.astype("string").str.strip().replace("", pd.NA), errors="coerce")


def _present(raw: pd.DataFrame, col: str) -> pd.Series:
    """Rows where ``col`` has a value (all false when the column is absent)."""
    return ~_blank(raw[col]) if col in raw.columns else pd.Series(False, index=raw.index)


def validate_frame(
    raw: pd.DataFrame, file: str = "<data>", *, countries: CountryCodes | None = None
) -> list[Problem]:
    """Check raw incident rows (as read from a file, all text) and list every problem.

    Parameters
    ----------
    raw : DataFrame
        One row per incident; cells as text or already typed values.
    file : str
        Name used in the messages.
    countries : CountryCodes, optional
        Country table to check that ``country`` and ``iso3`` agree and that
        ``iso3`` is a real code (not checked without it).

    Returns
    -------
    list of Problem
        Sorted by row then column order. Empty when the frame is valid.
    """
    problems = check_columns(raw.columns, file)
    if problems:
        return problems
    raw = raw.reset_index(drop=True)
    for check in _ROW_CHECKS:
        problems += check(raw, file)
    if countries is not None:
        problems += _check_countries(raw, file, countries)
    order = {c: k for k, c in enumerate(raw.columns)}
    # The sort is stable: problems of one cell stay in the order of _ROW_CHECKS.
    problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
    return problems


def _check_required(raw: pd.DataFrame, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for col in REQUIRED:
        problems += _problems(file, _blank(raw[col]), raw[col], col, "a value is required")
    return problems


def _check_dates(raw: pd.DataFrame, file: str) -> list[Problem]:
    dates = _parse_dates(raw["event_date"])
    return _problems(
        file,
        _present(raw, "event_date") & dates.isna(),
        raw["event_date"],
        "event_date",
        f"expected a real date as YYYY-MM-DD, from {DATE_MIN:%Y-%m-%d} to a year after "
        f"today ({date_max():%Y-%m-%d})",
    )


def _check_precisions(raw: pd.DataFrame, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for col, allowed in (("time_precision", (1, 2, 3)), ("geo_precision", (1, 2, 3))):
        num = _parse_numbers(raw[col])
        bad = _present(raw, col) & ~num.isin(allowed)
        problems += _problems(file, bad, raw[col], col, "expected 1, 2 or 3")
    return problems


def _check_fatalities(raw: pd.DataFrame, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for col in ("fatalities", "fatalities_low", "fatalities_high"):
        if col not in raw.columns:
            continue
        num = _parse_numbers(raw[col])
        # between() is false for inf and NaN, so non-finite values are caught too
        sane = num.between(0, MAX_FATALITIES).fillna(False) & (num == np.floor(num.fillna(0)))
        bad = _present(raw, col) & ~sane.fillna(False)
        problems += _problems(
            file, bad, raw[col], col, f"expected a whole number from 0 to {MAX_FATALITIES:,}"
        )
    return problems


def _check_coordinates(raw: pd.DataFrame, file: str) -> list[Problem]:
    lat = _parse_numbers(raw["latitude"])
    lon = _parse_numbers(raw["longitude"])
    lat_out = lat.notna() & ((lat < -90) | (lat > 90))
    # A latitude out of range whose longitude would be a fine latitude is
    # almost always a swapped pair; saying so saves a search.
    swapped = lat_out & lon.between(-90, 90).fillna(False)
    both_zero = (lat == 0) & (lon == 0)
    checks = (
        (_present(raw, "latitude") & lat.isna(), "latitude", "expected a number"),
        (_present(raw, "longitude") & lon.isna(), "longitude", "expected a number"),
        (swapped, "latitude", "expected -90..90; latitude and longitude look swapped"),
        (lat_out & ~swapped, "latitude", "expected a latitude in -90..90"),
        (
            lon.notna() & ((lon < -180) | (lon > 180)),
            "longitude",
            "expected a longitude in -180..180",
        ),
        (
            both_zero.fillna(False),
            "latitude",
            "0,0 is the 'null island' placeholder, not a place; give real coordinates",
        ),
    )
    problems: list[Problem] = []
    for mask, col, expected in checks:
        problems += _problems(file, mask, raw[col], col, expected)
    return problems


def _check_event_types(raw: pd.DataFrame, file: str) -> list[Problem]:
    etype = raw["event_type"].astype("string").str.strip()
    problems = _problems(
        file,
        _present(raw, "event_type") & ~etype.isin(EVENT_TYPES),
        raw["event_type"],
        "event_type",
        "expected one of ACLED's event types: " + ", ".join(EVENT_TYPES),
    )
    if "sub_event_type" not in raw.columns:
        return problems
    sub = raw["sub_event_type"].astype("string").str.strip()
    valid_pair = (sub.map(SUB_EVENT_TO_TYPE) == etype).fillna(False).astype(bool)
    bad = _present(raw, "sub_event_type") & etype.isin(EVENT_TYPES) & ~valid_pair
    for i in np.flatnonzero(bad.to_numpy()):
        choices = ", ".join(SUB_EVENT_TYPES[str(etype.iloc[i])])
        problems.append(
            Problem(
                file,
                spreadsheet_row(int(i)),
                "sub_event_type",
                raw["sub_event_type"].iloc[i],
                f"expected a sub-event type of {etype.iloc[i]}: {choices}",
            )
        )
    return problems


def _check_iso3(raw: pd.DataFrame, file: str) -> list[Problem]:
    if "iso3" not in raw.columns:
        return []
    iso = raw["iso3"].astype("string").str.strip()
    bad = _present(raw, "iso3") & ~iso.str.fullmatch(r"[A-Z]{3}").fillna(False)
    return _problems(file, bad, raw["iso3"], "iso3", "expected a 3-letter ISO code")


_USER_ASSIGNED_ISO3 = r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z][A-Z]|ZZ[A-Z]"


def _check_countries(raw: pd.DataFrame, file: str, countries: CountryCodes) -> list[Problem]:
    """``iso3`` is a real code, and the code a known country name has is the one given."""
    if "iso3" not in raw.columns:
        return []
    iso = raw["iso3"].astype("string").str.strip().fillna("")
    name = raw["country"].astype("string").str.strip().fillna("")
    well_formed = iso.str.fullmatch(r"[A-Z]{3}").fillna(False)
    # ISO 3166-1 leaves these for users (Kosovo's XKX, a test's ZZZ): allowed, never checked.
    private = iso.str.fullmatch(_USER_ASSIGNED_ISO3).fillna(False)
    unknown = well_formed & ~private & ~iso.isin(list(countries.known_iso3))
    problems = _problems(
        file,
        unknown,
        raw["iso3"],
        "iso3",
        "expected an ISO 3166-1 alpha-3 country code (or a user-assigned one: AAA-AAZ, "
        "QMA-QZZ, XAA-XZZ, ZZA-ZZZ)",
    )
    lookup = {v: countries.iso3_of_name(v) or "" for v in name.unique()}
    named = name.map(lookup).astype("string").fillna("")
    clash = well_formed & ~private & ~unknown & (named != "") & (named != iso)
    for i in np.flatnonzero(clash.to_numpy(dtype=bool, na_value=False)):
        problems.append(
            Problem(
                file,
                spreadsheet_row(int(i)),
                "iso3",
                raw["iso3"].iloc[i],
                f"country {name.iloc[i]!r} is {named.iloc[i]}, not {iso.iloc[i]}; "
                "country and iso3 must name the same country",
            )
        )
    return problems


def _check_unique_ids(raw: pd.DataFrame, file: str) -> list[Problem]:
    ids = raw["event_id"].astype("string").str.strip()
    dup = _present(raw, "event_id") & ids.duplicated(keep=False)
    problems = []
    for i in np.flatnonzero(dup.to_numpy()):
        others = [spreadsheet_row(int(j)) for j in np.flatnonzero((ids == ids.iloc[i]).to_numpy())]
        others.remove(spreadsheet_row(int(i)))
        problems.append(
            Problem(
                file,
                spreadsheet_row(int(i)),
                "event_id",
                raw["event_id"].iloc[i],
                f"event_id must be unique; also used on row(s) {', '.join(map(str, others))}",
            )
        )
    return problems


# Each takes the raw frame (reset index, required columns present) and the
# file name; their order is the order of one cell's problems in the report.
_ROW_CHECKS: tuple[Callable[[pd.DataFrame, str], list[Problem]], ...] = (
    _check_required,
    _check_dates,
    _check_precisions,
    _check_fatalities,
    _check_coordinates,
    _check_event_types,
    _check_iso3,
    _check_unique_ids,
)


def coerce_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Turn validated raw rows into the typed incident frame.

    Schema columns come first in :data:`COLUMNS` order, missing optional text
    columns are added empty, and any extra columns are kept after them.
    Call :func:`validate_frame` first: values that do not parse become NA.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    raw = raw.reset_index(drop=True)
    for col in COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if c in raw.columns):
        src = raw[col] if col in raw.columns else pd.Series("", index=raw.index)
        if col == "event_date":
            out[col] = _parse_dates(src).astype("datetime64[ns]")
        elif col in _INT_COLUMNS:
            num = _parse_numbers(src)
            # inf or 1e20 cannot be an Int64; validation has already named them
            out[col] = num.where(num.abs() <= 2**53).round().astype("Int64")
        elif col in _FLOAT_COLUMNS:
            out[col] = _parse_numbers(src).astype("float64")
        else:
            out[col] = src.astype("string").fillna("").str.strip()
    for col in raw.columns:
        if col not in out.columns:
            out[col] = raw[col].astype("string").fillna("")
    return out


def empty_frame() -> pd.DataFrame:
    """A typed incident frame with no rows."""
    return coerce_frame(pd.DataFrame({c: pd.Series([], dtype="string") for c in COLUMNS}))


def check_columns(columns: Iterable[str], file: str = "<data>") -> list[Problem]:
    """Problems for required columns absent from a header."""
    have = set(columns)
    return [
        Problem(file, 1, c, None, "required column is missing from the header")
        for c in REQUIRED
        if c not in have
    ]
