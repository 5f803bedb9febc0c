import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startHttpListener, type HttpListener } from '../../src/http/http-listener.ts';
import { createLogger } from '../../src/util/logger.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { scrape, value } from '../support/scrape.ts';

let proxy: TestProxy;
let http: HttpListener;
let base: string;
let c: pg.Client;
const MODEL = { model: 'public.metric_model', version: '1' };

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  http = await startHttpListener({ host: '127.0.0.1', port: 0, upstreamUrl: proxy.upstreamUrl, log: createLogger('error') });
  base = `http://127.0.0.1:${http.port}`;
  c = await proxy.client();
  await c.query(`CREATE TABLE metric_train AS SELECT g::float8 AS a, (g % 7)::float8 AS b, (2 * g + (g % 7))::float8 AS y FROM generate_series(1, 500) g`);
  await c.query('CREATE MODEL metric_model FROM metric_train TARGET y FUNCTION metric_fn');
  await c.query('WAIT FOR MODEL metric_model');
  // 1,234 rows, 617 distinct argument pairs.
  await c.query(`CREATE TABLE metric_rows AS SELECT (g % 617)::float8 AS a, ((g % 617) % 5)::float8 AS b FROM generate_series(1, 1234) g`);
}, 120_000);
afterAll(async () => {
  await http?.close();
  await proxy?.close();
});

describe('/metrics', () => {
  test('streamed calls add exactly the rows they predicted, one batch time per batch', async () => {
    const before = await scrape(base);
    const r = await c.query('SELECT a, metric_fn(a, b) AS p FROM metric_rows');
    const rows = Number((await c.query('SELECT count(*) FROM metric_rows')).rows[0].count);
    expect(r.rowCount).toBe(rows);
    const after = await scrape(base);
    expect(value(after, 'modelgres_predictions_total', MODEL) - value(before, 'modelgres_predictions_total', MODEL)).toBe(rows);
    const batches = value(after, 'modelgres_prediction_batches_total', MODEL) - value(before, 'modelgres_prediction_batches_total', MODEL);
    expect(batches).toBeGreaterThanOrEqual(1);
    const count = value(after, 'modelgres_prediction_seconds_count', MODEL);
    expect(count - value(before, 'modelgres_prediction_seconds_count', MODEL)).toBe(batches);
    expect(value(after, 'modelgres_prediction_seconds_bucket', { ...MODEL, le: '+Inf' })).toBe(count);
    expect(after.types.get('modelgres_prediction_seconds')).toBe('histogram');
    expect(value(after, 'modelgres_prediction_errors_total', MODEL)).toBe(0);
  });

  test('a call in WHERE predicts each distinct argument pair once, and that is what is counted', async () => {
    const before = await scrape(base);
    const r = await c.query('SELECT count(*) FROM metric_rows WHERE metric_fn(a, b) > -1e9');
    expect(Number(r.rows[0].count)).toBe(1234);
    const distinct = Number((await c.query('SELECT count(DISTINCT (a, b)) FROM metric_rows')).rows[0].count);
    const after = await scrape(base);
    expect(value(after, 'modelgres_predictions_total', MODEL) - value(before, 'modelgres_predictions_total', MODEL)).toBe(distinct);
    expect(value(after, 'modelgres_prediction_batches_total', MODEL) - value(before, 'modelgres_prediction_batches_total', MODEL)).toBe(1);
  });

  test('client connections, queries, bytes and transactions of the proxy', async () => {
    const before = await scrape(base);
    const extra = await proxy.client();
    await extra.query('SELECT 1');
    await extra.query('BEGIN');
    await extra.query('SELECT 2');
    await extra.query('COMMIT');
    const during = await scrape(base);
    expect(value(during, 'modelgres_client_connections') - value(before, 'modelgres_client_connections')).toBe(1);
    expect(value(during, 'modelgres_client_connections_total') - value(before, 'modelgres_client_connections_total')).toBe(1);
    // SELECT 1 is one transaction, BEGIN ... COMMIT another; `before`'s own scrape queries none.
    expect(value(during, 'modelgres_transactions_total') - value(before, 'modelgres_transactions_total')).toBe(2);
    expect(value(during, 'modelgres_queries_total') - value(before, 'modelgres_queries_total')).toBe(4);
    expect(value(during, 'modelgres_client_bytes_received_total')).toBeGreaterThan(value(before, 'modelgres_client_bytes_received_total'));
    expect(value(during, 'modelgres_client_bytes_sent_total')).toBeGreaterThan(value(before, 'modelgres_client_bytes_sent_total'));
    expect(value(during, 'modelgres_passthrough_seconds_count') - value(before, 'modelgres_passthrough_seconds_count')).toBe(4);
  });

  test('training jobs and versions come from the catalog', async () => {
    const families = await scrape(base);
    const direct = await proxy.direct();
    const jobs = await direct.query(`SELECT count(*) FROM modelgres.job WHERE state = 'done'`);
    expect(value(families, 'modelgres_training_jobs', { state: 'done' })).toBe(Number(jobs.rows[0].count));
    expect(value(families, 'modelgres_model_versions', { state: 'READY' })).toBe(1);
    const t = await direct.query(`SELECT extract(epoch FROM training_finished_at - training_started_at)::float8 AS s FROM modelgres.model_version`);
    expect(value(families, 'modelgres_last_training_seconds', { model: 'public.metric_model', version: '1' })).toBeCloseTo(t.rows[0].s, 6);
  });

  test('SHOW MODEL DRIFT leaves the last value per feature', async () => {
    const drift = await c.query('SHOW MODEL metric_model DRIFT FROM metric_rows');
    const families = await scrape(base);
    for (const row of drift.rows.filter((d) => d.metric !== null)) {
      expect(value(families, 'modelgres_drift_value', { model: 'public.metric_model', feature: row.feature, metric: row.metric })).toBeCloseTo(row.value, 9);
    }
  });
});

describe('/healthz', () => {
  test('200 when PostgreSQL answers and every migration is applied', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, upstream: 'reachable', pendingMigrations: [] });
  });

  test('503 on a database whose catalog is not migrated, and when PostgreSQL is not there', async () => {
    const admin = await proxy.direct();
    const name = `metrics_bare_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(proxy.upstreamUrl);
    url.pathname = `/${name}`;
    const bare = await startHttpListener({ host: '127.0.0.1', port: 0, upstreamUrl: url.toString(), log: createLogger('error') });
    try {
      const res = await fetch(`http://127.0.0.1:${bare.port}/healthz`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.upstream).toBe('reachable');
      expect(body.pendingMigrations).toContain('0001-catalog-schema.sql');
    } finally {
      await bare.close();
    }
    url.port = '1';
    const gone = await startHttpListener({ host: '127.0.0.1', port: 0, upstreamUrl: url.toString(), log: createLogger('error') });
    try {
      const res = await fetch(`http://127.0.0.1:${gone.port}/healthz`);
      expect(res.status).toBe(503);
      expect((await res.json()).upstream).toMatch(/^unreachable: /);
    } finally {
      await gone.close();
    }
  });
});
