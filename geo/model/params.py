"""Reading a shared link's query parameters and optional text columns.

One place for the small rules that the URL state, the filters and the map
view all follow, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["last_param", "text_column"]


def last_param(params: Mapping[str, Any], name: str) -> str | None:
    """The value of query parameter ``name``, stripped; the last one if repeated.

    Streamlit and ``urllib.parse.parse_qs`` give a list for a repeated
    parameter; a browser's address bar keeps the last one a user typed, so
    that is the one honoured.

    >>> last_param({"z": ["5", " 7 "]}, "z")
    '7'
    >>> last_param({}, "z") is None
    True
    """
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as strings with gaps as ``""``; all ``""`` when absent.

    Copying a million strings to fill no gaps is most of the cost, so the
    fill only runs when there are gaps.
    """
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    text = frame[name]
    if text.dtype != "string":
        text = text.astype("string")
    return text.fillna("") if text.hasnans else text
