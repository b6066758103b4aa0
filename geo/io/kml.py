"""Placemarks of a KML file, read safely: no network, no DTD, no entities.

KML is XML, and an XML parser that honours a DOCTYPE can be made to expand
entities until memory runs out (a "billion laughs") or to fetch external
ones. KML never needs either, so :func:`read_placemarks` parses with expat
and stops at the first DOCTYPE or entity declaration, as ``defusedxml``
does, whatever the file's encoding. It reads each Placemark's name, its
ExtendedData values and its Point or LineString geometry (several
LineStrings in a MultiGeometry become a MultiLineString); what it cannot
read is reported per placemark, not raised, so a caller can name every
problem of a file at once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.parsers import expat

import shapely

__all__ = ["MAX_KML_BYTES", "KmlError", "Placemark", "read_placemarks"]

# A KML file is read whole into memory: far more than a list of sites needs.
MAX_KML_BYTES = 20 * 1024 * 1024
_GEOMETRIES = ("Point", "LineString", "Polygon", "LinearRing", "Model", "Track")
_COORDINATES = "expected lon,lat[,alt] positions separated by spaces"


class KmlError(ValueError):
    """The file as a whole cannot be read as KML (says why)."""


@dataclass
class Placemark:
    """One placemark: its fields, its geometry, or what is wrong with it.

    Attributes
    ----------
    fields : dict
        ``name`` and each ExtendedData ``Data`` / ``SimpleData`` value, by name.
    geometry : shapely.Geometry or None
        Point, LineString or MultiLineString; ``None`` with a problem.
    problem : (element, value, expected) or None
        The element at fault (``geometry``, ``coordinates``), its value and
        what was expected.
    """

    fields: dict[str, str] = field(default_factory=dict)
    geometry: shapely.Geometry | None = None
    problem: tuple[str, object, str] | None = None


def _local(tag: str) -> str:
    """An element's name without its namespace (KML 2.2, Google's 2.1, or none)."""
    return tag.rsplit("}", 1)[-1]


class _Refused(Exception):
    """The XML declares a DOCTYPE or an entity."""


def _refuse(*_: object) -> None:
    raise _Refused


def _parse_xml(data: bytes) -> ET.Element:
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    for handler in ("StartDoctypeDeclHandler", "EntityDeclHandler", "ExternalEntityRefHandler"):
        setattr(parser, handler, _refuse)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.Parse(data, True)
    return builder.close()


def read_placemarks(data: bytes) -> list[Placemark]:
    """Every Placemark of a KML document, in document order.

    Raises
    ------
    KmlError
        Too large, declares a DOCTYPE or entities, not well-formed XML, or
        no Placemark at all.
    """
    if len(data) > MAX_KML_BYTES:
        raise KmlError(
            f"is {len(data) / 1_048_576:.0f} MB; a KML file is read up to "
            f"{MAX_KML_BYTES // 1_048_576} MB"
        )
    try:
        root = _parse_xml(data)
    except _Refused:
        raise KmlError(
            "declares a DOCTYPE or entities, which a KML file never needs; refused for safety"
        ) from None
    except expat.ExpatError as exc:
        raise KmlError(f"is not well-formed XML ({exc})") from None
    marks = [el for el in root.iter() if _local(el.tag) == "Placemark"]
    if not marks:
        raise KmlError("has no Placemark; expected one per site or route")
    return [_placemark(mark) for mark in marks]


def _placemark(mark: ET.Element) -> Placemark:
    out = Placemark(fields=_fields(mark))
    try:
        out.geometry = _geometry(mark)
    except _BadPlacemark as exc:
        out.problem = exc.args[0]
    return out


class _BadPlacemark(Exception):
    """Carries (element, value, expected)."""


def _fields(mark: ET.Element) -> dict[str, str]:
    """A placemark's name and its ExtendedData values (``Data`` and ``SimpleData``)."""
    fields: dict[str, str] = {}
    for el in mark.iter():
        name = _local(el.tag)
        if name == "name" and "name" not in fields:
            fields["name"] = (el.text or "").strip()
        elif name == "Data" and el.get("name"):
            value = next((c for c in el if _local(c.tag) == "value"), None)
            fields[str(el.get("name"))] = ((value.text if value is not None else "") or "").strip()
        elif name == "SimpleData" and el.get("name"):
            fields[str(el.get("name"))] = (el.text or "").strip()
    return fields


def _geometry(mark: ET.Element) -> shapely.Geometry:
    """The placemark's Point or LineString (several lines: a MultiLineString)."""
    found = [el for el in mark.iter() if _local(el.tag) in _GEOMETRIES]
    kinds = {_local(el.tag) for el in found}
    if not found or not kinds <= {"Point", "LineString"} or ("Point" in kinds and len(found) > 1):
        what = ", ".join(sorted(kinds)) or "no geometry"
        raise _BadPlacemark(("geometry", what, "expected one Point or LineString"))
    parts = [_positions(el) for el in found]
    if "Point" in kinds:
        return shapely.Point(parts[0][0])
    short = [xy for xy in parts if len(xy) < 2]
    if short:
        raise _BadPlacemark(("coordinates", short[0], "a LineString needs two positions or more"))
    lines = [shapely.LineString(xy) for xy in parts]
    return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)


def _positions(el: ET.Element) -> list[list[float]]:
    text = next((c.text or "" for c in el if _local(c.tag) == "coordinates"), "")
    try:
        xy = [[float(v) for v in t.split(",")[:2]] for t in text.split()]
    except ValueError:
        raise _BadPlacemark(("coordinates", text.strip()[:80], _COORDINATES)) from None
    if not xy or any(len(c) != 2 for c in xy):
        raise _BadPlacemark(("coordinates", text.strip()[:80], _COORDINATES))
    return xy
