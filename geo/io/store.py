"""Reading and writing incident files.

Writes are atomic (:mod:`geo.io.files`): the new content goes to a
temporary file in the same folder, is flushed to disk, and replaces the old
file in one rename, so a crash leaves either the old file or the new one,
never half of each. The previous version is kept beside it as
``<name>.bak``. Writers hold an exclusive lock on ``<name>.lock`` so two
sessions appending at once both land.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo import config
from geo.io import prepared_copy
from geo.io.csvfile import read_text_csv
from geo.io.dedupe import find_duplicates
from geo.io.files import atomic_write_bytes, atomic_write_text, locked, refuse_read_only
from geo.io.numbering import IdScheme, number_blank, scheme_of
from geo.io.placement import check_placement
from geo.io.rejects import REJECT_COLUMNS, rejected_rows
from geo.model.params import text_column
from geo.model.schema import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    CountryCodes,
    IncidentFileError,
    Problem,
    check_columns,
    coerce_frame,
    empty_frame,
    spreadsheet_row,
    validate_frame,
)

_DATE_FORMAT = "%Y-%m-%d"


def read_raw(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an incident CSV as text cells, exactly as stored (no type guessing).

    Raises
    ------
    IncidentFileError
        When the file is missing, is not readable CSV, names a column twice
        or has a row wider than its header (see :mod:`geo.io.csvfile`).
    """
    return read_text_csv(path)


def read_incidents(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate an incident file into the typed incident frame.

    Parameters
    ----------
    path : path-like, optional
        Defaults to the configured store (``data/incidents.csv``).

    Raises
    ------
    IncidentFileError
        With every problem found, when any row is invalid.
    """
    p = Path(path) if path is not None else config.INCIDENTS_CSV
    raw = read_raw(p)
    problems = check_rows(raw, file=str(p))
    if problems:
        raise IncidentFileError(problems)
    return coerce_frame(raw)


@functools.cache
def country_codes() -> CountryCodes:
    """The country table every incident file is checked against (name and ISO3 agree)."""
    # Imported here: the table is a floor below, but loading it is only worth
    # it once a file is actually checked.
    from geo.reference.countries import country_names, iso3_from_name

    return CountryCodes(iso3_of_name=iso3_from_name, known_iso3=frozenset(country_names().values()))


def check_rows(raw: pd.DataFrame, file: str = "<data>") -> list[Problem]:
    """Every problem of incident rows: the schema's, with the country table, and placement.

    :func:`geo.model.schema.validate_frame` checks the cells, and that
    ``country`` and ``iso3`` agree; :func:`geo.io.placement.check_placement`
    then checks each point lies in or near its country, or on land.
    """
    codes = country_codes()
    problems = validate_frame(raw, file=file, countries=codes)
    if check_columns(raw.columns, file):
        return problems
    problems += check_placement(raw, file, countries=codes)
    order = {c: k for k, c in enumerate(raw.columns)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
    return problems


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Text form of a typed incident frame, as it is written to disk."""
    out = df.copy()
    if "event_date" in out.columns:
        out["event_date"] = pd.to_datetime(out["event_date"]).dt.strftime(_DATE_FORMAT)
    for col in ("latitude", "longitude"):
        if col in out.columns:
            # Six decimals is ~0.1 m: more than any source's precision, and it
            # keeps round-trips exact for the values we write.
            out[col] = out[col].map(
                lambda v: "" if pd.isna(v) else f"{v:.6f}".rstrip("0").rstrip(".")
            )
    return out.astype("string").fillna("")


def write_incidents(
    df: pd.DataFrame, path: str | os.PathLike[str] | None = None, *, backup: bool = True
) -> None:
    """Validate and atomically write a typed incident frame.

    Nothing is written when any row is invalid.

    Raises
    ------
    IncidentFileError
        When the frame does not validate.
    """
    p = Path(path) if path is not None else config.INCIDENTS_CSV
    text = to_csv_frame(df)
    problems = check_rows(text, file=str(p))
    if problems:
        raise IncidentFileError(problems)
    extra = [c for c in text.columns if c not in COLUMNS]
    text = text[list(COLUMNS) + extra]
    atomic_write_text(p, text.to_csv(index=False, lineterminator="\n"), backup=backup)


# --- appends (owned by the ingest work; see docs/ingest.md) -------------------

NEW_ID_PREFIX = "GEO-"


@dataclass
class AppendReport:
    """What :func:`append_incidents` did.

    Attributes
    ----------
    added, duplicates, rejected : int
        Row counts. ``rejected`` includes rows rejected upstream (passed in
        as ``rejected=``) and rows that failed validation here.
    added_ids : list of str
        event_ids of the rows written.
    duplicate_rows : DataFrame
        Skipped rows: ``row`` (source row), ``event_date``, ``location``,
        ``event_type``, ``duplicate_of``, ``reason``.
    problems : list of Problem
        Why rows were rejected.
    renumbered : dict
        Incoming event_id -> new event_id, where the incoming id was
        already used in the store.
    rejected_path : str or None
        Side file the rejected rows were appended to.
    ignored_columns : list of str
        Incoming columns that are neither schema columns nor in the store.
    """

    path: str
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    added_ids: list[str] = field(default_factory=list)
    duplicate_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[Problem] = field(default_factory=list)
    renumbered: dict[str, str] = field(default_factory=dict)
    rejected_path: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: counts and where things went."""
        text = (
            f"{self.path}: {self.added} added, {self.duplicates} skipped as duplicates, "
            f"{self.rejected} rejected"
        )
        if self.rejected and self.rejected_path:
            text += f" (rows written to {self.rejected_path})"
        return text


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Incoming rows (typed or text) as text cells, as they would be written."""
    out = df.copy()
    if "event_date" in out.columns and pd.api.types.is_datetime64_any_dtype(out["event_date"]):
        out["event_date"] = out["event_date"].dt.strftime(_DATE_FORMAT)
    for col in ("latitude", "longitude"):
        if col in out.columns and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "" if pd.isna(v) else f"{v:.6f}".rstrip("0").rstrip(".")
            )
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]) and col not in ("latitude", "longitude"):
            whole = out[col].dropna()
            if (whole == whole.round()).all():
                out[col] = out[col].astype("Int64")
    return out.astype("string").fillna("").apply(lambda s: s.str.strip())


def _next_ids(existing: pd.Series, n: int, prefix: str) -> list[str]:
    """``n`` fresh ids ``<prefix>000123`` above every id of that form in ``existing``."""
    pattern = "^" + re.escape(prefix) + r"(\d+)$"
    ids = existing.astype("string")
    ids = ids[ids.str.startswith(prefix).fillna(False).astype(bool)]  # cheap, before the regex
    numbers = ids.str.extract(pattern, expand=False).dropna()
    start = int(numbers.astype("int64").max()) + 1 if len(numbers) else 1
    return [f"{prefix}{k:06d}" for k in range(start, start + n)]


def _merge_rejected(path: Path, rows: pd.DataFrame) -> None:
    """Append rejected rows to a side CSV, union of columns, reject_* first."""
    frames = [read_raw(path)] if path.exists() else []
    frames.append(rows.astype("string").fillna(""))
    merged = pd.concat(frames, ignore_index=True).astype("string").fillna("")
    front = [c for c in REJECT_COLUMNS if c in merged.columns]
    merged = merged[front + [c for c in merged.columns if c not in front]]
    atomic_write_text(path, merged.to_csv(index=False, lineterminator="\n"), backup=False)


def split_incoming(
    new: pd.DataFrame,
    report: AppendReport,
    rejected: pd.DataFrame | None,
    file: str,
    source_rows: Sequence[int] | None,
) -> tuple[pd.DataFrame, list[int], list[pd.DataFrame]]:
    """Check incoming rows the same way for every backend.

    Fills ``report.problems`` and ``report.rejected`` and returns the rows
    to add (as text), their source rows, and the reject frames (the
    importer's and this check's) for the side file.
    """
    incoming = _incoming_text(new)
    rows = (
        list(source_rows)
        if source_rows is not None
        else [spreadsheet_row(i) for i in range(len(incoming))]
    )
    report.problems = _incoming_problems(incoming, rows, file)
    bad_rows = {pr.row for pr in report.problems}
    bad = np.array([r in bad_rows for r in rows], dtype=bool)
    reject_frames = _reject_frames(rejected, incoming, rows, bad, report.problems)
    report.rejected = sum(len(f) for f in reject_frames)
    good = incoming[~bad].reset_index(drop=True)
    good_rows = [r for r, b in zip(rows, bad, strict=True) if not b]
    return good, good_rows, reject_frames


def append_incidents(
    new: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    dedupe_days: int | None = 1,
    dedupe_km: float = 10.0,
    rejected_path: str | os.PathLike[str] | None = None,
    rejected: pd.DataFrame | None = None,
    file: str = "<new rows>",
    source_rows: Sequence[int] | None = None,
    id_prefix: str = NEW_ID_PREFIX,
    added_by: str | None = None,
    added_at: str | None = None,
    number_in_scheme: bool = False,
) -> AppendReport:
    """Append incidents to the store: validate, skip duplicates, lock, write atomically.

    Invalid rows are rejected (and written to ``rejected_path`` when given),
    never silently dropped or altered. Duplicates of stored rows or of
    earlier incoming rows are skipped (rules in :mod:`geo.io.dedupe`).
    Rows without an ``event_id``, or whose id the store already uses, get a
    fresh ``<id_prefix>NNNNNN`` id. The whole read-check-write runs under the
    store's lock and the store is re-read inside it, so concurrent appends
    both land; the write is atomic with the old file kept as ``.bak``.

    Parameters
    ----------
    new : DataFrame
        Incoming rows with schema columns, typed or as text. Optional
        columns (``fatalities_low``, ``fatalities_high``, ``origin_id``,
        ``civilian_targeting``) are kept.
    path : path-like, optional
        The store (default ``config.INCIDENTS_CSV``); created if missing.
    dedupe_days : int or None
        Date tolerance for duplicates; ``None`` checks only ``origin_id``.
    dedupe_km : float
        Distance tolerance for duplicates.
    rejected_path : path-like, optional
        Side CSV that rejected rows are appended to.
    rejected : DataFrame, optional
        Rows an importer already rejected (with ``reject_*`` columns), written
        to ``rejected_path`` in the same locked step and counted.
    file, source_rows
        Names used in problem messages: the incoming file and the source row
        of each incoming row (default: its position + 2).
    id_prefix : str
        Prefix of generated ids.
    added_by, added_at : str, optional
        Who appended and when (ISO 8601): when ``added_by`` is given, every
        added row keeps both in columns of those names (see :mod:`geo.io.audit`).
    number_in_scheme : bool
        Give rows without an ``event_id`` the store's next ids in its own
        scheme (MLI0042 after MLI0041, :mod:`geo.io.numbering`), chosen
        under the lock from the ids stored then; rows it cannot number get
        ``<id_prefix>`` ids as before.

    Raises
    ------
    IncidentFileError
        When the existing store itself is invalid (nothing is written).
    """
    p = Path(path) if path is not None else config.INCIDENTS_CSV
    side = Path(rejected_path) if rejected_path is not None else None
    for target in (p, side):
        if target is not None:
            refuse_read_only(target)  # before anything is written: all or nothing
    report = AppendReport(path=str(p), rejected_path=str(side) if side else None)
    good, good_rows, reject_frames = split_incoming(new, report, rejected, file, source_rows)

    with locked(p):
        # A copy matching the store holds its rows validated and typed: the
        # store need not be read and checked again (see geo.io.columnar).
        before = prepared_copy.read_copy(p) if p.exists() else None
        existing = _existing_rows(p, before)
        to_add, kept_rows = _rows_to_add(
            good, good_rows, existing, report, (dedupe_days, dedupe_km), id_prefix, number_in_scheme
        )
        if added_by is not None:
            to_add = to_add.assign(added_by=added_by, added_at=added_at or "")
        if len(to_add):
            if before is None:
                _write_appended(existing, to_add, p, file, kept_rows)
            else:
                _append_to_store(existing, to_add, p, file, kept_rows)
                prepared_copy.extend_copy(p, before, _as_read_back(to_add, p))
        report.added = len(to_add)
        report.added_ids = to_add["event_id"].astype(str).tolist()
        # Only once the store has committed: a killed import then leaves no
        # rejects for rows it never appended, and a re-run does not double them.
        if reject_frames and side is not None:
            _merge_rejected(side, pd.concat(reject_frames, ignore_index=True))
    return report


def _rows_to_add(
    good: pd.DataFrame,
    good_rows: list[int],
    existing: pd.DataFrame,
    report: AppendReport,
    tolerance: tuple[int | None, float],
    id_prefix: str,
    number_in_scheme: bool = False,
) -> tuple[pd.DataFrame, list[int]]:
    """Valid rows typed, duplicates skipped (noted in ``report``), with free ids; their rows."""
    typed, report.ignored_columns = _typed_for_store(good, existing)
    if number_in_scheme:
        typed = in_store_scheme(typed, lambda: scheme_of(existing["event_id"]))
    candidates = _dedupe_candidates(existing, typed, tolerance[0])
    dups = find_duplicates(typed, candidates, days=tolerance[0], km=tolerance[1])
    if len(dups):
        report.duplicate_rows = _duplicate_rows(typed, dups, good_rows)
    report.duplicates = len(dups)
    skipped = set(dups["pos"].tolist())
    kept_rows = [r for i, r in enumerate(good_rows) if i not in skipped]
    to_add = typed.drop(index=dups["pos"].to_numpy()).reset_index(drop=True)
    to_add, report.renumbered = _with_fresh_ids(to_add, existing["event_id"], id_prefix)
    return to_add, kept_rows


def _dedupe_candidates(
    existing: pd.DataFrame, typed: pd.DataFrame, days: int | None
) -> pd.DataFrame:
    """The stored rows that can duplicate ``typed``, in store order.

    Only a row sharing an ``origin_id`` with an incoming row, or dated
    within ``days`` of the incoming dates (or undated), can match (the same
    window :func:`geo.io.dedupe.find_duplicates` keeps); preparing the
    match keys of a million stored rows took 4 s for none of them to count.
    """
    if not len(existing) or not len(typed):
        return existing
    incoming = text_column(typed, "origin_id")
    keep = text_column(existing, "origin_id").isin(incoming[incoming != ""])
    if days is not None and days >= 0:
        stored = pd.to_datetime(existing["event_date"])
        new = pd.to_datetime(typed["event_date"]).dropna()
        window = stored.isna()
        if len(new):
            slack = pd.Timedelta(days=days + 1)
            window = window | stored.between(new.min() - slack, new.max() + slack)
        keep = keep | window
    mask = keep.to_numpy(dtype=bool)
    return existing if mask.all() else existing[mask]


def _write_appended(
    existing: pd.DataFrame, to_add: pd.DataFrame, p: Path, file: str, rows: list[int]
) -> None:
    """Write the store with ``to_add`` after ``existing``.

    Should the whole fail its final check, the problems of appended rows name
    the incoming file's rows: rows past the store's end exist on no disk.
    """
    try:
        write_incidents(pd.concat([existing, to_add], ignore_index=True), p)
    except IncidentFileError as exc:
        first_new = spreadsheet_row(len(existing))
        raise IncidentFileError(
            [
                dataclasses.replace(pr, file=file, row=rows[pr.row - first_new])
                if first_new <= pr.row < first_new + len(rows)
                else pr
                for pr in exc.problems
            ]
        ) from None


def _existing_rows(p: Path, before: pd.DataFrame | None) -> pd.DataFrame:
    """The stored rows, typed: from a matching prepared copy, else read and checked."""
    if before is not None:
        return prepared_copy.typed_part(before)
    return read_incidents(p) if p.exists() else empty_frame()


def _header(p: Path) -> list[str]:
    """The column names of a CSV file's first line."""
    with open(p, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _append_to_store(
    existing: pd.DataFrame, to_add: pd.DataFrame, p: Path, file: str, rows: list[int]
) -> None:
    """Add ``to_add`` after the store's rows, checking only them; the stored bytes stay as they are.

    The stored rows were checked when their prepared copy was built, and
    :func:`_with_fresh_ids` keeps the ids unique, so only the new rows are
    checked. The store is rewritten whole when the new rows bring a
    column it lacks (``added_by`` the first time).
    """
    header = _header(p)
    text = to_csv_frame(to_add)
    if set(header) != set(existing.columns) or not set(text.columns) <= set(header):
        _write_appended(existing, to_add, p, file, rows)
        return
    text = text.reindex(columns=header, fill_value="")
    problems = check_rows(text, file=file)
    if problems:
        raise IncidentFileError(
            [dataclasses.replace(pr, row=rows[pr.row - spreadsheet_row(0)]) for pr in problems]
        )
    tail = text.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8")
    atomic_write_bytes(p, _chunks(p, b"" if _ends_line(p) else b"\n", tail))


def _ends_line(p: Path) -> bool:
    """Whether the file is empty or its last byte ends a line (a hand-saved CSV may not)."""
    with open(p, "rb") as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            return True
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def _chunks(p: Path, *after: bytes) -> Iterator[bytes]:
    """The file's bytes in pieces, then ``after``: an append without holding the store in memory."""
    with open(p, "rb") as handle:
        while chunk := handle.read(1 << 22):
            yield chunk
    yield from after


def _as_read_back(to_add: pd.DataFrame, p: Path) -> pd.DataFrame:
    """Appended rows as :func:`read_incidents` gives them back from the store ``p`` now."""
    text = to_csv_frame(to_add).reindex(columns=_header(p), fill_value="")
    return coerce_frame(text)


def _incoming_text(new: pd.DataFrame) -> pd.DataFrame:
    """Incoming rows as text with every schema column, absent ones empty."""
    incoming = _as_text(new.reset_index(drop=True))
    for col in COLUMNS:
        if col not in incoming.columns and col not in ("event_id",):
            incoming[col] = ""
    if "event_id" not in incoming.columns:
        incoming["event_id"] = ""
    return incoming


def _incoming_problems(incoming: pd.DataFrame, rows: list[int], file: str) -> list[Problem]:
    """Validation problems of incoming rows, numbered by their source rows."""
    checked = incoming.copy()
    # A blank id is fine here (the store assigns one) but the schema requires
    # ids, unique ones: distinct placeholders pass both checks.
    blank = checked["event_id"] == ""
    checked.loc[blank, "event_id"] = [f"__new__{i}" for i in range(int(blank.sum()))]
    return [
        Problem(file, rows[pr.row - 2] if 2 <= pr.row < len(rows) + 2 else pr.row, pr.column,
                pr.value, pr.expected)
        for pr in check_rows(checked, file=file)
    ]  # fmt: skip


def _reject_frames(
    upstream: pd.DataFrame | None,
    incoming: pd.DataFrame,
    rows: list[int],
    bad: np.ndarray,
    problems: list[Problem],
) -> list[pd.DataFrame]:
    """Rows an importer rejected, then incoming rows that failed validation here."""
    frames = [] if upstream is None or not len(upstream) else [upstream]
    if bad.any():
        by_row: dict[int, list[Problem]] = {}
        for pr in problems:
            by_row.setdefault(pr.row, []).append(pr)
        bad_part = incoming[bad].copy()
        # rejected_rows numbers rows by 0-based source position
        bad_part.index = pd.Index([r - 2 for r in pd.Series(rows)[bad]])
        frames.append(rejected_rows(bad_part, by_row))
    return frames


def _typed_for_store(good: pd.DataFrame, existing: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Valid incoming rows typed, keeping the columns the store can hold; and the others."""
    keep = list(COLUMNS) + [
        c for c in good.columns if c in OPTIONAL_COLUMNS or c in existing.columns
    ]
    ignored = [c for c in good.columns if c not in keep]
    return coerce_frame(good[list(dict.fromkeys(keep))]), ignored


def _duplicate_rows(typed: pd.DataFrame, dups: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """The skipped rows as the report shows them: source row, what, and a match."""
    shown = typed.loc[dups["pos"].to_numpy(), ["event_date", "location", "event_type"]]
    return pd.concat(
        [
            pd.DataFrame({"row": [rows[i] for i in dups["pos"]]}),
            shown.reset_index(drop=True),
            dups[["duplicate_of", "reason"]].reset_index(drop=True),
        ],
        axis=1,
    )


def in_store_scheme(typed: pd.DataFrame, scheme: Callable[[], IdScheme]) -> pd.DataFrame:
    """``typed`` with blank ids numbered in the store's scheme (counted only when one is blank).

    Before the duplicate check, so a skipped row's match names an id; under
    the store's lock on both backends, so concurrent appends number on from
    one another.
    """
    if not (typed["event_id"] == "").any():
        return typed
    return typed.assign(event_id=number_blank(typed, scheme()))


def _with_fresh_ids(
    to_add: pd.DataFrame, taken_ids: pd.Series, prefix: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rows with fresh ids where theirs is blank or taken; and old -> new for the taken."""
    out = to_add.copy()
    # The few incoming ids looked up among a million stored ones, not the
    # other way round: pandas walks the values it is given in Python.
    taken_ids = taken_ids.astype("string")
    taken = taken_ids[taken_ids.isin(out["event_id"]).to_numpy(dtype=bool)]
    needs_id = (out["event_id"] == "") | out["event_id"].isin(taken)
    # Above the incoming ids that stay as well: a blank id next to an explicit
    # GEO-000001 in the same file must not be given GEO-000001 too.
    kept = out.loc[~needs_id, "event_id"]
    fresh = _next_ids(pd.concat([taken_ids, kept], ignore_index=True), int(needs_id.sum()), prefix)
    renumbered = {
        str(old): new_id
        for old, new_id in zip(out.loc[needs_id, "event_id"], fresh, strict=True)
        if old
    }
    out.loc[needs_id, "event_id"] = fresh
    return out, renumbered
