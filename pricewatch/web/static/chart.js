// Price history on the game page: one uPlot chart per currency, one stepped line per store and region, drawn
// from the JSON the page carries (so the chart needs no second request, and the page works without it).
(function () {
  "use strict";
  var source = document.getElementById("price-history");
  if (!source || typeof uPlot === "undefined") {
    return;
  }
  var ONE_DAY = 24 * 3600;
  var TWO_WEEKS = 14 * ONE_DAY;
  var palette = ["#1b6ac9", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#495057"];

  // Every line on the chart's shared time axis: the price in force at each time (null before its first price
  // and while not for sale), which is what a stepped line needs.
  function aligned(series) {
    var seen = {};
    series.forEach(function (line) {
      line.points.forEach(function (point) { seen[point[0]] = true; });
    });
    var times = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    var columns = series.map(function (line) {
      var next = 0;
      var current = null;
      return times.map(function (time) {
        while (next < line.points.length && line.points[next][0] <= time) {
          current = line.points[next][1];
          next += 1;
        }
        return current;
      });
    });
    return [times].concat(columns);
  }

  function draw(chart, figure) {
    var money = function (self, value) {
      return value == null ? "-" : value.toFixed(2) + " " + chart.currency;
    };
    var options = {
      width: Math.max(figure.clientWidth, 320),
      height: 280,
      scales: {
        // A history of a few days still gets a readable axis: at least two weeks, ending today.
        x: { time: true, range: function (self, min, max) { return [Math.min(min, max - TWO_WEEKS), max + ONE_DAY]; } },
        y: { range: function (self, min, max) { return [0, max > 0 ? max * 1.15 : 1]; } }
      },
      axes: [{}, { label: chart.currency, size: 70 }],
      series: [{ label: "date" }].concat(chart.series.map(function (line, index) {
        return {
          label: line.label,
          stroke: palette[index % palette.length],
          width: 2,
          paths: uPlot.paths.stepped({ align: 1 }),
          // Few price changes would draw a line too short to see: mark them.
          points: { show: line.points.length <= 8, size: 7 },
          value: money
        };
      }))
    };
    var plot = new uPlot(options, aligned(chart.series), figure);
    figure.dataset.series = String(chart.series.length);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(figure.clientWidth, 320), height: 280 });
    });
  }

  JSON.parse(source.textContent).forEach(function (chart) {
    var figure = document.querySelector('figure.chart[data-currency="' + chart.currency + '"]');
    if (figure) {
      draw(chart, figure);
    }
  });
})();
