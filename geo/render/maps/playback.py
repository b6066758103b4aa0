"""Timeline playback on the dashboard map: the browser steps the period.

:class:`Playback` adds a control to the map (``playback.js``, ``playback.css``
beside this module) that shows the incidents of one day, week or month at a
time, or everything up to it, at a chosen speed. It works on the markers the
incident layer already holds, so no frame costs a request or a rerun of the
app. The frame shown while paused is written to the top window's URL as
``play=2013-W08`` (``play=..2013-W08`` when cumulative), and a link carrying
it opens on that frame. The period comes from the URL's ``from`` and ``to``
(the filter's), else from the incidents' dates.

Only the ``points`` and ``clusters`` modes can play: aggregated grid cells
have no dates.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from folium.map import Layer
from folium.template import Template

from geo.analysis.filters import PARAMS as FILTER_PARAMS
from geo.render.maps.elements import Verbatim
from geo.render.maps.escaping import script_json

__all__ = ["PLAY_PARAM", "Playback", "PlaybackLibrary", "valid_play"]

PLAY_PARAM = "play"
PLAYBACK_JS_FILE = Path(__file__).with_name("playback.js")
PLAYBACK_CSS_FILE = Path(__file__).with_name("playback.css")
# How often a paused frame is put back into the URL after Streamlit rewrote it (ms).
RESTORE_INTERVAL_MS = 400
_PLAY = re.compile(
    r"(\.\.)?(\d{4}-W(0[1-9]|[1-4]\d|5[0-3])|\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)"
)


def valid_play(value: str) -> bool:
    """Whether ``value`` is a frame the playback can open on.

    A day (``2013-02-14``), an ISO week (``2013-W07``) or a month
    (``2013-02``), with a leading ``..`` for "everything up to it".
    """
    return bool(_PLAY.fullmatch(value.strip()))


# The playback's styles, in the page's header (with the library, below).
_STYLES = "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"


@cache
def _browser_code() -> tuple[str, str]:
    return (
        PLAYBACK_JS_FILE.read_text(encoding="utf-8"),
        PLAYBACK_CSS_FILE.read_text(encoding="utf-8"),
    )


class Playback(Verbatim):
    """The play control over an incident layer (``GeoPlayback.attach``).

    ``library=False`` leaves out ``playback.js`` and its styles, for a page
    that loads them once (:class:`PlaybackLibrary`, the live dashboard map).
    """

    _template = Template(
        _STYLES
        + """
        {% macro script(this, kwargs) %}
            {{ this.library }}
            GeoMap.own(GeoPlayback.attach(
                {{ this._parent.get_name() }}, {{ this.layer.get_name() }}, {{ this.options }}));
        {% endmacro %}
        """
    )

    def __init__(self, layer: Layer, library: bool = True):
        super().__init__()
        self._name = "GeoPlayback"
        self.layer = layer
        self.library, self.css = _browser_code() if library else ("", "")
        self.options = script_json(
            {
                "param": PLAY_PARAM,
                "fromParam": FILTER_PARAMS["date_from"],
                "toParam": FILTER_PARAMS["date_to"],
                "interval": RESTORE_INTERVAL_MS,
            }
        )


class PlaybackLibrary(Verbatim):
    """``playback.js`` and its styles alone, for :class:`Playback` elements made with
    ``library=False`` (the live map's overlays come and go; the library stays)."""

    _template = Template(
        _STYLES + "{% macro script(this, kwargs) %}{{ this.library }}{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeoPlaybackLibrary"
        self.library, self.css = _browser_code()
