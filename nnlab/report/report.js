/* nnlab report: sortable and filterable run tables, and the compare view that overlays the
   curves of the runs ticked in a table. Plain JavaScript, no library, nothing fetched: the
   curves come from the page's data.js (window.NNLAB_DATA), loaded by a <script> tag, which
   works from file:// where fetch() does not. The chart mirrors nnlab/report/svg.py. */
(function () {
  "use strict";

  // the page's curves (its data.js, named by the body's data-curves), loaded the first time a
  // run is ticked: the index loaded every run's curves on every visit, compare or not
  var CURVES = null, waiting = [];
  // nnlab.palette's colours and dashes, written in as the report is built (report/build.py):
  // run i is colour i, past the colours dashed (svg.dash), as the pages' charts draw them
  var PALETTE = [/* nnlab.palette.SERIES */];
  var DASHES = [/* nnlab.palette.DASHES */];
  // nnlab.plots.accuracy's rule for an accuracy axis, written in likewise: the floors it may
  // start from (each with its ticks' step), the share of points that may lie under one, squeezed
  // into the axis's bottom band, and the room over 1 (svg.accuracy_axis)
  var ACCURACY = {/* nnlab.plots.accuracy */};
  var PREFERRED = ["test_acc", "val_acc", "train_acc", "train_loss", "test_loss", "val_loss",
    "loss", "lr"];
  var W = 720, H = 340, L = 62, R = 16, T = 30, B = 40;
  var PLOT = W - L - R;  // (the plot area's widest: the lines' units across it, as in svg.py)

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function fmt(v, digits) {
    if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
    return String(Number(v.toPrecision(digits || 4)));
  }

  // the ticks' labels in as few significant digits from 4 up as tell them apart; a log axis's
  // past 1e-3..1e4 each a power of ten, 1e+06 (svg.tick_texts)
  function tickTexts(values, log) {
    var texts = [];
    if (log && values.some(function (v) { return v < 1e-3 || v > 1e4; })) {
      return values.map(function (v) {
        var e = Math.round(Math.log10(v)), a = Math.abs(e);
        return "1e" + (e < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
      });
    }
    for (var digits = 4; digits < 16; digits++) {
      texts = values.map(function (v) { return fmt(v, digits); });
      if (texts.filter(function (t, i) { return texts.indexOf(t) === i; }).length === texts.length) break;
    }
    return texts;
  }

  function label(key) {
    return key === "loss" ? "objective" : key.replace(/_/g, " ");
  }

  // --- sorting -------------------------------------------------------------------------------
  function cellValue(row, i) {
    var cell = row.cells[i];
    if (!cell) return "";
    var v = cell.getAttribute("data-v");
    return v !== null ? parseFloat(v) : cell.textContent.trim();
  }

  function missing(v) { return v === "" || v === "-"; }

  // one collator for every comparison: localeCompare with options made one a call, and a sort
  // of 331 rows by name took 0.3-0.8 s
  var COLLATOR = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function compareValues(a, b) {
    var na = typeof a === "number", nb = typeof b === "number";
    if (na && nb) return a - b;
    if (na !== nb) return na ? -1 : 1;
    return COLLATOR.compare(a, b);
  }

  function sortBy(table, th, index, given) {
    var ascending = given !== undefined ? given : th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    // each row's value read once (read in every comparison, a sort of 331 rows read the DOM
    // ~5,000 times), the rows moved back in one fragment
    var keyed = Array.prototype.map.call(body.rows, function (r) {
      return { row: r, v: cellValue(r, index) };
    });
    // blank cells, and "-" (no value by rule: a diverged run's finals), go last either way:
    // sorted descending, a DIVERGED run's "-" came above the best accuracy
    var full = keyed.filter(function (k) { return !missing(k.v); });
    var none = keyed.filter(function (k) { return k.v === "-"; });
    var empty = keyed.filter(function (k) { return k.v === ""; });
    full.sort(function (a, b) {
      var c = compareValues(a.v, b.v);
      return ascending ? c : -c;
    });
    var rows = document.createDocumentFragment();
    full.concat(none, empty).forEach(function (k) { rows.appendChild(k.row); });
    body.appendChild(rows);
    keep("sort-" + table.id, [index, ascending]);
    // (its pages are of the new order, from the first: makeFilter; a sort put back as the page
    // comes back, Back from a run's page, keeps the page it was on)
    if (given === undefined) table.dispatchEvent(new Event("sorted"));
  }

  // what the reader did to a page that Back should bring back (a table's sort), in the
  // page's history entry: back from a run's page, the index came sorted as first built
  function keep(key, value) {
    var state = Object.assign({}, history.state || {});
    state[key] = value;
    try { history.replaceState(state, ""); } catch (e) { /* file:// may refuse: no matter */ }
  }

  function kept(key) { return (history.state || {})[key]; }

  function makeSortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.textContent.trim() || th.classList.contains("picks")) return;
      th.classList.add("sort");
      // the header's text in a button: a screen reader names it a button, and a keyboard
      // reaches it and presses it with Enter or Space (a th with a tabindex was read as a
      // column header only); its click comes up to the th, which sorts
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.addEventListener("click", function () { sortBy(table, th, index); });
    });
    function again() {
      var sort = kept("sort-" + table.id);
      var th = sort && table.tHead.rows[0].cells[sort[0]];
      if (th && th.classList.contains("sort")) sortBy(table, th, sort[0], sort[1]);
    }
    again();
    window.addEventListener("pageshow", function (e) { if (e.persisted) again(); });
  }

  // --- filtering -----------------------------------------------------------------------------
  function fillSelect(select, values) {
    values.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = v;
      select.appendChild(option);
    });
  }

  function distinct(rows, attribute) {
    var seen = [];
    rows.forEach(function (r) {
      var v = r.getAttribute(attribute);
      if (v && seen.indexOf(v) < 0) seen.push(v);
    });
    return seen.sort();
  }

  // A sweep's trials: "best" on the best of the rows kept (data-best: its place in the sweep's
  // order of best, 0 its best of all), not on the sweep's best when the filter hides it
  function markBest(rows, matched) {
    var best = null;
    rows.forEach(function (r) {
      var place = r.getAttribute("data-best");
      if (place === null || !matched.has(r)) return;
      if (best === null || Number(place) < Number(best.getAttribute("data-best"))) best = r;
    });
    rows.forEach(function (r) {
      var cell = r.querySelector("td.notes[data-notes]");
      if (!cell) return;
      var notes = cell.getAttribute("data-notes");
      cell.textContent = [r === best ? "best" : "", notes].filter(Boolean).join(" · ");
    });
  }

  // A long table in pages of PAGE rows, with a pager under it (a table of PAGE rows or fewer
  // has none): the index of 1,000 runs laid out every row, 1.6 MB of them, on every visit.
  // Its page is kept in the history entry (Back to the index comes back to it); a filter or a
  // sort starts again at its first page. Ticked runs stay ticked on any page.
  var PAGE = 100;
  function makePager(table, matched, refresh) {
    var nav = document.createElement("nav"), at = kept("page-" + table.id) || 0;
    nav.className = "pager";
    nav.setAttribute("aria-label", "pages of " + (table.getAttribute("aria-label") || "rows"));
    nav.innerHTML = '<button type="button" class="prev">\u2190 previous</button> ' +
      '<span class="range"></span> <button type="button" class="next">next \u2192</button> ' +
      '<button type="button" class="all">show all</button>';
    nav.hidden = true;
    var box = table.parentElement.classList.contains("scroll") ? table.parentElement : table;
    box.parentElement.insertBefore(nav, box.nextSibling);
    var every = false;
    function show() {
      var rows = matched(), count = Math.ceil(rows.length / PAGE);
      at = every ? 0 : Math.max(0, Math.min(at, count - 1));
      var lo = every ? 0 : at * PAGE, hi = every ? rows.length : Math.min(rows.length, lo + PAGE);
      rows.forEach(function (r, i) { r.hidden = i < lo || i >= hi; });
      nav.hidden = rows.length <= PAGE;
      var range = (lo + 1).toLocaleString("en") + "\u2013" + hi.toLocaleString("en");
      nav.querySelector(".range").textContent = "rows " + range + " of " +
        rows.length.toLocaleString("en");
      nav.querySelector(".prev").disabled = every || at === 0;
      nav.querySelector(".next").disabled = every || at >= count - 1;
      nav.querySelector(".all").textContent = every ? "in pages of " + PAGE : "show all";
      // (kept only where there are pages and it changed: replacing the history entry at every
      // showing, of a table of no pages too, made Back from a run's page fail now and then in
      // Chromium, 4 of 5 times in test_browser's sort test; none of 12 since)
      if (!nav.hidden && kept("page-" + table.id) !== at) keep("page-" + table.id, at);
      // (what the count above the table adds: the pager is under it, 100 rows down)
      return nav.hidden || every ? "" : ", rows " + range + " here (pages under the table)";
    }
    function go(step) {
      at += step;
      refresh();
      table.scrollIntoView({ block: "start" });
    }
    nav.querySelector(".prev").addEventListener("click", function () { go(-1); });
    nav.querySelector(".next").addEventListener("click", function () { go(1); });
    nav.querySelector(".all").addEventListener("click", function () { every = !every; refresh(); });
    return { show: show, first: function () { at = 0; } };
  }

  function makeFilter(controls) {
    var table = document.getElementById(controls.getAttribute("data-table"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = controls.querySelector(".filter");
    var kind = controls.querySelector(".filter-kind");
    var status = controls.querySelector(".filter-status");
    var shown = controls.querySelector(".shown");
    [[kind, "data-kind"], [status, "data-status"]].forEach(function (pair) {
      var values = distinct(rows, pair[1]);
      fillSelect(pair[0], values);
      pair[0].hidden = values.length < 2; // nothing to choose between
    });
    var matched = [];
    var pages = makePager(table, function () { return matched; }, count);
    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      matched = [];
      // (in the table's order now: a sort moves the rows, and its pages are of that order)
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var hay = r.getAttribute("data-search") || "";
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; }) &&
          (!kind.value || r.getAttribute("data-kind") === kind.value) &&
          (!status.value || r.getAttribute("data-status") === status.value);
        if (ok) matched.push(r); else r.hidden = true;
      });
      markBest(rows, new Set(matched));  // (on any of its pages)
      count();
    }
    function count() {  // (the page's rows shown, and how many the filter keeps)
      shown.textContent = matched.length.toLocaleString("en") + " of " +
        rows.length.toLocaleString("en") + " shown" + pages.show();
    }
    function again() { pages.first(); apply(); }
    [text, kind, status].forEach(function (el) { el.addEventListener("input", again); });
    kind.addEventListener("change", again);
    status.addEventListener("change", again);
    table.addEventListener("sorted", again);
    apply();
    // Back to the page: the browser puts the filter's words and choices back after this
    // script has run (no input event), so the box said 'lr-scan' over every row
    window.addEventListener("pageshow", apply);
  }

  // --- the chart -----------------------------------------------------------------------------
  function tickStep(lo, hi) {
    var raw = hi > lo ? (hi - lo) / 5 : Math.abs(lo) || 1;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * mag >= raw * (1 - 1e-9)) return steps[i] * mag;
    }
    return 10 * mag;
  }

  function axis(values, log, span) {  // (span: the least a linear axis covers; accuracies 0..1)
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (log) {
      lo = Math.pow(10, Math.floor(Math.log10(lo)));
      hi = Math.pow(10, Math.ceil(Math.log10(hi)));
      if (hi <= lo) hi = lo * 10;
    } else {
      if (span) { lo = Math.min(lo, span[0]); hi = Math.max(hi, span[1]); }
      if (hi === lo) { lo -= Math.abs(lo) * 0.1 || 0.5; hi += Math.abs(hi) * 0.1 || 0.5; }
      var step = tickStep(lo, hi);
      lo = Math.floor(lo / step + 1e-9) * step;
      hi = Math.ceil(hi / step - 1e-9) * step;
    }
    return { lo: lo, hi: hi, log: log };
  }

  // the highest floor no value lies under, or from squeezeFrom up no more than a share of them,
  // where no curve's best lies between the least floor and it (plots.accuracy.floor_of); null: 0
  function floorOf(values, bests) {
    var floors = ACCURACY.floors, least = Math.min.apply(null, floors.map(function (f) { return f[0]; }));
    for (var i = 0; i < floors.length; i++) {
      var floor = floors[i][0];
      var under = values.filter(function (v) { return v < floor; }).length;
      if (bests.some(function (b) { return least <= b && b < floor; })) continue;
      if (values.length && (!under || floor >= ACCURACY.squeezeFrom && under <= ACCURACY.bulk * values.length)) {
        return floors[i];
      }
    }
    return null;
  }

  // an accuracy axis as svg.accuracy_axis lays it out: 0..1, from a floor ("(from 0.9)"), or
  // 0 .. the floor squeezed into its bottom band ("(0 to 0.9 squeezed)")
  function accuracyAxis(series, values) {
    var bests = [];
    series.forEach(function (s) {
      var own = s.points.filter(function (p) { return p[1] !== null; }).map(function (p) { return p[1]; });
      if (own.length) bests.push(Math.max.apply(null, own));
    });
    var f = floorOf(values, bests);
    if (!f) return axis(values, false, [0, 1]);
    var head = ACCURACY.head * (1 - f[0]), hi = Math.max(1, Math.max.apply(null, values)) + head;
    if (Math.min.apply(null, values) < f[0]) {
      return { lo: 0, hi: hi, log: false, squeeze: f[0], step: f[1], note: " (0 to " + f[0] + " squeezed)" };
    }
    return { lo: f[0] - head, hi: hi, log: false, step: f[1], note: " (from " + f[0] + ")" };
  }

  function ticks(ax) {
    var out = [], k;
    if (ax.log) {  // (every other power past eight decades, as svg.log_ticks: 21 ticks 13 px apart)
      var a = Math.round(Math.log10(ax.lo)), b = Math.round(Math.log10(ax.hi));
      var stride = b - a <= 8 ? 1 : 2;
      for (k = a; k <= b; k += stride) out.push(Math.pow(10, k));
      return out;
    }
    var step = ax.step || tickStep(ax.lo, ax.hi), lo = ax.squeeze || ax.lo;
    if (ax.squeeze) out.push(0);
    for (k = Math.ceil(lo / step - 1e-9); k <= Math.floor(ax.hi / step + 1e-9); k++) {
      out.push(Number((k * step).toPrecision(12)));
    }
    return out;
  }

  function scaler(ax, p0, p1) {
    if (ax.squeeze) {  // (0 .. the floor in the bottom band, the floor up in the rest)
      var floor = ax.squeeze, band = ACCURACY.band;
      return function (v) {
        var t = v < floor ? v / floor * band : band + (v - floor) / (ax.hi - floor) * (1 - band);
        return p0 + t * (p1 - p0);
      };
    }
    var f = ax.log ? Math.log10 : Number;
    var a = f(ax.lo), b = f(ax.hi);
    return function (v) { return p0 + (f(v) - a) / ((b - a) || 1) * (p1 - p0); };
  }

  function pct(px) { return (100 * px / PLOT).toFixed(2) + "%"; }

  // laid out as svg.py lays out a chart: the SVG is the plot area (its margins CSS margins the
  // axes' text is drawn into), positions across it percentages, the lines in a nested SVG
  // stretched over it; text in CSS pixels at any width
  // the left margin: L, or wider where the y ticks' labels would reach the axis label beside
  // them (svg.left_margin: 7 px a character, 5 px from the axis, 22 px for the label)
  function leftMargin(texts) {
    return Math.max(L, 5 + 7 * Math.max.apply(null, texts.map(function (t) { return t.length; })) + 22);
  }

  function grid(xs, ys, x, y, key, log, left) {
    var out = "", yTicks = ticks(ys), texts = tickTexts(yTicks, ys.log);
    yTicks.forEach(function (t, i) {
      var py = y(t).toFixed(1);
      out += '<line class="grid" x1="0" x2="100%" y1="' + py + '" y2="' + py +
        '"/><text class="tick" x="-5" y="' + (+py + 4) + '" text-anchor="end">' +
        texts[i] + "</text>";
    });
    ticks(xs).forEach(function (t) {
      if (t !== Math.round(t)) return;
      var px = pct(x(t));
      out += '<line class="grid" x1="' + px + '" x2="' + px + '" y1="' + T + '" y2="' + (H - B) +
        '"/><text class="tick" x="' + px + '" y="' + (H - B + 15) + '" text-anchor="middle">' +
        t + "</text>";
    });
    var mid = (T + H - B) / 2, at = 12 - left;
    if (ys.squeeze) {  // (two slanted strokes across the axis where its scale changes: svg.break_mark)
      var b = y(ys.squeeze);
      out += '<path class="break" d="M-5 ' + (b - 0).toFixed(1) + "L5 " + (b - 5).toFixed(1) +
        "M-5 " + (b + 5).toFixed(1) + "L5 " + (b - 0).toFixed(1) + '"/>';
    }
    return out + '<text class="label" x="50%" y="' + (H - 6) +
      '" text-anchor="middle">epoch</text><text class="label" x="' + at + '" y="' + mid +
      '" text-anchor="middle" transform="rotate(-90 ' + at + " " + mid + ')">' +
      esc(label(key) + (log ? " (log)" : "") + (ys.note || "")) + "</text>";
  }

  function line(s, x, y, log) {
    var d = "", down = false, marks = "";
    var every = Math.max(1, Math.ceil(s.points.length / 120));
    // a lone point (a split evaluated after the last epoch only) has no line: its mark shows
    var drawn = s.points.filter(function (p) { return p[1] !== null && !(log && p[1] <= 0); });
    var cls = drawn.length === 1 ? "pt" : "pt hid";
    s.points.forEach(function (p, i) {
      var v = p[1];
      if (v === null || (log && v <= 0)) { down = false; return; }
      var px = x(p[0]), py = y(v).toFixed(1);
      d += (down ? "L" : "M") + px.toFixed(1) + " " + py + " ";
      down = true;
      if (i % every === 0 || i === s.points.length - 1) {
        marks += '<circle class="' + cls + '" cx="' + pct(px) + '" cy="' + py + '" r="3" fill="' +
          s.color + '"><title>' + esc(s.label) + ", epoch " + fmt(p[0]) + ": " + fmt(v) +
          "</title></circle>";
      }
    });
    // (hidden from a screen reader, as svg.py's: the chart's description says where it ends)
    return '<g class="series" data-label="' + esc(s.label) + '" aria-hidden="true">' +
      '<svg class="lines" viewBox="0 0 ' +
      PLOT + " " + H + '" preserveAspectRatio="none" width="100%" height="' + H +
      '"><path d="' + d.trim() + '" stroke="' + s.color + '"' +
      (s.dash ? ' stroke-dasharray="' + s.dash + '"' : "") + ' vector-effect="non-scaling-stroke"><title>' + esc(s.label) + "</title></path></svg>" +
      marks + "</g>";
  }

  // what a chart draws, for a screen reader, as svg.describe says it: each curve's last value
  // (past six curves, their range), "loss per epoch: a 0.0057, b 0.0412 at epoch 20"
  function describe(series, title) {
    var ends = [], at = "";
    series.forEach(function (s) {
      for (var i = s.points.length - 1; i >= 0; i--) {
        if (s.points[i][1] !== null) { ends.push({ s: s, p: s.points[i] }); return; }
      }
    });
    if (ends.every(function (e) { return e.p[0] === ends[0].p[0]; }) && ends.length) {
      at = " at epoch " + fmt(ends[0].p[0]);
    }
    var names;
    if (ends.length <= 6) {
      names = ends.map(function (e) {
        return e.s.label + " " + fmt(e.p[1]) + (at ? "" : " (epoch " + fmt(e.p[0]) + ")");
      }).join(", ");
    } else {
      var last = ends.map(function (e) { return e.p[1]; });
      names = ends.length + " curves, last values " + fmt(Math.min.apply(null, last)) + " to " +
        fmt(Math.max.apply(null, last));
    }
    return title + " per epoch: " + names + at;
  }

  function chart(series, key) {
    var values = [], xs = [];
    series.forEach(function (s) {
      s.points.forEach(function (p) { if (p[1] !== null) { values.push(p[1]); xs.push(p[0]); } });
    });
    if (!values.length) return '<p class="empty">no finite values to draw</p>';
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var accuracy = /_acc$/.test(key);  // (a fraction: linear 0..1, as facts.log_axis says)
    var log = !accuracy && lo > 0 && hi / lo > 30;
    if (log) values = values.filter(function (v) { return v > 0; });
    var ys = accuracy ? accuracyAxis(series, values) : axis(values, log, null);
    var xmin = Math.min.apply(null, xs), xmax = Math.max(Math.max.apply(null, xs), xmin + 1);
    var xsAxis = { lo: xmin, hi: xmax, log: false };
    var x = scaler(xsAxis, 0, PLOT), y = scaler(ys, H - B, T);
    var left = leftMargin(tickTexts(ticks(ys), ys.log)), plot = W - left - R;
    return '<svg class="chart" width="' + plot + '" height="' + H +
      '" style="width: calc(100% - ' + (left + R) + "px); max-width: " + plot + "px; margin: 0 " +
      R + "px 0 " + left + 'px" role="img" aria-label="' + esc(label(key)) + '"><desc>' +
      esc(describe(series, label(key))) +
      '</desc><text class="title" x="0" y="18">' + esc(label(key)) + "</text>" +
      grid(xsAxis, ys, x, y, key, log, left) + '<rect class="frame" x="0" y="' + T +
      '" width="100%" height="' + (H - T - B) + '"/>' +
      series.map(function (s) { return line(s, x, y, log); }).join("") + "</svg>";
  }

  // --- the compare view ----------------------------------------------------------------------
  // then() once the curves are here: data.js by a <script> (fetch() is refused from file://)
  function withCurves(then) {
    if (CURVES) return then();
    waiting.push(then);
    if (waiting.length > 1) return;  // (loading)
    var script = document.createElement("script");
    script.onload = script.onerror = function () {
      CURVES = (window.NNLAB_DATA && window.NNLAB_DATA.curves) || {};
      waiting.splice(0).forEach(function (f) { f(); });
    };
    script.src = document.body.getAttribute("data-curves");
    document.body.appendChild(script);
  }

  function picked() {
    return Array.prototype.slice.call(document.querySelectorAll("input.pick:checked"))
      .map(function (box) { return box.value; })
      .filter(function (rel) { return CURVES && CURVES[rel]; });
  }

  function metricsOf(rels) {
    var keys = [];
    rels.forEach(function (rel) {
      Object.keys(CURVES[rel].curves).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    });
    return PREFERRED.filter(function (k) { return keys.indexOf(k) >= 0; });
  }

  function renderCompare(panel) {
    var rels = picked();
    var select = panel.querySelector(".compare-metric");
    var keys = metricsOf(rels);
    var current = select.value;
    select.innerHTML = keys.map(function (k) {
      return '<option value="' + k + '">' + esc(label(k)) + "</option>";
    }).join("");
    if (keys.indexOf(current) >= 0) select.value = current;
    var key = select.value;
    panel.classList.toggle("active", rels.length > 0);
    panel.querySelector(".hint").hidden = rels.length > 0;
    var series = rels.map(function (rel, i) {
      return { label: CURVES[rel].label, color: PALETTE[i % PALETTE.length],
        dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length],
        points: CURVES[rel].curves[key] || [] };
    });
    panel.querySelector(".compare-chart").innerHTML = rels.length ? chart(series, key) : "";
    jumpTo(panel, rels.length);
    panel.querySelector(".compare-legend").innerHTML = series.map(function (s) {
      // (the swatch hidden from a screen reader: its label follows it)
      return '<span class="key"><svg width="26" height="10" aria-hidden="true">' +
        '<line x1="1" x2="25" y1="5" y2="5" ' +
        'stroke="' + s.color + '" stroke-width="2.5"' +
        (s.dash ? ' stroke-dasharray="' + s.dash + '"' : "") + "/></svg>" + esc(s.label) +
        "</span>";
    }).join("");
    remember(rels);
  }

  // the ticked runs into the address, a moment after the last tick (or as the page is left):
  // a replaceState of 150 runs' address took 14 ms, each tick, and Chromium throttles more
  // than a few hundred in ten seconds
  var remembered = null, later = 0;
  // the link to the compare view: shown while runs are ticked and the view is out of sight
  var inSight = false;
  function jumpTo(panel, ticked) {
    var jump = document.querySelector("a.to-compare");
    if (!jump) return;
    jump.textContent = "compare " + ticked + " ticked " + (ticked === 1 ? "run" : "runs") + " \u2193";
    jump.hidden = !ticked || inSight;
  }

  function watchSight(panel) {
    var jump = document.querySelector("a.to-compare");
    if (jump) {
      jump.addEventListener("click", function (e) {  // (the address keeps the ticks: no #compare)
        e.preventDefault();
        panel.scrollIntoView();
        panel.querySelector(".compare-metric").focus({ preventScroll: true });
      });
    }
    if (!window.IntersectionObserver) return;
    new IntersectionObserver(function (seen) {
      inSight = seen[seen.length - 1].isIntersecting;
      jumpTo(panel, document.querySelectorAll("input.pick:checked").length);
    }).observe(panel);
  }

  function remember(rels) {
    remembered = rels;
    clearTimeout(later);
    later = setTimeout(keepTicks, 300);
  }

  function keepTicks() {
    if (remembered === null) return;
    var rels = remembered, url = rels.length ? "#compare=" + rels.map(encodeURIComponent).join(",")
      : location.pathname + location.search;
    remembered = null;
    try { history.replaceState(history.state, "", url); } catch (e) { /* file:// may refuse */ }
  }
  window.addEventListener("pagehide", keepTicks);

  function recall() {
    var match = /compare=([^&]*)/.exec(location.hash);
    if (!match) return;
    var wanted = match[1].split(",").map(decodeURIComponent);
    document.querySelectorAll("input.pick").forEach(function (box) {
      if (wanted.indexOf(box.value) >= 0) box.checked = true;
    });
  }

  function makeCompare(panel) {
    // one drawing for the ticks of one task (a script ticking 150 boxes drew 150 charts of up
    // to 150 runs, ~2 s), once the curves are loaded; none loaded while nothing is ticked
    var queued = false;
    var draw = function () {
      queued = false;
      if (!CURVES && !document.querySelector("input.pick:checked")) return renderCompare(panel);
      withCurves(function () { renderCompare(panel); });
    };
    var update = function () {
      if (queued) return;
      queued = true;
      Promise.resolve().then(draw);
    };
    document.querySelectorAll("input.pick").forEach(function (box) {
      box.addEventListener("change", update);
    });
    panel.querySelector(".compare-metric").addEventListener("change", update);
    panel.querySelector(".compare-clear").addEventListener("click", function () {
      document.querySelectorAll("input.pick").forEach(function (box) { box.checked = false; });
      update();
      // (the button goes with the ticks: the keyboard's focus, left on it, went back to the
      // page's top at the next Tab; it stays in the view, on its heading)
      var heading = panel.querySelector("h2");
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    });
    recall();
    watchSight(panel);
    update();
  }

  // --- figures ---------------------------------------------------------------------------------
  // a figure wider than its frame (shown no narrower than its text is legible at: figures.py)
  // says so under it: the frame's shadow is hidden behind the opaque image
  function markWide() {
    document.querySelectorAll("figure.fig .scroll").forEach(function (frame) {
      frame.parentElement.classList.toggle("wide", frame.scrollWidth > frame.clientWidth + 1);
    });
  }

  document.querySelectorAll("figure.fig img").forEach(function (img) {
    img.addEventListener("load", markWide);
  });
  window.addEventListener("resize", markWide);
  markWide();
  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll(".controls").forEach(makeFilter);
  document.querySelectorAll("section.compare").forEach(makeCompare);
})();
