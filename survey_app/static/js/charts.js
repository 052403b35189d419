// Report charts: each <canvas data-chart="…json…"> becomes a bar chart (Chart.js, served by the app).
// Category labels are wrapped into lines that fit the room the axis has (Thai has no spaces between words:
// the browser's word segmenter finds the breaks), cut with "…" after a few lines, and shown whole in the
// tooltip. On a narrow screen every chart lies on its side (horizontal bars) and grows tall enough for its
// labels, so nothing is cut off at the left edge of a phone.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var FONT_SIZE = 12;
  var LINE_HEIGHT = 1.25;
  var NARROW = 560;       // px of chart width below which bars are drawn horizontally
  var LABEL_SHARE = 0.42; // the part of a horizontal chart's width its category labels may take
  var MAX_LINES = 3;
  var family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = family;
  Chart.defaults.font.size = FONT_SIZE;
  var measure = document.createElement("canvas").getContext("2d");
  var words = window.Intl && Intl.Segmenter ? new Intl.Segmenter("th", { granularity: "word" }) : null;
  var letters = window.Intl && Intl.Segmenter ? new Intl.Segmenter("th", { granularity: "grapheme" }) : null;

  function split(text, segmenter, fallback) {
    if (segmenter) { return Array.from(segmenter.segment(text), function (s) { return s.segment; }); }
    return text.split(fallback);
  }

  function width(text) { return measure.measureText(text).width; }

  // Pieces no wider than `room`: words, and a word wider than the room cut between letters (never inside
  // a letter with its vowel and tone marks).
  function pieces(text, room) {
    var out = [];
    split(text, words, /(\s+)/).forEach(function (word) {
      if (width(word) <= room) { out.push(word); return; }
      var part = "";
      split(word, letters, "").forEach(function (letter) {
        if (part && width(part + letter) > room) { out.push(part); part = ""; }
        part += letter;
      });
      if (part) { out.push(part); }
    });
    return out;
  }

  function ellipsis(line, room) {
    var cut = split(line, letters, "");
    while (cut.length && width(cut.join("") + "…") > room) { cut.pop(); }
    return cut.join("") + "…";
  }

  // The label as lines of at most `room` px, at most MAX_LINES of them.
  function wrap(text, room) {
    measure.font = FONT_SIZE + "px " + family;
    var lines = [];
    var line = "";
    pieces(String(text), room).forEach(function (piece) {
      if (line && width(line + piece) > room) { lines.push(line.trim()); line = piece.replace(/^\s+/, ""); }
      else { line += piece; }
    });
    if (line.trim()) { lines.push(line.trim()); }
    if (lines.length > MAX_LINES) {
      lines = lines.slice(0, MAX_LINES);
      lines[MAX_LINES - 1] = ellipsis(lines[MAX_LINES - 1], room);
    }
    return lines.length ? lines : [""];
  }

  function draw(canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    var box = canvas.parentNode;
    var boxWidth = box.clientWidth || 320;
    var horizontal = spec.horizontal || boxWidth < NARROW;
    var room = horizontal ? boxWidth * LABEL_SHARE : Math.max(40, boxWidth / Math.max(spec.labels.length, 1) - 8);
    var labels = spec.labels.map(function (label) { return wrap(label, room); });
    if (horizontal) {  // room for every wrapped label, one bar per category
      var lines = labels.reduce(function (sum, l) { return sum + Math.max(l.length, 1.6); }, 0);
      var needed = Math.ceil(lines * FONT_SIZE * LINE_HEIGHT + labels.length * 10 + (spec.title ? 70 : 50));
      box.style.height = Math.max(box.clientHeight, needed) + "px";
    }
    var category = { ticks: { autoSkip: false, maxRotation: 0, minRotation: 0 } };
    var value = { beginAtZero: true };
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: spec.datasets.map(function (d) {
        return { label: d.label, data: d.data, backgroundColor: "#0172ad" };
      }) },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          title: { display: !!spec.title, text: spec.title },
          tooltip: { callbacks: { title: function (items) { return items.length ? spec.labels[items[0].dataIndex] : ""; } } }
        },
        scales: horizontal ? { y: category, x: value } : { x: category, y: value }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
