import type { DriftReport, ModelDetail, ModelSummary } from './dashboard-data.ts';
import { Html, html, jsonForScript } from './html.ts';
import type { ModelCounters } from './model-counters.ts';
import type { ThroughputPoint } from './throughput-history.ts';

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { display: flex; align-items: center; gap: 1em; padding: .6em 1.2em; background: #1d3557; color: #fff; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header form { margin-left: auto; }
main { padding: 1em 1.2em; max-width: 1100px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .8em 1em; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #eceff3; }
th { font-weight: 600; color: #4a5567; }
.drifted { color: #b00020; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 1em; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .3em; }
.error { color: #b00020; }
.login { max-width: 320px; margin: 4em auto; }
.login label { display: block; margin: .6em 0 .2em; }
.login input { width: 100%; box-sizing: border-box; padding: .4em; }
.login button { margin-top: 1em; padding: .4em 1.2em; }
#evaluation-plot .plot, #throughput-plot .plot { display: flex; flex-wrap: wrap; gap: .5em; }
details summary { cursor: pointer; color: #4a5567; }
`;

function page(title: string, body: Html, header: Html | null = null, extraHead: Html | null = null): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><title>${title} · modelgres</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${new Html(STYLE)}</style>${extraHead}</head>
<body>${header}<main>${body}</main></body></html>`.text}`;
}

function top(user: string, csrf: string): Html {
  return html`<header><a href="/">modelgres</a><span>signed in as <b id="role">${user}</b></span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${csrf}"><button>Log out</button></form></header>`;
}

export function loginPage(csrf: string, error: string | null): string {
  return page(
    'Log in',
    html`<section class="login"><h1>modelgres</h1><p>Log in with a PostgreSQL role.</p>
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${csrf}">
<label for="user">Role</label><input id="user" name="user" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
${error ? html`<p class="error" id="login-error">${error}</p>` : null}
<button type="submit">Log in</button></form></section>`,
  );
}

function modelHref(m: { schema: string; name: string }): string {
  return `/model?schema=${encodeURIComponent(m.schema)}&name=${encodeURIComponent(m.name)}`;
}

function countersCells(c: ModelCounters | undefined): Html {
  if (!c) return html`<td>0</td><td>0</td><td></td>`;
  return html`<td>${c.predictions}</td><td>${c.errors}</td><td>${c.batches ? (c.seconds / c.batches * 1000).toFixed(2) : ''}</td>`;
}

export function modelsPage(user: string, csrf: string, models: ModelSummary[], counters: Map<string, ModelCounters>): string {
  const rows = models.map(
    (m) => html`<tr data-model="${m.schema}.${m.name}"><td><a href="${modelHref(m)}">${m.schema}.${m.name}</a></td><td>${m.state}</td>
<td>${m.activeVersion}</td><td>${m.problemType}</td><td>${m.owner}</td><td>${m.lastActivity}</td>${countersCells(counters.get(`${m.schema}.${m.name}`))}</tr>`,
  );
  return page(
    'Models',
    html`<section><h2>Models</h2>
<table id="models"><thead><tr><th>Model</th><th>State</th><th>Active version</th><th>Problem type</th><th>Owner</th><th>Last activity</th>
<th>Predictions</th><th>Errors</th><th>Mean batch ms</th></tr></thead><tbody>${rows}</tbody></table>
${models.length === 0 ? html`<p id="no-models">No model that this role may see.</p>` : null}
<p>Predictions, errors and batch times are this proxy's counters since it started, as /metrics serves them.</p></section>`,
    top(user, csrf),
  );
}

export function modelPage(
  user: string,
  csrf: string,
  detail: ModelDetail,
  drift: DriftReport | null,
  driftError: string | null,
  counters: ModelCounters | undefined,
  throughput: ThroughputPoint[],
): string {
  const m = detail.summary;
  const training = detail.versions.some((v) => v.state === 'TRAINING');
  const versions = detail.versions.map(
    (v) => html`<tr data-version="${v.version}"><td>${v.version}${v.active ? ' (active)' : ''}</td><td>${v.state}</td><td>${v.source}</td>
<td>${v.createdAt}</td><td>${v.trainingFinishedAt}</td><td>${v.trainingRows}</td><td>${v.metric}</td>
<td class="metric-value">${v.metricValue}</td>
<td>${v.state === 'TRAINING' && v.progress?.total ? html`<progress value="${v.progress.done ?? 0}" max="${v.progress.total}"></progress> ${v.progress.done ?? 0}/${v.progress.total} ${v.progress.unit}` : v.failureReason}</td></tr>`,
  );
  const evaluations = detail.evaluations.map(
    (e) => html`<tr><td>${e.evaluatedAt}</td><td>${e.version}</td><td>${e.evaluatedBy}</td><td>${e.source}</td><td>${e.rowCount}</td>
<td>${Object.entries(e.metrics).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${Number((v as number).toPrecision(5))}`).join(', ')}</td></tr>`,
  );
  const driftFigures = drift?.features.map(
    (f) => html`<figure class="drift" data-feature="${f.feature}"><figcaption>${f.feature}
${f.drift?.metric ? html` — <span class="${f.drift.drifted ? 'drifted' : ''}">${f.drift.metric.toUpperCase()} <span class="drift-value">${f.drift.value === null ? '' : f.drift.value.toFixed(4)}</span>, threshold <span class="drift-threshold">${f.drift.threshold}</span>${f.drift.drifted ? ' (drifted)' : ''}</span>` : null}
${f.drift && f.drift.check !== 'ok' ? html` <small>${f.drift.check}</small>` : null}</figcaption>
<div class="plot"></div>
<details><summary>Counts</summary><table class="bins"><thead><tr><th>Bin</th><th>Baseline</th><th>Current</th></tr></thead><tbody>
${f.bins.map((b, i) => html`<tr><td>${b}</td><td class="baseline-count">${f.baseline[i]}</td><td class="current-count">${f.current[i]}</td></tr>`)}</tbody></table></details></figure>`,
  );
  const data = {
    versions: detail.versions.filter((v) => v.metricValue !== null).map((v) => ({ version: v.version, metric: v.metric, value: v.metricValue, at: v.trainingFinishedAt ?? v.createdAt })),
    evaluations: detail.evaluations,
    executions: detail.executions,
    throughput,
    drift: drift?.features ?? [],
  };
  return page(
    `${m.schema}.${m.name}`,
    html`<section><h2 id="model-name">${m.schema}.${m.name}</h2>
<p>State <b>${m.state}</b> · active version <b id="active-version">${m.activeVersion}</b> · ${m.problemType} · owner ${m.owner} · last activity ${m.lastActivity}</p>
<p>This proxy: <span id="predictions">${counters?.predictions ?? 0}</span> predictions in ${counters?.batches ?? 0} batches,
${counters?.errors ?? 0} errors${counters?.batches ? `, ${(counters.seconds / counters.batches * 1000).toFixed(2)} ms a batch on average` : ''}.</p>
${throughput.some((p) => p.rowsPerSecond > 0) ? html`<figure id="throughput-plot"><figcaption>Rows predicted a second, and ms a batch, in this proxy</figcaption><div class="plot"></div></figure>` : null}</section>
<section><h2>Versions</h2>
<figure id="version-plot"><figcaption>Validation metric by version</figcaption><div class="plot"></div></figure>
<table id="versions"><thead><tr><th>Version</th><th>State</th><th>Source</th><th>Created</th><th>Trained</th><th>Rows</th><th>Metric</th><th>Value</th><th>Progress</th></tr></thead>
<tbody>${versions}</tbody></table></section>
<section><h2>Evaluations</h2>
${detail.evaluations.length ? html`<figure id="evaluation-plot"><figcaption>EVALUATE MODEL results over time</figcaption><div class="plot"></div></figure>` : null}
<table id="evaluations"><thead><tr><th>When</th><th>Version</th><th>By</th><th>Source</th><th>Rows</th><th>Metrics</th></tr></thead><tbody>${evaluations}</tbody></table>
${detail.evaluations.length === 0 ? html`<p>No EVALUATE MODEL yet.</p>` : null}</section>
<section id="serving"><h2>Serving</h2>
${detail.hosting ? html`<p>Inference status <b id="inference-status">${detail.hosting.status}</b>${detail.hosting.minUnits !== null ? ` · units ${detail.hosting.minUnits}–${detail.hosting.maxUnits}` : ''} · desired <b id="desired-units">${detail.hosting.desiredUnits}</b>, in service <b id="in-service-units">${detail.hosting.inServiceUnits}</b> (all proxies)</p>` : null}
${detail.schedules.length
  ? html`<table id="schedules"><thead><tr><th>Schedule</th><th>State</th><th>Every</th><th>Next run</th><th>Into</th><th>Watermark</th><th>Last</th></tr></thead><tbody>
${detail.schedules.map((s) => html`<tr><td>${s.name}</td><td>${s.state}</td><td>${s.every}</td><td>${s.nextRun}</td><td>${s.target}</td><td>${s.watermark}</td><td>${s.lastStatus}</td></tr>`)}</tbody></table>
${detail.executions.length ? html`<figure id="execution-plot"><figcaption>Rows scored by each execution</figcaption><div class="plot"></div></figure>
<details><summary>Executions</summary><table id="executions"><thead><tr><th>Schedule</th><th>Execution</th><th>Status</th><th>Started</th><th>Finished</th><th>Rows</th><th>Version</th><th>Error</th></tr></thead><tbody>
${detail.executions.map((e) => html`<tr><td>${e.schedule}</td><td>${e.id}</td><td>${e.status}</td><td>${e.startedAt}</td><td>${e.finishedAt}</td><td>${e.rowsScored}</td><td>${e.version}</td><td>${e.error}</td></tr>`)}</tbody></table></details>` : null}`
  : html`<p>No inference schedule of this model that this role owns.</p>`}
</section>
<section id="drift-section"><h2>Drift</h2>
<form method="get" action="/model"><input type="hidden" name="schema" value="${m.schema}"><input type="hidden" name="name" value="${m.name}">
Compare version ${drift?.version} with <input name="from" placeholder="captured calls, or a table" value="${drift && drift.source !== 'captured calls' ? drift.source : ''}"> <button>Show</button></form>
${driftError ? html`<p class="error">${driftError}</p>` : null}
${drift ? html`<p>Training baseline (grey) against <b id="drift-source">${drift.source}</b> (blue), as shares of non-NULL rows.</p><div class="grid">${driftFigures}</div>` : html`<p>No training baseline to compare with.</p>`}
</section>
<script type="application/json" id="dashboard-data">${new Html(jsonForScript(data))}</script>
<script src="/static/d3.js"></script><script src="/static/plot.js"></script><script src="/static/dashboard.js"></script>`,
    top(user, csrf),
    // Training in progress: the page follows it.
    training ? html`<meta http-equiv="refresh" content="5">` : null,
  );
}
