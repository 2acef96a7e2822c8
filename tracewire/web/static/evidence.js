/* tracewire article page: layer toggles with "only", per-technique colours with a score threshold, and the
   evidence panel that a click on any highlighted finding opens. Helpers from tw.js. Text only via textContent. */
(function () {
  "use strict";
  var body = document.body;

  var TW = window.TW, el = TW.el, readJSON = TW.readJSON, safeHref = TW.safeHref;  /* shared helpers: tw.js */

  function init() {
    var found = readJSON("tw-evidence-data");
    var text = document.getElementById("tw-text");
    if (!found || !text) { return; }
    var segs = Array.prototype.slice.call(text.querySelectorAll(".seg.l-technique"));
    segs.forEach(function (s) {
      var tq = s.className.split(/\s+/).filter(function (c) { return /^l-tq\d+$/.test(c); });
      s.setAttribute("data-tq", tq.join(" "));
    });
    var layerBoxes = Array.prototype.slice.call(document.querySelectorAll("#tw-layers input[data-layer]"));
    var techBoxes = Array.prototype.slice.call(document.querySelectorAll("#tw-techniques input[data-technique]"));
    var slider = document.getElementById("tw-threshold");
    var out = document.getElementById("tw-threshold-out");

    function applyLayers() {
      layerBoxes.forEach(function (b) { body.classList.toggle("hide-" + b.getAttribute("data-layer"), !b.checked); });
      applyTechniques();
    }
    function applyTechniques() {
      var min = slider ? parseFloat(slider.value) : 0;
      if (out) { out.textContent = min.toFixed(2); }
      var on = {};
      techBoxes.forEach(function (b) { on[b.getAttribute("data-technique")] = b.checked; });
      segs.forEach(function (s) {
        var best = null;
        (s.getAttribute("data-ev") || "").split(" ").forEach(function (i) {
          var f = found[+i];
          if (!f || f.type !== "Technique" || f.score < min || !on[String(f.technique)]) { return; }
          if (best === null || f.score > best.score) { best = f; }
        });
        s.getAttribute("data-tq").split(" ").forEach(function (c) { if (c) { s.classList.remove(c); } });
        s.classList.toggle("tq-off", best === null);
        if (best !== null) { s.classList.add("l-tq" + best.technique); }
      });
    }
    layerBoxes.forEach(function (b) { b.addEventListener("change", applyLayers); });
    techBoxes.forEach(function (b) { b.addEventListener("change", applyTechniques); });
    if (slider) { slider.addEventListener("input", applyTechniques); }
    Array.prototype.forEach.call(document.querySelectorAll("button[data-only]"), function (btn) {
      btn.addEventListener("click", function () {
        var want = btn.getAttribute("data-only");
        layerBoxes.forEach(function (b) { if (!b.disabled) { b.checked = b.getAttribute("data-layer") === want; } });
        applyLayers();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("button[data-only-technique]"), function (btn) {
      btn.addEventListener("click", function () {
        var want = btn.getAttribute("data-only-technique");
        layerBoxes.forEach(function (b) { if (!b.disabled) { b.checked = b.getAttribute("data-layer") === "technique"; } });
        techBoxes.forEach(function (b) { b.checked = b.getAttribute("data-technique") === want; });
        applyLayers();
      });
    });

    var panel = document.getElementById("tw-evidence");
    var box = document.getElementById("tw-evidence-body");
    function show(indices) {
      TW.clear(box);
      indices.forEach(function (i) {
        var f = found[i];
        if (!f) { return; }
        var sec = el("section", { "class": "finding", "data-type": f.type });
        var h = el("h3", {}, f.type + ": ");
        h.appendChild(el("span", { "class": "name" }, f.name));
        sec.appendChild(h);
        if (f.score !== null && f.score !== undefined) {
          sec.appendChild(el("p", { "class": "score" }, "score " + Number(f.score).toFixed(2)));
        }
        var ul = el("ul", { "class": "evidence" });
        (f.evidence || []).forEach(function (line) { ul.appendChild(el("li", {}, line)); });
        sec.appendChild(ul);
        if (f.links && f.links.length) {
          var p = el("p", { "class": "elsewhere" }, "Elsewhere: ");
          f.links.forEach(function (lk, k) {
            if (k) { p.appendChild(document.createTextNode(" · ")); }
            p.appendChild(el("a", { href: safeHref(lk[1]) }, lk[0]));
          });
          sec.appendChild(p);
        }
        box.appendChild(sec);
      });
      panel.hidden = false;
      Array.prototype.forEach.call(text.querySelectorAll(".seg.current"), function (s) { s.classList.remove("current"); });
      Array.prototype.forEach.call(text.querySelectorAll(".seg.ev"), function (s) {
        var evs = s.getAttribute("data-ev").split(" ");
        if (indices.some(function (i) { return evs.indexOf(String(i)) >= 0; })) { s.classList.add("current"); }
      });
    }
    text.addEventListener("click", function (ev) {
      var s = ev.target.closest ? ev.target.closest(".seg.ev") : null;
      if (!s) { return; }
      var idx = s.getAttribute("data-ev").split(" ").map(Number);
      idx.sort(function (a, b) { return (found[a].type === "Claim") - (found[b].type === "Claim"); });
      show(idx);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".ev-open, a.cw[data-ev]"), function (b) {
      b.addEventListener("click", function () {
        var i = b.getAttribute("data-ev");
        if (i !== "" && i !== null) { show([+i]); }
      });
    });
    document.getElementById("tw-evidence-close").addEventListener("click", function () { panel.hidden = true; });
    function fromHash() {
      var m = /^#claim-(\d+)$/.exec(window.location.hash);
      if (!m) { return; }
      var hit = found.filter(function (f) { return f.anchor === "claim-" + m[1]; })[0];
      if (hit) { show([hit.i]); }
    }
    window.addEventListener("hashchange", fromHash);
    applyLayers();
    fromHash();
    body.setAttribute("data-evidence-ready", "1");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
