"""Rejected rows: the source cells kept, plus ``reject_*`` columns saying why.

Both the importers and :func:`geo.io.store.append_incidents` reject rows and
write them to the same side file, so the layout lives here, below both.
"""

from __future__ import annotations

import pandas as pd

from geo.model.schema import Problem, spreadsheet_row

__all__ = ["REJECT_COLUMNS", "rejected_rows"]

REJECT_COLUMNS = ("reject_file", "reject_row", "reject_column", "reject_value", "reject_reason")


def rejected_rows(rows: pd.DataFrame, problems: dict[int, list[Problem]]) -> pd.DataFrame:
    """Source rows with ``reject_*`` columns, one line per row (problems joined by "; ").

    ``rows`` is indexed by 0-based source position; ``problems`` is keyed by
    spreadsheet row.
    """
    out = rows.astype("string").fillna("").copy()
    info: dict[str, list[str]] = {c: [] for c in REJECT_COLUMNS}
    for position in out.index:
        found = problems.get(spreadsheet_row(int(position)), [])
        info["reject_file"].append(found[0].file if found else "")
        info["reject_row"].append(str(spreadsheet_row(int(position))))
        info["reject_column"].append("; ".join(p.column for p in found))
        info["reject_value"].append(
            "; ".join("" if p.value is None else str(p.value) for p in found)
        )
        info["reject_reason"].append("; ".join(p.expected for p in found))
    front = pd.DataFrame(info, index=out.index, dtype="string")
    return pd.concat([front, out], axis=1).reset_index(drop=True)
