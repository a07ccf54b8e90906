/* Draws the report charts from the JSON data beside each canvas
   (<script type="application/json"> written by Django's json_script).
   A static file, so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";

  var palette = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#6c757d", "#0dcaf0"];

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(canvas) {
    var spec = readData(canvas.getAttribute("data-chart-source"));
    if (!spec || typeof window.Chart === "undefined") {
      return;
    }
    var rtl = document.documentElement.getAttribute("dir") === "rtl";
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = palette[index % palette.length];
      return {
        label: dataset.label,
        // null: a small count hidden in the table, left out of the chart too.
        data: dataset.data.map(function (value) { return value === null ? null : Number(value); }),
        backgroundColor: colour,
        borderColor: colour,
        fill: false,
        tension: 0.1
      };
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        aspectRatio: 2.5,
        animation: false,
        locale: document.documentElement.getAttribute("lang") || "en",
        plugins: { legend: { position: "bottom", rtl: rtl } },
        scales: {
          x: { stacked: Boolean(spec.stacked), reverse: rtl },
          y: { stacked: Boolean(spec.stacked), beginAtZero: true, position: rtl ? "right" : "left" }
        }
      }
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas.vaf-chart"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
