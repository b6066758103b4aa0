"""Getting incidents in: structured imports.

* :func:`import_file` maps an ACLED export, a UCDP GED file, or any CSV /
  GeoJSON with a column mapping onto the incident schema, keeping every
  rejected row with its reasons (:class:`ImportResult`).
* Appending goes through :func:`geo.io.store.append_incidents` (validation,
  duplicates, lock, atomic write).

Report prose is read by :mod:`geo.io.extract` (candidate incidents for an
analyst to review). The mapping rules are documented in ``docs/ingest.md``.
"""

from __future__ import annotations

import os
from typing import Literal

from geo.io.ingest._common import REJECT_COLUMNS, ImportResult
from geo.io.ingest.acled import import_acled
from geo.io.ingest.generic import import_generic, load_mapping
from geo.io.ingest.ucdp import import_ucdp

ImportFormat = Literal["acled", "ucdp", "csv"]
FORMATS: tuple[ImportFormat, ...] = ("acled", "ucdp", "csv")

__all__ = [
    "FORMATS",
    "REJECT_COLUMNS",
    "ImportResult",
    "import_acled",
    "import_file",
    "import_generic",
    "import_ucdp",
    "load_mapping",
]


def import_file(
    path: str | os.PathLike[str],
    format: ImportFormat,
    mapping: str | os.PathLike[str] | None = None,
    *,
    vague: Literal["reject", "keep"] = "reject",
) -> ImportResult:
    """Import one structured file.

    Parameters
    ----------
    path : path-like
        The file.
    format : {"acled", "ucdp", "csv"}
        ``csv`` also reads GeoJSON (by the ``.geojson`` / ``.json`` extension).
    mapping : path-like, optional
        Column mapping (TOML) for ``csv``; see :mod:`geo.io.ingest.generic`.
    vague : {"reject", "keep"}
        UCDP rows placed at country level or dated within more than a month.

    Raises
    ------
    ValueError
        For an unknown format, or a mapping with another format.
    IncidentFileError
        When the file cannot be read or lacks required columns.
    """
    if format == "acled":
        if mapping is not None:
            raise ValueError("--mapping applies to --format csv only")
        return import_acled(path)
    if format == "ucdp":
        if mapping is not None:
            raise ValueError("--mapping applies to --format csv only")
        return import_ucdp(path, vague=vague)
    if format == "csv":
        return import_generic(path, mapping)
    raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
