"""Local Leaflet and plugin files, so folium maps work with no internet.

folium points every map and plugin at public CDNs. This module swaps those
links for the copies that ``npm install`` puts in ``static/vendor/`` (see
``package.json``, ``scripts/copy_assets.mjs`` and ``geo/render/vendor_assets.json``,
the one list of files and versions that both the copy step and this module
read). Streamlit serves that folder at ``/app/static/vendor/`` when
``server.enableStaticServing`` is on (``.streamlit/config.toml``).

Two ways to use the files:

- **linked** (the dashboard): ``<script src="/app/static/vendor/...">``;
  streamlit-folium loads them into its component frame from the folium
  elements' ``default_js`` / ``default_css`` lists.
- **inlined** (a standalone HTML export, tests): the file contents are
  embedded in the page, so the saved map opens anywhere, offline.

folium keeps ``default_js`` / ``default_css`` as *class* attributes, shared by
every instance, and its ``add_js_link`` edits those lists in place. This
module never mutates them: it sets new lists on each *instance*.

Example
-------
>>> import folium
>>> m = folium.Map(tiles=None)
>>> _ = apply_local_assets(m, base_url="/app/static/vendor")
>>> m.default_js[0]
('leaflet', '/app/static/vendor/leaflet/leaflet.js')
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from branca.element import Element, Figure, MacroElement

from geo.config import ROOT, VENDOR_DIR

MANIFEST_FILE = Path(__file__).with_name("vendor_assets.json")

# Absolute path: streamlit-folium loads scripts from inside its component
# frame (served under /component/...), where a relative URL would resolve to
# the wrong folder. Under a non-empty server.baseUrlPath, pass
# "/<baseUrlPath>/app/static/vendor" instead.
DEFAULT_ASSET_BASE = "/app/static/vendor"

# A URL of this form names a file under static/vendor/; the map builder's own
# elements use it so that one resolution step serves linked and inlined maps.
VENDOR_SCHEME = "vendor:"

# Files of the base map, in load order: (folium's asset name, vendor path).
MAP_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", "leaflet/leaflet.js"),
    # streamlit-folium's frame and folium's templates call jQuery's $(...).
    ("jquery", "jquery/jquery.min.js"),
)
MAP_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", "leaflet/leaflet.css"),)

# folium's own asset names (folium 0.20) mapped to local files. Plugins use
# the same names in every version we know of; a URL change alone (a newer
# markercluster on the CDN, say) does not matter because the name decides.
FOLIUM_ASSETS: dict[str, str] = {
    **dict(MAP_JS),
    **dict(MAP_CSS),
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
}

# Assets folium's Map loads by default that these maps never use (Bootstrap,
# Font Awesome, awesome-markers): dropped rather than installed.
UNUSED_MAP_ASSETS = frozenset(
    {
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

INSTALL_HINT = (
    "Run `npm install` in the project folder ({root}): it installs Leaflet and its "
    "plugins at the versions pinned in package.json and copies them to static/vendor/."
)


class AssetError(RuntimeError):
    """Map files are missing, or a map needs a file that is not installed locally."""


@cache
def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST_FILE.read_text(encoding="utf-8"))
    return data


def vendor_files() -> list[str]:
    """Every file the copy step installs, as paths relative to ``static/vendor/``."""
    return [
        f"{package}/{dest}"
        for package, spec in _manifest()["packages"].items()
        for dest in spec["files"]
    ]


def pinned_versions() -> dict[str, str]:
    """npm package name -> exact version the map files come from."""
    return {name: spec["version"] for name, spec in _manifest()["packages"].items()}


def missing_assets(vendor_dir: Path | str = VENDOR_DIR) -> list[str]:
    """Vendor files that are not installed (empty when the map can work offline).

    Parameters
    ----------
    vendor_dir : path
        The folder the copy step fills (``static/vendor/`` of the project).

    Returns
    -------
    list of str
        Paths relative to ``vendor_dir``. Show :func:`missing_assets_message`
        to a person when it is not empty.
    """
    base = Path(vendor_dir)
    return [path for path in vendor_files() if not (base / path).is_file()]


def missing_assets_message(missing: list[str], vendor_dir: Path | str = VENDOR_DIR) -> str:
    """What to tell a person when :func:`missing_assets` is not empty."""
    shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
    return (
        f"The map's Leaflet files are not installed in {vendor_dir} (missing: {shown}), "
        "so the map cannot draw. " + INSTALL_HINT.format(root=ROOT)
    )


def local_assets(
    base_url: str = DEFAULT_ASSET_BASE,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) lists of ``(name, url)`` for a folium Map's ``default_js`` / ``default_css``.

    Only Leaflet, jQuery and Leaflet's stylesheet: plugin files are attached
    by :func:`apply_local_assets` to the plugin elements that need them.
    """
    base = base_url.rstrip("/")
    return (
        [(name, f"{base}/{path}") for name, path in MAP_JS],
        [(name, f"{base}/{path}") for name, path in MAP_CSS],
    )


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def _local_path(element: Any, name: str, url: str) -> str | None:
    """Vendor path for one asset, "" to drop it, None when there is no local copy."""
    if url.startswith(VENDOR_SCHEME):
        return url[len(VENDOR_SCHEME) :]
    if name in FOLIUM_ASSETS:
        return FOLIUM_ASSETS[name]
    if name in UNUSED_MAP_ASSETS:
        return ""
    return None


def _resolve(element: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) vendor paths for one element; raises on assets with no local copy."""
    out: list[list[tuple[str, str]]] = [[], []]
    for slot, attr in enumerate(("default_js", "default_css")):
        for name, url in getattr(element, attr, []):
            path = _local_path(element, name, url)
            if path is None:
                raise AssetError(
                    f"{type(element).__name__} needs {name!r} from {url}, which has no local "
                    "copy: add its npm package to package.json and geo/render/vendor_assets.json "
                    "and FOLIUM_ASSETS in geo/render/assets.py, or do not use that element."
                )
            if path:
                out[slot].append((name, path))
    return out[0], out[1]


def apply_local_assets(
    m: MacroElement,
    base_url: str = DEFAULT_ASSET_BASE,
    *,
    inline: bool = False,
    vendor_dir: Path | str = VENDOR_DIR,
) -> list[str]:
    """Point a map and every plugin in it at local files instead of CDNs.

    Call it after all layers are added (plugins added later keep their CDN
    links). Safe to call again.

    Parameters
    ----------
    m : folium.Map (or any element in a Figure)
        The map; all its descendants are processed.
    base_url : str
        URL of ``static/vendor/`` as the browser sees it.
    inline : bool
        Embed the file contents in the page header instead of linking them,
        for a self-contained HTML file. Needs the files installed. Not for
        streamlit-folium, which drops header scripts.
    vendor_dir : path
        Where the files are, for ``inline``.

    Returns
    -------
    list of str
        The vendor paths the map uses, in load order.

    Raises
    ------
    AssetError
        An element needs a file with no local copy, or ``inline`` is set and
        files are not installed.
    """
    base = base_url.rstrip("/")
    js_paths: dict[str, str] = {}
    css_paths: dict[str, str] = {}
    for element in _walk(m):
        if not hasattr(element, "default_js") and not hasattr(element, "default_css"):
            continue
        js, css = _resolve(element)
        for name, path in js:
            js_paths.setdefault(path, name)
        for name, path in css:
            css_paths.setdefault(path, name)
        if inline:
            element.default_js = []
            element.default_css = []
        else:
            element.default_js = [(name, f"{base}/{path}") for name, path in js]
            element.default_css = [(name, f"{base}/{path}") for name, path in css]
    if inline:
        _inline(m, list(css_paths), list(js_paths), Path(vendor_dir))
    return list(css_paths) + list(js_paths)


def _inline(m: MacroElement, css: list[str], js: list[str], vendor_dir: Path) -> None:
    missing = [p for p in css + js if not (vendor_dir / p).is_file()]
    if missing:
        raise AssetError(missing_assets_message(missing, vendor_dir))
    root = m.get_root()
    if not isinstance(root, Figure):
        raise AssetError("apply_local_assets(inline=True) needs a map that belongs to a Figure")
    for path in css:
        text = _css_with_data_urls(vendor_dir / path)
        root.header.add_child(
            RawText(f"<style>{_no_end_tag(text, 'style')}</style>"), name=f"inline:{path}"
        )
    for path in js:
        text = (vendor_dir / path).read_text(encoding="utf-8")
        root.header.add_child(
            RawText(f"<script>{_no_end_tag(text, 'script')}</script>"), name=f"inline:{path}"
        )


class RawText(Element):
    """Text placed in the page as it is.

    branca's ``Element(text)`` compiles its text as a Jinja template and
    renders it, which breaks on ``{#`` and evaluates ``{{ ... }}``; file
    contents and data must never go through that.
    """

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _no_end_tag(text: str, tag: str) -> str:
    # "</script" inside a script would end it early; "<\/" means the same in JS.
    return re.sub(f"</(?={tag})", r"<\\/", text, flags=re.IGNORECASE)


_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:|//)([^'\")]+)\1\)")


def _css_with_data_urls(css_file: Path) -> str:
    """A stylesheet whose relative ``url(...)`` images are embedded as data: URLs."""

    def embed(match: re.Match[str]) -> str:
        target = css_file.parent / match.group(2)
        if not target.is_file():
            return match.group(0)
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:{mime};base64,{data})"

    return _CSS_URL.sub(embed, css_file.read_text(encoding="utf-8"))
