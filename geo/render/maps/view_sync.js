/*
 * Keeps lat/lon/z in the page URL equal to the view on screen, and restores
 * the user's latest view after a rerun: GeoViewSync.attach(map, opts). See
 * geo.render.maps.elements.ViewSync for why each step is needed. Plain ES5,
 * like map_layers.js; it needs Leaflet only.
 */
var GeoViewSync = (function () {
    "use strict";

    function attach(map, opts) {
        var NAMES = ["lat", "lon", "z"];
        var host = window;
        try {
            while (host.parent && host.parent !== host) { void host.parent.location.search; host = host.parent; }
        } catch (e) { /* a cross-origin parent: stop at the last window we may use */ }
        var path = host.location.pathname;

        function pageToken() {
            try {
                if (!host.__geoMapPage) { host.__geoMapPage = String(Date.now()) + "-" + Math.random(); }
                return host.__geoMapPage;
            } catch (e) { return ""; }
        }
        function fmt(x) { var s = String(Math.round(x * 1e4) / 1e4); return s === "-0" ? "0" : s; }
        // The view last put in the URL. A resize of the component frame moves
        // the centre by a fraction of a pixel; that is not a new view, so the
        // URL keeps the text it had (a shared link is not rewritten on load).
        var shown = opts.view;
        function near(v) {
            if (!v || +v.z !== map.getZoom()) { return false; }
            var here = map.project(map.getCenter()), there = map.project([+v.lat, +v.lon]);
            return here.distanceTo(there) < 2;
        }
        function current() {
            if (near(shown)) { return shown; }
            var c = map.wrapLatLng(map.getCenter());
            shown = {lat: fmt(c.lat), lon: fmt(c.lng), z: String(Math.round(map.getZoom()))};
            return shown;
        }
        function key(part) {
            var eq = part.indexOf("=");
            return decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/[+]/g, " "));
        }
        function parts() {
            var q = host.location.search.replace(/^[?]/, "");
            return q ? q.split("&") : [];
        }
        function inUrl() {
            var out = {};
            parts().forEach(function (part) {
                var k = key(part);
                if (NAMES.indexOf(k) >= 0) { out[k] = decodeURIComponent(part.slice(part.indexOf("=") + 1)); }
            });
            return out;
        }
        function same(a, b) { return a.lat === b.lat && a.lon === b.lon && a.z === b.z; }
        function writeUrl(v) {
            try {
                if (host.location.pathname !== path) { return; }  // the app moved to another page
                var done = {};
                var list = parts().map(function (part) {
                    var k = key(part);
                    if (NAMES.indexOf(k) < 0) { return part; }  // other parameters stay byte for byte
                    done[k] = true;
                    return k + "=" + v[k];
                });
                NAMES.forEach(function (k) { if (!done[k]) { list.push(k + "=" + v[k]); } });
                var url = path + "?" + list.join("&") + host.location.hash;
                if (url !== path + host.location.search + host.location.hash) {
                    host.history.replaceState(host.history.state, "", url);
                }
            } catch (e) { /* no URL to update (file:// page, sandbox): the map still works */ }
        }
        function remember(v) {
            try {
                var entry = {lat: v.lat, lon: v.lon, z: v.z, built: opts.built, page: pageToken()};
                host.sessionStorage.setItem(opts.key, JSON.stringify(entry));
            } catch (e) { /* storage disabled */ }
        }
        function recall() {
            try { return JSON.parse(host.sessionStorage.getItem(opts.key) || "null"); } catch (e) { return null; }
        }

        // The map keeps its view in the URL once the view is explicit: built
        // from lat/lon/z, moved to by the user, or restored below.
        var pinned = opts.built.indexOf("fit:") !== 0;
        var saved = recall();
        if (opts.restore && saved && saved.page === pageToken() && saved.built === opts.built) {
            if (!near(saved)) { map.setView([+saved.lat, +saved.lon], +saved.z, {animate: false}); }
            shown = {lat: saved.lat, lon: saved.lon, z: saved.z};
            pinned = true;
        }
        if (!shown) { current(); }  // the fitted view, so that a resize is not taken for a move
        // Only the user's own moves pin a fitted view (the frame settling in
        // its page moves the map too).
        var touched = false;
        ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (type) {
            map.getContainer().addEventListener(type, function () { touched = true; }, {capture: true, passive: true});
        });
        map.on("moveend", function () {
            var before = shown, v = current();
            if (!pinned && (!touched || v === before)) { return; }
            pinned = true;
            remember(v);
            writeUrl(v);
        });
        function enforce() {
            if (pinned && !same(inUrl(), current())) { writeUrl(current()); }
        }
        enforce();
        setInterval(enforce, opts.interval);
    }

    return {attach: attach};
})();
