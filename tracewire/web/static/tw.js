/* tracewire UI core, loaded first on every page: the helpers that the page scripts share (window.TW), the
   timeline brush (map and claims explorer), the place-mentions panel (map page) and the overview's SVG map.
   Plain JavaScript, no dependencies. Text from documents is only ever inserted with textContent. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var body = document.body;
  var staticMode = body.getAttribute("data-mode") === "static";
  var TW = window.TW = { staticMode: staticMode };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }  /* 12,345 (toLocaleString is slow) */
  function safeHref(h) { return /^(\/|[a-z0-9_.-]+\.html|#)/i.test(h) && !/^\/\//.test(h) ? h : "#"; }
  function docHref(id, given) {
    if (staticMode) { return given || "#"; }
    return "/doc/" + encodeURIComponent(id);
  }
  function hashParams() {
    var out = {};
    new URLSearchParams(window.location.hash.replace(/^#/, "")).forEach(function (v, k) { out[k] = v; });
    return out;
  }
  /* a page of the site with query parameters: ?a=b on the server, #a=b in the report (its pages are files) */
  function query(params) {
    /* a=b&c=d with %20 for spaces (the form the earlier links used) */
    return Object.keys(params).filter(function (k) { return params[k]; }).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }
  function pageHref(page, params) {
    var s = query(params);
    if (staticMode) { return page + ".html" + (s ? "#" + s : ""); }
    return (page === "map" ? "/map" + (s ? "#" + s : "") : "/" + page + (s ? "?" + s : ""));
  }
  TW.el = el; TW.svg = svg; TW.clear = clear; TW.readJSON = readJSON; TW.num = num; TW.safeHref = safeHref;
  TW.docHref = docHref; TW.hashParams = hashParams; TW.pageHref = pageHref; TW.query = query;

  /* -- timeline brush: months with counts; a range picked by dragging over the bars or with two sliders ------- */
  function monthsBetween(a, b) {
    var out = [], y = +a.slice(0, 4), m = +a.slice(5, 7);
    while (out.length < 1200) {
      var s = y + "-" + (m < 10 ? "0" : "") + m;
      out.push(s);
      if (s >= b) { break; }
      m += 1; if (m > 12) { m = 1; y += 1; }
    }
    return out;
  }
  function brush(box, bins, from, to, onChange, unit) {
    /* Draw a brush in box over bins [{value: "YYYY-MM", count}] of unit ("claims"); onChange(from, to), "" for all.
       Drawn again over the same months (a search that changes the counts), it updates its bars in place. */
    var known = bins.filter(function (b) { return /^\d{4}-\d{2}$/.test(b.value); });
    if (!known.length) { clear(box); box.twBrush = null; box.hidden = true; return null; }
    box.hidden = false;
    var counts = {};
    known.forEach(function (b) { counts[b.value] = b.count; });
    var first = known[0].value, last = known[known.length - 1].value;
    if (from && from.slice(0, 7) < first) { first = from.slice(0, 7); }
    if (to && to.slice(0, 7) > last && /^\d{4}-\d{2}/.test(to)) { last = to.slice(0, 7); }
    var months = monthsBetween(first, last), n = months.length;
    var top = months.reduce(function (m, k) { return Math.max(m, counts[k] || 0); }, 1);
    var lo = from ? Math.max(0, months.indexOf(from.slice(0, 7))) : 0;
    var hi = to && months.indexOf(to.slice(0, 7)) >= 0 ? months.indexOf(to.slice(0, 7)) : n - 1;
    var W = 600, H = 60, bw = W / n, key = months[0] + " " + months[n - 1] + " " + (unit || "");
    if (box.twBrush && box.twBrush.key === key) { return box.twBrush.update(counts, top, lo, hi, onChange); }
    clear(box);
    function barHeight(c) { return Math.max(c ? 2 : 0, Math.round((H - 4) * c / top)); }
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, "class": "brush", role: "img",
                             "aria-label": (unit || "count") + " per month, " + months[0] + " to " + months[n - 1] });
    var bars = months.map(function (k, i) {
      var h = barHeight(counts[k] || 0);
      var r = svg("rect", { x: (i * bw + 0.5).toFixed(1), y: H - h, width: Math.max(1, bw - 1).toFixed(1), height: h });
      var t = svg("title", {}); t.textContent = k + ": " + (counts[k] || 0); r.appendChild(t);
      chart.appendChild(r);
      return r;
    });
    var label = el("span", { "class": "brush-label", role: "status" });
    var sliders = el("span", { "class": "brush-sliders" });
    function slider(name, text, value) {
      var l = el("label", {}, text + " ");
      var input = el("input", { type: "range", min: "0", max: String(n - 1), step: "1", value: String(value),
                                "data-brush": name });
      l.appendChild(input);
      sliders.appendChild(l);
      return input;
    }
    var a = slider("from", "From", lo), b = slider("to", "To", hi);
    var reset = el("button", { type: "button", "class": "brush-all" }, "All months");
    function total() {
      var s = 0;
      for (var i = lo; i <= hi; i++) { s += counts[months[i]] || 0; }
      return s;
    }
    function paint() {
      /* writes only what changed: a search redraws the brush on every keystroke */
      function set(node, name, value) { if (node.getAttribute(name) !== value) { node.setAttribute(name, value); } }
      bars.forEach(function (r, i) { set(r, "class", i >= lo && i <= hi ? "in" : "out"); });
      if (a.value !== String(lo)) { a.value = String(lo); }
      if (b.value !== String(hi)) { b.value = String(hi); }
      set(a, "aria-valuetext", months[lo]); set(b, "aria-valuetext", months[hi]);
      var text = (lo === 0 && hi === n - 1 ? "All months: " : months[lo] + " to " + months[hi] + ": ") + num(total()) + " " + (unit || "");
      if (label.textContent !== text) { label.textContent = text; }
    }
    function commit() {
      var all = lo === 0 && hi === n - 1;
      onChange(all ? "" : months[lo], all ? "" : months[hi]);
    }
    a.addEventListener("input", function () { lo = Math.min(+a.value, hi); paint(); });
    b.addEventListener("input", function () { hi = Math.max(+b.value, lo); paint(); });
    a.addEventListener("change", commit);
    b.addEventListener("change", commit);
    reset.addEventListener("click", function () { lo = 0; hi = n - 1; paint(); commit(); });
    var start = null;
    function at(ev) {
      var rect = chart.getBoundingClientRect();
      return Math.max(0, Math.min(n - 1, Math.floor((ev.clientX - rect.left) / rect.width * n)));
    }
    chart.addEventListener("pointerdown", function (ev) {
      start = at(ev); lo = hi = start; paint();
      if (chart.setPointerCapture) { chart.setPointerCapture(ev.pointerId); }
    });
    chart.addEventListener("pointermove", function (ev) {
      if (start === null) { return; }
      var k = at(ev); lo = Math.min(start, k); hi = Math.max(start, k); paint();
    });
    chart.addEventListener("pointerup", function () { if (start !== null) { start = null; commit(); } });
    box.appendChild(chart);
    var row = el("div", { "class": "brush-row" });
    row.appendChild(label); row.appendChild(sliders); row.appendChild(reset);
    box.appendChild(row);
    paint();
    var handle = { months: months, range: function () { return [months[lo], months[hi]]; } };
    box.twBrush = { key: key, update: function (c, t, l, h, fn) {
      counts = c; top = t; lo = l; hi = h; onChange = fn;
      bars.forEach(function (r, i) {
        var v = counts[months[i]] || 0, bh = barHeight(v), text = months[i] + ": " + v;
        if (r.getAttribute("height") !== String(bh)) { r.setAttribute("height", String(bh)); r.setAttribute("y", String(H - bh)); }
        if (r.firstChild.textContent !== text) { r.firstChild.textContent = text; }
      });
      paint();
      return handle;
    } };
    return handle;
  }
  TW.brush = brush;

  /* -- place mentions panel (map page): a place's mentions with their context ------------------------------ */
  function showMentions(name, data, range) {
    /* Fill the mentions panel with the mentions of name (in range [from, to] of months when given). */
    var title = document.getElementById("tw-place-name");
    var list = document.getElementById("tw-place-list");
    var hint = document.getElementById("tw-place-hint");
    var more = document.getElementById("tw-place-links");
    if (!title || !list) { return; }
    var from = range && range[0] || "", to = range && range[1] || "";
    title.textContent = "Mentions of " + name;
    clear(list);
    if (more) {
      clear(more);
      more.appendChild(el("a", { href: pageHref("claims", { place: name, from: from, to: to }), id: "tw-place-claims" },
        "Claims that mention " + name + (from ? " (" + from + " to " + to + ")" : "")));
    }
    function inRange(m) { return !from || (!!m.date && m.date >= from && m.date.slice(0, 7) <= to); }
    function render(mentions, hasMore) {
      mentions = mentions.filter(inRange);
      hint.textContent = mentions.length ? "" : (from ? "No mentions in this period." : "No mentions.");
      mentions.forEach(function (m) {
        var li = el("li");
        li.appendChild(el("a", { href: docHref(m.doc, m.href) }, m.title || m.doc));
        li.appendChild(el("small", {}, " " + (m.outlet || "") + " " + (m.date || "")));
        var ctx = m.context || "", at = m.start - m.context_start, len = m.end - m.start;
        var q = el("div", { "class": "context" });
        q.appendChild(document.createTextNode(ctx.slice(0, at)));
        q.appendChild(el("mark", {}, ctx.slice(at, at + len)));
        q.appendChild(document.createTextNode(ctx.slice(at + len)));
        li.appendChild(q);
        list.appendChild(li);
      });
      if (hasMore) { list.appendChild(el("li", { "class": "more" }, "more mentions: see the claims link above")); }
    }
    if (data.mentions) { render(data.mentions[name] || [], false); return; }
    hint.textContent = "Loading…";
    fetch("/api/places/mentions?name=" + encodeURIComponent(name), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) { render(j.mentions || [], j.has_next); })
      .catch(function () { hint.textContent = "Could not load the mentions."; });
  }
  TW.showMentions = showMentions;

  /* -- overview: the SVG map; a click on a place opens it on the map page ----------------------------------- */
  function ringPath(ring, proj) {
    var d = "";
    for (var i = 0; i < ring.length; i++) {
      var p = proj(ring[i][0], ring[i][1]);
      d += (i ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1);
    }
    return d + "Z";
  }
  function extent(points) {
    if (!points.length) { return [-180, -60, 180, 85]; }
    var x0 = 180, y0 = 90, x1 = -180, y1 = -90;
    points.forEach(function (p) {
      x0 = Math.min(x0, p.lon); x1 = Math.max(x1, p.lon); y0 = Math.min(y0, p.lat); y1 = Math.max(y1, p.lat);
    });
    var span = Math.max(x1 - x0, y1 - y0, 6), cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, half = span * 0.65;
    return [Math.max(-180, cx - half * 1.4), Math.max(-85, cy - half), Math.min(180, cx + half * 1.4), Math.min(85, cy + half)];
  }
  function drawMap(box, data, world, view, onPick) {
    clear(box);
    var points = data.points || [];
    var ex = view === "world" ? [-180, -60, 180, 85] : extent(points);
    var coslat = Math.cos(((ex[1] + ex[3]) / 2) * Math.PI / 180);
    var w = 1000, h = Math.round(1000 * (ex[3] - ex[1]) / ((ex[2] - ex[0]) * coslat));
    h = Math.max(300, Math.min(h, 700));
    var k = Math.min(w / ((ex[2] - ex[0]) * coslat), h / (ex[3] - ex[1]));
    var cx = (ex[0] + ex[2]) / 2, cy = (ex[1] + ex[3]) / 2;
    function proj(lon, lat) { return [w / 2 + (lon - cx) * coslat * k, h / 2 - (lat - cy) * k]; }
    var root = svg("svg", { viewBox: "0 0 " + w + " " + h, "class": "map-svg", role: "img", "aria-label": "map of places" });
    root.appendChild(svg("rect", { x: 0, y: 0, width: w, height: h, "class": "sea" }));
    var land = svg("g", { "class": "land" });
    (world && world.features || []).forEach(function (f) {
      var d = "";
      f.geometry.coordinates.forEach(function (poly) { poly.forEach(function (ring) { d += ringPath(ring, proj); }); });
      var path = svg("path", { d: d });
      var t = svg("title", {}); t.textContent = f.properties.name; path.appendChild(t);
      land.appendChild(path);
    });
    root.appendChild(land);
    var top = points.reduce(function (m, p) { return Math.max(m, p.mentions); }, 1);
    var dots = svg("g", { "class": "points" });
    points.slice().reverse().forEach(function (p) {
      var xy = proj(p.lon, p.lat);
      var c = svg("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: (3 + 14 * Math.sqrt(p.mentions / top)).toFixed(1),
                              "class": "point", "data-place": p.name, tabindex: "0" });
      var t = svg("title", {}); t.textContent = p.name + ": " + p.mentions + " mentions in " + p.documents + " documents";
      c.appendChild(t);
      c.addEventListener("click", function () { onPick(p.name); });
      c.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { onPick(p.name); } });
      dots.appendChild(c);
    });
    root.appendChild(dots);
    var labels = svg("g", { "class": "labels" });
    points.slice(0, 12).forEach(function (p) {
      var xy = proj(p.lon, p.lat);
      var t = svg("text", { x: (xy[0] + 8).toFixed(1), y: (xy[1] - 6).toFixed(1) }); t.textContent = p.name;
      labels.appendChild(t);
    });
    root.appendChild(labels);
    box.appendChild(root);
  }
  function initOverviewMap() {
    var box = document.getElementById("tw-map");
    var data = readJSON("tw-map-data");
    if (!box || !data) { return; }
    var world = window.TW_WORLD || null;
    var view = "fit";
    function pick(name) { window.location.href = pageHref("map", { place: name }); }
    var bar = el("div", { "class": "map-tools" });
    var toggle = el("button", { type: "button", id: "tw-map-view" }, "World view");
    toggle.addEventListener("click", function () {
      view = view === "fit" ? "world" : "fit";
      toggle.textContent = view === "fit" ? "World view" : "Fit to places";
      drawMap(canvas, data, world, view, pick);
    });
    bar.appendChild(toggle);
    box.appendChild(bar);
    var canvas = el("div", { "class": "map-canvas" });
    box.appendChild(canvas);
    drawMap(canvas, data, world, view, pick);
  }

  function init() { initOverviewMap(); body.setAttribute("data-ready", "1"); }
  /* deferred scripts (world.js) run before DOMContentLoaded, so wait for it */
  if (document.readyState === "complete") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
