/* tracewire UI: layer toggles and the overview's SVG map (claims explorer: explore.js; map page: map.js).
   Plain JavaScript, no dependencies. Text from documents is only ever inserted with textContent. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var body = document.body;
  var staticMode = body.getAttribute("data-mode") === "static";

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
  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }
  function docHref(id, given) {
    if (staticMode) { return given || "#"; }
    return "/doc/" + encodeURIComponent(id);
  }

  /* -- article: layer toggles ----------------------------------------------------------- */
  function initLayers() {
    var box = document.getElementById("tw-layers");
    if (!box) { return; }
    box.addEventListener("change", function (ev) {
      var input = ev.target;
      var layer = input.getAttribute("data-layer");
      if (!layer) { return; }
      body.classList.toggle("hide-" + layer, !input.checked);
    });
  }

  /* the claims explorer (server and report) lives in explore.js */

  /* -- map ------------------------------------------------------------------------------- */
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
    while (box.firstChild) { box.removeChild(box.firstChild); }
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
    points.slice().reverse().forEach(function (p, idx) {
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
  function showMentions(name, data) {
    var title = document.getElementById("tw-place-name");
    var list = document.getElementById("tw-place-list");
    var hint = document.getElementById("tw-place-hint");
    if (!title || !list) { return; }
    title.textContent = "Mentions of " + name;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    Array.prototype.forEach.call(document.querySelectorAll(".point.picked"), function (c) { c.classList.remove("picked"); });
    Array.prototype.forEach.call(document.querySelectorAll(".point"), function (c) {
      if (c.getAttribute("data-place") === name) { c.classList.add("picked"); }
    });
    function render(mentions, more) {
      hint.textContent = mentions.length ? "" : "No mentions.";
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
      if (more) { list.appendChild(el("li", { "class": "more" }, "more mentions not shown")); }
    }
    if (data.mentions) { render(data.mentions[name] || [], false); return; }
    hint.textContent = "Loading…";
    fetch("/api/places/mentions?name=" + encodeURIComponent(name), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) { render(j.mentions || [], j.has_next); })
      .catch(function () { hint.textContent = "Could not load the mentions."; });
  }
  function initMap() {
    var box = document.getElementById("tw-map");
    var data = readJSON("tw-map-data");
    if (!box || !data) { return; }
    var world = window.TW_WORLD || null;
    var view = "fit";
    function pick(name) {
      if (document.getElementById("tw-place-list")) { showMentions(name, data); return; }
      var mapLink = document.querySelector("nav a[href*='map']");
      if (mapLink) { window.location.href = mapLink.getAttribute("href") + "#place=" + encodeURIComponent(name); }
    }
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
    Array.prototype.forEach.call(document.querySelectorAll(".place-btn"), function (b) {
      b.addEventListener("click", function () { showMentions(b.getAttribute("data-place"), data); });
    });
    var wanted = /^#place=(.+)$/.exec(window.location.hash);
    if (wanted && document.getElementById("tw-place-list")) {
      try { showMentions(decodeURIComponent(wanted[1]), data); } catch (e) { /* a malformed hash is ignored */ }
    }
  }

  function init() { initLayers(); initMap(); body.setAttribute("data-ready", "1"); }
  /* deferred scripts (world.js) run before DOMContentLoaded, so wait for it */
  if (document.readyState === "complete") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
