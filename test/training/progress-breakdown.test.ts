import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';
import { pollUntil } from '../support/poll.ts';

/**
 * Once a worker has made a version READY, SHOW MODEL's 'Training Progress' line says where the
 * time went from CREATE MODEL on, and lists AUTO's candidates with their held-out scores. The
 * reference for the wall time is this test's own clock: from sending CREATE MODEL to the
 * catalog's NOTIFY of the registration (modelgres_catalog, with the job's name), received on a
 * direct connection.
 */
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;
/** Every modelgres_catalog notification and when it arrived (performance.now()). */
const heard: Array<{ payload: string; at: number }> = [];

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  direct = await proxy.direct();
  direct.on('notification', (n) => heard.push({ payload: n.payload ?? '', at: performance.now() }));
  await direct.query('LISTEN modelgres_catalog');
  await c.query(`SELECT setseed(0.17)`);
  // 30,000 rows: AUTO's 80% of them are more than the MLP's 20,000-row sample.
  await c.query(`CREATE TABLE breakdown_rows AS
    SELECT x1, x2, x3, 3 * sin(x1) + x2 * x2 - x3 + (random() - 0.5) AS y
      FROM (SELECT random() * 6 AS x1, random() * 2 - 1 AS x2, random() AS x3 FROM generate_series(1, 30000)) s`);
}, 60_000);
afterAll(async () => {
  await proxy?.close();
});

/** Creates the model, waits for its registration's NOTIFY, returns the wall seconds and its job. */
async function createAndWait(sql: string, model: string): Promise<{ wall: number; jobName: string }> {
  const sent = performance.now();
  await c.query(sql);
  const { values } = await showModel(c, model);
  const jobName = values.get('Training Job Name') ?? values.get('AutoML Job Name')!;
  const registered = await pollUntil(`${model} registered`, async () => heard.find((h) => h.payload === jobName), (h) => h !== undefined, { timeoutMs: 120_000 });
  return { wall: (registered!.at - sent) / 1000, jobName };
}

/** The stored report, read from the catalog directly (exact seconds, not SHOW MODEL's rounding). */
async function finishedReport(jobName: string) {
  const r = await direct.query(`SELECT state, progress FROM modelgres.model_version WHERE job_name = $1`, [jobName]);
  expect(r.rows[0].state).toBe('READY');
  return r.rows[0].progress as {
    parts: Array<{ part: string; seconds: number }>;
    candidates: Array<{ modelType: string; metric: string; score: number; rows: number; kept: boolean; cutShort: boolean }>;
  };
}

test('an XGBOOST model says where its time went, in parts that add up to no more than CREATE MODEL to READY', async () => {
  const { wall, jobName } = await createAndWait(
    `CREATE MODEL breakdown_xgb FROM breakdown_rows TARGET y FUNCTION breakdown_xgb_fn
     AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20')`,
    'breakdown_xgb',
  );
  const report = await finishedReport(jobName);
  const names = report.parts.map((p) => p.part);
  for (const part of ['snapshot', 'queue wait', 'load', 'thread start', 'prepare', 'binning', 'boosting', 'export', 'compile', 'register']) {
    expect(names).toContain(part);
  }
  for (const p of report.parts) {
    expect(Number.isFinite(p.seconds), p.part).toBe(true);
    expect(p.seconds, p.part).toBeGreaterThanOrEqual(0);
  }
  const sum = report.parts.reduce((s, p) => s + p.seconds, 0);
  expect(sum).toBeLessThanOrEqual(wall);
  // Boosting 20 rounds is real work, not a zero that a missing measurement would give.
  expect(report.parts.find((p) => p.part === 'boosting')!.seconds).toBeGreaterThan(0);

  const line = (await showModel(c, 'breakdown_xgb')).values.get('Training Progress')!;
  for (const p of report.parts) expect(line).toContain(`${p.part} ${p.seconds.toFixed(2)} s`);
  expect(report.candidates.map((k) => [k.modelType, k.kept])).toEqual([['XGBOOST', true]]);
}, 90_000);

test('AUTO on more than 20,000 training rows still tries the MLP, on a sample, and reports every candidate', async () => {
  const maxRuntime = 120;
  const { wall, jobName } = await createAndWait(
    `CREATE MODEL breakdown_auto FROM breakdown_rows TARGET y FUNCTION breakdown_auto_fn
     SETTINGS (MAX_RUNTIME ${maxRuntime})`,
    'breakdown_auto',
  );
  const report = await finishedReport(jobName);
  expect(report.candidates.map((k) => k.modelType)).toEqual(['LINEAR_LEARNER', 'XGBOOST', 'MLP']);
  const mlp = report.candidates.find((k) => k.modelType === 'MLP')!;
  expect(mlp.rows).toBe(20_000);
  expect(mlp.metric).toBe('mse');
  expect(Number.isFinite(mlp.score)).toBe(true);
  expect(report.candidates.filter((k) => k.kept)).toHaveLength(1);
  // The kept one is the best held-out MSE, and it is SHOW MODEL's validation:mse.
  const best = Math.min(...report.candidates.map((k) => k.score));
  expect(report.candidates.find((k) => k.kept)!.score).toBe(best);
  const { values } = await showModel(c, 'breakdown_auto');
  expect(Number(values.get('validation:mse'))).toBeCloseTo(best, 10);
  expect(values.get('Training Progress')).toMatch(/candidates: LINEAR_LEARNER mse .*, XGBOOST mse .*, MLP mse [0-9.e-]+ \([0-9.]+ s, 20,000 rows/);
  // MAX_RUNTIME bounds the training, and nothing was cut short.
  expect(values.get('Training Note')).toBeUndefined();
  expect(wall).toBeLessThanOrEqual(maxRuntime);
}, 150_000);
