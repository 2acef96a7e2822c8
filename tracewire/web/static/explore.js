/* tracewire claims explorer.
   Server: warns when the form holds filters that are not applied (the export holds what is shown).
   Static report: the whole explorer in the browser over every claim: facet columns in claims-meta.js,
   display rows in shards (claims-rows-N.js) and a prebuilt inverted index in shards by first two letters,
   packed into files of about 256 kB (claims-idx-text-N.js, claims-idx-source-N.js), all loaded as scripts
   so that the report opens from disk (a Worker cannot start from file://): the index right after the first
   page, in short tasks, the display rows when idle, any file a view needs at once. Filters, facet counts,
   sort and search give the server's answers. */
(function () {
  "use strict";
  var body = document.body;
  var staticMode = body.getAttribute("data-mode") === "static";
  var FACETS = ["source", "kind", "channel", "outlet", "actor", "place", "technique", "hedge", "narrative", "month"];
  var TAGS = { actor: 1, place: 1, technique: 1, hedge: 1, narrative: 1 };
  var LABELS = { source: "Source (canonical)", kind: "Source kind", channel: "Channel", outlet: "Outlet", actor: "Actor",
                 place: "Place", technique: "Technique", hedge: "Hedge or booster", narrative: "Narrative", month: "Month" };
  var SORT_DEFAULT = { checkworthy: "desc", date: "desc" };
  var FACET_LIMIT = 30;

  var TW = window.TW, el = TW.el, clear = TW.clear, num = TW.num;  /* shared helpers: tw.js */

  /* -- server mode: dirty form warning ------------------------------------------------------ */
  function serialize(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (x) { if (x.name) { parts.push(x.name + "=" + x.value); } });
    return parts.join("&");
  }
  function watchDirty(form, onDirty) {
    var initial = serialize(form);
    var warn = document.getElementById("tw-dirty");
    var csv = document.getElementById("tw-csv");
    function check() {
      var dirty = serialize(form) !== initial;
      warn.hidden = !dirty;
      csv.classList.toggle("dirty", dirty);
      if (onDirty) { onDirty(dirty); }
    }
    form.addEventListener("input", check);
    form.addEventListener("change", check);
    csv.addEventListener("click", check);
    return { reset: function () { initial = serialize(form); check(); } };
  }

  /* -- the query language (same as tracewire/store/explore.py) ------------------------------- */
  function tokens(text, variants) {
    var flat = String(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return (flat.match(/[\p{L}\p{N}]+/gu) || []).map(function (w) { return variants[w] || w; });
  }
  function parseQuery(text, variants, aliases) {
    var groups = [], pendingOr = false, re = /"([^"]*)"?|(\S+)/g, m;
    text = String(text).slice(0, 400);
    while ((m = re.exec(text)) !== null) {
      var raw = m[0];
      if (m[2] !== undefined && raw === "OR") { pendingOr = groups.length > 0; continue; }
      var prefix = m[1] === undefined && raw.charAt(raw.length - 1) === "*";
      var words = tokens(m[1] !== undefined ? m[1] : raw, variants);
      if (!words.length) { continue; }
      var terms = [{ words: words, prefix: prefix }];
      if (!prefix && aliases[words.join(" ")]) {
        aliases[words.join(" ")].forEach(function (alt) {
          if (alt.join(" ") !== words.join(" ")) { terms.push({ words: alt, prefix: false }); }
        });
      }
      if (pendingOr && groups.length) { groups[groups.length - 1] = groups[groups.length - 1].concat(terms); }
      else { groups.push(terms); }
      pendingOr = false;
      if (groups.length > 16) { break; }
    }
    return groups;
  }

  /* -- report mode ---------------------------------------------------------------------------- */
  var loaded = {};
  function loadScript(src) {
    if (!loaded[src]) {
      loaded[src] = new Promise(function (resolve, reject) {
        var s = el("script", { src: src });
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(s);
      });
    }
    return loaded[src];
  }
  var SHARDS = { text: {}, source: {} };
  var ROWS = {};
  window.TW_POSTINGS = function (name, shard, data) { SHARDS[name][shard] = data; };
  window.TW_ROWS = function (n, rows) { ROWS[n] = rows; };

  function hex(ch) { return ch.codePointAt(0).toString(16); }
  function shardsOf(word, prefix, known) {
    /* Index files that can hold a word (or, for a one-letter prefix, every word starting with it). */
    var chars = Array.from(word);
    if (chars.length >= 2) { return [hex(chars[0]) + "-" + hex(chars[1])]; }
    var first = hex(chars[0]);
    if (!prefix) { return [first]; }
    return known.filter(function (s) { return s === first || s.lastIndexOf(first + "-", 0) === 0; });
  }

  function Explorer(meta) {
    /* Columns as typed arrays, tags as compressed rows, values ranked in the server's order. */
    var n = meta.cols.key.length, self = this;
    this.meta = meta;
    this.n = n;
    this.masks = { text: {}, source: {} };
    this.positions = { text: {}, source: {} };
    this.shardKeys = {};
    this.col = {};
    ["doc", "outlet", "channel", "source", "kind", "title", "hedged", "date"].forEach(function (k) {
      self.col[k] = Int32Array.from(meta.cols[k]);
    });
    this.col.checkworthy = Float64Array.from(meta.cols.checkworthy);
    meta.cols.date = Array.from(this.col.date, function (c) { return c < 0 ? null : meta.dicts.date[c]; });
    var groups = meta.alias_groups, aliases = {};
    Object.keys(meta.aliases).forEach(function (a) { aliases[a] = groups[meta.aliases[a]]; });
    meta.aliases = aliases;
    this.tag = {};
    Object.keys(meta.tags).forEach(function (f) {
      var counts = meta.tags[f].n, off = new Int32Array(n + 1);
      for (var i = 0; i < n; i++) { off[i + 1] = off[i] + counts[i]; }
      self.tag[f] = { off: off, val: Int32Array.from(meta.tags[f].val) };
    });
    this.rank = {};
    Object.keys(meta.rank).forEach(function (k) { self.rank[k] = Int32Array.from(meta.rank[k]); });
    /* month of each claim as a code into this.months, months in order */
    var seen = {}, months = [], month = new Int32Array(n);
    for (var o = 0; o < n; o++) {
      var m = meta.cols.date[o] ? meta.cols.date[o].slice(0, 7) : "";
      if (!m) { month[o] = -1; continue; }
      if (!(m in seen)) { seen[m] = months.length; months.push(m); }
      month[o] = seen[m];
    }
    this.months = months;
    this.month = month;
  }
  Explorer.prototype.indexFiles = function (name) {
    /* The index files of one index (each holds the shards of several first letters). */
    var packs = this.meta.idx[name] || {}, seen = {}, out = [];
    Object.keys(packs).forEach(function (s) {
      if (!seen[packs[s]]) { seen[packs[s]] = 1; out.push("claims-idx-" + name + "-" + packs[s] + ".js"); }
    });
    return out;
  };
  Explorer.prototype.flats = function (name, word, prefix) {
    /* The flat postings (ordinal, count, positions...) of a word, or of every word starting with it. */
    var packs = this.meta.idx[name] || {}, has = Object.prototype.hasOwnProperty;
    var known = this.shardKeys[name] || (this.shardKeys[name] = Object.keys(packs));
    var shards = shardsOf(word, prefix, known).filter(function (s) { return has.call(packs, s); });
    var files = {};
    shards.forEach(function (s) { files["claims-idx-" + name + "-" + packs[s] + ".js"] = 1; });
    return Promise.all(Object.keys(files).map(loadScript)).then(function () {
      var out = [];
      shards.forEach(function (s) {
        var data = SHARDS[name][s] || {};
        if (prefix) { Object.keys(data).forEach(function (t) { if (t.lastIndexOf(word, 0) === 0) { out.push(data[t]); } }); }
        else if (Object.prototype.hasOwnProperty.call(data, word)) { out.push(data[word]); }
      });
      return out;
    });
  };
  Explorer.prototype.wordMask = function (name, word, prefix) {
    /* Uint8Array over ordinals: 1 where the word (or a word with that prefix) occurs; kept per word. */
    var self = this, key = (prefix ? "*" : "=") + word;
    if (self.masks[name][key]) { return Promise.resolve(self.masks[name][key]); }
    return self.flats(name, word, prefix).then(function (flats) {
      var mask = new Uint8Array(self.n);
      flats.forEach(function (flat) {
        for (var i = 0, len = flat.length; i < len; i += 2 + flat[i + 1]) { mask[flat[i]] = 1; }
      });
      self.masks[name][key] = mask;
      return mask;
    });
  };
  Explorer.prototype.wordPositions = function (name, word, prefix) {
    /* Map ordinal -> positions of a word (phrases only need these). */
    var self = this, key = (prefix ? "*" : "=") + word;
    if (self.positions[name][key]) { return Promise.resolve(self.positions[name][key]); }
    return self.flats(name, word, prefix).then(function (flats) {
      var out = new Map();
      flats.forEach(function (flat) {
        for (var i = 0, len = flat.length; i < len; i += 2 + flat[i + 1]) {
          var o = flat[i], pos = flat.slice(i + 2, i + 2 + flat[i + 1]);
          out.set(o, out.has(o) ? out.get(o).concat(pos) : pos);
        }
      });
      self.positions[name][key] = out;
      return out;
    });
  };
  Explorer.prototype.termMask = function (name, term) {
    /* Uint8Array: 1 where the phrase occurs (consecutive words; the last may be a prefix). */
    var self = this, last = term.words.length - 1;
    if (!last) { return self.wordMask(name, term.words[0], term.prefix); }
    return Promise.all(term.words.map(function (w, k) {
      return self.wordPositions(name, w, term.prefix && k === last);
    })).then(function (lists) {
      var hits = new Uint8Array(self.n);
      lists[0].forEach(function (pos, o) {
        for (var a = 0; a < pos.length; a++) {
          var ok = true;
          for (var k = 1; k < lists.length && ok; k++) {
            var pk = lists[k].get(o);
            ok = !!pk && pk.indexOf(pos[a] + k) >= 0;
          }
          if (ok) { hits[o] = 1; return; }
        }
      });
      return hits;
    });
  };
  Explorer.prototype.search = function (name, text) {
    /* null when there is no search, else a Uint8Array over ordinals (AND of OR-groups). */
    var self = this, n = self.n;
    if (!String(text).trim()) { return Promise.resolve(null); }
    var q = parseQuery(text, self.meta.variants, self.meta.aliases);
    if (!q.length) { return Promise.resolve(new Uint8Array(n)); }
    return Promise.all(q.map(function (group) {
      return Promise.all(group.map(function (t) { return self.termMask(name, t); })).then(function (masks) {
        if (masks.length === 1) { return masks[0]; }
        var u = new Uint8Array(n);
        masks.forEach(function (m) { for (var o = 0; o < n; o++) { u[o] |= m[o]; } });
        return u;
      });
    })).then(function (masks) {
      if (masks.length === 1) { return masks[0]; }
      var out = masks[0].slice();
      for (var k = 1; k < masks.length; k++) { var m = masks[k]; for (var o = 0; o < n; o++) { out[o] &= m[o]; } }
      return out;
    });
  };
  Explorer.prototype.value = function (facet, o) {
    if (facet === "month") { return this.meta.cols.date[o] ? this.meta.cols.date[o].slice(0, 7) : null; }
    var code = this.col[facet][o];
    return code < 0 ? null : this.meta.dicts[facet][code];
  };
  Explorer.prototype.order = function (sort, order) {
    /* Every ordinal in the order of a sort column (NULLs last, ties by claim key), computed once per column. */
    var cacheKey = sort + " " + order;
    this.orders = this.orders || {};
    if (this.orders[cacheKey]) { return this.orders[cacheKey]; }
    var n = this.n, keys = this.meta.cols.key, vals, o;
    if (sort === "checkworthy" && order === "desc") {  /* ordinals are already in this order (the report's default) */
      this.orders[cacheKey] = Int32Array.from({ length: n }, function (_, i) { return i; });
      return this.orders[cacheKey];
    }
    if (sort === "checkworthy") { vals = this.col.checkworthy; }
    else {
      var codes = this.col[sort], rank = this.rank[sort];
      vals = new Float64Array(n);
      for (o = 0; o < n; o++) { vals[o] = codes[o] < 0 ? -1 : rank[codes[o]]; }
    }
    var isNull = function (x) { return x < 0 && sort !== "checkworthy"; };
    var dir = order === "desc" ? -1 : 1, idx = new Array(n);
    for (o = 0; o < n; o++) { idx[o] = o; }
    idx.sort(function (a, b) {
      var x = vals[a], y = vals[b], xn = isNull(x), yn = isNull(y);
      if (xn !== yn) { return xn ? 1 : -1; }
      if (!xn && x !== y) { return (x < y ? -1 : 1) * dir; }
      return keys[a] - keys[b];
    });
    this.orders[cacheKey] = Int32Array.from(idx);
    return this.orders[cacheKey];
  };
  Explorer.prototype.top = function (facet, cnt) {
    /* Facet values with a count, most first, ties in the server's order; [values (at most FACET_LIMIT), distinct]. */
    var rank = this.rank[facet], names = this.meta.dicts[facet], nz = 0, k;
    for (k = 0; k < cnt.length; k++) { if (cnt[k] > 0 && names[k] !== "") { nz++; } }  /* "" is no value (server) */
    var keys = new Float64Array(nz), j = 0, R = rank.length + 1;
    for (k = 0; k < cnt.length; k++) {
      if (cnt[k] > 0 && names[k] !== "") { keys[j++] = cnt[k] * R + (R - 1 - rank[k]); }  /* count, then rank reversed */
    }
    keys.sort();
    var byRank = this.byRank || (this.byRank = {});
    if (!byRank[facet]) {
      byRank[facet] = new Int32Array(rank.length);
      for (k = 0; k < rank.length; k++) { byRank[facet][rank[k]] = k; }
    }
    var vals = [];
    for (j = nz - 1; j >= 0 && vals.length < FACET_LIMIT; j--) {
      var count = Math.floor(keys[j] / R), code = byRank[facet][R - 1 - (keys[j] - count * R)];
      vals.push({ value: names[code], count: count });
    }
    return [vals, nz];
  };
  Explorer.prototype.query = function (p) {
    /* The answer to a view: {total, pages, keys (this page), ordinals, facets}. */
    var self = this, meta = self.meta, n = self.n, col = self.col;
    return Promise.all([self.search("text", p.q || ""), self.search("source", p.sq || "")]).then(function (found) {
      var month = self.month;
      var single = { source: col.source, kind: col.kind, channel: col.channel, outlet: col.outlet, month: month };
      var sel = {};
      FACETS.forEach(function (f) { if (f !== "month" && p[f]) { sel[f] = p[f]; } });
      /* filters as (owner, test): a claim that fails only its facet's own filter still counts in that facet */
      var owners = [], tests = [];
      Object.keys(sel).forEach(function (f) {
        var code = meta.dicts[f].indexOf(sel[f]);
        owners.push(f);
        if (TAGS[f]) {
          var off = self.tag[f].off, val = self.tag[f].val;
          tests.push(function (o) {
            for (var i = off[o], e = off[o + 1]; i < e; i++) { if (val[i] === code) { return true; } }
            return false;
          });
        } else { var c = col[f]; tests.push(function (o) { return c[o] === code; }); }
      });
      if (p.hedged) { var hv = p.hedged === "yes" ? 1 : 0, hc = col.hedged; owners.push(""); tests.push(function (o) { return hc[o] === hv; }); }
      if (p.from || p.to) {
        var dates = meta.cols.date, from = p.from || "", to = p.to || "", tl = to.length;
        owners.push("month");
        tests.push(function (o) {
          var d = dates[o];
          return !!d && (!from || d >= from) && (!to || d.slice(0, tl) <= to);
        });
      }
      var counts = {};
      FACETS.forEach(function (f) { counts[f] = new Int32Array(f === "month" ? self.months.length : meta.dicts[f].length); });
      var singleF = FACETS.filter(function (f) { return !TAGS[f]; }), tagF = FACETS.filter(function (f) { return TAGS[f]; });
      var sCols = singleF.map(function (f) { return single[f]; }), sCnt = singleF.map(function (f) { return counts[f]; });
      var tOff = tagF.map(function (f) { return self.tag[f].off; }), tVal = tagF.map(function (f) { return self.tag[f].val; });
      var tCnt = tagF.map(function (f) { return counts[f]; });
      function bump(f, o) {
        var cnt = counts[f];
        if (TAGS[f]) { var off = self.tag[f].off, val = self.tag[f].val; for (var i = off[o]; i < off[o + 1]; i++) { cnt[val[i]]++; } }
        else { var code = single[f][o]; if (code >= 0) { cnt[code]++; } }
      }
      var mask = found[0] && found[1] ? found[0].map(function (x, i) { return x & found[1][i]; }) : (found[0] || found[1]);
      var hit = new Uint8Array(n), total = 0, nt = tests.length, ns = sCols.length, ng = tOff.length;
      for (var o = 0; o < n; o++) {
        if (mask !== null && !mask[o]) { continue; }  /* a claim that misses a search counts nowhere */
        var fails = 0, failed = "";
        for (var t = 0; t < nt; t++) {
          if (!tests[t](o)) { fails++; failed = owners[t]; if (fails > 1) { break; } }
        }
        if (fails === 0) {
          hit[o] = 1; total++;
          for (var a = 0; a < ns; a++) { var code = sCols[a][o]; if (code >= 0) { sCnt[a][code]++; } }
          for (var g = 0; g < ng; g++) {
            var off = tOff[g], val = tVal[g], cnt = tCnt[g];
            for (var i = off[o], e = off[o + 1]; i < e; i++) { cnt[val[i]]++; }
          }
        } else if (fails === 1 && failed) { bump(failed, o); }
      }
      var sort = p.sort || "checkworthy", order = p.order || SORT_DEFAULT[sort] || "asc";
      var all = self.order(sort, order), hits = new Int32Array(total), h = 0;
      for (var r = 0; r < n; r++) { if (hit[all[r]]) { hits[h++] = all[r]; } }
      var size = +(p.size || 50), page = +(p.page || 1);
      var facets = {};
      FACETS.forEach(function (f) {
        var vals, distinct;
        if (f === "month") {
          vals = [];
          self.months.forEach(function (m, k) { if (counts.month[k] > 0) { vals.push({ value: m, count: counts.month[k] }); } });
          vals.sort(function (x, y) { return x.value < y.value ? -1 : 1; });
          distinct = vals.length;
        } else {
          var topv = self.top(f, counts[f]);
          vals = topv[0]; distinct = topv[1];
        }
        facets[f] = { label: LABELS[f], values: vals, distinct: distinct, selected: sel[f] || "" };
      });
      var pageOrds = Array.from(hits.subarray((page - 1) * size, page * size));
      return { total: total, pages: Math.max(1, Math.ceil(total / size)), page: page, size: size,
               sort: sort, order: order, ordinals: hits, keys: pageOrds.map(function (x) { return meta.cols.key[x]; }),
               pageOrdinals: pageOrds, facets: facets };
    });
  };
  Explorer.prototype.hasRows = function (ordinals) {
    var size = this.meta.shard_size;
    for (var i = 0; i < ordinals.length; i++) { if (!ROWS[Math.floor(ordinals[i] / size)]) { return false; } }
    return true;
  };
  Explorer.prototype.rows = function (ordinals) {
    /* Display rows of these ordinals, loading their shards. */
    var size = this.meta.shard_size, need = {};
    ordinals = Array.from(ordinals);
    ordinals.forEach(function (o) { need[Math.floor(o / size)] = 1; });
    return Promise.all(Object.keys(need).map(function (s) { return ROWS[s] ? null : loadScript("claims-rows-" + s + ".js"); }))
      .then(function () { return ordinals.map(function (o) { return ROWS[Math.floor(o / size)][o % size]; }); });
  };

  function readParams() {
    var out = {};
    new URLSearchParams(window.location.hash.replace(/^#/, "")).forEach(function (v, k) { out[k] = v; });
    return out;
  }
  function cleanParams(p, change) {
    var out = {}, order = ["q", "sq"].concat(FACETS.filter(function (f) { return f !== "month"; }),
      ["hedged", "from", "to", "sort", "order", "size", "page"]);
    var merged = {};
    Object.keys(p).forEach(function (k) { merged[k] = p[k]; });
    Object.keys(change || {}).forEach(function (k) { merged[k] = change[k] === null ? "" : String(change[k]); });
    if (change && !("page" in change)) { delete merged.page; }
    var sort = merged.sort || "checkworthy";
    if (sort === "checkworthy") { delete merged.sort; }
    if (merged.order === (SORT_DEFAULT[sort] || "asc")) { delete merged.order; }
    if (merged.size === "50") { delete merged.size; }
    if (merged.page === "1") { delete merged.page; }
    order.forEach(function (k) { if (merged[k]) { out[k] = merged[k]; } });
    return out;
  }
  function hashOf(p) { var s = new URLSearchParams(p).toString(); return "#" + s; }
  function slugOf(p) {
    var parts = [];
    Object.keys(p).forEach(function (k) { if (k !== "page" && k !== "size") { parts.push(k + "-" + p[k]); } });
    var text = parts.length ? ["claims"].concat(parts).join("_") : "claims_all";
    return text.replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 120).replace(/^-+|-+$/g, "");
  }
  function csvCell(text) {
    var t = text === null || text === undefined ? "" : String(text);
    if (/^[=+\-@\t\r]/.test(t)) { t = "'" + t; }
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }

  function initReport(form) {
    var meta = window.TW_CLAIMS;
    if (!meta) { document.getElementById("tw-status").textContent = "Could not load claims-meta.js."; return; }
    var ex = new Explorer(meta);
    window.TW_EXPLORE = ex;
    var status = document.getElementById("tw-status");
    var tbody = document.querySelector("#tw-claims tbody");
    var facetsBox = document.getElementById("tw-facets");
    var pager = document.getElementById("tw-pager");
    var chips = document.getElementById("tw-chips");
    var csv = document.getElementById("tw-csv");
    var dirty = watchDirty(form);
    var current = null, seq = 0;

    function fillForm(p) {
      ["q", "sq", "from", "to", "hedged"].forEach(function (k) {
        var x = form.elements[k];
        if (x && x !== document.activeElement) { x.value = p[k] || ""; }  /* never rewrite what is being typed */
      });
      form.elements.size.value = p.size || "50";
    }
    /* The page's rows are drawn into reused nodes (a keystroke changes text, not elements) and only as many as
       fill the window: the rest of the page is drawn when its placeholder row scrolls into view or its button
       is pressed. Facet lists reuse their items the same way. */
    var ROW_MIN = 32;  /* px: no row is lower than one line of claim text and its padding */
    var tbodyTop = 0, rowAvg = 60;  /* where the rows started and how high they were, last time they were laid out */
    function fillWindow() {
      /* rows from the top of the page until the viewport is full: a guess from the last rows' height, then, with
         them laid out (the one layout this frame needs anyway), more until the last row reaches the bottom */
      var h = window.innerHeight || 900;
      showRows(Math.max(2, Math.ceil((h - Math.min(h, tbodyTop)) / rowAvg) + 1));
      for (var guard = 0; guard < 60 && shown < pageOrds.length; guard++) {
        var top = tbody.getBoundingClientRect().top, bottom = pool[shown - 1].getBoundingClientRect().bottom;
        tbodyTop = top;
        rowAvg = Math.max(ROW_MIN, (bottom - top) / shown);
        if (bottom >= h) { break; }
        showRows(shown + Math.ceil((h - Math.max(bottom, 0)) / ROW_MIN));
      }
    }
    var pool = [], shown = 0, pageOrds = [];
    var moreRow = el("tr", { "class": "more-rows" }), moreBtn = el("button", { type: "button" }, "");
    var tfoot = tbody.parentNode.createTFoot();  /* the placeholder row is not one of the page's claims */
    moreRow.appendChild(el("td", { colspan: "9" })).appendChild(moreBtn);
    var emptyRow = el("tr", {});
    emptyRow.appendChild(el("td", { colspan: "9", "class": "empty" }, "No claims match."));
    function setText(node, text) {
      var t = node.firstChild;  /* the node's own text node comes first (a source cell keeps its small after it) */
      if (t && t.nodeType === 3) { if (t.data !== text) { t.data = text; } }
      else { node.insertBefore(document.createTextNode(text), t); }
    }
    function setAttr(node, name, value) {
      if (value === null) { if (node.hasAttribute(name)) { node.removeAttribute(name); } }
      else if (node.getAttribute(name) !== value) { node.setAttribute(name, value); }
    }
    function makeRow() {
      var tr = el("tr", {}), c = {};
      function td(cls) { var x = el("td", cls ? { "class": cls } : {}, ""); tr.appendChild(x); return x; }
      c.cw = td("n"); c.text = td("claim-text"); c.src = td("source");
      c.raw = c.src.appendChild(el("small", { "class": "raw" }, ""));
      c.kind = td().appendChild(el("span", { "class": "kind" }, ""));
      c.channel = td(); c.hedges = td("hedges"); c.outlet = td(); c.date = td("date");
      c.link = td().appendChild(el("a", { href: "#" }, ""));
      tr.tw = c;
      return tr;
    }
    function displayRow(o) {
      var shard = ROWS[Math.floor(o / meta.shard_size)];
      return shard ? shard[o % meta.shard_size] : null;
    }
    function fillRow(tr, o) {
      /* one claim into a row's nodes; its text, raw source and hedges once its display shard is loaded */
      var c = meta.cols, d = meta.dicts, kind = d.kind[c.kind[o]], x = tr.tw, row = displayRow(o);
      var source = ex.value("source", o) || "";
      setAttr(tr, "data-key", String(c.key[o]));
      setAttr(tr, "data-kind", kind);
      setText(x.cw, c.checkworthy[o].toFixed(2));
      setText(x.text, row ? row.text : "…");
      x.text.classList.toggle("pending", !row);
      setText(x.src, source);
      setText(x.raw, row && row.source && row.source !== source ? " “" + row.source + "”" : "");
      setAttr(x.kind, "class", "kind k-" + kind);
      setText(x.kind, kind.replace(/_/g, " "));
      setText(x.channel, ex.value("channel", o) || "");
      setText(x.hedges, row ? row.hedges.join("; ") : "");
      setText(x.outlet, ex.value("outlet", o) || "");
      setText(x.date, c.date[o] || "");
      setAttr(x.link, "href", meta.doc_href[c.doc[o]] + "#claim-" + c.key[o]);
      setText(x.link, d.title[c.title[o]]);
    }
    function showRows(upto) {
      /* rows 0..upto of the page in the table, reusing the nodes already there */
      upto = Math.min(upto, pageOrds.length);
      var frag = document.createDocumentFragment(), i;
      for (i = 0; i < upto; i++) {
        var tr = pool[i] || (pool[i] = makeRow());
        fillRow(tr, pageOrds[i]);
        if (i >= shown) { frag.appendChild(tr); }
      }
      for (i = upto; i < shown; i++) { tbody.removeChild(pool[i]); }
      if (emptyRow.parentNode) { tbody.removeChild(emptyRow); }
      tbody.appendChild(frag);
      shown = upto;
      if (!pageOrds.length) { tbody.appendChild(emptyRow); }
      if (shown < pageOrds.length) {
        var rest = pageOrds.length - shown;
        setText(moreBtn, "Show the other " + rest + " claim" + (rest !== 1 ? "s" : "") + " of this page");
        if (!moreRow.parentNode) { tfoot.appendChild(moreRow); }
      } else if (moreRow.parentNode) { tfoot.removeChild(moreRow); }
    }
    function showMore() {
      if (shown >= pageOrds.length) { return; }
      var first = shown, focused = document.activeElement === moreBtn;
      showRows(pageOrds.length);
      if (focused) { pool[first].tw.link.focus(); }  /* the button goes: keyboard focus moves to the first new row */
      var ords = pageOrds;
      ex.rows(ords.slice(0, shown)).then(function () { if (ords === pageOrds) { showRows(shown); } });
    }
    moreBtn.addEventListener("click", showMore);
    if (window.IntersectionObserver) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { showMore(); }
      }).observe(moreBtn);
    }
    var facetNodes = {};
    function facetBox(f) {
      if (facetNodes[f]) { return facetNodes[f]; }
      var det = el("details", { "class": "facet", "data-facet": f }), sum = el("summary", {}, LABELS[f] + " ");
      var x = { det: det, small: sum.appendChild(el("small", {}, "")), ul: el("ul"), items: [],
                more: el("li", { "class": "more" }, ""), open: null };
      det.appendChild(sum); det.appendChild(x.ul);
      facetNodes[f] = x;
      return x;
    }
    function facetItem() {
      var li = el("li"), a = li.appendChild(el("a", { href: "#" }, ""));
      li.appendChild(document.createTextNode(" "));
      li.tw = { a: a, count: li.appendChild(el("span", { "class": "count" }, "")) };
      return li;
    }
    function renderFacet(f, fc, p) {
      var x = facetBox(f), open = !!(fc.distinct || fc.selected), i;
      if (x.open !== open) { x.det.open = open; x.open = open; }
      setText(x.small, num(fc.distinct));
      var frag = document.createDocumentFragment(), before = x.ul.children.length - (x.more.parentNode ? 1 : 0);
      fc.values.forEach(function (v, k) {
        var li = x.items[k] || (x.items[k] = facetItem()), ch = {}, a = li.tw.a, label = v.value, aria = null;
        var selected = f !== "month" && fc.selected === v.value;
        if (f === "month") { ch.from = v.value; ch.to = v.value; }
        else if (selected) { ch[f] = null; label = "✕ " + v.value; aria = "remove filter " + fc.label + ": " + v.value; }
        else { ch[f] = v.value; if (f === "kind") { label = v.value.replace(/_/g, " "); } }
        setAttr(li, "class", selected ? "selected" : null);
        setAttr(a, "href", hashOf(cleanParams(p, ch)));
        setAttr(a, "aria-label", aria);
        setText(a, label);
        setText(li.tw.count, num(v.count));
        if (k >= before) { frag.appendChild(li); }
      });
      for (i = fc.values.length; i < before; i++) { x.ul.removeChild(x.items[i]); }
      if (x.more.parentNode) { x.ul.removeChild(x.more); }
      x.ul.appendChild(frag);
      if (fc.distinct > fc.values.length) {
        setText(x.more, num(fc.distinct - fc.values.length) + " more values");
        x.ul.appendChild(x.more);
      }
      return x.det;
    }
    function render(p, r) {
      current = { p: p, r: r };
      timeline(r.facets.month.values, p, function (from, to) {
        window.location.hash = hashOf(cleanParams(p, { from: from || null, to: to || null }));
      });
      status.textContent = "";
      status.appendChild(el("b", { id: "tw-total" }, num(r.total)));
      status.appendChild(document.createTextNode(" claim" + (r.total !== 1 ? "s" : "") + " of " + num(ex.n) +
        " · page " + r.page + " of " + num(r.pages) + " · sorted by " + r.sort + " (" +
        (r.order === "desc" ? "descending" : "ascending") + ")"));
      clear(chips);
      FACETS.forEach(function (f) {
        if (f !== "month" && p[f]) {
          var ch = {}; ch[f] = null;
          chips.appendChild(el("a", { "class": "chip", href: hashOf(cleanParams(p, ch)) }, LABELS[f] + ": " + p[f] + " ✕"));
          chips.appendChild(document.createTextNode(" "));
        }
      });
      FACETS.forEach(function (f, i) {
        var det = renderFacet(f, r.facets[f], p);
        if (facetsBox.children[i] !== det) { facetsBox.insertBefore(det, facetsBox.children[i] || null); }
      });
      while (facetsBox.children.length > FACETS.length) { facetsBox.removeChild(facetsBox.lastChild); }
      Array.prototype.forEach.call(document.querySelectorAll("#tw-claims thead a.sort"), function (a) {
        var k = a.getAttribute("data-sort"), active = r.sort === k;
        var next = active ? (r.order === "desc" ? "asc" : "desc") : null;
        setAttr(a, "href", hashOf(cleanParams(p, { sort: k, order: next })));
        setText(a, a.textContent.replace(/ [↑↓]$/, "") + (active ? (r.order === "desc" ? " ↓" : " ↑") : ""));
        setAttr(a.parentNode, "aria-sort", active ? (r.order === "desc" ? "descending" : "ascending") : null);
      });
      if (pageOrds !== r.pageOrdinals) {
        /* a new page of rows: the window starts at its top again */
        pageOrds = r.pageOrdinals;
        fillWindow();
      }
      clear(pager);
      function pl(label, pg, rel) {
        var a = el("a", { href: hashOf(cleanParams(p, { page: pg })) }, label);
        if (rel) { a.setAttribute("rel", rel); }
        pager.appendChild(a); pager.appendChild(document.createTextNode(" "));
      }
      if (r.page > 1) { pl("« first", 1); pl("← previous", r.page - 1, "prev"); }
      pager.appendChild(el("span", {}, "page " + r.page + " of " + num(r.pages))); pager.appendChild(document.createTextNode(" "));
      if (r.page < r.pages) { pl("next →", r.page + 1, "next"); pl("last »", r.pages); }
      var slug = slugOf(p);
      csv.setAttribute("data-slug", slug);
      csv.setAttribute("download", slug + ".csv");
    }
    function fillRows(r) {
      /* the claim texts, raw sources and hedges of the rows shown, once their display shards are loaded */
      if (r.pageOrdinals === pageOrds) { showRows(shown); }
    }
    var lastInput = -1e9;  /* when the user last typed: background loading keeps out of a typist's way */
    var indexReady = null;
    function prefetch() {
      /* From the first page on, the search index loads a file at a time (each a short task: no index file is
         large), then the display shards in check-worthiness order while the page is idle and nobody is typing.
         A keystroke or page that needs a file before its turn loads it at once (loadScript loads a file once).
         Resolves when the whole search index is loaded. */
      var index = ex.indexFiles("text").concat(ex.indexFiles("source")), rows = [];
      for (var k = 1; k < Math.ceil(ex.n / meta.shard_size); k++) { rows.push("claims-rows-" + k + ".js"); }
      var idle = window.requestIdleCallback ? function (fn) { window.requestIdleCallback(fn, { timeout: 1000 }); }
        : function (fn) { setTimeout(fn, 20); };
      function chain(files, lanes, wait) {
        /* load files a few at a time, each after the last has run; with wait, only in idle time after typing stops */
        var next = 0;
        return new Promise(function (resolve) {
          function lane() {
            var quiet = performance.now() - lastInput;
            if (wait && quiet < 400) { setTimeout(function () { idle(lane); }, 400 - quiet); return; }
            if (next >= files.length) { resolve(); return; }
            loadScript(files[next++]).then(function () { if (wait) { idle(lane); } else { setTimeout(lane, 0); } },
              function () { idle(lane); });
          }
          for (var k = 0; k < lanes; k++) { lane(); }
        });
      }
      return chain(index, 4, false).then(function () {
        /* one search before the page says it is ready, so that the first keystroke does not run code never run */
        var shard = Object.keys(SHARDS.text)[0], term = shard && Object.keys(SHARDS.text[shard])[0];
        return term ? ex.query({ q: term }) : null;
      }).then(function () {
        window.TW_INDEX_MS = window.TW_INDEX_MS || performance.now();
        idle(function () { chain(rows, 2, true); });
      });
    }
    function run() {
      /* answer the view: counts, facets and rows from the columns at once, then the texts from their shards */
      var p = cleanParams(readParams());
      var mine = ++seq;
      fillForm(p);
      body.removeAttribute("data-explore-ready");
      var full = null;
      window.TW_LAST_RUN = ex.query(p).then(function (r) {
        if (mine !== seq) { return; }
        render(p, r); dirty.reset();
        if (!window.TW_FIRST_MS) { window.TW_FIRST_MS = performance.now(); }
        if (!indexReady) { indexReady = prefetch(); }
        full = new Promise(function (resolve) {
          var need = r.pageOrdinals.slice(0, shown);  /* the rows drawn: the window, not the whole page */
          function done() {
            if (!window.TW_READY_MS) { window.TW_READY_MS = performance.now(); }
            /* ready (tests and the bench wait for it) once the view is complete and a search needs no more files */
            indexReady.then(function () { if (mine === seq) { body.setAttribute("data-explore-ready", String(mine)); } });
            resolve();
          }
          function fill() {
            if (mine !== seq) { resolve(); return; }  /* a newer view (the next keystroke) loads its own texts */
            ex.rows(need).then(function () {
              if (mine === seq) { fillRows(r); done(); } else { resolve(); }
            }, resolve);
          }
          /* texts already loaded were drawn with their rows; else counts and rows paint first and the texts fill in
             after, from shards that start loading now, while that frame is drawn */
          if (ex.hasRows(need)) { done(); } else {
            ex.rows(need).catch(function () {});
            requestAnimationFrame(function () { setTimeout(fill, 0); });
          }
        });
        window.TW_LAST_FULL = full;
      }).catch(function (e) { status.textContent = "Error: " + e.message; });
      return window.TW_LAST_RUN;
    }
    function applyForm(replace) {
      var p = current ? current.p : {};
      var change = {};
      ["q", "sq", "from", "to", "hedged", "size"].forEach(function (k) { change[k] = form.elements[k].value.trim(); });
      var h = hashOf(cleanParams(p, change));
      if (window.location.hash === h || (h === "#" && !window.location.hash)) { return run(); }
      if (replace && history.replaceState) { history.replaceState(null, "", h); return run(); }
      window.location.hash = h;  /* hashchange runs the view */
      return null;
    }
    form.addEventListener("submit", function (ev) { ev.preventDefault(); applyForm(false); });
    /* search as you type: each keystroke answers at once (stale answers are dropped), the URL follows */
    form.elements.q.addEventListener("input", function () { lastInput = performance.now(); applyForm(true); });
    form.addEventListener("input", function () { lastInput = performance.now(); });
    csv.addEventListener("click", function (ev) {
      ev.preventDefault();
      if (!current) { return; }
      var r = current.r, c = meta.cols, d = meta.dicts;
      ex.rows(r.ordinals).then(function (rows) {
        var head = ["doc", "title", "url", "outlet", "date", "start", "end", "text", "checkworthy", "source",
                    "source_canonical", "source_kind", "channel", "cue", "hedged", "boosted", "hedges"];
        var lines = [head.join(",")];
        rows.forEach(function (row, i) {
          var o = r.ordinals[i];
          lines.push([d.doc[c.doc[o]], d.title[c.title[o]], row.url, ex.value("outlet", o), c.date[o], row.start, row.end,
                      row.text, c.checkworthy[o], row.source, row.canonical, d.kind[c.kind[o]], ex.value("channel", o),
                      row.cue, c.hedged[o], row.boosted, row.hedges.join("; ")].map(csvCell).join(","));
        });
        var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
        var a = el("a", { href: URL.createObjectURL(blob), download: slugOf(current.p) + ".csv" });
        document.body.appendChild(a); a.click(); a.remove();
      });
    });
    window.addEventListener("hashchange", run);
    run();
  }

  /* -- stories page: search and filters over the listed stories ------------------------------ */
  function initStories() {
    var table = document.getElementById("tw-stories");
    if (!table) { return; }
    var q = document.getElementById("tw-story-q"), outlet = document.getElementById("tw-story-outlet");
    var min = document.getElementById("tw-story-min"), status = document.getElementById("tw-story-status");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var words = q.value.toLowerCase().split(/\s+/).filter(Boolean), o = outlet.value, m = +min.value || 0, shown = 0;
      rows.forEach(function (r) {
        var text = r.getAttribute("data-text");
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) && (+r.getAttribute("data-size") >= m) &&
          (!o || r.getAttribute("data-outlets").split("|").indexOf(o) >= 0);
        r.hidden = !ok;
        if (ok) { shown++; }
      });
      status.textContent = shown + " of " + rows.length + " stories shown, largest first.";
    }
    [q, outlet, min].forEach(function (x) { x.addEventListener("input", apply); x.addEventListener("change", apply); });
    document.getElementById("tw-story-filters").addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    apply();
  }

  /* -- documents page: the report searches and sorts its one page in place; the server's sort submits at once -- */
  function initDocuments() {
    var form = document.getElementById("tw-doc-filters");
    if (!form) { return; }
    var q = document.getElementById("tw-doc-q"), sort = document.getElementById("tw-doc-sort");
    if (!staticMode) { sort.addEventListener("change", function () { form.submit(); }); return; }
    var status = document.getElementById("tw-doc-status");
    /* the server's search: every word (at most 16) occurs in "id title outlet", ASCII letters in any case (LIKE) */
    function fold(text) { return String(text).replace(/[A-Z]+/g, function (m) { return m.toLowerCase(); }); }
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.doc-group"));
    var total = 0;
    groups.forEach(function (g) {
      var rows = Array.prototype.slice.call(g.querySelector("tbody").rows);
      rows.forEach(function (tr) { tr.twText = fold(tr.getAttribute("data-text")); });
      g.twCount = g.querySelector("h2 small");
      g.twTotal = rows.length;
      total += rows.length;
    });
    function docs(n) { return num(n) + " document" + (n === 1 ? "" : "s"); }
    function key(tr, by) {
      var d = tr.dataset;
      return by === "claims" ? -(+d.claims) : by === "title" ? d.title.toLowerCase() : by === "id" ? d.id : d.date;
    }
    function apply() {
      var words = fold(q.value).split(/\s+/).filter(Boolean).slice(0, 16), by = sort.value, shown = 0;
      groups.forEach(function (g) {
        var tb = g.querySelector("tbody"), rows = Array.prototype.slice.call(tb.rows), left = 0;
        rows.sort(function (a, b) {
          var x = key(a, by), y = key(b, by);
          if (by === "date") { if (!x !== !y) { return x ? -1 : 1; } if (x !== y) { return x < y ? 1 : -1; } }
          else if (x !== y) { return x < y ? -1 : 1; }
          return a.dataset.id < b.dataset.id ? -1 : a.dataset.id > b.dataset.id ? 1 : 0;
        });
        rows.forEach(function (tr) {
          var ok = words.every(function (w) { return tr.twText.indexOf(w) >= 0; });
          tr.hidden = !ok;
          if (ok) { left++; }
          tb.appendChild(tr);
        });
        /* an outlet with no match goes; the others count their matching documents, as /documents?q=…&outlet=… */
        g.hidden = !left;
        g.twCount.textContent = words.length ? num(left) + " of " + docs(g.twTotal) : docs(g.twTotal);
        shown += left;
      });
      status.textContent = words.length ? num(shown) + " document" + (shown === 1 ? " matches" : "s match") + " “" +
        q.value.trim() + "” (of " + num(total) + ")." : docs(total) + ".";
    }
    q.addEventListener("input", apply);
    sort.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    if (q.value || sort.value !== "date") { apply(); }
  }

  /* -- the timeline brush over the month facet (tw.js draws it); the map link carries the same period ---------- */
  function timeline(months, p, go) {
    var box = document.getElementById("tw-timeline"), link = document.getElementById("tw-period-map");
    if (!box) { return; }
    TW.brush(box, months, p.from || "", p.to || "", go, "claims");
    if (link) {
      var from = (p.from || "").slice(0, 7), to = (p.to || "").slice(0, 7);
      link.setAttribute("href", TW.pageHref("map", { place: p.place || "", from: from, to: to }));
      link.textContent = (p.place ? p.place + " on the map" : "The map") + (from || to ? ", " + (from || "…") + " to " + (to || "…") : "");
    }
  }
  function initServerTimeline() {
    var p = {};
    new URLSearchParams(window.location.search).forEach(function (v, k) { p[k] = v; });
    timeline(TW.readJSON("tw-months") || [], p, function (from, to) {
      var q = new URLSearchParams(window.location.search);
      q.delete("page");
      if (from) { q.set("from", from); q.set("to", to); } else { q.delete("from"); q.delete("to"); }
      window.location.search = q.toString();
    });
  }

  function init() {
    initStories();
    initDocuments();
    var form = document.getElementById("tw-filters");
    if (!form || body.getAttribute("data-page") !== "claims") { return; }
    if (staticMode) { initReport(form); } else { watchDirty(form); initServerTimeline(); }
  }
  window.TW_QUERY_LANGUAGE = { tokens: tokens, parseQuery: parseQuery };
  /* deferred scripts (claims-meta.js comes after this one) all run before DOMContentLoaded */
  if (document.readyState === "complete") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
