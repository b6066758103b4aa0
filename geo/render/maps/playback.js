/*
 * Timeline playback for the incident layer (geo.render.maps.playback).
 *
 * Steps the period day, week or month at a time, showing the incidents of
 * the step or everything up to it, entirely in the browser: no request per
 * frame. Markers are taken out of and put back into the incident layer's
 * group, so popups, clusters and the layer control keep working. While a
 * frame is shown and playback is paused, the top window's URL holds it as
 * `play=2013-W08` (a step's incidents) or `play=..2013-W08` (everything up to
 * it); a link with that parameter opens on that frame, paused.
 * Dates are ISO strings (YYYY-MM-DD) compared as text; plain ES5.
 */
var GeoPlayback = (function () {
    "use strict";

    var DAY = 86400000;
    var SPEEDS = [["0.5×", 2000], ["1×", 1000], ["2×", 500], ["4×", 250]];
    var STEP_NAMES = {day: "Day", week: "Week", month: "Month"};

    /* ------------------------------------------------------------- dates */

    function parse(s) { return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)); }
    function iso(t) { return new Date(t).toISOString().slice(0, 10); }
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function isoWeek(t) {
        // The ISO week holding day t: the week of its Thursday.
        var d = new Date(t), day = (d.getUTCDay() + 6) % 7, thu = t + (3 - day) * DAY;
        var year = new Date(thu).getUTCFullYear(), jan1 = Date.UTC(year, 0, 1);
        return year + "-W" + pad(1 + Math.floor((thu - jan1) / DAY / 7));
    }
    var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    function dayText(s) { return +s.slice(8, 10) + " " + MONTHS[+s.slice(5, 7) - 1] + " " + s.slice(0, 4); }
    function spanText(a, b) {
        if (a === b) { return dayText(a); }
        if (a.slice(0, 7) === b.slice(0, 7)) { return +a.slice(8, 10) + "–" + dayText(b); }
        if (a.slice(0, 4) === b.slice(0, 4)) { return dayText(a).slice(0, -5) + " – " + dayText(b); }
        return dayText(a) + " – " + dayText(b);
    }

    // The frames of [first, last] by step: {id, start, end} with ISO dates,
    // weeks Monday to Sunday and months by the calendar, cut to the period.
    function frames(first, last, step) {
        var out = [], t = parse(first), end = parse(last), s, e, d;
        while (t <= end) {
            d = new Date(t);
            if (step === "day") {
                s = t; e = t;
            } else if (step === "week") {
                s = t; e = t + (6 - (d.getUTCDay() + 6) % 7) * DAY;
            } else {
                s = t; e = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - DAY;
            }
            e = Math.min(e, end);
            out.push({
                id: step === "day" ? iso(s) : step === "week" ? isoWeek(s) : iso(s).slice(0, 7),
                start: iso(s), end: iso(e)
            });
            t = e + DAY;
        }
        return out;
    }

    function stepOf(id) {
        if (/^\d{4}-W\d{2}$/.test(id)) { return "week"; }
        if (/^\d{4}-\d{2}-\d{2}$/.test(id)) { return "day"; }
        if (/^\d{4}-\d{2}$/.test(id)) { return "month"; }
        return null;
    }

    /* --------------------------------------------------------------- URL */

    function topWindow() {
        var host = window;
        try {
            while (host.parent && host.parent !== host) { void host.parent.location.search; host = host.parent; }
        } catch (e) { /* a cross-origin parent: the last window we may use */ }
        return host;
    }
    function readParam(host, name) {
        try {
            var parts = host.location.search.replace(/^[?]/, "").split("&");
            for (var i = 0; i < parts.length; i++) {
                var eq = parts[i].indexOf("=");
                if (eq > 0 && decodeURIComponent(parts[i].slice(0, eq)) === name) {
                    return decodeURIComponent(parts[i].slice(eq + 1).replace(/[+]/g, " "));
                }
            }
        } catch (e) { /* no URL to read */ }
        return null;
    }
    // Put name=value in the URL (or take it out when value is null), leaving
    // every other parameter byte for byte.
    function writeParam(host, path, name, value) {
        try {
            if (host.location.pathname !== path) { return; }  // the app moved to another page
            var q = host.location.search.replace(/^[?]/, ""), done = false;
            var list = (q ? q.split("&") : []).filter(function (part) {
                var eq = part.indexOf("="), k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
                if (k !== name) { return true; }
                if (value === null || done) { return false; }
                done = true;
                return true;
            }).map(function (part) {
                var eq = part.indexOf("="), k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
                return k === name ? name + "=" + encodeURIComponent(value).replace(/%3A/g, ":") : part;
            });
            if (value !== null && !done) { list.push(name + "=" + encodeURIComponent(value)); }
            var url = path + (list.length ? "?" + list.join("&") : "") + host.location.hash;
            if (url !== path + host.location.search + host.location.hash) {
                host.history.replaceState(host.history.state, "", url);
            }
        } catch (e) { /* file:// page or sandbox: playback works, the URL stays */ }
    }

    /* ----------------------------------------------------------- markers */

    function incidentMarkers(group) {
        var markers = [], spokes = [];
        group.getLayers().forEach(function (l) {
            var o = l.options || {};
            if (o.payload && o.payload.cols && typeof o.row === "number") { markers.push(l); }
            else if (o.className === "geo-spoke") { spokes.push(l); }
        });
        markers.forEach(function (m) {
            var D = m.options.payload;
            m._geoDay = D.dicts.date[D.cols.date[m.options.row]] || "";
        });
        return {markers: markers, spokes: spokes};
    }

    /* ------------------------------------------------------------ control */

    function button(parent, text, label, cls) {
        var b = L.DomUtil.create("button", "geo-play-btn" + (cls ? " " + cls : ""), parent);
        b.type = "button";
        b.textContent = text;
        b.setAttribute("aria-label", label);
        b.title = label;
        return b;
    }
    function select(parent, label, options) {
        var s = L.DomUtil.create("select", "geo-play-select", parent);
        s.setAttribute("aria-label", label);
        s.title = label;
        options.forEach(function (o) {
            var opt = document.createElement("option");
            opt.value = o[0];
            opt.textContent = o[1];
            s.appendChild(opt);
        });
        return s;
    }

    function attach(map, group, opts) {
        if (!group || !group.getLayers) { return null; }
        var host = topWindow(), path = "";
        try { path = host.location.pathname; } catch (e) { /* no access */ }
        var found = incidentMarkers(group), markers = found.markers;
        if (!markers.length) { return null; }
        var days = markers.map(function (m) { return m._geoDay; }).filter(Boolean).sort();
        var first = readParam(host, opts.fromParam), last = readParam(host, opts.toParam);
        var ok = /^\d{4}-\d{2}-\d{2}$/;
        if (!first || !ok.test(first)) { first = days[0]; }
        if (!last || !ok.test(last) || last < first) { last = days[days.length - 1]; }
        if (!first || !last) { return null; }

        var state = {step: "week", cumulative: false, list: [], at: -1, timer: null, speed: 1000, shown: null};
        var clustered = typeof group.removeLayers === "function" && typeof group.refreshClusters === "function";

        var control = L.control({position: "bottomleft"});
        var box, play, back, fwd, range, label, stepSel, modeSel, speedSel, all;
        control.onAdd = function () {
            box = L.DomUtil.create("div", "geo-playback leaflet-bar");
            box.setAttribute("role", "group");
            box.setAttribute("aria-label", "Timeline playback");
            L.DomEvent.disableClickPropagation(box);
            L.DomEvent.disableScrollPropagation(box);
            var row = L.DomUtil.create("div", "geo-play-row", box);
            back = button(row, "◀", "Previous step");
            play = button(row, "▶", "Play", "geo-play-main");
            fwd = button(row, "▶|", "Next step");
            range = L.DomUtil.create("input", "geo-play-range", row);
            range.type = "range";
            range.min = "0";
            range.setAttribute("aria-label", "Frame");
            all = button(row, "All", "Show the whole period", "geo-play-all");
            var row2 = L.DomUtil.create("div", "geo-play-row", box);
            stepSel = select(row2, "Step", [["week", "Week"], ["day", "Day"], ["month", "Month"]]);
            modeSel = select(row2, "Per step or cumulative", [["step", "Per step"], ["cum", "Cumulative"]]);
            speedSel = select(row2, "Speed", SPEEDS.map(function (s) { return [String(s[1]), s[0]]; }));
            speedSel.value = "1000";
            label = L.DomUtil.create("div", "geo-play-label", box);
            label.setAttribute("aria-live", "polite");
            L.DomEvent.on(play, "click", function () { if (state.timer) { pause(); } else { start(); } });
            L.DomEvent.on(back, "click", function () { pause(); show(Math.max(state.at - 1, 0)); });
            L.DomEvent.on(fwd, "click", function () { pause(); show(Math.min(state.at + 1, state.list.length - 1)); });
            L.DomEvent.on(range, "input", function () { pause(); show(+range.value); });
            L.DomEvent.on(all, "click", function () { pause(); reset(); });
            L.DomEvent.on(stepSel, "change", function () { rebuild(stepSel.value, state.cumulative, true); });
            L.DomEvent.on(modeSel, "change", function () { state.cumulative = modeSel.value === "cum"; if (state.at >= 0) { show(state.at); } });
            L.DomEvent.on(speedSel, "change", function () {
                state.speed = +speedSel.value;
                if (state.timer) { pause(); start(); }
            });
            return box;
        };
        control.addTo(map);

        function visible(m, f) {
            var d = m._geoDay;
            return !!d && d <= f.end && (state.cumulative ? d >= first : d >= f.start);
        }
        function setShown(keep) {
            var add = [], remove = [];
            markers.forEach(function (m, i) {
                var on = keep === null || keep[i];
                var was = state.shown === null || state.shown[i];
                if (on && !was) { add.push(m); } else if (!on && was) { remove.push(m); }
            });
            if (clustered) {
                if (remove.length) { group.removeLayers(remove); }
                if (add.length) { group.addLayers(add); }
            } else {
                remove.forEach(function (m) { group.removeLayer(m); });
                add.forEach(function (m) { group.addLayer(m); });
            }
            // Spokes join fanned-out markers to their point; during playback
            // some markers are away, so the spokes go too.
            found.spokes.forEach(function (s) {
                if (keep === null) { group.addLayer(s); } else { group.removeLayer(s); }
            });
            state.shown = keep;
        }
        function frameId() {
            var f = state.list[state.at];
            return f ? (state.cumulative ? ".." : "") + f.id : null;
        }
        function show(i) {
            var f = state.list[i];
            if (!f) { return; }
            state.at = i;
            var keep = markers.map(function (m) { return visible(m, f); });
            setShown(keep);
            var n = keep.filter(Boolean).length;
            range.value = String(i);
            label.textContent = STEP_NAMES[state.step] + " " + (i + 1) + " of " + state.list.length + ": " +
                (state.cumulative ? spanText(first, f.end) + " (cumulative)" : spanText(f.start, f.end)) +
                " · " + n + (n === 1 ? " incident" : " incidents");
            box.setAttribute("data-frame", frameId());
            if (!state.timer) { writeParam(host, path, opts.param, frameId()); }
        }
        function start() {
            if (state.at < 0 || state.at >= state.list.length - 1) { show(0); } else { show(state.at + 1); }
            play.textContent = "❚❚";
            play.setAttribute("aria-label", "Pause");
            play.title = "Pause";
            box.classList.add("geo-playing");
            writeParam(host, path, opts.param, null);
            state.timer = setInterval(function () {
                if (state.at >= state.list.length - 1) { pause(); return; }
                show(state.at + 1);
            }, state.speed);
        }
        function pause() {
            if (state.timer) { clearInterval(state.timer); state.timer = null; }
            play.textContent = "▶";
            play.setAttribute("aria-label", "Play");
            play.title = "Play";
            box.classList.remove("geo-playing");
            if (state.at >= 0) { writeParam(host, path, opts.param, frameId()); }
        }
        function reset() {
            state.at = -1;
            setShown(null);
            range.value = "0";
            label.textContent = "Whole period: " + spanText(first, last) + " · " + markers.length +
                (markers.length === 1 ? " incident" : " incidents") + ". Press ▶ to step through it.";
            box.removeAttribute("data-frame");
            writeParam(host, path, opts.param, null);
        }
        function rebuild(step, cumulative, keepDay) {
            var day = keepDay && state.at >= 0 ? state.list[state.at].end : null;
            state.step = step;
            state.cumulative = cumulative;
            state.list = frames(first, last, step);
            range.max = String(state.list.length - 1);
            stepSel.value = step;
            modeSel.value = cumulative ? "cum" : "step";
            if (day === null) { return; }
            for (var i = 0; i < state.list.length; i++) {
                if (state.list[i].end >= day) { show(i); return; }
            }
        }

        rebuild("week", false, false);
        var wanted = readParam(host, opts.param), cum = !!wanted && wanted.slice(0, 2) === "..";
        var id = wanted ? (cum ? wanted.slice(2) : wanted) : null, step = id ? stepOf(id) : null;
        var at = -1;
        if (step) {
            rebuild(step, cum, false);
            state.list.forEach(function (f, i) { if (f.id === id) { at = i; } });
        }
        if (at >= 0) { show(at); } else { reset(); }
        // Streamlit rewrites the query string on a rerun from what it last
        // knew; a paused frame is put back, as the view is (GeoViewSync).
        var keeper = setInterval(function () {
            if (state.timer) { return; }
            var want = frameId();
            if (readParam(host, opts.param) !== want) { writeParam(host, path, opts.param, want); }
        }, opts.interval || 400);
        // Taken off the map when the filters change (GeoMap.overlay): the
        // timers stop and the URL's frame is left for the next playback.
        function remove() {
            if (state.timer) { clearInterval(state.timer); state.timer = null; }
            clearInterval(keeper);
            control.remove();
        }
        return {show: show, start: start, pause: pause, reset: reset, frames: frames, remove: remove};
    }

    return {attach: attach, frames: frames, isoWeek: isoWeek};
})();
