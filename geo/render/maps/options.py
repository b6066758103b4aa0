"""How a map is drawn, apart from the data: layers, basemap, view, assets and limits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.render.assets import DEFAULT_ASSET_BASE
from geo.render.maps.grid import GRID_MAX_CELLS
from geo.render.maps.incidents import AGGREGATE_THRESHOLD, CLUSTER_THRESHOLD
from geo.render.maps.view import DEFAULT_LAYERS, MapView

__all__ = ["MapOptions"]


@dataclass(frozen=True)
class MapOptions:
    """Options of :func:`geo.render.maps.build_map`; the defaults give the dashboard map.

    Build one with only what differs, e.g.
    ``MapOptions(layers={"incidents"}, legend=False)``, and derive variants
    with :func:`dataclasses.replace`.

    Attributes
    ----------
    view : MapView, optional
        Centre and zoom; default: fit Mali's areas (else the incidents).
    layers : iterable of str
        Any of :data:`geo.render.maps.LAYERS`: ``risk``, ``incidents``,
        ``heatmap``, ``borders``, ``towns``, ``sites`` (drawn only from the
        ``sites`` frame given to ``build_map``). Kept as a frozenset; an
        unknown name is refused by ``build_map``.
    tiles : str
        ``"none"`` (no basemap; vector layers give context), ``"osm"``
        (OpenStreetMap, needs internet) or a tile URL template with ``{z}``,
        ``{x}``, ``{y}`` (then ``tiles_attr`` is required).
    tiles_attr : str, optional
        The tile provider's attribution, for a tile URL template.
    asset_base : str
        URL of ``static/vendor/`` (see :mod:`geo.render.assets`).
    inline_assets : bool
        Embed Leaflet and plugins in the page (a self-contained HTML file).
    cluster_threshold, aggregate_threshold, grid_max_cells : int
        Above ``cluster_threshold`` incidents markers are clustered; above
        ``aggregate_threshold`` they are aggregated onto a grid of at most
        ``grid_max_cells`` cells.
    max_towns : int
        At most this many towns are sent (Mali's first, then the largest).
    sync_url, restore_view, view_key : bool, bool, str
        Keep ``lat``/``lon``/``z`` of the page URL equal to the view on
        screen, and restore the user's latest view after a rerun (see
        :class:`geo.render.maps.elements.ViewSync`); ``view_key`` names the
        sessionStorage entry.
    layer_control, legend : bool
        Add Leaflet's layer switcher (for exports; the dashboard toggles
        layers with its own widgets so they stay in the URL) and the legend.
    place : (label, latitude, longitude, km), optional
        A place the user searched for: drawn as a labelled ring, with a
        dashed circle of ``km`` around it when ``km`` > 0.
    """

    view: MapView | None = None
    layers: Iterable[str] = DEFAULT_LAYERS
    tiles: str = "none"
    tiles_attr: str | None = None
    asset_base: str = DEFAULT_ASSET_BASE
    inline_assets: bool = False
    cluster_threshold: int = CLUSTER_THRESHOLD
    aggregate_threshold: int = AGGREGATE_THRESHOLD
    grid_max_cells: int = GRID_MAX_CELLS
    max_towns: int = 1_000
    sync_url: bool = True
    restore_view: bool = True
    view_key: str = "main"
    layer_control: bool = False
    legend: bool = True
    place: tuple[str, float, float, float] | None = None

    def __post_init__(self) -> None:
        # A set or a generator would make the options unhashable or one-shot.
        object.__setattr__(self, "layers", frozenset(self.layers))
