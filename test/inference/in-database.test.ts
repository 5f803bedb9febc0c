import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/*
 * Model functions wherever PostgreSQL runs SQL: views, materialized views, triggers, PL/pgSQL,
 * correlated subqueries, expression indexes, direct connections. The reference for every value is
 * onnxruntime run here on the stored artifact of the version that should answer, fed as the proxy
 * feeds float8 arguments (float32, NULL as NaN). PostgreSQL's compiled body and the proxy's
 * onnxruntime must both agree with it within 1e-5 relative.
 */
const ROWS = 300;
const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
// Every 23rd row has a NULL b: the model's missing-value branches are taken too.
const aOf = (id: number) => (id % 13) + 0.25 * (id % 4);
const bOf = (id: number): number | null => (id % 23 === 0 ? null : (id % 7) - 2.5);

let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;
/** onnxruntime's answer for each row id, per version of model vm. */
const reference = new Map<number, Map<number, number>>();

/** onnxruntime on the stored artifact of version `version` of vm, fed (a, b) as the proxy feeds float8. */
async function predict(version: number, as: number[], bs: Array<number | null>): Promise<Float32Array> {
  const r = await direct.query(
    `SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
      WHERE m.model_name = 'vm' AND v.version = $1`,
    [version],
  );
  const session = await ort.InferenceSession.create(r.rows[0].onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const [a, b] = session.inputNames;
  const out = await session.run({
    [a]: new ort.Tensor('float32', Float32Array.from(as), [as.length, 1]),
    [b]: new ort.Tensor('float32', Float32Array.from(bs.map((x) => x ?? NaN)), [bs.length, 1]),
  });
  await session.release();
  return out[session.outputNames[0]].data as Float32Array;
}

async function referenceOf(version: number): Promise<Map<number, number>> {
  const cached = reference.get(version);
  if (cached) return cached;
  const values = await predict(version, ids.map(aOf), ids.map(bOf));
  const map = new Map(ids.map((id, i) => [id, values[i]]));
  reference.set(version, map);
  return map;
}

/** Every row's value within 1e-5 relative of version `version`'s reference (times `scale`). */
async function expectVersion(rows: Array<{ id: number; p: number }>, version: number, scale = 1): Promise<void> {
  const ref = await referenceOf(version);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    const want = scale * ref.get(row.id)!;
    expect(Math.abs(row.p - want), `row ${row.id}: ${row.p} vs ${want} (version ${version})`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
  }
}

const activeVersion = async () => (await direct.query(`SELECT active_version FROM modelgres.model WHERE model_name = 'vm'`)).rows[0].active_version;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  direct = await proxy.direct();
  await c.query(`CREATE TABLE vt (id int PRIMARY KEY, a float8, b float8, y float8)`);
  const rows = ids.map((id) => `(${id}, ${aOf(id)}, ${bOf(id) ?? 'NULL'}, ${aOf(id) * 2 - (bOf(id) ?? 0) * 3 + Math.sin(id)})`);
  await c.query(`INSERT INTO vt VALUES ${rows.join(', ')}`);
  await c.query(`CREATE MODEL vm FROM (SELECT a, b, y FROM vt) TARGET y FUNCTION vf AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
                 HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '30', MAX_DEPTH '4')`);
  await c.query('WAIT FOR MODEL vm');
  // Version 2 learns another target, and waits to be activated by hand.
  await c.query('ALTER MODEL vm SET ACTIVATION MANUAL');
  await c.query('ALTER MODEL vm RETRAIN FROM (SELECT a, b, -y * 2 + 10 AS y FROM vt)');
  await c.query('WAIT FOR MODEL vm VERSION 2');
  expect(await activeVersion()).toBe(1);
  // The two versions must disagree, or the activation tests below could not tell them apart.
  const [one, two] = [await referenceOf(1), await referenceOf(2)];
  expect(ids.filter((id) => Math.abs(one.get(id)! - two.get(id)!) > 1).length).toBeGreaterThan(ROWS / 2);
});
afterAll(() => proxy.close());

describe('model functions wherever PostgreSQL runs SQL', () => {
  test('a direct connection evaluates the compiled body; the proxy evaluates with onnxruntime; both are the artifact', async () => {
    const sql = 'SELECT id, vf(a, b) AS p FROM vt ORDER BY id';
    await expectVersion((await direct.query(sql)).rows, 1);
    await expectVersion((await c.query(sql)).rows, 1);
    const pinned = await direct.query('SELECT id, vf_v2(a, b) AS p FROM vt ORDER BY id');
    await expectVersion(pinned.rows, 2);
  });

  test('with client_min_messages at DEBUG, the proxy says when onnxruntime evaluates a call', async () => {
    const said: string[] = [];
    const listen = (n: { message?: string }) => n.message?.startsWith('modelgres:') && said.push(n.message);
    c.on('notice', listen);
    try {
      await c.query('SET client_min_messages = debug1');
      await c.query('SELECT id, vf(a, b) AS p FROM vt');
      await c.query('SELECT id FROM vt WHERE vf(a, b) > 0');
      await c.query('SELECT (SELECT vf(t.a, t.b)) FROM vt t'); // correlated: the compiled body, no line
      await c.query('RESET client_min_messages');
      await c.query('SELECT id, vf(a, b) AS p FROM vt'); // not asked for
    } finally {
      c.off('notice', listen);
    }
    expect(said).toEqual([
      'modelgres: vf evaluated by onnxruntime in batches (streamed), version 1',
      'modelgres: vf evaluated by onnxruntime in batches (materialized), version 1',
    ]);
  });

  test('CREATE VIEW through the proxy; SELECT from it through the proxy and directly', async () => {
    await c.query('CREATE VIEW vv AS SELECT id, vf(a, b) AS p FROM vt');
    await expectVersion((await c.query('SELECT * FROM vv ORDER BY id')).rows, 1);
    await expectVersion((await direct.query('SELECT * FROM vv ORDER BY id')).rows, 1);
    // The view keeps the call itself, not anything of modelgres's.
    const definition = await direct.query(`SELECT pg_get_viewdef('vv'::regclass) AS d`);
    expect(definition.rows[0].d).toContain('vf(a, b)');
    expect(definition.rows[0].d).not.toMatch(/pg_temp|modelgres/);
  });

  test('CREATE MATERIALIZED VIEW and REFRESH', async () => {
    await c.query('CREATE MATERIALIZED VIEW mv AS SELECT id, vf(a, b) AS p FROM vt');
    await expectVersion((await c.query('SELECT * FROM mv ORDER BY id')).rows, 1);
    await c.query('REFRESH MATERIALIZED VIEW mv');
    await expectVersion((await direct.query('SELECT * FROM mv ORDER BY id')).rows, 1);
  });

  test('a BEFORE INSERT trigger fills a prediction column', async () => {
    await c.query('CREATE TABLE scored (id int, a float8, b float8, p float8)');
    await c.query(`CREATE FUNCTION fill_p() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN NEW.p := vf(NEW.a, NEW.b); RETURN NEW; END $$`);
    await c.query('CREATE TRIGGER scored_p BEFORE INSERT ON scored FOR EACH ROW EXECUTE FUNCTION fill_p()');
    await c.query('INSERT INTO scored (id, a, b) SELECT id, a, b FROM vt');
    await expectVersion((await c.query('SELECT id, p FROM scored ORDER BY id')).rows, 1);
  });

  test('a PL/pgSQL function that calls a model', async () => {
    await c.query(`CREATE FUNCTION doubled(x float8, z float8) RETURNS float8 LANGUAGE plpgsql AS $$
                   BEGIN RETURN vf(x, z) * 2; END $$`);
    await expectVersion((await c.query('SELECT id, doubled(a, b) AS p FROM vt ORDER BY id')).rows, 1, 2);
  });

  test('correlated calls in EXISTS and in scalar subqueries', async () => {
    const ref = await referenceOf(1);
    const values = [...ref.values()].sort((x, y) => x - y);
    const cut = (values[ROWS / 2] + values[ROWS / 2 + 1]) / 2;
    // vf(t2.a, t1.b) with t2 = t1: the row's own prediction.
    const exists = await c.query(
      `SELECT t1.id FROM vt t1 WHERE EXISTS (SELECT 1 FROM vt t2 WHERE t2.id = t1.id AND vf(t2.a, t1.b) > $1) ORDER BY t1.id`,
      [cut],
    );
    expect(exists.rows.map((r) => r.id)).toEqual(ids.filter((id) => ref.get(id)! > cut));
    const scalar = await c.query('SELECT id, (SELECT vf(a, b)) AS p FROM vt ORDER BY id');
    await expectVersion(scalar.rows, 1);

    // An unqualified outer column (a is vt's) in a level with a FROM of its own: found when
    // PostgreSQL reads the arguments, and then PostgreSQL evaluates the statement; inside the
    // client's transaction too, which stays usable.
    const sql = 'SELECT id, (SELECT vf(a, w) FROM (SELECT 1.5::float8 AS w) s) AS p FROM vt ORDER BY id';
    const expected = await predict(1, ids.map(aOf), ids.map(() => 1.5));
    const check = (rows: Array<{ id: number; p: number }>) =>
      rows.forEach((row) => expect(Math.abs(row.p - expected[row.id - 1])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[row.id - 1]))));
    check((await c.query(sql)).rows);
    await c.query('BEGIN');
    check((await c.query(sql)).rows);
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.query('COMMIT');
  });

  test('an expression index on a pinned f_vN, which is IMMUTABLE', async () => {
    const volatility = await direct.query(`SELECT provolatile FROM pg_proc WHERE proname = 'vf_v1'`);
    expect(volatility.rows).toEqual([{ provolatile: 'i' }]);
    await c.query('CREATE INDEX vt_by_prediction ON vt (vf_v1(a, b))');
    const ref = await referenceOf(1);
    const values = [...ref.values()].sort((x, y) => x - y);
    const cut = (values[ROWS - 11] + values[ROWS - 10]) / 2;
    await direct.query('SET enable_seqscan = off');
    const plan = await direct.query(`EXPLAIN SELECT id FROM vt WHERE vf_v1(a, b) > ${cut}`);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('vt_by_prediction');
    const r = await direct.query(`SELECT id FROM vt WHERE vf_v1(a, b) > ${cut} ORDER BY id`);
    await direct.query('RESET enable_seqscan');
    expect(r.rows.map((row) => row.id)).toEqual(ids.filter((id) => ref.get(id)! > cut));
  });

  test('activating another version changes what the view returns on both paths; a rolled back activation does not', async () => {
    await c.query('BEGIN');
    await c.query('ALTER MODEL vm SET ACTIVE VERSION 2');
    // Inside the transaction that activated it, version 2 answers, on the proxy's path too.
    await expectVersion((await c.query('SELECT * FROM vv ORDER BY id')).rows, 2);
    await expectVersion((await c.query('SELECT id, vf(a, b) AS p FROM vt ORDER BY id')).rows, 2);
    await c.query('ROLLBACK');
    await expectVersion((await c.query('SELECT * FROM vv ORDER BY id')).rows, 1);
    await expectVersion((await direct.query('SELECT * FROM vv ORDER BY id')).rows, 1);
    await expectVersion((await c.query('SELECT id, vf(a, b) AS p FROM vt ORDER BY id')).rows, 1);

    await c.query('ALTER MODEL vm SET ACTIVE VERSION 2');
    await expectVersion((await c.query('SELECT * FROM vv ORDER BY id')).rows, 2);
    await expectVersion((await direct.query('SELECT * FROM vv ORDER BY id')).rows, 2);
    await expectVersion((await c.query('SELECT id, vf(a, b) AS p FROM vt ORDER BY id')).rows, 2);
    await c.query('REFRESH MATERIALIZED VIEW mv');
    await expectVersion((await direct.query('SELECT * FROM mv ORDER BY id')).rows, 2);
    // The pinned function and its index keep version 1.
    await expectVersion((await direct.query('SELECT id, vf_v1(a, b) AS p FROM vt ORDER BY id')).rows, 1);

    await c.query('ALTER MODEL vm ROLLBACK');
    await expectVersion((await direct.query('SELECT * FROM vv ORDER BY id')).rows, 1);
    // A second ROLLBACK undoes the first.
    await c.query('ALTER MODEL vm ROLLBACK');
    await expectVersion((await direct.query('SELECT * FROM vv ORDER BY id')).rows, 2);
  });

  test('DROP MODEL with dependent objects answers 2BP01 naming them; CASCADE drops them', async () => {
    const version = await c.query('DROP MODEL vm VERSION 1').catch((e) => e);
    expect(version.code).toBe('2BP01');
    expect(version.message).toBe('cannot drop version 1 of model vm because other objects depend on it');
    expect(version.detail).toMatch(/index (public\.)?vt_by_prediction depends on function (public\.)?vf_v1\(/);
    const error = await c.query('DROP MODEL vm').catch((e) => e);
    expect(error.code).toBe('2BP01');
    expect(error.message).toBe('cannot drop model vm because other objects depend on it');
    // PostgreSQL's own DETAIL, every dependent object named (schema-qualified: it is run by the catalog's owner).
    expect(error.detail).toMatch(/^view (public\.)?vv depends on function (public\.)?vf\(/m);
    expect(error.detail).toMatch(/^materialized view (public\.)?mv depends on function (public\.)?vf\(/m);
    expect(error.detail).toMatch(/^index (public\.)?vt_by_prediction depends on function (public\.)?vf_v1\(/m);
    expect(error.hint).toBe('Use DROP MODEL vm CASCADE to drop the dependent objects too.');
    for (const text of [error.message, error.detail, error.hint, version.message, version.detail]) {
      expect(text).not.toMatch(/pg_temp|modelgres_/);
    }
    // Nothing was dropped.
    expect((await c.query('SELECT count(*)::int AS n FROM vv')).rows).toEqual([{ n: ROWS }]);

    await c.query('DROP MODEL vm CASCADE');
    const left = await direct.query(
      `SELECT (to_regclass('vv') IS NULL) AS view_gone, (to_regclass('mv') IS NULL) AS matview_gone,
              (to_regclass('vt_by_prediction') IS NULL) AS index_gone, (to_regclass('vt') IS NOT NULL) AS table_kept,
              (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'vf%') AS functions`,
    );
    expect(left.rows).toEqual([{ view_gone: true, matview_gone: true, index_gone: true, table_kept: true, functions: 0 }]);
  });
});
