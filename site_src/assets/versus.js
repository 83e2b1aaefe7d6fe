// Versus site behaviour: catalog filters and sorting, the pair picker, charts.
// Plain script (no modules) so it runs from any static host. Data comes from the page, never from the network.

// The client-side pair view's join: figures line up exactly when their comparison keys (computed in Python,
// generator/compare.py ComparisonKey) are equal. No rule is decided here; tests/test_client_parity.py checks
// this against the static pages' Python join on every pair of the real catalog.
var VersusAlign = (function () {
  "use strict";
  function align(va, vb) {
    var keysB = {};
    vb.metrics.forEach(function (m) { keysB[m.key] = true; });
    var groups = {};
    va.metrics.forEach(function (m) { if (keysB[m.key]) (groups[m.key] = groups[m.key] || []).push([va, m]); });
    vb.metrics.forEach(function (m) { if (groups[m.key]) groups[m.key].push([vb, m]); });
    return Object.keys(groups).sort().map(function (k) {
      var rows = groups[k], higher = rows[0][1].better === "higher";
      rows.sort(function (x, y) { return higher ? y[1].value - x[1].value : x[1].value - y[1].value; });
      var best = rows[0][1].value;
      return { key: k, rows: rows.map(function (r) { return { view: r[0], metric: r[1], best: r[1].value === best }; }) };
    });
  }
  return { align: align };
})();
if (typeof module === "object" && module.exports) module.exports = VersusAlign;

(function () {
  "use strict";
  if (typeof document === "undefined") return;

  function initCatalog() {
    var table = document.getElementById("vs-catalog");
    if (!table) return;
    if (window.Tablesort) new window.Tablesort(table);
    var selects = document.querySelectorAll("#vs-filters select[data-filter]");
    var count = document.getElementById("vs-count");
    function apply() {
      var shown = 0;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var ok = true;
        selects.forEach(function (sel) {
          if (!sel.value) return;
          var key = sel.dataset.filter;
          var values = (row.dataset[key] || "").split(key === "orgs" ? "|" : " ");
          if (values.indexOf(sel.value) < 0) ok = false;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + table.tBodies[0].rows.length + " models";
    }
    selects.forEach(function (sel) { sel.addEventListener("change", apply); });
    apply();
  }

  function initPicker() {
    var form = document.getElementById("vs-picker");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = form.elements.a.value, b = form.elements.b.value;
      if (a === b) { alert("Pick two different models."); return; }
      var ids = [a, b].sort();
      window.location.href = form.dataset.static === "yes"
        ? form.dataset.base + ids[0] + "-vs-" + ids[1] + "/"
        : form.dataset.base + "view/?a=" + encodeURIComponent(ids[0]) + "&b=" + encodeURIComponent(ids[1]);
    });
  }

  // Writes each family's name beside its fastest point, so a line can be told apart without hovering; a label
  // that would overlap one already written is left to the legend.
  var familyLabels = {
    id: "vsFamilyLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, placed = [];
      ctx.save();
      ctx.font = "12px sans-serif";
      chart.data.datasets.forEach(function (ds, i) {
        if (ds.vsPareto || !chart.isDatasetVisible(i)) return;
        var first = chart.getDatasetMeta(i).data[0];
        if (!first) return;
        var box = { x: first.x + 8, y: first.y - 20, w: ctx.measureText(ds.label).width, h: 14 };
        var clash = placed.some(function (p) {
          return box.x < p.x + p.w && p.x < box.x + box.w && box.y < p.y + p.h && p.y < box.y + box.h;
        });
        if (clash) return;
        placed.push(box);
        ctx.fillStyle = ds.borderColor;
        ctx.fillText(ds.label, box.x, first.y - 8);
      });
      ctx.restore();
    }
  };

  // Chart.js's own default palette; set per family because the Pareto line has its own colour.
  var PALETTE = ["#36a2eb", "#ff6384", "#4bc0c0", "#ff9f40", "#9966ff", "#ffcd56", "#c9cbcf", "#2f7d32", "#8e24aa", "#6d4c41"];

  function chartDatasets(context) {
    var sets = context.families.map(function (f, i) {
      var colour = PALETTE[i % PALETTE.length];
      return { label: f.label, data: f.points, showLine: true, borderWidth: 1.5, pointRadius: 5,
               borderColor: colour, backgroundColor: colour, pointStyle: context.measured ? "triangle" : "circle" };
    });
    if (context.pareto.length > 1) {
      sets.push({ label: "Pareto front", data: context.pareto, showLine: true, borderDash: [6, 4], borderWidth: 1,
                  borderColor: "#666", backgroundColor: "#666", pointRadius: 0, vsPareto: true });
    }
    return sets;
  }

  function initCharts() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-vs-chart]").forEach(function (canvas) {
      var holder = canvas.closest(".vs-chart");
      var dataEl = holder && holder.nextElementSibling;
      if (!dataEl || !dataEl.classList.contains("vs-chart-data")) return;
      var contexts = JSON.parse(dataEl.textContent);
      var controls = holder.previousElementSibling;
      var select = controls && controls.querySelector("select.vs-chart-context");
      // Start on the context with the most models, then the most points: the most to compare.
      var start = 0;
      contexts.forEach(function (c, i) {
        var s = contexts[start];
        if (c.models > s.models || (c.models === s.models && c.points > s.points)) start = i;
      });
      if (select) select.value = String(start);
      var chart = new window.Chart(canvas, {
        type: "scatter",
        data: { datasets: chartDatasets(contexts[start]) },
        plugins: [familyLabels],
        options: {
          maintainAspectRatio: false,
          parsing: { xAxisKey: "x", yAxisKey: "y" },
          scales: {
            x: { type: "logarithmic", title: { display: true, text: canvas.dataset.xTitle } },
            y: { title: { display: true, text: contexts[start].y_title } }
          },
          plugins: {
            legend: { labels: { usePointStyle: true } },
            tooltip: {
              callbacks: {
                label: function (item) {
                  var p = item.raw;
                  if (item.dataset.vsPareto) return "Pareto front: " + p.variant;
                  return p.model + " " + p.variant + (p.input ? " (" + p.input + " px)" : "") + ": " + p.y + "% at " +
                    p.x + " ms, " + p.kind + " (" + p.source + ")";
                }
              }
            }
          }
        }
      });
      canvas.dataset.vsContext = String(start);
      if (select) select.addEventListener("change", function () {
        var c = contexts[Number(select.value)];
        chart.data.datasets = chartDatasets(c);
        chart.options.scales.y.title.text = c.y_title;
        chart.update();
        canvas.dataset.vsContext = select.value;
      });
    });
  }

  // Tables marked vs-sortable (per-class AP): a click on a header sorts by that column, numbers by each cell's
  // data-sort. Tablesort is already loaded for the catalog; the numeric columns say data-sort-method="number".
  function initSortable() {
    if (!window.Tablesort) return;
    document.querySelectorAll("table.vs-sortable").forEach(function (table) { new window.Tablesort(table); });
  }

  function init() { initCatalog(); initPicker(); initCharts(); initSortable(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// The client-side comparison view (compare/view/?a=ID&b=ID): joins two cards' precomputed views from
// catalog.json. Text goes in with textContent only, so card text cannot become markup.
(function () {
  "use strict";
  if (typeof document === "undefined") return;
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function table(head, rows) {
    var t = el("table"), thead = el("thead"), tr = el("tr"), tbody = el("tbody");
    head.forEach(function (h) { tr.appendChild(el("th", h)); });
    thead.appendChild(tr); t.appendChild(thead);
    rows.forEach(function (cells) {
      var row = el("tr");
      cells.forEach(function (c, i) { row.appendChild(el(i === 0 ? "th" : "td", c)); });
      tbody.appendChild(row);
    });
    t.appendChild(tbody);
    return t;
  }
  // The table as a CSV file the browser makes, quoted as Python's csv module quotes (the static pages' CSVs).
  function csvLink(name, head, rows) {
    var text = [head].concat(rows).map(function (cells) {
      return cells.map(function (c) {
        c = String(c).trim();
        return /[",\r\n]/.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c;
      }).join(",");
    }).join("\r\n") + "\r\n";
    var href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    var p = el("p", null, { "class": "vs-csv" });
    p.appendChild(el("a", "Download CSV", { href: href, download: name, title: name + ": the table above as shown" }));
    return p;
  }
  function tableWithCsv(root, name, head, rows) {
    var t = table(head, rows);
    t.setAttribute("data-csv", name);
    root.appendChild(t);
    root.appendChild(csvLink(name, head, rows));
  }
  var STATE = { "pretrained": "● trained weights", "architecture-only": "◐ architecture only" };

  function render(root, data, a, b) {
    var va = data.views[a], vb = data.views[b], site = root.dataset.site;
    root.textContent = "";
    document.title = va.name + " vs " + vb.name + " - Versus";
    var h1 = document.querySelector(".md-content h1");
    if (h1) h1.textContent = va.name + " vs " + vb.name;
    var two = el("div", null, { "class": "vs-two" });
    [va, vb].forEach(function (v) {
      var box = el("div"), h = el("h3"), link = el("a", v.name, { href: site + v.page });
      h.appendChild(link); box.appendChild(h); box.appendChild(el("p", v.summary)); two.appendChild(box);
    });
    root.appendChild(two);
    root.appendChild(el("h2", "Properties"));
    var props = [
      ["Organization", va.organizations, vb.organizations],
      ["Category", va.category, vb.category],
      ["Modality", va.modality, vb.modality],
      ["Released", va.released.join("; "), vb.released.join("; ")],
      ["Input resolution", va.input, vb.input],
      ["Parameters", va.params, vb.params],
      ["Licence", va.license + (va.license_note ? " — " + va.license_note : ""), vb.license + (vb.license_note ? " — " + vb.license_note : "")]
    ];
    Object.keys(data.registry.tasks).forEach(function (t) {
      if (va.tasks[t] || vb.tasks[t]) props.push([data.registry.tasks[t].name, STATE[va.tasks[t]] || "–", STATE[vb.tasks[t]] || "–"]);
    });
    tableWithCsv(root, "properties.csv", ["", va.name, vb.name], props);
    root.appendChild(el("h2", "Shared tasks"));
    var shared = Object.keys(va.tasks).filter(function (t) { return vb.tasks[t]; });
    if (shared.length) {
      var ul = el("ul");
      shared.forEach(function (t) {
        ul.appendChild(el("li", data.registry.tasks[t].name + ": " + va.name + " " + STATE[va.tasks[t]] + ", " + vb.name + " " + STATE[vb.tasks[t]]));
      });
      root.appendChild(ul);
    } else {
      root.appendChild(el("p", "None: " + va.name + " and " + vb.name + " share no task."));
    }
    root.appendChild(el("h2", "Claimed metrics, aligned"));
    var groups = VersusAlign.align(va, vb);
    if (!groups.length) root.appendChild(el("p", "The two cards have no figure measured the same way, so no numbers are lined up."));
    groups.forEach(function (g, i) {
      var first = g.rows[0].metric;
      root.appendChild(el("h4", first.label));
      tableWithCsv(root, "aligned-" + (i + 1) + ".csv",
        ["Model", "Variant", first.name + (first.better === "higher" ? " (higher is better)" : " (lower is better)"), "Whose figure", "Source"],
        g.rows.map(function (r) {
          var m = r.metric;
          return [r.view.name, m.variant + (m.checkpoint ? " (" + m.checkpoint + ")" : ""), (r.best ? "★ " : "") + m.shown, m.kind_label, m.source];
        }));
    });
  }

  function init() {
    var root = document.getElementById("vs-compare-view");
    if (!root) return;
    var params = new URLSearchParams(window.location.search), a = params.get("a"), b = params.get("b");
    fetch(root.dataset.catalog).then(function (r) { return r.json(); }).then(function (data) {
      if (!a || !b || !data.views[a] || !data.views[b] || a === b) {
        root.textContent = "";
        root.appendChild(el("p", "Pick two different models from the catalog: this page takes ?a=ID&b=ID, and " +
          [a, b].filter(function (x) { return x && !data.views[x]; }).map(function (x) { return "'" + x + "' is not a model id"; }).join(", ")));
        return;
      }
      var ids = [a, b].sort();
      render(root, data, ids[0], ids[1]);
    }).catch(function (err) { root.textContent = "Could not load the catalog: " + err; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
