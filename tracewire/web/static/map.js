/* tracewire map page: Leaflet (vendored) over the shipped Natural Earth borders, clustered place markers,
   place search, a timeline brush that filters the markers, the mentions and the claims link together, and
   keyboard use. Helpers and the mentions panel come from tw.js. No tiles, nothing fetched from the network. */
(function () {
  "use strict";
  var body = document.body;

  function fold(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function init() {
    var TW = window.TW, el = TW.el;
    var box = document.getElementById("tw-leaflet");
    var data = TW.readJSON("tw-map-data");
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
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true });
    var markers = {};
    var range = ["", ""];  /* the brushed months, "" for all */
    var status = document.getElementById("tw-place-status");
    var period = document.getElementById("tw-period");

    function inRange(p) {
      /* mentions of a place in the brushed months (all of them without a brush) */
      if (!range[0]) { return p.mentions; }
      var s = 0, months = p.months || {};
      Object.keys(months).forEach(function (m) { if (m >= range[0] && m <= range[1]) { s += months[m]; } });
      return s;
    }
    function drawMarkers() {
      cluster.clearLayers();
      var shown = points.map(function (p) { return [p, inRange(p)]; }).filter(function (x) { return x[1] > 0; });
      var top = shown.reduce(function (m, x) { return Math.max(m, x[1]); }, 1);
      markers = {};
      shown.forEach(function (x) {
        var p = x[0], n = x[1];
        var size = Math.round(14 + 18 * Math.sqrt(n / top));
        var icon = L.divIcon({ className: "tw-pin", html: "", iconSize: [size, size] });
        var m = L.marker([p.lat, p.lon], { icon: icon, title: p.name + ": " + n + " mentions", alt: p.name,
                                           keyboard: true, riseOnHover: true });
        m.on("click", function () { pick(p.name, false); });
        m.on("keypress", function (ev) { if (ev.originalEvent && ev.originalEvent.key === "Enter") { pick(p.name, false); } });
        markers[p.name] = m;
        cluster.addLayer(m);
      });
      if (period) {
        TW.clear(period);
        period.appendChild(document.createTextNode((range[0] ? range[0] + " to " + range[1] : "All months") + ": " +
          TW.num(shown.length) + " places mentioned · "));
        period.appendChild(el("a", { href: TW.pageHref("claims", { from: range[0], to: range[1] }), id: "tw-period-claims" },
          "claims of " + (range[0] ? "this period" : "all months")));
      }
    }
    map.addLayer(cluster);
    drawMarkers();
    if (points.length) {
      var b = L.latLngBounds(points.slice(0, 60).map(function (p) { return [p.lat, p.lon]; }));
      map.fitBounds(b.pad(0.3), { maxZoom: 7 });
    } else {
      map.setView([30, 20], 2);
    }
    var byFold = {};
    points.forEach(function (p) { byFold[fold(p.name)] = p; });

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
      var n = inRange(p);
      if (status) {
        status.textContent = p.name + ": " + n + " mentions" + (range[0] ? " in " + range[0] + " to " + range[1] :
          " in " + p.documents + " documents") + ".";
      }
      TW.showMentions(p.name, data, range[0] ? range : null);
      body.setAttribute("data-place", p.name);
      if (!m) { return; }  /* not mentioned in the brushed months */
      if (zoom) {
        cluster.zoomToShowLayer(m, function () {
          m.bindPopup(el("b", {}, p.name)).openPopup();
          var icon = m.getElement();
          if (icon) { icon.classList.add("picked"); icon.focus(); }
        });
      } else {
        m.bindPopup(el("b", {}, p.name)).openPopup();
      }
    }
    function writeHash() {
      var h = {};
      if (body.getAttribute("data-place")) { h.place = body.getAttribute("data-place"); }
      if (range[0]) { h.from = range[0]; h.to = range[1]; }
      var s = TW.query(h);
      if (history.replaceState) { history.replaceState(null, "", s ? "#" + s : window.location.pathname + window.location.search); }
    }
    document.getElementById("tw-place-search").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = document.getElementById("tw-place-q").value;
      var p = find(q);
      if (!p) { status.textContent = "No place matches " + q + "."; return; }
      body.setAttribute("data-place", p.name);
      writeHash();
      pick(p.name, true);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".place-btn"), function (btn) {
      btn.addEventListener("click", function () { pick(btn.getAttribute("data-place"), true); });
    });

    /* the timeline: mentions per month of every place; brushing filters markers, mentions and the claims links */
    var months = {};
    points.forEach(function (p) {
      Object.keys(p.months || {}).forEach(function (m) { months[m] = (months[m] || 0) + p.months[m]; });
    });
    var bins = Object.keys(months).sort().map(function (m) { return { value: m, count: months[m] }; });
    var timeline = document.getElementById("tw-timeline");
    function setRange(from, to) {
      range = [from || "", to || from || ""];
      drawMarkers();
      writeHash();
      var place = body.getAttribute("data-place");
      if (place) { pick(place, false); }
    }
    function brush() {
      if (timeline) { TW.brush(timeline, bins, range[0], range[1], setRange, "place mentions"); }
    }
    function fromHash() {
      var h = TW.hashParams();
      var from = /^\d{4}-\d{2}/.test(h.from || "") ? h.from.slice(0, 7) : "";
      var to = /^\d{4}-\d{2}/.test(h.to || "") ? h.to.slice(0, 7) : "";
      if (from || to) { range = [from || bins.length && bins[0].value || "", to || bins.length && bins[bins.length - 1].value || ""]; }
      else { range = ["", ""]; }
      drawMarkers();
      brush();
      if (h.place) { pick(h.place, true); }
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
    body.setAttribute("data-map-ready", "1");
  }
  if (document.readyState === "complete") { init(); } else { window.addEventListener("load", init); }
})();
