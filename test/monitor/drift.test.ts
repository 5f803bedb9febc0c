import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { pollUntil } from '../support/poll.ts';

let proxy: TestProxy;
let c: pg.Client;

/** n rows of the same generator; `offset` picks another sample of it. */
function sample(n: number, offset: number, x = 'u1 * 100', z = 'u2 * 10', cat = "(array['a','b','c'])[1 + floor(u3 * 3)::int]"): string {
  const u = (k: string) => `(('x' || lpad(substr(md5('${k}' || g), 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0)`;
  return `SELECT ${x}::float8 AS x, ${z}::float8 AS z, ${cat} AS cat, (u1 * 100 + u2)::float8 AS y
            FROM (SELECT g, ${u('u1')} AS u1, ${u('u2')} AS u2, ${u('u3')} AS u3 FROM generate_series(${offset + 1}, ${offset + n}) g) s`;
}

async function drift(from: string): Promise<Map<string, { drifted: boolean; value: number | null; check: string; metric: string | null }>> {
  const r = await c.query(`SHOW MODEL drift_model DRIFT FROM (${from})`);
  return new Map(r.rows.map((row) => [row.feature, row]));
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE drift_train AS ${sample(4000, 0)}`);
  await c.query('CREATE MODEL drift_model FROM drift_train TARGET y FUNCTION drift_fn');
  await c.query('WAIT FOR MODEL drift_model');
});
afterAll(() => proxy.close());

describe('SHOW MODEL m DRIFT FROM ...', () => {
  test('a sample of the same distribution does not drift', async () => {
    const r = await c.query(`SHOW MODEL drift_model DRIFT FROM (${sample(4000, 100000)})`);
    expect(r.fields.map((f) => f.name)).toEqual([
      'feature', 'kind', 'metric', 'value', 'threshold', 'drifted', 'baseline_count', 'current_count', 'check',
    ]);
    expect(r.rows.map((row) => [row.feature, row.kind, row.metric, row.drifted, row.check])).toEqual([
      ['x', 'numeric', 'psi', false, 'ok'],
      ['z', 'numeric', 'psi', false, 'ok'],
      ['cat', 'categorical', 'linf', false, 'ok'],
      ['(prediction)', 'numeric', 'psi', false, 'ok'],
    ]);
    for (const row of r.rows) expect(row.value).toBeLessThan(0.05);
    expect(r.rows[0].baseline_count).toBe('4000');
  });

  test('a mean shift in one numeric feature: that feature drifts, the others do not', async () => {
    const d = await drift(sample(4000, 100000, 'u1 * 100 + 30'));
    expect(d.get('x')!.drifted).toBe(true);
    // y follows x, so the model's output drifts with it.
    expect(d.get('(prediction)')!.drifted).toBe(true);
    expect(d.get('x')!.value).toBeGreaterThan(0.2);
    expect(d.get('z')!.drifted).toBe(false);
    expect(d.get('cat')!.drifted).toBe(false);
  });

  test('a new category appears', async () => {
    const d = await drift(sample(4000, 100000, undefined, undefined, "CASE WHEN u3 < 0.2 THEN 'd' ELSE (array['a','b','c'])[1 + floor(u3 * 3)::int] END"));
    expect(d.get('cat')!.drifted).toBe(true);
    expect(d.get('cat')!.check).toBe('unseen categories: d');
    expect(d.get('x')!.drifted).toBe(false);
    expect(d.get('z')!.drifted).toBe(false);
  });

  test('NULLs rise in one column', async () => {
    const d = await drift(sample(4000, 100000, undefined, 'CASE WHEN u2 < 0.3 THEN NULL ELSE u2 * 10 END'));
    expect(d.get('z')!.drifted).toBe(true);
    expect(d.get('z')!.check).toMatch(/^completeness fell from 100\.0% to 7\d\.\d%$/);
    expect(d.get('x')!.drifted).toBe(false);
    expect(d.get('cat')!.drifted).toBe(false);
  });

  test('missing and extra columns, and values checked by hand on a small table', async () => {
    const d = await drift(`SELECT x, cat, 1 AS surprise FROM drift_train`);
    expect(d.get('z')).toMatchObject({ drifted: true, check: 'missing column' });
    expect(d.get('surprise')).toMatchObject({ drifted: false, check: 'extra column' });

    await c.query(`CREATE TABLE small AS SELECT v::float8 AS v, CASE WHEN v <= 50 THEN 'a' ELSE 'b' END AS c, v::float8 AS y FROM generate_series(1, 100) v`);
    await c.query('CREATE MODEL small_model FROM small TARGET y FUNCTION small_fn');
    await c.query('WAIT FOR MODEL small_model');
    const r = await c.query(
      `SHOW MODEL small_model DRIFT FROM (SELECT v::float8 AS v, CASE WHEN v <= 40 THEN 'a' ELSE 'b' END AS c FROM generate_series(1, 50) v)`,
    );
    const [v, cat] = r.rows;
    // Baseline deciles of 1..100 hold 10 values each; 1..50 fills the first five bins with 10 each.
    const psi = 5 * (0.2 - 0.1) * Math.log(0.2 / 0.1) + 5 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    expect(v.value).toBeCloseTo(psi, 9);
    // 'a' 50% → 80%, 'b' 50% → 20%.
    expect(cat.value).toBeCloseTo(0.3, 12);
  });

  test('without FROM it compares the calls captured with CAPTURE_PERCENT', async () => {
    await c.query(`CREATE TABLE cap_train AS ${sample(3000, 0)}`);
    await c.query('CREATE MODEL cap_model FROM cap_train TARGET y FUNCTION cap_fn');
    await c.query('WAIT FOR MODEL cap_model');
    // Nothing captured yet: no verdict.
    const none = await c.query('SHOW MODEL cap_model DRIFT');
    expect(none.rows.map((r) => [r.feature, r.drifted, r.check])).toEqual([
      ['x', false, 'no rows to compare'], ['z', false, 'no rows to compare'], ['cat', false, 'no rows to compare'],
      ['(prediction)', false, 'no rows to compare'],
    ]);
    await c.query('ALTER MODEL cap_model SET MONITORING (CAPTURE_PERCENT 100)');
    const scored = await c.query(`SELECT cap_fn(x, z, cat) AS p FROM (${sample(2000, 50000, 'u1 * 100 + 40')}) s`);
    expect(scored.rowCount).toBe(2000);
    const direct = await proxy.direct();
    const captured = async () =>
      Number((await direct.query(`SELECT count(*) FROM modelgres.model_captures WHERE model_name = 'cap_model'`)).rows[0].count);
    // Captures are written after the rows were sent, on the proxy's own connections.
    await pollUntil('2000 captured rows', captured, (n) => n >= 2000);
    expect(await captured()).toBe(2000);
    const d = new Map((await c.query('SHOW MODEL cap_model DRIFT')).rows.map((r) => [r.feature, r]));
    expect(d.get('x')!.drifted).toBe(true);
    expect(d.get('x')!.current_count).toBe('2000');
    expect(d.get('(prediction)')!.drifted).toBe(true);
    expect(d.get('(prediction)')!.current_count).toBe('2000');
    expect(d.get('z')!.drifted).toBe(false);
    expect(d.get('cat')!.drifted).toBe(false);
    const later = await c.query(`SHOW MODEL cap_model DRIFT SINCE '2999-01-01'`);
    expect(later.rows.every((r) => r.check === 'no rows to compare')).toBe(true);

    // A share: about CAPTURE_PERCENT of the rows.
    await c.query('ALTER MODEL cap_model SET MONITORING (CAPTURE_PERCENT 10)');
    await c.query(`SELECT cap_fn(x, z, cat) FROM (${sample(4000, 90000)}) s`);
    // 4000 rows are one batch (the proxy fetches 8192 at a time), and a batch's sample is one
    // INSERT: its rows appear all at once. (Were they split, this would see too few and fail.)
    const share = (await pollUntil('the 10% sample to be captured', captured, (n) => n > 2000)) - 2000;
    expect(share).toBeGreaterThan(250);
    expect(share).toBeLessThan(550);
  });
});

describe('ALTER MODEL m SET MONITORING', () => {
  test('a scheduled check sends NOTIFY modelgres_events to a LISTENing client when a feature drifts', async () => {
    await c.query(`CREATE TABLE watched AS ${sample(2000, 0)}`);
    await c.query('CREATE MODEL watched_model FROM watched TARGET y FUNCTION watched_fn');
    await c.query('WAIT FOR MODEL watched_model');
    const listener = await proxy.client();
    const events: Array<{ model: string; features: string[]; values: Record<string, { metric: string; value: number }> }> = [];
    listener.on('notification', (n) => events.push(JSON.parse(n.payload ?? '{}')));
    await listener.query('LISTEN modelgres_events');
    await c.query(`ALTER MODEL watched_model SET MONITORING (SCHEDULE '1 second', DRIFT_THRESHOLD 0.2)`);
    // Nothing has changed yet: the checks stay quiet. A check stamps last_drift_check and sends
    // its NOTIFY in one transaction, so two committed stamps are two checks done.
    const direct = await proxy.direct();
    const lastCheck = async () =>
      (await direct.query(`SELECT last_drift_check::text AS t FROM modelgres.model WHERE model_name = 'watched_model'`)).rows[0].t as string | null;
    const first = await pollUntil('a first scheduled check', lastCheck, (t) => t !== null);
    await pollUntil('a second scheduled check', lastCheck, (t) => t !== first);
    // A notification of a committed transaction reaches the listener before its next query's result.
    await listener.query('SELECT 1');
    expect(events).toEqual([]);
    // New rows shift x far beyond its training range.
    await c.query(`INSERT INTO watched SELECT x + 300, z, cat, y FROM watched`);
    await pollUntil('a drift event', async () => events.length, (n) => n > 0);
    expect(events[0].model).toBe('public.watched_model');
    expect(events[0].features).toEqual(['x']);
    expect(events[0].values.x.metric).toBe('psi');
    expect(events[0].values.x.value).toBeGreaterThan(0.2);
    await listener.query('UNLISTEN modelgres_events');
  });

  test('RETRAIN_ON_DRIFT ON: a drift starts a new version on the data as it is now', async () => {
    await c.query(`CREATE TABLE retrained AS ${sample(2000, 0)}`);
    await c.query('CREATE MODEL retrained_model FROM retrained TARGET y FUNCTION retrained_fn');
    await c.query('WAIT FOR MODEL retrained_model');
    const listener = await proxy.client();
    const events: Array<{ model: string; retrain?: { version: number } }> = [];
    listener.on('notification', (n) => events.push(JSON.parse(n.payload ?? '{}')));
    await listener.query('LISTEN modelgres_events');
    await c.query(`INSERT INTO retrained SELECT x + 300, z, cat, y FROM retrained`);
    await c.query(`ALTER MODEL retrained_model SET MONITORING (SCHEDULE '1 second', RETRAIN_ON_DRIFT ON)`);
    await pollUntil('a drift event of retrained_model', async () => events.map((e) => e.model), (models) => models.includes('public.retrained_model'));
    const event = events.find((e) => e.model === 'public.retrained_model')!;
    expect(event.retrain?.version).toBe(2);
    expect((await c.query('WAIT FOR MODEL retrained_model VERSION 2')).rows).toEqual([{ version: 2, state: 'READY' }]);
    const versions = await c.query('SHOW MODEL retrained_model VERSIONS');
    expect(versions.rows.map((r) => [r.version, r.source, r.training_rows])).toEqual([
      [1, 'TRAINED', '2000'],
      [2, 'RETRAINED', '4000'],
    ]);
    await c.query('ALTER MODEL retrained_model SET MONITORING (SCHEDULE \'1 hour\')');
  });
});
