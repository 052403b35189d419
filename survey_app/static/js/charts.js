// Report charts: each <canvas data-chart="…json…"> becomes a bar chart (Chart.js, served by the app).
(function () {
  "use strict";
  if (!window.Chart) { return; }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: spec.datasets.map(function (d) {
        return { label: d.label, data: d.data, backgroundColor: "#0172ad" };
      }) },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: spec.datasets.length > 1 }, title: { display: !!spec.title, text: spec.title } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
  });
})();
