/*
 * Loaded first into the dashboard map's component frame (appkit/map_cache.py).
 *
 * streamlit-folium builds the map once its scripts have loaded, then runs the
 * overlay of the render message that started the loading. A render message
 * that came in while the scripts loaded (the filters changed that quickly) is
 * not run then. This keeps the latest overlay the frame was sent, so that
 * GeoMap.overlay can run it instead of the older one.
 */
(function () {
    "use strict";
    if (!window.Streamlit || window.geoLatestOverlay) { return; }
    window.geoLatestOverlay = {script: null};
    window.Streamlit.events.addEventListener("streamlit:render", function (event) {
        var args = event.detail && event.detail.args;
        if (args) { window.geoLatestOverlay.script = args.feature_group || null; }
    });
})();
