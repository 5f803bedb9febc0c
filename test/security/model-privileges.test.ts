import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { pollUntil } from '../support/poll.ts';

/*
 * What an ordinary role can reach around a model it does not own, beyond test/models/privileges
 * (which holds CREATE MODEL without SELECT, calling f without EXECUTE, and the model tables):
 * every function of the model, on both evaluators; every catalog table and sequence, for owners
 * too; the catalog's API called in another role's name; captured calls; the artifact.
 */

const OWNER = 'sec_priv_owner';
const OTHER = 'sec_priv_other';
const FUNCTIONS = ['sec_priv.flower_fn', 'sec_priv.flower_fn_probabilities', 'sec_priv.flower_fn_v1'];

let proxy: TestProxy;
let admin: pg.Client;
/** Through the proxy (onnxruntime) and straight to PostgreSQL (the compiled SQL bodies). */
let owner: pg.Client;
let other: pg.Client;
let otherDirect: pg.Client;
let modelId: string;
let jobName: string;
const opened: pg.Client[] = [];

async function connectAs(url: string, user: string): Promise<pg.Client> {
  const u = new URL(url);
  u.username = user;
  const c = new pg.Client(u.toString());
  c.on('error', () => {});
  await c.connect();
  opened.push(c);
  return c;
}

async function sqlstate(client: pg.Client, sql: string): Promise<string | undefined> {
  return client.query(sql).then(
    () => undefined,
    (e: pg.DatabaseError) => e.code,
  );
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  admin = await proxy.direct();
  for (const role of [OWNER, OTHER]) {
    await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$`);
  }
  await admin.query('CREATE SCHEMA sec_priv');
  // A team schema: both may create objects in it, which is what a look-alike function needs.
  await admin.query(`GRANT USAGE, CREATE ON SCHEMA sec_priv TO ${OWNER}, ${OTHER}`);
  await admin.query(`CREATE TABLE sec_priv.flowers AS
    SELECT g AS x, (g % 7)::float8 AS w, (g % 7 > 3) = (g % 2 = 0) AS tall FROM generate_series(1, 400) g`);
  await admin.query(`GRANT SELECT ON sec_priv.flowers TO ${OWNER}`);
  await (await proxy.client()).query(`GRANT CREATE MODEL TO ${OWNER}`);
  owner = await connectAs(proxy.url, OWNER);
  other = await connectAs(proxy.url, OTHER);
  otherDirect = await connectAs(proxy.upstreamUrl, OTHER);
  await owner.query(`CREATE MODEL sec_priv.flower_model FROM sec_priv.flowers TARGET tall FUNCTION flower_fn
    AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5')`);
  expect((await owner.query('WAIT FOR MODEL sec_priv.flower_model')).rows[0]).toMatchObject({ state: 'READY' });
  const ids = await admin.query(
    `SELECT m.model_id::text AS id, v.job_name FROM modelgres.model m JOIN modelgres.model_version v USING (model_id) WHERE m.model_name = 'flower_model'`,
  );
  [modelId, jobName] = [ids.rows[0].id, ids.rows[0].job_name];
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.end().catch(() => {})));
  await proxy.close();
});

describe('EXECUTE on the model decides for every one of its functions', () => {
  test('without EXECUTE: 42501 on f, f_probabilities and f_v1, through the proxy and straight to PostgreSQL', async () => {
    for (const fn of FUNCTIONS) {
      expect(await sqlstate(other, `SELECT ${fn}(3, 2)`), `${fn} through the proxy`).toBe('42501');
      expect(await sqlstate(other, `SELECT ${fn}(x, w) FROM (VALUES (3, 2.0::float8), (4, 1.0)) t(x, w)`), `${fn} over rows`).toBe('42501');
      expect(await sqlstate(other, `SELECT 1 FROM (VALUES (3, 2.0::float8)) t(x, w) WHERE ${fn}(x, w) IS NOT NULL`), `${fn} in WHERE`).toBe('42501');
      expect(await sqlstate(otherDirect, `SELECT ${fn}(3, 2)`), `${fn} direct`).toBe('42501');
    }
    // EVALUATE, like SHOW MODEL, does not see a model the role may not use.
    await expect(other.query(`EVALUATE MODEL sec_priv.flower_model FROM (SELECT 3 AS x, 2.0::float8 AS w, true AS tall)`)).rejects.toMatchObject({
      code: '42704',
      message: 'model "flower_model" does not exist',
    });
  });

  test('GRANT EXECUTE ON MODEL opens all three, on both evaluators alike; REVOKE closes them again', async () => {
    await owner.query(`GRANT EXECUTE ON MODEL sec_priv.flower_model TO ${OTHER}`);
    for (const fn of FUNCTIONS) {
      const viaProxy = await other.query(`SELECT ${fn}(x, w)::text AS p FROM (VALUES (3, 2.0::float8), (6, 5.0)) t(x, w)`);
      const viaPostgres = await otherDirect.query(`SELECT ${fn}(x, w)::text AS p FROM (VALUES (3, 2.0::float8), (6, 5.0)) t(x, w)`);
      expect(viaProxy.rows.length, fn).toBe(2);
      if (fn.endsWith('_probabilities')) {
        // The compiled body and onnxruntime agree to float precision, not to the last digit.
        for (const [i, row] of viaProxy.rows.entries()) {
          const [a, b] = [JSON.parse(row.p), JSON.parse(viaPostgres.rows[i].p)];
          expect(a.labels).toEqual(b.labels);
          a.probabilities.forEach((p: number, j: number) => expect(p).toBeCloseTo(b.probabilities[j], 5));
        }
      } else {
        expect(viaProxy.rows, fn).toEqual(viaPostgres.rows);
      }
    }
    await owner.query(`REVOKE EXECUTE ON MODEL sec_priv.flower_model FROM ${OTHER}`);
    for (const fn of FUNCTIONS) {
      expect(await sqlstate(other, `SELECT ${fn}(3, 2)`), fn).toBe('42501');
      expect(await sqlstate(otherDirect, `SELECT ${fn}(3, 2)`), fn).toBe('42501');
    }
  });

  test('the artifact comes only with one of the model’s own functions, not with a look-alike the caller made', async () => {
    await otherDirect.query(`CREATE FUNCTION sec_priv.lookalike(x integer, w double precision) RETURNS boolean LANGUAGE sql AS 'SELECT true'`);
    const r = await otherDirect.query(`SELECT onnx IS NOT NULL AS artifact FROM modelgres.call_version($1, $2, 'lookalike', NULL, '{}')`, [OTHER, modelId]);
    expect(r.rows).toEqual([]);
    // f_v1 pinned to another version, or f with a pin, is no way in either.
    await owner.query(`GRANT EXECUTE ON MODEL sec_priv.flower_model TO ${OTHER}`);
    const pinned = await otherDirect.query(`SELECT version FROM modelgres.call_version($1, $2, 'flower_fn', 1, '{}')`, [OTHER, modelId]);
    expect(pinned.rows).toEqual([]);
    const own = await otherDirect.query(`SELECT version, onnx IS NOT NULL AS artifact FROM modelgres.call_version($1, $2, 'flower_fn_v1', 1, '{}')`, [OTHER, modelId]);
    expect(own.rows).toEqual([{ version: 1, artifact: true }]);
    await owner.query(`REVOKE EXECUTE ON MODEL sec_priv.flower_model FROM ${OTHER}`);
  });
});

describe('the catalog is written only through its API', () => {
  test('no ordinary role — a model owner included — may write any modelgres table or sequence', async () => {
    const tables = (await admin.query(`SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'modelgres' ORDER BY 1`)).rows.map((r) => r.t);
    const sequences = (await admin.query(`SELECT format('%I.%I', schemaname, sequencename) AS s FROM pg_sequences WHERE schemaname = 'modelgres' ORDER BY 1`)).rows.map((r) => r.s);
    // The capture table and the baselines' table are among them.
    expect(tables).toEqual(expect.arrayContaining(['modelgres.model', 'modelgres.model_version', 'modelgres.model_capture', 'modelgres.training_snapshot', 'modelgres.job']));
    expect(sequences.length).toBeGreaterThan(0);
    for (const client of [owner, other]) {
      for (const table of tables) {
        const column = pg.escapeIdentifier((await admin.query(`SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum = 1`, [table])).rows[0].attname);
        for (const statement of [
          `INSERT INTO ${table} DEFAULT VALUES`,
          `UPDATE ${table} SET ${column} = ${column}`,
          `DELETE FROM ${table}`,
          `TRUNCATE ${table}`,
        ]) {
          expect(await sqlstate(client, statement), statement).toBe('42501');
        }
      }
      for (const sequence of sequences) {
        expect(await sqlstate(client, `SELECT nextval('${sequence}')`), sequence).toBe('42501');
        expect(await sqlstate(client, `SELECT setval('${sequence}', 1)`), sequence).toBe('42501');
      }
    }
    // In particular the owner cannot plant a baseline or captured rows of its own making.
    expect(await sqlstate(owner, `UPDATE modelgres.model_version SET baseline = '{}' WHERE job_name = '${jobName}'`)).toBe('42501');
    expect(await sqlstate(owner, `INSERT INTO modelgres.model_capture (model_id, version, inputs) VALUES (${modelId}, 1, '{}')`)).toBe('42501');
  });

  test('every catalog function a role may call refuses to act in another role’s name (42501)', async () => {
    // SECURITY DEFINER functions open to PUBLIC that take the caller's role as their first argument.
    const fns = await admin.query(`
      SELECT p.oid::regproc::text AS fn, array(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t) AS types,
             p.proargnames AS names
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'modelgres' AND p.prosecdef AND has_function_privilege('${OTHER}', p.oid, 'EXECUTE')
         AND p.proargnames[1] = 'p_caller'
       ORDER BY 1`);
    expect(fns.rows.map((r) => r.fn)).toEqual(expect.arrayContaining(['modelgres.set_baseline', 'modelgres.set_monitoring', 'modelgres.drop_model', 'modelgres.call_version']));
    // Aimed at the owner's model where a parameter names it; other values only need to be non-NULL.
    const aimed: Record<string, string> = { p_schema: `'sec_priv'`, p_model: `'flower_model'`, p_job_name: `'${jobName}'`, p_model_id: modelId, p_version: '1' };
    for (const { fn, types, names } of fns.rows as Array<{ fn: string; types: string[]; names: string[] }>) {
      const args = types.map((t, i) => (i === 0 ? `'${OWNER}'::name` : `${aimed[names[i]] ?? (['name', 'text'].includes(t) ? `'x'` : 'NULL')}::${t}`));
      const answer = await otherDirect.query(`SELECT * FROM ${fn}(${args.join(', ')})`).then(
        (r) => `${r.rowCount} rows`,
        (e: pg.DatabaseError) => (e.code?.startsWith('22') ? 'a data exception before acting' : e.code),
      );
      // call_version, on every model call's path, answers no row rather than raise; a filler value
      // that is not valid for its parameter may be refused before the caller is checked.
      expect([fn === 'modelgres.call_version' ? '0 rows' : '42501', 'a data exception before acting'], fn).toContain(answer);
    }
    expect((await admin.query(`SELECT state, version FROM modelgres.model_version WHERE model_id = $1`, [modelId])).rows).toEqual([{ state: 'READY', version: 1 }]);
    const asOwner = await otherDirect.query(`SELECT * FROM modelgres.call_version($1, $2, 'flower_fn', NULL, NULL)`, [OWNER, modelId]);
    expect(asOwner.rows).toEqual([]);
    // In its own name, a role still cannot set a baseline or monitoring of a model it does not own.
    expect(await sqlstate(otherDirect, `SELECT modelgres.set_baseline('${OTHER}', '${jobName}', '{}')`)).toBe('42501');
    expect(await sqlstate(otherDirect, `SELECT modelgres.set_monitoring('${OTHER}', 'sec_priv', 'flower_model', '{"capturePercent": 100}')`)).toBe('42501');
    // A trained version is registered by the workers, or by the transaction that queued its job: nobody else.
    for (const client of [otherDirect, owner]) {
      expect(await sqlstate(client, `SELECT modelgres.register_trained_version('${jobName}', '\\x00', 'xgboost', 'REGRESSION', 'x', 'mse', 0, NULL, false, NULL, NULL, NULL, NULL)`)).toBe('42501');
    }
  });
});

describe('types reach CREATE FUNCTION as types', () => {
  test('a role that may create models cannot smuggle statements through a type name into the catalog owner’s DDL', async () => {
    const ownerDirect = await connectAs(proxy.upstreamUrl, OWNER);
    // The statement write_model_function runs as the catalog's owner is `CREATE FUNCTION f(..) RETURNS <type> ...`.
    const smuggled = `float8 LANGUAGE sql AS $q$SELECT 1::float8$q$; CREATE TABLE sec_priv.pwned_by_definer (); CREATE FUNCTION sec_priv.smuggle_tail() RETURNS float8`;
    const importModel = (parameterType: string, returnType: string) =>
      sqlstate(
        ownerDirect,
        `SELECT * FROM modelgres.import_model('${OWNER}', 'sec_priv', 'smuggle', 'sec_priv', 'smuggle_fn', ARRAY['x'], ARRAY[${pg.escapeLiteral(parameterType)}],
           ${pg.escapeLiteral(returnType)}, 'REGRESSION', '{}', false, 'IMPORTED', 'x.onnx', '\\x00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
      );
    expect(await importModel('float8', smuggled)).toBe('22023');
    expect(await importModel(`float8) RETURNS float8 LANGUAGE sql AS $q$SELECT 1::float8$q$; CREATE TABLE sec_priv.pwned_by_definer (); CREATE FUNCTION sec_priv.smuggle_tail(float8`, 'float8')).toBe('22023');
    expect(await importModel('float8 --', 'float8')).toBe('22023');
    expect(await importModel('float8', 'no_such_type')).toBe('22023');
    expect((await admin.query(`SELECT relname FROM pg_class WHERE relname = 'pwned_by_definer'`)).rows).toEqual([]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM modelgres.model WHERE model_name = 'smuggle'`)).rows).toEqual([{ n: 0 }]);
  });
});

describe('captured calls', () => {
  test('are read by the model’s owner only: a role that may call the model sees none, and none of the table', async () => {
    await owner.query('ALTER MODEL sec_priv.flower_model SET MONITORING (CAPTURE_PERCENT 100)');
    await owner.query(`GRANT EXECUTE ON MODEL sec_priv.flower_model TO ${OTHER}`);
    const calls = await owner.query('SELECT sec_priv.flower_fn(x, w) FROM sec_priv.flowers');
    expect(calls.rowCount).toBe(400);
    await other.query(`SELECT sec_priv.flower_fn(x, w) FROM (VALUES (1001, 6.0::float8)) t(x, w)`);
    // Captures are written after the rows were sent, on the proxy's own connections.
    const ownersView = async () => Number((await owner.query(`SELECT count(*) FROM modelgres.model_captures WHERE model_name = 'flower_model'`)).rows[0].count);
    expect(await pollUntil('the 401 captured calls', ownersView, (n) => n >= 401)).toBe(401);
    // The other role's own call is among them, and the owner may read it; the other role reads nothing.
    expect((await owner.query(`SELECT inputs FROM modelgres.model_captures WHERE inputs->>'x' = '1001'`)).rows).toEqual([{ inputs: { x: '1001', w: '6' } }]);
    expect((await other.query('SELECT count(*)::int AS n FROM modelgres.model_captures')).rows).toEqual([{ n: 0 }]);
    expect(await sqlstate(other, 'SELECT inputs FROM modelgres.model_capture')).toBe('42501');
    expect(await sqlstate(owner, 'SELECT inputs FROM modelgres.model_capture')).toBe('42501');
    // DRIFT without FROM compares the captured calls the caller may read: for the other role, none.
    const drift = await other.query('SHOW MODEL sec_priv.flower_model DRIFT');
    expect(drift.rows.every((r) => r.check === 'no rows to compare')).toBe(true);
    const ownersDrift = await owner.query('SHOW MODEL sec_priv.flower_model DRIFT');
    expect(ownersDrift.rows.find((r) => r.feature === 'x')?.current_count).toBe('401');
  });

  test('SELECT on some columns only: CREATE MODEL over the whole table is 42501, nothing registered', async () => {
    await admin.query(`GRANT SELECT (x, tall) ON sec_priv.flowers TO ${OTHER}`);
    await (await proxy.client()).query(`GRANT CREATE MODEL TO ${OTHER}`);
    await expect(other.query('CREATE MODEL sec_priv.partial FROM sec_priv.flowers TARGET tall FUNCTION partial_fn')).rejects.toMatchObject({
      code: '42501',
      message: 'permission denied for table flowers',
    });
    await expect(other.query('CREATE MODEL sec_priv.partial FROM (SELECT x, w, tall FROM sec_priv.flowers) TARGET tall FUNCTION partial_fn')).rejects.toMatchObject({
      code: '42501',
    });
    expect((await admin.query(`SELECT count(*)::int AS n FROM modelgres.model WHERE model_name = 'partial'`)).rows).toEqual([{ n: 0 }]);
    await (await proxy.client()).query(`REVOKE CREATE MODEL FROM ${OTHER}`);
  });

  test('an owner who lost SELECT on the training table gets 42501 at RETRAIN: the data is read as the caller each time', async () => {
    await admin.query(`REVOKE SELECT ON sec_priv.flowers FROM ${OWNER}`);
    await expect(owner.query('ALTER MODEL sec_priv.flower_model RETRAIN')).rejects.toMatchObject({ code: '42501', message: 'permission denied for table flowers' });
    expect((await admin.query(`SELECT max(version) AS v FROM modelgres.model_version WHERE model_id = $1`, [modelId])).rows).toEqual([{ v: 1 }]);
  });
});
