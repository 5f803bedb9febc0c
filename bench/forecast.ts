/**
 * FORECAST accuracy on real monthly series that a package ships (vega-datasets): for each data set
 * the last HORIZON months of every series are held out; modelgres forecasts them through the proxy
 * (CREATE MODEL ... MODEL_TYPE FORECAST on the rest, then SELECT FORECAST(m); AUTO ON with
 * OBJECTIVE 'MASE', and AUTO OFF, its gradient-boosted model), beside a seasonal naive baseline
 * (the last year repeated) and statsmodels' Holt-Winters ExponentialSmoothing (additive trend and
 * season; bench/holt_winters.py, Debian's python3-statsmodels) on the same split. Metrics on the
 * held-out months: MASE (each series' MAE over its in-sample mean absolute 12-month difference,
 * averaged over series), WAPE (Σ|error| / Σ|actual|), RMSE. Lower is better for all three.
 *
 * npm run bench:forecast [-- --horizon 12]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { BenchProxies, withClient } from './bench-proxies.ts';
import { commitMeasured, freePort } from './bench-support.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(repoRoot, 'node_modules/vega-datasets/data');
const { values: args } = parseArgs({ options: { horizon: { type: 'string', default: '12' } } });
const H = Number(args.horizon);
const PERIOD = 12;

/** Monthly series: id → values in time order, and the month (YYYY-MM-01) of each value. */
interface DataSet {
  name: string;
  series: Map<string, { months: string[]; values: number[] }>;
}

function add(set: DataSet, id: string, month: string, value: number): void {
  const s = set.series.get(id) ?? { months: [], values: [] };
  s.months.push(month);
  s.values.push(value);
  set.series.set(id, s);
}

function unemployment(): DataSet {
  const set: DataSet = { name: 'unemployment-across-industries (count)', series: new Map() };
  const rows = JSON.parse(readFileSync(path.join(dataDir, 'unemployment-across-industries.json'), 'utf8')) as Array<{ series: string; year: number; month: number; count: number }>;
  rows.sort((a, b) => a.series.localeCompare(b.series) || a.year - b.year || a.month - b.month);
  for (const r of rows) add(set, r.series, `${r.year}-${String(r.month).padStart(2, '0')}-01`, r.count);
  return set;
}

function csv(file: string, name: string, columns: (header: string[]) => string[]): DataSet {
  const [header, ...lines] = readFileSync(path.join(dataDir, file), 'utf8').trim().split('\n').map((l) => l.split(','));
  const set: DataSet = { name, series: new Map() };
  for (const column of columns(header)) {
    const at = header.indexOf(column);
    for (const line of lines) if (line[at] !== '') add(set, column, line[0].slice(0, 7) + '-01', Number(line[at]));
  }
  return set;
}

const sets: DataSet[] = [
  unemployment(),
  csv('co2-concentration.csv', 'co2-concentration (CO2)', () => ['CO2']),
  csv('us-employment.csv', 'us-employment (every column)', (h) => h.filter((c) => c !== 'month' && c !== 'nonfarm_change')),
];

function seasonalNaive(values: number[]): number[] {
  return Array.from({ length: H }, (_, h) => values[values.length - PERIOD + (h % PERIOD)]);
}

/** MASE, WAPE, RMSE of forecasts against the held-out values. */
function metrics(train: Map<string, number[]>, actual: Map<string, number[]>, forecast: Map<string, number[]>): { mase: number; wape: number; rmse: number } {
  let maseSum = 0;
  let absErr = 0;
  let absActual = 0;
  let sq = 0;
  let n = 0;
  for (const [id, y] of actual) {
    const f = forecast.get(id);
    if (!f) throw new Error(`no forecast for series ${id}`);
    const past = train.get(id)!;
    let scale = 0;
    for (let t = PERIOD; t < past.length; t++) scale += Math.abs(past[t] - past[t - PERIOD]);
    scale /= past.length - PERIOD;
    const mae = y.reduce((s, v, h) => s + Math.abs(v - f[h]), 0) / y.length;
    maseSum += mae / scale;
    for (let h = 0; h < y.length; h++) {
      absErr += Math.abs(y[h] - f[h]);
      absActual += Math.abs(y[h]);
      sq += (y[h] - f[h]) ** 2;
      n++;
    }
  }
  return { mase: maseSum / actual.size, wape: absErr / absActual, rmse: Math.sqrt(sq / n) };
}

function holtWinters(train: Map<string, number[]>): { forecasts: Map<string, number[]>; version: string } {
  // Debian's python3, where apt-get puts python3-statsmodels (a pyenv python3 on PATH lacks it).
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const run = spawnSync(python, [path.join(import.meta.dirname, 'holt_winters.py')], {
    input: JSON.stringify({ horizon: H, period: PERIOD, series: Object.fromEntries(train) }),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) {
    throw new Error(`bench/holt_winters.py failed (is python3-statsmodels installed? apt-get install python3-statsmodels): ${run.stderr}`);
  }
  const out = JSON.parse(run.stdout) as { version: string; forecasts: Record<string, number[]> };
  return { forecasts: new Map(Object.entries(out.forecasts)), version: out.version };
}

const command = `npm run bench:forecast -- --horizon ${H}`;
const proxies = new BenchProxies();
const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-forecast-'));
let server: EmbeddedServer | null = null;
const lines: string[] = [];
let statsmodelsVersion = '';
try {
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  const proxy = await proxies.start(server.socketUrl);
  for (const [k, set] of sets.entries()) {
    const train = new Map([...set.series].map(([id, s]) => [id, s.values.slice(0, -H)]));
    const actual = new Map([...set.series].map(([id, s]) => [id, s.values.slice(-H)]));
    const table = `series_${k}`;
    const results: Array<[string, { mase: number; wape: number; rmse: number }, string]> = [];
    await withClient(proxy.url, async (c) => {
      await c.query(`CREATE TABLE ${table} (id text, month date, value float8)`);
      for (const [id, s] of set.series) {
        const rows = s.months.slice(0, -H).map((m, i) => `(${c.escapeLiteral(id)}, '${m}', ${s.values[i]})`);
        await c.query(`INSERT INTO ${table} VALUES ${rows.join(', ')}`);
      }
      for (const auto of ['ON', 'OFF']) {
        const model = `${table}_${auto.toLowerCase()}`;
        const started = performance.now();
        await c.query(`CREATE MODEL ${model} FROM ${table} TARGET value AUTO ${auto} MODEL_TYPE FORECAST OBJECTIVE 'MASE'
                         SETTINGS (HORIZON ${H}, FREQUENCY 'M', PERCENTILES '0.1,0.5,0.9,mean')`);
        await c.query(`WAIT FOR MODEL ${model} TIMEOUT 600`);
        const seconds = (performance.now() - started) / 1000;
        const shown = new Map((await c.query(`SHOW MODEL ${model}`)).rows.map((r) => [r.Key, r.Value]));
        const forecast = new Map<string, number[]>();
        for (const r of (await c.query(`SELECT FORECAST(${model})`)).rows) forecast.set(r.id, [...(forecast.get(r.id) ?? []), r.mean]);
        const detail = `${shown.get('Forecast Method')}, ${seconds.toFixed(1)} s to READY` + (auto === 'ON' ? `; held-out MASE: ${shown.get('Candidates')?.replace(/\d+\.\d+/g, (x: string) => Number(x).toFixed(3))}` : '');
        results.push([`modelgres FORECAST, AUTO ${auto}`, metrics(train, actual, forecast), detail]);
      }
    });
    results.push(['seasonal naive (last year repeated)', metrics(train, actual, new Map([...train].map(([id, v]) => [id, seasonalNaive(v)]))), '']);
    const hw = holtWinters(train);
    statsmodelsVersion = hw.version;
    results.push([`Holt-Winters (statsmodels ${hw.version})`, metrics(train, actual, hw.forecasts), 'additive trend and season']);
    const lengths = [...train.values()].map((v) => v.length);
    lines.push(`\n${set.name}: ${set.series.size} series, ${Math.min(...lengths)}-${Math.max(...lengths)} months of training each, last ${H} held out`);
    lines.push(`  ${'method'.padEnd(38)} ${'MASE'.padStart(7)} ${'WAPE'.padStart(7)} ${'RMSE'.padStart(10)}`);
    for (const [name, m, detail] of results) {
      lines.push(`  ${name.padEnd(38)} ${m.mase.toFixed(3).padStart(7)} ${m.wape.toFixed(4).padStart(7)} ${m.rmse.toPrecision(5).padStart(10)}  ${detail}`);
    }
  }
} finally {
  await proxies.stopAll();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
console.log(`$ ${command}`);
console.log(`commit ${commitMeasured(repoRoot)}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus().length} cores; statsmodels ${statsmodelsVersion} from Debian's python3-statsmodels`);
console.log(lines.join('\n'));
