"""What the page URL says about the map: which layers are on and where it looks.

The layer names and the ``lat``/``lon``/``z`` view are URL-facing: a shared
link carries them, so they are read back with a notice for every value
that cannot be used rather than an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from geo.model.params import last_param

__all__ = [
    "DEFAULT_LAYERS",
    "LAYERS",
    "LAYERS_PARAM",
    "LAYER_LABELS",
    "MAX_ZOOM",
    "MIN_ZOOM",
    "MapView",
    "layers_from_param",
    "layers_to_param",
]

# "sites" (the team's own sites and routes) is drawn only from a site frame
# the caller passes, which the app does for team members only.
LAYERS: tuple[str, ...] = ("risk", "incidents", "heatmap", "borders", "towns", "sites")
# Short enough to sit side by side as the app's layer buttons; the legend
# says in full what each layer shows.
LAYER_LABELS: dict[str, str] = {
    "risk": "Risk shading",
    "incidents": "Incidents",
    "heatmap": "Heatmap",
    "borders": "Borders",
    "towns": "Towns",
    "sites": "Our sites",
}
DEFAULT_LAYERS: frozenset[str] = frozenset({"risk", "incidents", "borders", "towns"})
LAYERS_PARAM = "layers"

MIN_ZOOM = 2
MAX_ZOOM = 18


def _fmt_coord(value: float) -> str:
    """Shortest text for a coordinate rounded to 4 decimals (same as the browser script)."""
    text = repr(round(float(value), 4) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class MapView:
    """Centre and zoom of the map, as kept in the URL (``lat``, ``lon``, ``z``).

    >>> v = MapView(16.27, -0.04, 7)
    >>> v.to_params()
    {'lat': '16.27', 'lon': '-0.04', 'z': '7'}
    >>> MapView.from_params({"lat": "16.27", "lon": "-0.04", "z": "7"})
    (MapView(lat=16.27, lon=-0.04, zoom=7), [])
    >>> MapView.from_params({"lat": "95", "lon": "0", "z": "5"})[1]
    ["Ignored the map view lat='95': expected a number from -90 to 90."]
    """

    lat: float
    lon: float
    zoom: int

    PARAMS = ("lat", "lon", "z")

    def __post_init__(self) -> None:
        problems = _view_problems(self.lat, self.lon, self.zoom)
        if problems:
            raise ValueError("; ".join(problems))

    def to_params(self) -> dict[str, str]:
        """Query parameters: coordinates rounded to 4 decimals (~11 m), integer zoom."""
        return {"lat": _fmt_coord(self.lat), "lon": _fmt_coord(self.lon), "z": str(self.zoom)}

    @property
    def key(self) -> str:
        """Identity of this view as the browser script compares it."""
        p = self.to_params()
        return f"{p['lat']},{p['lon']},{p['z']}"

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], default: MapView | None = None
    ) -> tuple[MapView | None, list[str]]:
        """Read a view from query parameters, falling back to ``default``.

        Parameters
        ----------
        params : mapping
            Query parameters (a list value uses its last item), e.g.
            ``st.query_params`` turned into a dict.
        default : MapView, optional
            Returned when the view is absent or invalid; ``None`` means "fit
            the data" to :func:`geo.render.maps.build_map`.

        Returns
        -------
        (MapView or None, list of str)
            The view and one notice per value that was not used.
        """
        # A blank value counts as absent, as if the parameter were not there.
        raw: dict[str, str | None] = {n: last_param(params, n) or None for n in cls.PARAMS}
        present = [n for n in cls.PARAMS if raw[n] is not None]
        if not present:
            return default, []
        if len(present) < len(cls.PARAMS):
            missing = ", ".join(n for n in cls.PARAMS if raw[n] is None)
            return default, [
                f"Ignored the map view: lat, lon and z go together (missing: {missing})."
            ]
        lat, lon, zoom = (_to_float(raw[n]) for n in cls.PARAMS)
        notices = _view_problems(lat, lon, zoom, raw)
        if notices or lat is None or lon is None or zoom is None:
            return default, notices
        return cls(lat, lon, int(zoom)), []


def _to_float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _view_problems(
    lat: float | None, lon: float | None, zoom: float | None, raw: Mapping[str, Any] | None = None
) -> list[str]:
    shown = raw or {"lat": lat, "lon": lon, "z": zoom}
    out = []
    for name, value, low, high in (("lat", lat, -90, 90), ("lon", lon, -180, 180)):
        if value is None or not math.isfinite(value) or not low <= value <= high:
            out.append(
                f"Ignored the map view {name}={shown[name]!r}: "
                f"expected a number from {low} to {high}."
            )
    if (
        zoom is None
        or isinstance(zoom, bool)
        or not math.isfinite(zoom)
        or not float(zoom).is_integer()
        or not MIN_ZOOM <= zoom <= MAX_ZOOM
    ):
        out.append(
            f"Ignored the map view z={shown['z']!r}: "
            f"expected a whole number from {MIN_ZOOM} to {MAX_ZOOM}."
        )
    return out


def layers_to_param(layers: Iterable[str]) -> str:
    """The ``layers`` query parameter: names in :data:`LAYERS` order, comma-separated."""
    chosen = set(layers)
    return ",".join(name for name in LAYERS if name in chosen)


def layers_from_param(
    value: str | list[str] | None, default: Iterable[str] = DEFAULT_LAYERS
) -> tuple[frozenset[str], list[str]]:
    """Read the ``layers`` query parameter; unknown names are dropped with a notice.

    ``None`` (parameter absent) gives ``default``; an empty value means no
    optional layers. A value naming no known layer at all gives ``default``
    too (the link meant some layers, and a blank map would hide that).

    >>> layers_from_param("risk,bogus")
    (frozenset({'risk'}), ['Ignored unknown layers value(s): bogus.'])
    >>> layers_from_param("foo")[1]
    ['Ignored unknown layers value(s): foo; showing the default layers.']
    """
    text = last_param({LAYERS_PARAM: value}, LAYERS_PARAM)
    if text is None:
        return frozenset(default), []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in LAYERS]
    known = frozenset(n for n in names if n in LAYERS)
    if not unknown:
        return known, []
    listed = ", ".join(unknown)
    if not known:
        return frozenset(default), [
            f"Ignored unknown {LAYERS_PARAM} value(s): {listed}; showing the default layers."
        ]
    return known, [f"Ignored unknown {LAYERS_PARAM} value(s): {listed}."]
