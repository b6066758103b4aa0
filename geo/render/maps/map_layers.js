/*
 * Browser side of the geo.render.maps package: draws the layers from the payloads that
 * build_map embeds in the page, and keeps the URL in step with the view.
 *
 * Every string in a payload was escaped in Python (geo.render.maps.escape_text), so
 * building HTML from them here cannot inject markup; numbers are numbers.
 * Written for Leaflet 1.9 and the plugins pinned in package.json, in plain
 * ES5 so that it runs wherever Leaflet does.
 */
var GeoMap = (function () {
    "use strict";

    /* ---------------------------------------------------------------- setup */

    function setup(map, opts) {
        opts.panes.forEach(function (p) {
            if (!map.getPane(p[0])) {
                var pane = map.createPane(p[0]);
                pane.style.zIndex = p[1];
                if (!p[2]) { pane.style.pointerEvents = "none"; }
            }
        });
        var box = map.getContainer();
        // Leaflet's keyboard handler focuses the map on mousedown. When the
        // map's frame is partly below the fold, the browser then scrolls the
        // host page to show the frame, between mousedown and mouseup: the
        // click lands elsewhere and the first click on a marker opens nothing.
        // Focusing without scrolling keeps the click where it was aimed.
        box.focus = function () { HTMLElement.prototype.focus.call(box, {preventScroll: true}); };
        box.classList.add("geo-map");
        addHatchPattern(box);
        if (opts.plain) { box.classList.add("geo-plain"); }
        opts.attribution.forEach(function (text) { map.attributionControl.addAttribution(text); });
        map.eachLayer(function (layer) { watchTiles(map, layer); });
        map.on("layeradd", function (e) { watchTiles(map, e.layer); });
    }

    /* ------------------------------------------------------- failing tiles */

    // With no network a tile layer fails tile by tile and leaves a grey map.
    // After a few failures and no success, the map says so and what to do.
    var TILE_FAILURES = 4;

    function watchTiles(map, layer) {
        if (!(layer instanceof L.TileLayer) || layer._geoWatched) { return; }
        layer._geoWatched = true;
        var failed = 0, loaded = 0, notice = null;
        layer.on("tileload", function () { loaded += 1; });
        layer.on("tileerror", function () {
            failed += 1;
            if (notice || loaded || failed < TILE_FAILURES) { return; }
            notice = L.control({position: "topright"});
            notice.onAdd = function () {
                var box = L.DomUtil.create("div", "geo-tile-warning");
                box.setAttribute("role", "alert");
                box.textContent = "The basemap tiles could not be loaded (no network?). " +
                    "Choose the None basemap, which works offline, or ask for a local tile server " +
                    "(GEO_TILE_URL).";
                return box;
            };
            notice.addTo(map);
        });
    }

    /* ---------------------------------------------- areas, borders, countries */

    // The hatching of areas whose level an analyst set: one pattern per page,
    // referenced by id from any of the map's SVG panes.
    var HATCH_ID = "geo-hatch";

    function addHatchPattern(box) {
        if (document.getElementById(HATCH_ID)) { return; }
        var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
        svg.setAttribute("width", "0");
        svg.setAttribute("height", "0");
        svg.setAttribute("aria-hidden", "true");
        svg.style.position = "absolute";
        svg.innerHTML = '<defs><pattern id="' + HATCH_ID + '" patternUnits="userSpaceOnUse" ' +
            'width="8" height="8" patternTransform="rotate(45)">' +
            '<rect width="2.4" height="8" fill="#1f2328" fill-opacity="0.6"></rect></pattern></defs>';
        box.appendChild(svg);
    }

    function hatchOver(feature, pane) {
        return L.geoJSON(feature, {
            pane: pane, interactive: false, className: "geo-override-hatch",
            style: {fillColor: "url(#" + HATCH_ID + ")", fillOpacity: 1, stroke: false}
        });
    }

    var AREA_TIP = {sticky: true, className: "geo-tip", opacity: 0.96};

    function geojson(data, opts) {
        var hatched = [], features = [];
        var layer = L.geoJSON(data, {
            pane: opts.pane,
            className: opts.className,
            interactive: opts.interactive,
            style: function (f) { return f.properties._s; },
            onEachFeature: function (f, l) {
                features.push(l);
                if (f.properties._h) { hatched.push(hatchOver(f, opts.pane)); }
                // Leaflet's tooltip focus listeners make Chromium put every
                // area in the Tab order (hundreds before the first incident):
                // areas stay for the mouse, incidents are the keyboard's stops.
                l.on("add", function () { if (l._path) { l._path.setAttribute("tabindex", "-1"); } });
                if (f.properties._t) { l.bindTooltip(f.properties._t, AREA_TIP); }
                if (opts.highlight) {
                    l.on("mouseover", function () { l.setStyle({weight: 2.6, color: "#1f2328"}); });
                    l.on("mouseout", function () { layer.resetStyle(l); });
                }
            }
        });
        // Added after the areas, so the hatching lies over their fill; it
        // takes no pointer events, so the area's tooltip still shows.
        hatched.forEach(function (h) { layer.addLayer(h); });
        layer._geo = {features: features, hatched: hatched, pane: opts.pane};
        (opts.labels || []).forEach(function (t) {
            L.marker([t[1], t[2]], {
                pane: "geo-country-labels",
                interactive: false,
                keyboard: false,
                icon: L.divIcon({
                    className: "geo-country-label", html: t[0], iconSize: [160, 14], iconAnchor: [80, 7]
                })
            }).addTo(layer);
        });
        return layer;
    }

    // New styles, tooltips and hatching for the areas of a GeoMap.geojson
    // layer, one entry per feature in the order they were drawn (the live
    // dashboard map shades its areas by the risk of the current filters).
    function restyle(layer, props) {
        var g = layer._geo;
        g.hatched.forEach(function (h) { layer.removeLayer(h); });
        g.hatched = [];
        g.features.forEach(function (l, i) {
            var p = props[i];
            if (!p) { return; }
            l.feature.properties = p;  // resetStyle (mouseout) reads the style from here
            l.setStyle(p._s);
            if (p._t && l.getTooltip()) { l.setTooltipContent(p._t); } else if (p._t) { l.bindTooltip(p._t, AREA_TIP); }
            if (p._h) { g.hatched.push(hatchOver(l.feature, g.pane)); }
        });
        g.hatched.forEach(function (h) { layer.addLayer(h); });
    }

    /* ------------------------------------------------ incidents: points, clusters */

    function row(label, value) {
        if (value === "" || value === undefined) { return ""; }
        return "<tr><th>" + label + "</th><td>" + value + "</td></tr>";
    }

    function incidentPopup(D, i) {
        var c = D.cols, d = D.dicts, t = D.types[c.t[i]];
        var sub = d.sub[c.sub[i]], loc = d.loc[c.loc[i]], country = d.country[c.country[i]];
        var area = d.area[c.area[i]], admin1 = d.admin1[c.admin1[i]];
        var actors = [d.actor[c.a1[i]], d.actor[c.a2[i]]].filter(function (a) { return a; });
        var tp = D.tp[c.tp[i]], gp = D.gp[c.gp[i]];
        var h = '<div class="geo-popup"><div class="geo-popup-title">' +
            '<span class="geo-dot" style="background:' + t[1] + '"></span><span>' + t[0] +
            (sub ? " &middot; " + sub : "") + "</span></div><table>";
        h += row("Date", d.date[c.date[i]] + (tp ? ' <span class="geo-muted">(' + tp + ")</span>" : ""));
        h += row("Location", loc + (country ? ", " + country : ""));
        var source1 = admin1 && area && admin1 !== area;
        if (countryLevel(c, i)) {
            h += row("Area", 'country-level <span class="geo-muted">(no place finer than the country: ' +
                "drawn at its name, counted in no region)</span>");
        } else {
            h += row("Area", (area || admin1) + (source1 ? ' <span class="geo-muted">(source: ' + admin1 + ")</span>" : ""));
        }
        h += row("Precision", gp ? c.gp[i] + " &ndash; " + gp : "");
        h += row("Actors", actors.join(" &middot; "));
        h += row("Fatalities", c.f[i] < 0 ? "not reported" : String(c.f[i]));
        h += row("Same point", stackNote(c, i) ? stackNote(c, i) +
            ' <span class="geo-muted">(markers spread around it)</span>' : "");
        if (c.civ && c.civ[i]) { h += row("Civilians", "targeted"); }
        h += row("Source", d.source[c.source[i]]);
        h += "</table>";
        if (d.notes) {
            var notes = d.notes[c.notes[i]];
            if (notes) { h += '<div class="geo-notes">' + notes + "</div>"; }
        } else {
            h += '<div class="geo-notes geo-muted">Notes are on the Incidents page when more than ' +
                D.notes_limit.toLocaleString("en") + " incidents are shown.</div>";
        }
        return h + '<div class="geo-id">' + c.id[i] + "</div></div>";
    }

    function countryLevel(c, i) {
        return Boolean(c.cl && c.cl[i]);
    }

    function stackNote(c, i) {
        return c.m && c.m[i] > 1 ? c.k[i] + 1 + " of " + c.m[i] + " incidents at this point" : "";
    }

    function incidentTip(D, i) {
        var c = D.cols, d = D.dicts, here = stackNote(c, i);
        var killed = c.f[i] > 0 ? " &middot; " + c.f[i] + " killed" : "";
        var level = countryLevel(c, i) ? '<br><span class="geo-muted">country-level: in no region</span>' : "";
        return "<b>" + D.types[c.t[i]][0] + "</b><br>" + d.date[c.date[i]] + " &middot; " +
            d.loc[c.loc[i]] + killed + level + (here ? '<br><span class="geo-muted">' + here + "</span>" : "");
    }

    function fanOffsets(c, stacked) {
        // Pixel offsets of stacked incidents around their point: an arc for a
        // few, a sunflower spiral for many, spaced by the stack's largest marker.
        // The arc leaves out the east, where a town's label sits (labels are
        // drawn above markers).
        var biggest = {}, out = {};
        stacked.forEach(function (i) {
            var key = c.lat[i] + "," + c.lon[i];
            biggest[key] = Math.max(biggest[key] || 0, c.r[i]);
        });
        stacked.forEach(function (i) {
            var m = c.m[i], k = c.k[i], r = biggest[c.lat[i] + "," + c.lon[i]] + 1.5, a, d;
            if (m <= 8) {
                a = Math.PI / 3 + (4 * Math.PI / 3) * (k + 0.5) / m;
                d = Math.max(r + 9, (r + 1) / Math.sin(2 * Math.PI / 3 / m));
            } else {
                a = k * 2.39996;
                d = 2 * r * Math.sqrt(k + 0.5);
            }
            out[i] = L.point(d * Math.cos(a), d * Math.sin(a));
        });
        return out;
    }

    function fan(group, markers, c) {
        // Incidents coded to the same point (several in one town) are spread a
        // few pixels around it, each joined to it by a thin line, so every one
        // can be seen and clicked; the offsets stay the same on screen at
        // every zoom. Popups and tooltips say how many share the point.
        if (!c.m) { return; }
        var stacked = [], spokes = {}, i;
        for (i = 0; i < c.m.length; i++) { if (c.m[i] > 1) { stacked.push(i); } }
        var offsets = fanOffsets(c, stacked);
        stacked.forEach(function (j) {
            spokes[j] = L.polyline([[c.lat[j], c.lon[j]], [c.lat[j], c.lon[j]]], {
                pane: "geo-incidents", color: "#3a3f45", weight: 1, opacity: 0.7,
                interactive: false, className: "geo-spoke"
            });
            group.addLayer(spokes[j]);
        });
        function place() {
            var map = group._map;
            if (!map) { return; }
            var z = map.getZoom();
            stacked.forEach(function (j) {
                var at = L.latLng(c.lat[j], c.lon[j]);
                var moved = map.unproject(map.project(at, z).add(offsets[j]), z);
                markers[j].setLatLng(moved);
                spokes[j].setLatLngs([at, moved]);
            });
        }
        group.on("add", function () {
            place();
            group._map.on("zoomend", place);
        });
        group.on("remove", function (e) { e.target._map && e.target._map.off("zoomend", place); });
    }

    function clusterIcon(types) {
        // A ring showing the mix of event types, the count in the middle.
        return function (cluster) {
            var ms = cluster.getAllChildMarkers(), k = [], stops = [], at = 0, t, j;
            for (t = 0; t < types.length; t++) { k.push(0); }
            for (j = 0; j < ms.length; j++) { k[ms[j].options.typeIndex] += 1; }
            for (t = 0; t < k.length; t++) {
                if (!k[t]) { continue; }
                var to = at + 100 * k[t] / ms.length;
                stops.push(types[t][1] + " " + at.toFixed(2) + "% " + to.toFixed(2) + "%");
                at = to;
            }
            var n = ms.length, size = Math.round(26 + 7 * Math.log10(n));
            var label = n >= 10000 ? Math.round(n / 1000) + "k" :
                n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n);
            return L.divIcon({
                html: '<div class="geo-cluster" style="background: conic-gradient(' + stops.join(", ") +
                    ')"><span>' + label + "</span></div>",
                className: "geo-cluster-icon",
                iconSize: L.point(size, size)
            });
        };
    }

    function plainText(html) {
        // The payload's text is HTML-escaped; an attribute wants it plain. A
        // textarea decodes entities without ever creating elements.
        var area = document.createElement("textarea");
        area.innerHTML = html.replace(/<[^>]*>/g, " ");
        return area.value.replace(/\s+/g, " ").trim();
    }

    function incidentLabel(D, i) {
        var c = D.cols, d = D.dicts, killed = c.f[i] > 0 ? ", " + c.f[i] + " killed" : "";
        return plainText(D.types[c.t[i]][0] + ", " + d.date[c.date[i]] + ", " + d.loc[c.loc[i]] + killed);
    }

    function reachable(e) {
        // Each drawn marker is a button for the keyboard: Tab reaches it, its
        // label is read out, Enter or Space opens its popup.
        var marker = e.target, path = marker._path;
        if (!path || path.getAttribute("tabindex") !== null) { return; }
        var D = marker.options.payload;
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "button");
        path.setAttribute("aria-label", incidentLabel(D, marker.options.row));
        path.addEventListener("keydown", function (ev) {
            if (ev.key === "Enter" || ev.key === " ") {
                ev.preventDefault();
                marker.openPopup();
            }
        });
        path.addEventListener("focus", function () { marker.openTooltip(); });
        path.addEventListener("blur", function () { marker.closeTooltip(); });
    }

    function markerPopup(layer) { return incidentPopup(layer.options.payload, layer.options.row); }

    function markerTip(layer) { return incidentTip(layer.options.payload, layer.options.row); }

    // An incident's circle. Its popup and tooltip are bound, and its path
    // made a keyboard stop, when it is first drawn: most of the incidents
    // of a clustered layer are never drawn one by one, and binding 10,000
    // popups and tooltips up front took longer than clustering them.
    var IncidentMarker = L.CircleMarker.extend({
        onAdd: function (map) {
            if (!this._popup) {
                this.bindPopup(markerPopup, {maxWidth: 340, minWidth: 230});
                this.bindTooltip(markerTip, {direction: "top", offset: [0, -4], opacity: 0.96});
            }
            L.CircleMarker.prototype.onAdd.call(this, map);
            reachable({target: this});
        }
    });

    // Incident layers whose markers are still being added in chunks (the
    // page is drawn when this is 0; scripts/bench_browser.py waits for it).
    var loading = 0;

    function pending() { return loading; }

    function incidents(D) {
        var c = D.cols, n = c.lat.length, markers = new Array(n), group;
        if (D.mode === "clusters") {
            loading += 1;
            group = L.markerClusterGroup({
                chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
                spiderfyOnMaxZoom: true, disableClusteringAtZoom: 12,
                iconCreateFunction: clusterIcon(D.types),
                chunkProgress: function (done, total) { if (done === total) { finish(); } }
            });
            // Taken off the map before its last chunk (the filters changed):
            // it no longer counts as loading.
            var waiting = true, finish = function () { if (waiting) { waiting = false; loading -= 1; } };
            group.on("remove", finish);
        } else {
            group = L.featureGroup();
        }
        for (var i = 0; i < n; i++) {
            // A country-level incident is a dashed ring in its type's colour:
            // its point stands for the whole country, not a place in it.
            var whole = countryLevel(c, i), colour = D.types[c.t[i]][1];
            markers[i] = new IncidentMarker([c.lat[i], c.lon[i]], {
                radius: c.r[i], fillColor: whole ? "#ffffff" : colour, fillOpacity: whole ? 0.75 : 0.85,
                color: whole ? colour : "#ffffff", weight: whole ? 2 : 1, dashArray: whole ? "3 2" : null,
                opacity: 0.95, pane: "geo-incidents",
                className: whole ? "geo-incident geo-country-level" : "geo-incident",
                typeIndex: c.t[i], row: i, payload: D
            });
        }
        if (D.mode === "clusters") {
            // One by one, not addLayers: before the group is on the map,
            // addLayers checks each marker against every one queued before
            // it (quadratic: 0.17 s at 10,000). The queue is clustered in
            // chunks when the group is added.
            markers.forEach(function (m) { group.addLayer(m); });
        } else {
            fan(group, markers, c);
            markers.forEach(function (m) { group.addLayer(m); });
        }
        return group;
    }

    /* -------------------------------------------------- incidents: grid cells */

    function counted(n, one, many) {
        return n.toLocaleString("en") + " " + (n === 1 ? one : many);
    }

    function gridPopup(D, i) {
        var nt = D.types.length, rows = [], t, j;
        for (t = 0; t < nt; t++) {
            if (D.by[i * nt + t]) { rows.push([D.by[i * nt + t], t]); }
        }
        rows.sort(function (a, b) { return b[0] - a[0]; });
        var h = '<div class="geo-popup"><div class="geo-popup-title">' +
            counted(D.n[i], "incident", "incidents") + "</div>" +
            '<div class="geo-muted">Grid cell of ' + D.cell + "&deg; around " +
            D.lat[i].toFixed(2) + ", " + D.lon[i].toFixed(2) + "</div><table>";
        for (j = 0; j < rows.length; j++) {
            var type = D.types[rows[j][1]];
            h += '<tr><th><span class="geo-dot" style="background:' + type[1] + '"></span> ' + type[0] +
                "</th><td>" + rows[j][0].toLocaleString("en") + "</td></tr>";
        }
        h += "<tr><th>Fatalities</th><td>" + D.f[i].toLocaleString("en") + "</td></tr></table>";
        return h + '<div class="geo-notes geo-muted">Aggregated: filter to ' +
            D.limit.toLocaleString("en") + " incidents or fewer to see each event.</div></div>";
    }

    function grid(map, D) {
        // SVG, not canvas: a canvas over the whole map would take the mouse
        // from the areas underneath (their tooltips), and cells are few.
        var n = D.lat.length, markers = new Array(n), group = L.featureGroup();
        // Circle area follows the cell's incidents; the densest cell's circle
        // touches its neighbours at every zoom (within rmin..rmax pixels).
        function radius(i, zoom) {
            var spacing = D.cell * 256 * Math.pow(2, zoom) / 360;
            return Math.min(Math.max(0.5 * spacing * D.rel[i], D.rmin), D.rmax);
        }
        function popup(layer) { return gridPopup(D, layer.options.row); }
        function tip(layer) {
            var k = layer.options.row;
            return counted(D.n[k], "incident", "incidents") + " &middot; " +
                counted(D.f[k], "fatality", "fatalities");
        }
        var z0 = map.getZoom();
        for (var i = 0; i < n; i++) {
            markers[i] = L.circleMarker([D.lat[i], D.lon[i]], {
                pane: "geo-incidents", className: "geo-cell", radius: radius(i, z0),
                fillColor: D.types[D.dom[i]][1], fillOpacity: 0.78, color: "#ffffff", weight: 0.8,
                opacity: 0.9, row: i
            });
            markers[i].bindPopup(popup, {maxWidth: 320});
            markers[i].bindTooltip(tip, {direction: "top", opacity: 0.96});
            group.addLayer(markers[i]);
        }
        function rescale() {
            var z = map.getZoom();
            for (var j = 0; j < n; j++) { markers[j].setRadius(radius(j, z)); }
        }
        // Bound while the cells are on the map, so cells of earlier filters
        // (GeoMap.overlay) are not kept alive by the map's listeners.
        group.on("add", function () { map.on("zoomend", rescale); rescale(); });
        group.on("remove", function () { map.off("zoomend", rescale); });
        return group;
    }

    /* ---------------------------------------------------------------- heat */

    function heat(D, options) {
        var pts = new Array(D.lat.length);
        for (var i = 0; i < pts.length; i++) { pts[i] = [D.lat[i], D.lon[i], D.w[i]]; }
        var layer = L.heatLayer(pts, options);
        // leaflet.heat 0.2.0 adds weights per screen cell and clips them at a
        // fixed `max`, so the picture saturates or fades as the zoom changes.
        // Before each redraw, set `max` to the densest screen cell in view (as
        // the copy bundled with folium does), so the ramp spans what is shown.
        var draw = layer._redraw;
        layer._redraw = function () {
            var m = this._map;
            if (m && this._heat) {
                var size = m.getSize(), r = this._heat._r, cell = r / 2, pane = m._getMapPanePos();
                var ox = pane.x % cell, oy = pane.y % cell, sums = {}, top = 0;
                for (var j = 0; j < pts.length; j++) {
                    var p = m.latLngToContainerPoint([pts[j][0], pts[j][1]]);
                    if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) { continue; }
                    var key = Math.floor((p.x - ox) / cell) + ":" + Math.floor((p.y - oy) / cell);
                    var s = (sums[key] || 0) + pts[j][2];
                    sums[key] = s;
                    if (s > top) { top = s; }
                }
                this.options.max = top || 1;
                this._heat.max(this.options.max);
            }
            return draw.call(this);
        };
        return layer;
    }

    /* ---------------------------------------------------------------- towns */

    // Which towns show at a zoom depends on the zoom only (boxes are compared
    // in the map's absolute pixels there), so each zoom is laid out once and
    // kept. A town shows from its minimum zoom on, unless its label would
    // overlap one placed before it (towns arrive largest first); a town
    // whose label gives way shows no dot either.
    var TownLayer = L.Layer.extend({
        options: {pane: "geo-towns"},

        initialize: function (list, colour) {
            this._list = list;
            this._colour = colour;
            this._latlngs = list.map(function (t) { return L.latLng(t[1], t[2]); });
            this._nodes = new Array(list.length);
            this._placed = {};   // zoom -> indices of the towns shown there
            this._shown = [];
            this.layouts = 0;    // how many zoom levels were laid out (read by tests)
        },

        onAdd: function (map) {
            // One box holds every town: during a zoom animation it is scaled
            // as one picture (as Leaflet does for vector layers), so no label
            // is moved or measured frame by frame.
            // Dots lie under the incidents, labels above them (as a town's
            // name is never hidden by a marker): two boxes, in two panes.
            this._box = L.DomUtil.create("div", "geo-town-layer leaflet-zoom-animated", this.getPane());
            this._labelBox = L.DomUtil.create(
                "div", "geo-town-layer leaflet-zoom-animated", map.getPane("geo-country-labels")
            );
            this._box.style.setProperty("--geo-town-colour", this._colour);
            this._labelBox.style.setProperty("--geo-town-colour", this._colour);
            if (!this._widths) { this._measure(); }
            this._update();
        },

        _measure: function () {
            // Every label's width, from the canvas's text metrics in the
            // labels' own font: no label is laid out to be measured (reading
            // 800 offsetWidths cost a layout of them all, ~50 ms at load).
            this._widths = [];
            if (!this._list.length) { return; }
            var probe = this._node(0), style = window.getComputedStyle(probe[1]);
            var pen = document.createElement("canvas").getContext("2d");
            var text = document.createElement("textarea");
            pen.font = style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
            probe[0].style.display = probe[1].style.display = "none";
            this._widths = this._list.map(function (t) {
                text.innerHTML = t[0];  // escaped in Python: decoded here, never parsed as markup
                return Math.ceil(pen.measureText(text.value).width);
            });
        },

        onRemove: function () {
            L.DomUtil.remove(this._box);
            L.DomUtil.remove(this._labelBox);
            this._box = this._labelBox = null;
            this._nodes = new Array(this._list.length);
            this._shown = [];
        },

        getEvents: function () {
            var events = {zoomend: this._update, viewreset: this._update};
            if (this._map && this._map._zoomAnimated) { events.zoomanim = this._animate; }
            return events;
        },

        shownAt: function (zoom) {
            // Indices of the towns shown at `zoom`, laid out on first need.
            if (!this._placed.hasOwnProperty(zoom)) {
                this._placed[zoom] = this._layout(zoom);
                this.layouts += 1;
            }
            return this._placed[zoom];
        },

        _layout: function (zoom) {
            // Greedy placement in the order given, with a grid of 64 px cells
            // so that each box is compared with its neighbours only.
            var map = this._map, grid = {}, out = [], CELL = 64;
            for (var i = 0; i < this._list.length; i++) {
                var t = this._list[i];
                if (zoom < t[3]) { continue; }
                var p = map.project(this._latlngs[i], zoom);
                var box = [p.x - 4, p.y - 8, p.x + 12 + this._widths[i], p.y + 8];
                if (this._fits(box, grid, CELL)) {
                    this._keep(box, grid, CELL);
                    out.push(i);
                }
            }
            return out;
        },

        _cells: function (box, size, each) {
            for (var gx = Math.floor(box[0] / size); gx <= Math.floor(box[2] / size); gx++) {
                for (var gy = Math.floor(box[1] / size); gy <= Math.floor(box[3] / size); gy++) {
                    if (each(gx + ":" + gy) === false) { return false; }
                }
            }
            return true;
        },

        _fits: function (box, grid, size) {
            return this._cells(box, size, function (key) {
                var boxes = grid[key] || [];
                for (var j = 0; j < boxes.length; j++) {
                    var b = boxes[j];
                    if (!(box[2] < b[0] || box[0] > b[2] || box[3] < b[1] || box[1] > b[3])) { return false; }
                }
                return true;
            });
        },

        _keep: function (box, grid, size) {
            this._cells(box, size, function (key) { (grid[key] = grid[key] || []).push(box); });
        },

        _node: function (i) {
            if (!this._nodes[i]) {
                var label = L.DomUtil.create("div", "geo-town-label", this._labelBox);
                // The name was escaped in Python (escape_text), as for every payload.
                label.innerHTML = this._list[i][0];
                this._nodes[i] = [L.DomUtil.create("div", "geo-town-dot", this._box), label];
            }
            return this._nodes[i];
        },

        _update: function () {
            var map = this._map;
            if (!map || !this._box) { return; }
            L.DomUtil.setPosition(this._box, L.point(0, 0));
            L.DomUtil.setPosition(this._labelBox, L.point(0, 0));
            var shown = this.shownAt(map.getZoom()), on = {}, i, k;
            for (k = 0; k < shown.length; k++) { on[shown[k]] = true; }
            for (k = 0; k < this._shown.length; k++) {
                i = this._shown[k];
                if (!on[i]) { this._nodes[i][0].style.display = this._nodes[i][1].style.display = "none"; }
            }
            // Only writes here (no sizes are read), so the browser lays the
            // page out once, after the loop.
            for (k = 0; k < shown.length; k++) {
                i = shown[k];
                var node = this._node(i), at = map.latLngToLayerPoint(this._latlngs[i]).round();
                node[0].style.display = node[1].style.display = "";
                L.DomUtil.setPosition(node[0], at);
                L.DomUtil.setPosition(node[1], at);
            }
            this._shown = shown;
        },

        _animate: function (e) {
            var map = this._map, scale = map.getZoomScale(e.zoom);
            var offset = map.getPixelOrigin().multiplyBy(scale).subtract(map._getNewPixelOrigin(e.center, e.zoom));
            L.DomUtil.setTransform(this._box, offset.round(), scale);
            L.DomUtil.setTransform(this._labelBox, offset.round(), scale);
        }
    });

    function towns(map, list, colour) {
        return new TownLayer(list, colour);
    }

    /* --------------------------------------------------------------- legend */

    var NARROW_PX = 600;

    function legend(map, html, layers) {
        // On a phone the bottom of the map holds the playback bar: the
        // (closed) legend sits at the top there.
        var narrow = map.getSize().x < NARROW_PX;
        var control = L.control({position: narrow ? "topright" : "bottomright"}), box;
        control.onAdd = function () {
            box = L.DomUtil.create("div", "geo-legend");
            box.innerHTML = html;
            // On a phone the open legend would cover most of the map: it
            // starts closed there, one tap away.
            var details = box.querySelector("details");
            if (details && narrow) { details.removeAttribute("open"); }
            L.DomEvent.disableClickPropagation(box);
            L.DomEvent.disableScrollPropagation(box);
            return box;
        };
        control.addTo(map);
        // The legend is a control, drawn above every popup: an open popup it
        // would cover closes it for the time the popup is open.
        var folded = false;
        function fold(e) {
            setTimeout(function () {
                var details = box.querySelector("details"), tip = e.popup.getElement();
                if (!details || !details.open || !tip) { return; }
                var a = box.getBoundingClientRect(), b = tip.getBoundingClientRect();
                if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                    details.removeAttribute("open");
                    folded = true;
                }
            }, 300);  // after Leaflet has panned the popup into view
        }
        function unfold() {
            var details = box.querySelector("details");
            if (folded && details) { details.setAttribute("open", ""); }
            folded = false;
        }
        // With a layer control, a legend section follows its layer.
        function toggle(e, on) {
            Object.keys(layers).forEach(function (key) {
                var part = layers[key] === e.layer && box.querySelector('[data-layer="' + key + '"]');
                if (part) { part.style.display = on ? "" : "none"; }
            });
        }
        function shown(e) { toggle(e, true); }
        function hidden(e) { toggle(e, false); }
        var events = {popupopen: fold, popupclose: unfold, overlayadd: shown, overlayremove: hidden};
        map.on(events);
        // A legend replaced by the next filters' (GeoMap.overlay) lets go of the map.
        control.onRemove = function () { map.off(events); };
        return control;
    }

    /* ------------------------------------------------------------ live overlay */

    // The dashboard keeps one map frame while the filters change: the layers
    // that depend on the filters (risk shading, incidents, heat, playback,
    // legend) come as one overlay script, which replaces the previous one
    // here (geo.render.maps.live). Each overlay has a token, the digest of
    // its content: the same overlay sent again changes nothing.
    var live = null, building = null;

    // Something the overlay being built put on the map, with a remove():
    // taken off when the next overlay arrives. Outside an overlay, as is.
    function own(thing) {
        if (building && thing && typeof thing.remove === "function") { building.push(thing); }
        return thing;
    }

    function overlay(map, token, build) {
        if (live && live.token === token) { return false; }
        var started = performance.timeOrigin + performance.now();
        if (live) { live.owned.forEach(function (thing) { thing.remove(); }); }
        live = {token: token, owned: [], started: started};
        building = live.owned;
        try { build(map); } finally { building = null; }
        catchUp();
        return true;
    }

    // A page that received a newer overlay while it loaded (recorded by the
    // dashboard's frame, appkit/live_frame.js) runs that one next. Checked
    // once the current render message has reached every listener: the
    // recorder hears each message after the map has run its overlay.
    function catchUp() {
        if (!window.geoLatestOverlay) { return; }
        setTimeout(function () {
            var latest = window.geoLatestOverlay.script;
            if (latest && live && latest.indexOf(JSON.stringify(live.token)) < 0) {
                (0, eval)(latest);
            }
        }, 0);
    }

    // The current overlay's token and when it started (wall clock, ms), for
    // scripts/bench_app_filter.py; null before the first.
    function overlayInfo() { return live ? {token: live.token, started: live.started} : null; }

    return {
        setup: setup, geojson: geojson, restyle: restyle, incidents: incidents, grid: grid,
        heat: heat, towns: towns, legend: legend, pending: pending,
        own: own, overlay: overlay, overlayInfo: overlayInfo
    };
})();
