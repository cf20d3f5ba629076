// The cluster page's chart: one point per live update of the summary (nodes in total and by state), drawn with uPlot.
// window.ebbtideChart.totals keeps every total drawn, in order (the browser test reads it).
(function () {
  const el = document.getElementById("nodes-chart");
  const summary = document.getElementById("summary");
  if (!el || !summary || typeof uPlot === "undefined") return;
  const states = ["preparing", "idle", "running", "leaving"];
  const colours = ["#f5a623", "#2e7d32", "#1565c0", "#9e9e9e"];
  const data = [[], []].concat(states.map(() => []));
  const chart = { totals: [], plot: null };
  window.ebbtideChart = chart;
  const max = Math.max(1, parseInt(el.dataset.max || "1", 10));
  chart.plot = new uPlot({
    width: Math.min(900, el.clientWidth || 900), height: 260,
    series: [{}, { label: "nodes", stroke: "#12355b", width: 3 }]
      .concat(states.map((s, i) => ({ label: s, stroke: colours[i], width: 1.5 }))),
    scales: { y: { range: [0, max] } },
    axes: [{}, { label: "nodes", incrs: [1, 2, 5, 10, 20, 50, 100] }],
  }, data, el);
  function sample() {
    const c = document.getElementById("node-counts");
    if (!c) return;
    const counts = {};
    (c.dataset.counts || "").split(" ").forEach((kv) => { const p = kv.split("="); counts[p[0]] = +p[1]; });
    const total = +c.dataset.total;
    data[0].push(Date.now() / 1000);
    data[1].push(total);
    states.forEach((s, i) => data[i + 2].push(counts[s] || 0));
    if (data[0].length > 900) data.forEach((a) => a.shift());
    chart.totals.push(total);
    chart.plot.setData(data);
  }
  new MutationObserver(sample).observe(summary, { childList: true });
  sample();
})();

// The what-if chart: node-hours against mean wait; the frontier as a line, current and proposed as points.
(function () {
  const el = document.getElementById("what-if-chart");
  const raw = document.getElementById("what-if-data");
  if (!el || !raw || typeof uPlot === "undefined") return;
  const d = JSON.parse(raw.textContent);
  const dots = (colour) => ({ stroke: colour, fill: colour, width: 0, paths: () => null, points: { show: true, size: 12, fill: colour } });
  window.ebbtideWhatIf = new uPlot({
    width: Math.min(900, el.clientWidth || 900), height: 300,
    scales: { x: { time: false } },
    series: [{ label: "mean wait (s)" },
      Object.assign({ label: "fixed-idle frontier", stroke: "#9e9e9e", width: 2, spanGaps: true }, { points: { show: true, size: 6 } }),
      Object.assign({ label: "current" }, dots("#12355b")),
      Object.assign({ label: "proposed" }, dots("#f5a623"))],
    axes: [{ label: "mean wait (s)" }, { label: "node-hours" }],
  }, [d.x, d.frontier, d.current, d.proposed], el);
})();
