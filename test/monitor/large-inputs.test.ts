import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ExactAuc } from '../../src/monitor/exact-auc.ts';
import { freePort } from '../../src/util/free-port.ts';
import { psi } from '../support/psi-reference.ts';

/**
 * DRIFT and EVALUATE over millions of rows, through a proxy of its own process so its memory can
 * be read: the proxy's peak RSS stays under the bound, and every figure equals a reference made
 * without the proxy's batches — PostgreSQL's own width_bucket counts for the features, and for
 * the predictions onnxruntime on the stored artifact over the 1,600 distinct input rows, weighted
 * by PostgreSQL's counts of each (the data repeats them, so the reference stays small). DRIFT
 * reads every row here (--drift-sample-rows 0); drift-sample.test.ts covers its sample.
 */
const ROWS = 2_000_000;
/**
 * How much one statement may add to the proxy's RSS, whatever the row count: reading these 2M rows
 * into memory would take several hundred MB more (1M rows added about 150 MB before DRIFT and
 * EVALUATE streamed). bench/drift.ts measures the absolute peak at 1M and 10M rows.
 */
const GROWTH_BOUND_MB = 150;
/** The bound on the whole proxy (as `npm start` runs it, compiled) while such a statement runs. */
const PEAK_BOUND_MB = 300;
const repoRoot = path.resolve(import.meta.dirname, '../..');

let child: ChildProcess;
let direct: pg.Client;
let client: pg.Client;

/** x and z take 40 values each; y and label follow them, with a deterministic noise. */
function rowsSql(from: number, to: number): string {
  const h = (k: number) => `(hashint8(g * 4 + ${k}) & 2147483647)`;
  return `SELECT (${h(0)} % 40)::float8 AS x, (${h(1)} % 40)::float8 AS z,
                 ((${h(0)} % 40) * 2 + (${h(1)} % 40) + (${h(2)} % 100) / 10.0)::float8 AS y,
                 (${h(0)} % 40) + (${h(2)} % 20) > 30 AS label
            FROM generate_series(${from}::int8, ${to}::int8) AS g`;
}

beforeAll(async () => {
  const server = new URL(inject('upstreamUrl'));
  const admin = new pg.Client(server.toString());
  await admin.connect();
  const database = `modelgres_large_${process.pid}`;
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  server.pathname = `/${database}`;
  direct = new pg.Client(server.toString());
  await direct.connect();
  await direct.query(`CREATE TABLE train AS ${rowsSql(1_000_000_001, 1_000_004_000)}`);
  await direct.query(`CREATE TABLE big AS ${rowsSql(1, ROWS)}`);
  await direct.query('VACUUM (ANALYZE) big');

  const port = await freePort();
  child = spawn(process.execPath, ['dist/cli.js', 'start', '--upstream', server.toString(), '--port', String(port), '--log-level', 'warn', '--drift-sample-rows', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('modelgres is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`modelgres exited with ${code} before it was ready: ${seen}`)));
  });
  const url = new URL(server.toString());
  url.port = String(port);
  url.hostname = '127.0.0.1';
  client = new pg.Client(url.toString());
  client.on('error', () => {});
  await client.connect();
  const xgboost = `AUTO OFF MODEL_TYPE XGBOOST HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '8', MAX_DEPTH '3')`;
  await client.query(`CREATE MODEL reg FROM (SELECT x, z, y FROM train) TARGET y FUNCTION reg_fn ${xgboost.replace('HYPER', "OBJECTIVE 'reg:squarederror' HYPER")}`);
  await client.query(`CREATE MODEL bin FROM (SELECT x, z, label FROM train) TARGET label FUNCTION bin_fn ${xgboost.replace('HYPER', "OBJECTIVE 'binary:logistic' HYPER")}`);
  for (const m of ['reg', 'bin']) expect((await client.query(`WAIT FOR MODEL ${m} TIMEOUT 300`)).rows[0].state).toBe('READY');
}, 240_000);

afterAll(async () => {
  await client?.end().catch(() => {});
  await direct?.end().catch(() => {});
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

/** The proxy's RSS now (VmRSS) or its peak since the last reset (VmHWM), in MB. */
function rssMb(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
}

/**
 * Runs one statement through the proxy and returns its rows with the proxy's memory around it:
 * the RSS before, and the peak during it (VmHWM, reset first through /proc/PID/clear_refs).
 */
async function measured(sql: string): Promise<{ rows: any[]; before: number; peak: number }> {
  const before = rssMb('VmRSS');
  writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
  const { rows } = await client.query(sql);
  const peak = rssMb('VmHWM');
  console.log(`${sql.split(' FROM')[0]}: proxy RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during`);
  return { rows, before, peak };
}

/** What holding every row would cost is far above these; a fixed-memory pass stays well under. */
function expectBounded(m: { before: number; peak: number }): void {
  expect(m.peak - m.before).toBeLessThan(GROWTH_BOUND_MB);
  expect(m.peak).toBeLessThan(PEAK_BOUND_MB);
}

/** onnxruntime on the stored artifact of a model's active version, over the 1,600 distinct (x, z). */
async function referenceOutputs(model: string, groups: Array<{ x: number; z: number }>): Promise<Record<string, ort.Tensor>> {
  const r = await direct.query(
    `SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1 AND v.version = m.active_version`,
    [model],
  );
  const session = await ort.InferenceSession.create(r.rows[0].onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const [xName, zName] = session.inputNames;
  return session.run({
    [xName]: new ort.Tensor('float32', Float32Array.from(groups.map((g) => g.x)), [groups.length, 1]),
    [zName]: new ort.Tensor('float32', Float32Array.from(groups.map((g) => g.z)), [groups.length, 1]),
  });
}

describe(`DRIFT and EVALUATE over ${ROWS.toLocaleString('en')} rows`, () => {
  test('DRIFT: features and prediction equal their references, and the proxy stays within its memory bound', async () => {
    const r = await measured('SHOW MODEL reg DRIFT FROM (SELECT x, z FROM big)');
    const rows = new Map(r.rows.map((row) => [row.feature, row]));
    const baseline = (await direct.query(`SELECT baseline FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'reg'`)).rows[0].baseline;
    for (const f of baseline.features) {
      const counts = new Array(f.edges.length + 1).fill(0);
      const bins = await direct.query(`SELECT width_bucket(${f.feature}, $1::float8[]) AS b, count(*)::int AS n FROM big GROUP BY 1`, [`{${f.edges.join(',')}}`]);
      for (const { b, n } of bins.rows) counts[b] = n;
      expect(rows.get(f.feature)).toMatchObject({ metric: 'psi', current_count: String(ROWS) });
      expect(rows.get(f.feature).value).toBeCloseTo(psi(f.binCounts, counts), 12);
    }
    const groups = (await direct.query('SELECT x, z, count(*)::int AS n FROM big GROUP BY 1, 2')).rows;
    const predicted = (await referenceOutputs('reg', groups)).variable.data as Float32Array;
    const edges: number[] = baseline.prediction.edges;
    const counts = new Array(edges.length + 1).fill(0);
    groups.forEach((g, i) => {
      counts[edges.filter((e) => predicted[i] >= e).length] += g.n;
    });
    const prediction = rows.get('(prediction)');
    expect(prediction).toMatchObject({ metric: 'psi', current_count: String(ROWS), check: 'ok' });
    expect(prediction.value).toBeCloseTo(psi(baseline.prediction.binCounts, counts), 12);
    expectBounded(r);
  }, 120_000);

  test('EVALUATE regression: mse, rmse, mae and r2 equal their closed forms', async () => {
    const r = await measured('EVALUATE MODEL reg FROM (SELECT x, z, y FROM big)');
    const metrics = new Map(r.rows.map((row) => [row.metric, row.value]));
    // Per (x, z, y): the rows' count; the prediction is one per (x, z).
    const byY = (await direct.query('SELECT x, z, y, count(*)::int AS n FROM big GROUP BY 1, 2, 3')).rows;
    const groups = [...new Map(byY.map((row) => [`${row.x},${row.z}`, { x: row.x, z: row.z }])).values()];
    const predicted = (await referenceOutputs('reg', groups)).variable.data as Float32Array;
    const p = new Map(groups.map((g, i) => [`${g.x},${g.z}`, predicted[i]]));
    let sse = 0;
    let sae = 0;
    let sy = 0;
    let syy = 0;
    for (const row of byY) {
      const e = row.y - p.get(`${row.x},${row.z}`)!;
      sse += row.n * e * e;
      sae += row.n * Math.abs(e);
      sy += row.n * row.y;
      syy += row.n * row.y * row.y;
    }
    const mse = sse / ROWS;
    expect(metrics.get('mse')).toBeCloseTo(mse, 8);
    expect(metrics.get('rmse')).toBeCloseTo(Math.sqrt(mse), 8);
    expect(metrics.get('mae')).toBeCloseTo(sae / ROWS, 8);
    expect(metrics.get('r2')).toBeCloseTo(1 - sse / (syy - (sy * sy) / ROWS), 8);
    expectBounded(r);
  }, 120_000);

  test('EVALUATE binary: accuracy, precision, recall, f1, the confusion matrix and an exact AUC', async () => {
    const r = await measured('EVALUATE MODEL bin FROM (SELECT x, z, label FROM big)');
    const metrics = new Map(r.rows.map((row) => [row.metric, row]));
    const groups = (await direct.query(
      'SELECT x, z, count(*) FILTER (WHERE label)::int AS pos, count(*) FILTER (WHERE NOT label)::int AS neg FROM big GROUP BY 1, 2',
    )).rows;
    const out = await referenceOutputs('bin', groups);
    const label = out.label.data as BigInt64Array;
    const probability = out.probabilities.data as Float32Array;
    // Class 1 is true; the AUC ranks its probability.
    const confusion = { f: { f: 0, t: 0 }, t: { f: 0, t: 0 } };
    groups.forEach((g, i) => {
      const p = label[i] === 1n ? 't' : 'f';
      confusion.t[p] += g.pos;
      confusion.f[p] += g.neg;
    });
    const tp = confusion.t.t;
    const precision = tp / (tp + confusion.f.t);
    const recall = tp / (tp + confusion.t.f);
    expect(metrics.get('confusion_matrix').detail).toEqual(confusion);
    expect(metrics.get('accuracy').value).toBeCloseTo((tp + confusion.f.f) / ROWS, 12);
    expect(metrics.get('precision').value).toBeCloseTo(precision, 12);
    expect(metrics.get('recall').value).toBeCloseTo(recall, 12);
    expect(metrics.get('f1').value).toBeCloseTo((2 * precision * recall) / (precision + recall), 12);
    // Mann–Whitney by hand: groups by score, each positive counts the negatives below it, ties half.
    const order = groups.map((_, i) => i).sort((a, b) => probability[2 * a + 1] - probability[2 * b + 1]);
    let below = 0;
    let pairs = 0;
    for (let i = 0; i < order.length; ) {
      let j = i;
      let pos = 0;
      let neg = 0;
      for (; j < order.length && probability[2 * order[j] + 1] === probability[2 * order[i] + 1]; j++) {
        pos += groups[order[j]].pos;
        neg += groups[order[j]].neg;
      }
      pairs += pos * (below + neg / 2);
      below += neg;
      i = j;
    }
    const positives = groups.reduce((s, g) => s + g.pos, 0);
    expect(metrics.get('auc').value).toBeCloseTo(pairs / (positives * (ROWS - positives)), 12);
    expectBounded(r);
  }, 120_000);
});

describe('ExactAuc beyond what it holds in memory', () => {
  test('2.5M rows of distinct scores, spilled to run files and merged, give the AUC of two sorted lists', () => {
    // A deterministic generator: scores spread over [0, 1) as float32, positives likelier above.
    let seed = 42;
    const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const n = 2_500_000;
    const auc = new ExactAuc();
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let i = 0; i < n; i++) {
      const score = Math.fround(next());
      const positive = next() < score;
      (positive ? positives : negatives).push(score);
      auc.add(score, positive);
    }
    // Each positive against the negatives below it and level with it (half), by two pointers.
    const pos = Float32Array.from(positives).sort();
    const neg = Float32Array.from(negatives).sort();
    let below = 0;
    let level = 0;
    let pairs = 0;
    for (const s of pos) {
      while (below < neg.length && neg[below] < s) below++;
      level = below;
      while (level < neg.length && neg[level] === s) level++;
      pairs += below + (level - below) / 2;
    }
    expect(auc.result()).toBe(pairs / (pos.length * neg.length));
  }, 60_000);
});
