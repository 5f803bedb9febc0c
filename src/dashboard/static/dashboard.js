// Draws the model page's plots with Observable Plot (served from the npm package, as /static/plot.js)
// from the JSON the server put in the page. Plain browser script: no build step.
(function () {
  'use strict';
  const source = document.getElementById('dashboard-data');
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const width = (el) => Math.max(320, Math.min(720, el.clientWidth || 480));
  // A plot that fails to draw says so in its place; the others are still drawn.
  const guarded = (figure, draw) => {
    if (!figure) return;
    try {
      draw(figure);
    } catch (error) {
      figure.textContent = `This plot could not be drawn: ${error}`;
    }
  };

  guarded(document.querySelector('#version-plot .plot'), (versionFigure) => {
    if (data.versions.length === 0) {
      versionFigure.textContent = 'No version has a validation metric yet.';
    } else {
      const metric = data.versions[data.versions.length - 1].metric;
      versionFigure.append(
        Plot.plot({
          width: width(versionFigure),
          height: 220,
          x: { label: 'version', tickFormat: 'd', ticks: data.versions.map((v) => v.version) },
          marginLeft: 60,
          y: { label: metric, grid: true, zero: false, tickFormat: '~g' },
          marks: [
            Plot.lineY(data.versions, { x: 'version', y: 'value', stroke: '#1d3557' }),
            Plot.dot(data.versions, { x: 'version', y: 'value', fill: '#1d3557', r: 4, title: (v) => `version ${v.version}: ${metric} ${v.value}` }),
          ],
        }),
      );
    }
  });

  // One small plot a metric: their scales differ too much to share an axis (mse against r2).
  guarded(document.querySelector('#evaluation-plot .plot'), (evaluationFigure) => {
    const byMetric = new Map();
    for (const e of data.evaluations) {
      for (const [name, value] of Object.entries(e.metrics)) {
        if (typeof value !== 'number' || name === 'rows' || name === 'version') continue;
        if (!byMetric.has(name)) byMetric.set(name, []);
        byMetric.get(name).push({ at: new Date(e.evaluatedAt), value, version: e.version });
      }
    }
    for (const [name, points] of byMetric) {
      const cell = document.createElement('div');
      cell.className = 'evaluation-metric';
      cell.dataset.metric = name;
      evaluationFigure.append(cell);
      cell.append(
        Plot.plot({
          width: 260,
          height: 160,
          marginLeft: 55,
          x: { label: null, ticks: 3 },
          y: { label: name, grid: true, tickFormat: '~g' },
          marks: [
            Plot.lineY(points, { x: 'at', y: 'value', stroke: '#1d3557' }),
            Plot.dot(points, { x: 'at', y: 'value', fill: '#1d3557', title: (p) => `${name} ${p.value} (version ${p.version})` }),
          ],
        }),
      );
    }
  });

  guarded(document.querySelector('#throughput-plot .plot'), (throughputFigure) => {
    const points = data.throughput.map((p) => ({ ...p, at: new Date(p.at) }));
    for (const [key, label, color] of [['rowsPerSecond', 'rows/s', '#2f6fdb'], ['msPerBatch', 'ms a batch', '#1d3557']]) {
      const cell = document.createElement('div');
      cell.className = 'throughput';
      cell.dataset.series = key;
      throughputFigure.append(cell);
      cell.append(
        Plot.plot({
          width: 360,
          height: 160,
          marginLeft: 55,
          x: { label: null, ticks: 4 },
          y: { label, grid: true, zero: true, tickFormat: '~g' },
          marks: [
            Plot.lineY(points.filter((p) => p[key] !== null), { x: 'at', y: key, stroke: color }),
            Plot.dot(points.filter((p) => p[key] !== null), { x: 'at', y: key, fill: color, r: 2, title: (p) => `${label} ${Number(p[key].toPrecision(4))}` }),
          ],
        }),
      );
    }
  });

  guarded(document.querySelector('#execution-plot .plot'), (executionFigure) => {
    const points = data.executions.map((e) => ({ ...e, at: new Date(e.startedAt), rows: e.rowsScored ?? 0 }));
    executionFigure.append(
      Plot.plot({
        width: width(executionFigure),
        height: 180,
        color: { domain: ['SUCCESS', 'FAILED', 'IN_PROGRESS'], range: ['#2f6fdb', '#b00020', '#9aa3ad'], legend: true },
        y: { label: 'rows scored', grid: true },
        marks: [Plot.dot(points, { x: 'at', y: 'rows', fill: 'status', r: 4, title: (e) => `${e.schedule} #${e.id} ${e.status}: ${e.rows} rows` }), Plot.ruleY([0])],
      }),
    );
  });

  const shares = (counts) => {
    const total = counts.reduce((s, n) => s + n, 0);
    return counts.map((n) => (total ? n / total : 0));
  };
  for (const f of data.drift) {
    guarded(document.querySelector(`figure.drift[data-feature="${CSS.escape(f.feature)}"] .plot`), (figure) => {
    const b = shares(f.baseline);
    const c = shares(f.current);
    const rows = f.bins.flatMap((bin, i) => [
      { bin, series: 'baseline', share: b[i], count: f.baseline[i] },
      { bin, series: 'current', share: c[i], count: f.current[i] },
    ]);
    figure.append(
      Plot.plot({
        width: width(figure),
        height: 200,
        marginBottom: 50,
        x: { domain: f.bins, label: null, tickRotate: -30 },
        y: { label: 'share', grid: true },
        color: { domain: ['baseline', 'current'], range: ['#9aa3ad', '#2f6fdb'] },
        marks: [
          // Overlaid, not stacked: each bar from 0 to its share.
          Plot.barY(rows, { x: 'bin', y1: 0, y2: 'share', fill: 'series', fillOpacity: 0.55, inset: 2, title: (r) => `${r.series} ${r.bin}: ${r.count} rows` }),
          Plot.ruleY([0]),
        ],
      }),
    );
    });
  }
})();
