"""Text and JSON made safe for the page.

Every text value that reaches the page goes through :func:`escape_text`, and
every JSON payload through :func:`script_json`; see the package docstring of
:mod:`geo.render.maps` for why both are needed.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import pandas as pd

__all__ = ["coded", "escape_text", "script_json"]

_JS_BREAKERS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape_text(value: object) -> str:
    """Text made safe for HTML and for JavaScript strings and template literals.

    HTML special characters become entities (``html.escape`` with quotes),
    and so do the characters that matter inside JavaScript literals: the
    backtick, ``$`` (so ``${...}`` cannot start a substitution) and the
    backslash. Missing values (None, NaN, NA) become "". A browser shows
    the result exactly as the original text.

    >>> escape_text("<img src=x onerror=alert(1)> ${alert(1)} `x`")
    '&lt;img src=x onerror=alert(1)&gt; &#36;{alert(1)} &#96;x&#96;'
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True).translate(_JS_BREAKERS)


def script_json(obj: Any) -> str:
    """JSON that can sit inside a <script> element whatever strings it holds."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def coded(values: pd.Series) -> tuple[list[int], list[str]]:
    """Dictionary-code a text column: codes per row and escaped distinct values.

    Escaping runs once per distinct value, not per row.
    """
    codes, uniques = pd.factorize(values.astype("string").fillna(""), sort=False)
    return codes.tolist(), [escape_text(u) for u in uniques]
