// Versus site behaviour: catalog filters and sorting, the pair picker, charts.
// Plain script (no modules) so it runs from any static host. Data comes from the page, never from the network.
(function () {
  "use strict";

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
      window.location.href = form.dataset.base + ids[0] + "-vs-" + ids[1] + "/";
    });
  }

  function initCharts() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-vs-chart]").forEach(function (canvas) {
      var holder = canvas.closest(".vs-chart");
      var dataEl = holder && holder.nextElementSibling;
      if (!dataEl || !dataEl.classList.contains("vs-chart-data")) return;
      var series = JSON.parse(dataEl.textContent);
      new window.Chart(canvas, {
        type: "scatter",
        data: {
          datasets: series.map(function (s) {
            return { label: s.label, data: s.points, showLine: false, pointRadius: 5 };
          })
        },
        options: {
          parsing: { xAxisKey: "x", yAxisKey: "y" },
          scales: {
            x: { type: "logarithmic", title: { display: true, text: "claimed latency (ms, log scale)" } },
            y: { title: { display: true, text: "claimed mAP50-95 on COCO val2017 (%)" } }
          },
          plugins: {
            tooltip: {
              callbacks: {
                label: function (item) {
                  var p = item.raw;
                  return p.model + " " + p.variant + ": " + p.y + "% at " + p.x + " ms (" + p.source + ")";
                }
              }
            }
          }
        }
      });
    });
  }

  function init() { initCatalog(); initPicker(); initCharts(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
