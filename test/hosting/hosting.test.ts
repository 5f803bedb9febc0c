import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startModelgres } from '../../src/modelgres.ts';
import { createLogger } from '../../src/util/logger.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';
import { pollUntil } from '../support/poll.ts';

let proxy: TestProxy;
let admin: pg.Client;
let direct: pg.Client;
/** Every payload sent on modelgres_events since the start, parsed. */
const events: Array<Record<string, unknown>> = [];

interface Hosting {
  status: string;
  min: string;
  max: string;
  desired: string;
  inService: string;
}

async function hosting(model = 'hosted'): Promise<Hosting> {
  const { values } = await showModel(admin, model);
  return {
    status: values.get('Inference Status')!,
    min: values.get('Min Inference Units')!,
    max: values.get('Max Inference Units')!,
    desired: values.get('Desired Inference Units')!,
    inService: values.get('In Service Inference Units')!,
  };
}

function hostingEvents(state: string): Array<Record<string, unknown>> {
  return events.filter((e) => e.event === 'hosting' && e.state === state);
}

/** A statement that scores `rows` rows, summing the predictions (materialized: one row back). */
const scoreSum = (table: string) => `SELECT sum(hosted_fn(x)) AS total FROM ${table}`;

beforeAll(async () => {
  const options = { workers: 1, hostingPolicy: { scaleUpQueueMs: 2, scaleDownIdleMs: 400, drainIdleMs: 200 } };
  proxy = await startTestProxy(options);
  direct = await proxy.direct();
  direct.on('notification', (n) => events.push(JSON.parse(n.payload ?? '{}')));
  await direct.query('LISTEN modelgres_events');
  await direct.query(`CREATE TABLE train AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(1, 300) g`);
  await direct.query(`CREATE TABLE load AS SELECT (g % 1000)::float8 + g / 1e6 AS x FROM generate_series(1, 60000) g`);
  admin = await proxy.client();
  await admin.query('CREATE MODEL hosted FROM train TARGET y FUNCTION hosted_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await admin.query('WAIT FOR MODEL hosted');
}, 90_000);
afterAll(() => proxy.close());

describe('ALTER MODEL m START / STOP with inference units', () => {
  test('misuse answers SQLSTATEs', async () => {
    await expect(admin.query('ALTER MODEL hosted START (MIN_INFERENCE_UNITS 3, MAX_INFERENCE_UNITS 2)')).rejects.toMatchObject({ code: '22023' });
    await expect(admin.query('ALTER MODEL hosted START (MIN_INFERENCE_UNITS 0)')).rejects.toMatchObject({ code: '22023', message: 'MIN_INFERENCE_UNITS must be at least 1' });
    await expect(admin.query('ALTER MODEL hosted START (UNITS 2)')).rejects.toMatchObject({ code: '42601' });
    await expect(admin.query('ALTER MODEL nope START')).rejects.toMatchObject({ code: '42704' });
    await expect(admin.query('ALTER MODEL hosted SET INFERENCE (REQUIRE_START maybe)')).rejects.toMatchObject({ code: '42601' });
    await expect(admin.query('ALTER MODEL hosted SET INFERENCE (WARM ON)')).rejects.toMatchObject({ code: '42601' });
    await direct.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hosting_stranger') THEN CREATE ROLE hosting_stranger LOGIN; END IF; END $$`);
    const url = new URL(proxy.url);
    url.username = 'hosting_stranger';
    const stranger = await proxy.client({ connectionString: url.toString() });
    await direct.query('GRANT USAGE ON SCHEMA public TO hosting_stranger');
    await admin.query('GRANT EXECUTE ON MODEL hosted TO hosting_stranger');
    await expect(stranger.query('ALTER MODEL hosted START')).rejects.toMatchObject({ code: '42501' });
    await expect(stranger.query('ALTER MODEL hosted STOP')).rejects.toMatchObject({ code: '42501' });
    await expect(stranger.query('ALTER MODEL hosted SET INFERENCE (REQUIRE_START ON)')).rejects.toMatchObject({ code: '42501' });
    // STOP of a model that is not started: a NOTICE, as DROP ... IF EXISTS says it skipped.
    const notices: string[] = [];
    admin.on('notice', (n) => notices.push(n.message ?? ''));
    await admin.query('ALTER MODEL hosted STOP');
    expect(notices).toContain('model "hosted" is not started, skipping');
    expect(await hosting()).toEqual({ status: 'STOPPED', min: '', max: '', desired: '0', inService: '0' });
  });

  test('START loads units and SHOW MODEL reports them; a proxy started later follows the catalog', async () => {
    await admin.query('ALTER MODEL hosted START (MIN_INFERENCE_UNITS 1, MAX_INFERENCE_UNITS 2)');
    const hosted = await pollUntil('HOSTED', () => hosting(), (h) => h.status === 'HOSTED' && h.inService === '1');
    expect(hosted).toEqual({ status: 'HOSTED', min: '1', max: '2', desired: '1', inService: '1' });
    await pollUntil('the HOSTED event', async () => hostingEvents('HOSTED'), (e) => e.length === 1);
    expect(hostingEvents('HOSTED')[0]).toMatchObject({ model: 'public.hosted', desired: 1, in_service: 1 });
    // Batches go to the unit, and give what PostgreSQL's compiled body of the same version gives.
    const pool = proxy.modelgres.hosting.poolOf('public', 'hosted')!;
    expect(pool.inService).toBe(1);
    const r = await admin.query(`SELECT x, hosted_fn(x) AS p FROM load WHERE x < 50 ORDER BY x`);
    const reference = await direct.query(`SELECT x, hosted_fn_v1(x) AS p FROM load WHERE x < 50 ORDER BY x`);
    expect(r.rows.length).toBe(reference.rows.length);
    r.rows.forEach((row, i) => expect(Math.abs(row.p - reference.rows[i].p)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(row.p))));

    const later = await startModelgres({ upstreamUrl: proxy.upstreamUrl, host: '127.0.0.1', port: 0, workers: 0, log: createLogger('error') });
    try {
      await pollUntil('both proxies to host a unit', () => hosting(), (h) => h.desired === '2' && h.inService === '2');
      expect(later.hosting.poolOf('public', 'hosted')?.inService).toBe(1);
    } finally {
      await later.close();
    }
    expect(await hosting()).toMatchObject({ status: 'HOSTED', desired: '1', inService: '1' });
  });

  test('units scale up while batches queue, never past the maximum, and back down when idle', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => proxy.client()));
    // Load until the pool has scaled up: six clients scoring at once keep batches waiting for the one unit.
    const deadline = Date.now() + 30_000;
    while (hostingEvents('SCALED_UP').length === 0) {
      if (Date.now() > deadline) throw new Error('no SCALED_UP event under load');
      await Promise.all(clients.map((c) => c.query({ text: 'SELECT hosted_fn(x) FROM load', rowMode: 'array' })));
    }
    expect(hostingEvents('SCALED_UP')[0]).toMatchObject({ model: 'public.hosted', desired: 2, in_service: 2 });
    const down = await pollUntil('the scale down after idle', async () => hostingEvents('SCALED_DOWN'), (e) => e.length > 0);
    expect(down[0]).toMatchObject({ desired: 1, in_service: 1 });
    expect(await hosting()).toMatchObject({ status: 'HOSTED', desired: '1', inService: '1' });
    for (const e of events.filter((e) => e.event === 'hosting')) expect(e.desired as number).toBeLessThanOrEqual(2);
    const total = await clients[0].query(scoreSum('load'));
    const reference = await direct.query('SELECT sum(hosted_fn_v1(x)) AS total FROM load');
    expect(Math.abs(total.rows[0].total - reference.rows[0].total) / reference.rows[0].total).toBeLessThan(1e-6);
  });

  test('a unit whose thread dies is replaced', async () => {
    const pool = proxy.modelgres.hosting.poolOf('public', 'hosted')!;
    const [unit] = pool.unitList();
    await unit.kill();
    await pollUntil('the replacement unit', async () => hostingEvents('UNIT_REPLACED'), (e) => e.length === 1);
    expect(hostingEvents('UNIT_FAILED')[0]).toMatchObject({ model: 'public.hosted' });
    expect(pool.unitList()).not.toContain(unit);
    expect(await hosting()).toMatchObject({ status: 'HOSTED', desired: '1', inService: '1' });
    const r = await admin.query('SELECT hosted_fn(x) AS p FROM load LIMIT 3');
    expect(r.rows).toHaveLength(3);
  });

  test('STOP while a 1M-row scoring runs: the scoring finishes on the units; new calls then follow REQUIRE_START', async () => {
    await direct.query('CREATE TABLE million AS SELECT g::float8 / 1000 AS x FROM generate_series(1, 1000000) g');
    await admin.query('ALTER MODEL hosted SET INFERENCE (REQUIRE_START ON)');
    const pool = proxy.modelgres.hosting.poolOf('public', 'hosted')!;
    const scorer = await proxy.client();
    // Streamed: the rows come back as they are predicted, batch after batch on the unit.
    const scoring = scorer.query({ text: 'SELECT hosted_fn(x) AS p FROM million', rowMode: 'array' });
    await pollUntil('the scoring to run on the unit', async () => pool.unitList().some((u) => u.busy), (busy) => busy, { intervalMs: 2, timeoutMs: 60_000 });
    await admin.query('ALTER MODEL hosted STOP');
    // A new call after STOP: the model requires START.
    await expect(admin.query('SELECT hosted_fn(x) FROM load LIMIT 1')).rejects.toMatchObject({
      code: '55000',
      message: 'model hosted is not started',
      hint: 'Start it with ALTER MODEL hosted START, or let calls load it with ALTER MODEL hosted SET INFERENCE (REQUIRE_START OFF).',
    });
    const rows = (await scoring).rows as number[][];
    expect(rows).toHaveLength(1_000_000);
    const total = rows.reduce((sum, [p]) => sum + p, 0);
    const reference = (await direct.query('SELECT sum(hosted_fn_v1(x)) AS total FROM million')).rows[0].total;
    expect(Math.abs(total - reference) / reference).toBeLessThan(1e-6);
    await pollUntil('STOPPED', () => hosting(), (h) => h.status === 'STOPPED');
    expect(await hosting()).toMatchObject({ status: 'STOPPED', desired: '0', inService: '0' });
    await pollUntil('the STOPPED event', async () => hostingEvents('STOPPED'), (e) => e.length === 1);

    // REQUIRE_START OFF (the default): a stopped model answers, loaded on first use.
    await admin.query('ALTER MODEL hosted SET INFERENCE (REQUIRE_START OFF)');
    const r = await admin.query('SELECT x, hosted_fn(x) AS p FROM load ORDER BY x LIMIT 1');
    const reference1 = await direct.query('SELECT x, hosted_fn_v1(x) AS p FROM load ORDER BY x LIMIT 1');
    expect(Math.abs(r.rows[0].p - reference1.rows[0].p)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(r.rows[0].p)));
  });

  test('an artifact the units cannot load: HOSTING_FAILED with the reason, and START again after a fix', async () => {
    await admin.query('CREATE MODEL fragile FROM train TARGET y FUNCTION fragile_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
    await admin.query('WAIT FOR MODEL fragile');
    // A damaged artifact in the catalog (as a bad disk would leave it): onnxruntime refuses it.
    const saved = await direct.query(`SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'fragile'`);
    await direct.query(`UPDATE modelgres.model_version v SET onnx = '\\x00010203' FROM modelgres.model m WHERE m.model_id = v.model_id AND m.model_name = 'fragile'`);
    await admin.query('ALTER MODEL fragile START');
    await pollUntil('HOSTING_FAILED', () => hosting('fragile'), (h) => h.status === 'HOSTING_FAILED');
    expect(await hosting('fragile')).toMatchObject({ desired: '0', inService: '0' });
    const failed = await pollUntil('the HOSTING_FAILED event', async () => hostingEvents('HOSTING_FAILED'), (e) => e.length === 1);
    expect(failed[0]).toMatchObject({ model: 'public.fragile' });
    expect(typeof failed[0].reason).toBe('string');
    await direct.query(`UPDATE modelgres.model_version v SET onnx = $1 FROM modelgres.model m WHERE m.model_id = v.model_id AND m.model_name = 'fragile'`, [saved.rows[0].onnx]);
    await admin.query('ALTER MODEL fragile START');
    await pollUntil('HOSTED after the fix', () => hosting('fragile'), (h) => h.status === 'HOSTED' && h.inService === '1');
    await admin.query('ALTER MODEL fragile STOP');
    await pollUntil('STOPPED', () => hosting('fragile'), (h) => h.status === 'STOPPED');
  });
});
