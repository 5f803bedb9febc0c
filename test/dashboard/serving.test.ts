import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startHttpListener, type HttpListener } from '../../src/http/http-listener.ts';
import { createLogger } from '../../src/util/logger.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { pollUntil } from '../support/poll.ts';
import { scrape, value } from '../support/scrape.ts';

/*
 * Hosting and inference schedules on the dashboard's model page and in /metrics, read by plain
 * HTTP requests (the browser tests are in dashboard.test.ts).
 */

let proxy: TestProxy;
let http: HttpListener;
let base: string;
let c: pg.Client;
let direct: pg.Client;

async function loggedIn(): Promise<string> {
  const form = await fetch(`${base}/login`);
  const cookie = form.headers.get('set-cookie')!.split(';')[0];
  const token = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
  const r = await fetch(`${base}/login`, {
    method: 'POST',
    body: new URLSearchParams({ csrf: token, user: 'postgres', password: 'postgres' }),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  expect(r.status).toBe(303);
  return r.headers.get('set-cookie')!.split(';')[0];
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  http = await startHttpListener({ host: '127.0.0.1', port: 0, upstreamUrl: proxy.upstreamUrl, log: createLogger('error'), throughputIntervalMs: 200 });
  base = `http://127.0.0.1:${http.port}`;
  c = await proxy.client();
  direct = await proxy.direct();
  await c.query('CREATE TABLE serve_train AS SELECT g AS id, g::float8 AS x, (2 * g)::float8 AS y FROM generate_series(1, 200) g');
  await c.query('CREATE MODEL serve_model FROM serve_train TARGET y FUNCTION serve_fn');
  await c.query('WAIT FOR MODEL serve_model');
}, 90_000);
afterAll(async () => {
  await http?.close();
  await proxy?.close();
});

test('a schedule and its executions on the model page, and in /metrics', async () => {
  await c.query(`CREATE INFERENCE SCHEDULE serve_nightly FOR MODEL serve_model FROM serve_train KEY id INTO serve_out EVERY '1 day'`);
  await c.query('ALTER INFERENCE SCHEDULE serve_nightly RUN NOW');
  const done = await pollUntil(
    'the execution to finish',
    async () => (await direct.query(`SELECT execution_id::int AS id, status, rows_scored::int AS rows FROM modelgres.inference_execution`)).rows,
    (rows) => rows.length === 1 && rows[0].status === 'SUCCESS',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const session = await loggedIn();
  const page = await (await fetch(`${base}/model?schema=public&name=serve_model`, { headers: { cookie: session } })).text();
  expect(page).toContain('<td>public.serve_nightly</td><td>SCHEDULED</td><td>1 day</td>');
  expect(page).toContain(`<td>public.serve_nightly</td><td>${done[0].id}</td><td>SUCCESS</td>`);
  expect(page).toContain(`<td>${done[0].rows}</td><td>1</td>`);
  expect(page).toContain('id="execution-plot"');
  const families = await scrape(base);
  expect(value(families, 'modelgres_inference_schedule_executions', { status: 'SUCCESS' })).toBe(1);
});

test('a hosted model\'s units on the model page, and in /metrics', async () => {
  await c.query('ALTER MODEL serve_model START (MIN_INFERENCE_UNITS 1, MAX_INFERENCE_UNITS 2)');
  const units = await pollUntil(
    'the model to be hosted',
    async () => (await direct.query(`SELECT inference_status, desired_units, in_service_units FROM modelgres.model_hosting_status WHERE model_name = 'serve_model'`)).rows[0],
    (r) => r.inference_status === 'HOSTED',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const session = await loggedIn();
  const page = await (await fetch(`${base}/model?schema=public&name=serve_model`, { headers: { cookie: session } })).text();
  expect(page).toContain(`Inference status <b id="inference-status">HOSTED</b> · units 1–2 · desired <b id="desired-units">${units.desired_units}</b>, in service <b id="in-service-units">${units.in_service_units}</b>`);
  const families = await scrape(base);
  expect(value(families, 'modelgres_inference_units', { model: 'public.serve_model', units: 'desired' })).toBe(units.desired_units);
  expect(value(families, 'modelgres_inference_units', { model: 'public.serve_model', units: 'in_service' })).toBe(units.in_service_units);
});

test('throughput and batch time over time, sampled from the counters, on the model page', async () => {
  const session = await loggedIn();
  const data = async () => {
    const page = await (await fetch(`${base}/model?schema=public&name=serve_model`, { headers: { cookie: session } })).text();
    const json = /<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s.exec(page)![1];
    return { page, throughput: JSON.parse(json).throughput as Array<{ at: number; rowsPerSecond: number; msPerBatch: number | null }> };
  };
  const seen = await pollUntil(
    'an interval with predictions in the history',
    async () => {
      await c.query('SELECT serve_fn(id, x) FROM serve_train');
      return data();
    },
    (d) => d.throughput.some((p) => p.rowsPerSecond > 0),
    { timeoutMs: 20_000, intervalMs: 50 },
  );
  expect(seen.page).toContain('id="throughput-plot"');
  // An interval with rows had batches, whose mean time it shows; one without rows has no batch time.
  for (const p of seen.throughput) expect(p.rowsPerSecond > 0).toBe(p.msPerBatch !== null && p.msPerBatch > 0);
});
