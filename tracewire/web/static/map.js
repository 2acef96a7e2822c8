/* tracewire map page: Leaflet (vendored) over the shipped Natural Earth borders, clustered place markers,
   place search, keyboard use. No tiles, nothing fetched from the network. Document text only via textContent. */
(function () {
  "use strict";
  var body = document.body;
  var staticMode = body.getAttribute("data-mode") === "static";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }
  function docHref(m) {
    if (staticMode) { return m.href || "#"; }
    return "/doc/" + encodeURIComponent(m.doc);
  }
  function claimsHref(name) {
    var q = "place=" + encodeURIComponent(name);
    return staticMode ? "claims.html#" + q : "/claims?" + q;
  }
  function fold(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function init() {
    var box = document.getElementById("tw-leaflet");
    var data = readJSON("tw-map-data");
    if (!box || !data || typeof L === "undefined") { return; }
    var points = data.points || [];
    var map = L.map(box, { worldCopyJump: true, minZoom: 2, maxZoom: 12, zoomSnap: 0.5, keyboard: true,
                           attributionControl: true });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Borders: Natural Earth · places: GeoNames");
    map.createPane("countries");
    map.getPane("countries").style.zIndex = 250;  /* below markers, always: a country never hides its places */
    if (window.TW_WORLD) {
      L.geoJSON(window.TW_WORLD, { pane: "countries", interactive: false,
        style: function () { return { color: "#8a9bb0", weight: 0.8, fillColor: "#f4f1e8", fillOpacity: 1 }; }
      }).addTo(map);
    }
    var top = points.reduce(function (m, p) { return Math.max(m, p.mentions); }, 1);
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true });
    var markers = {};
    points.forEach(function (p) {
      var size = Math.round(14 + 18 * Math.sqrt(p.mentions / top));
      var icon = L.divIcon({ className: "tw-pin", html: "", iconSize: [size, size] });
      var m = L.marker([p.lat, p.lon], { icon: icon, title: p.name + ": " + p.mentions + " mentions", alt: p.name,
                                         keyboard: true, riseOnHover: true });
      m.on("click", function () { pick(p.name, false); });
      m.on("keypress", function (ev) { if (ev.originalEvent && ev.originalEvent.key === "Enter") { pick(p.name, false); } });
      markers[p.name] = m;
      cluster.addLayer(m);
    });
    map.addLayer(cluster);
    if (points.length) {
      var b = L.latLngBounds(points.slice(0, 60).map(function (p) { return [p.lat, p.lon]; }));
      map.fitBounds(b.pad(0.3), { maxZoom: 7 });
    } else {
      map.setView([30, 20], 2);
    }
    var byFold = {};
    points.forEach(function (p) { byFold[fold(p.name)] = p; });
    var status = document.getElementById("tw-place-status");

    function find(text) {
      var f = fold(text);
      if (!f) { return null; }
      if (byFold[f]) { return byFold[f]; }
      var hit = null;
      points.forEach(function (p) { if (!hit && fold(p.name).indexOf(f) >= 0) { hit = p; } });
      return hit;
    }
    function pick(name, zoom) {
      var p = byFold[fold(name)];
      if (!p) { if (status) { status.textContent = "No place named " + name + " on the map."; } return; }
      var m = markers[p.name];
      if (status) { status.textContent = p.name + ": " + p.mentions + " mentions in " + p.documents + " documents."; }
      showMentions(p.name);
      if (zoom) {
        cluster.zoomToShowLayer(m, function () {
          m.bindPopup(el("b", {}, p.name)).openPopup();
          var icon = m.getElement();
          if (icon) { icon.classList.add("picked"); icon.focus(); }
        });
      } else {
        m.bindPopup(el("b", {}, p.name)).openPopup();
      }
      body.setAttribute("data-place", p.name);
    }
    document.getElementById("tw-place-search").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = document.getElementById("tw-place-q").value;
      var p = find(q);
      if (!p) { status.textContent = "No place matches " + q + "."; return; }
      if (history.replaceState) { history.replaceState(null, "", "#place=" + encodeURIComponent(p.name)); }
      pick(p.name, true);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".place-btn"), function (btn) {
      btn.addEventListener("click", function () { pick(btn.getAttribute("data-place"), true); });
    });

    function showMentions(name) {
      var title = document.getElementById("tw-place-name");
      var list = document.getElementById("tw-place-list");
      var hint = document.getElementById("tw-place-hint");
      var more = document.getElementById("tw-place-links");
      title.textContent = "Mentions of " + name;
      while (list.firstChild) { list.removeChild(list.firstChild); }
      while (more.firstChild) { more.removeChild(more.firstChild); }
      more.appendChild(el("a", { href: claimsHref(name), id: "tw-place-claims" }, "Claims that mention " + name));
      function render(mentions, hasMore) {
        hint.textContent = mentions.length ? "" : "No mentions.";
        mentions.forEach(function (m) {
          var li = el("li");
          li.appendChild(el("a", { href: docHref(m) }, m.title || m.doc));
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
    function fromHash() {
      var wanted = /^#place=(.+)$/.exec(window.location.hash);
      if (!wanted) { return; }
      try { pick(decodeURIComponent(wanted[1]), true); } catch (e) { /* a malformed hash is ignored */ }
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
    body.setAttribute("data-map-ready", "1");
  }
  if (document.readyState === "complete") { init(); } else { window.addEventListener("load", init); }
})();
