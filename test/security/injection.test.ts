import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';
import { tempModelDir, writeModel } from '../artifacts/support/onnx-files.ts';
import { regressor } from '../artifacts/support/test-models.ts';

/*
 * SQL injection through everything a user writes into an ML statement that modelgres turns into
 * SQL of its own. Every payload tries to create a table named pwned_*: an attempt is either
 * refused with a SQLSTATE or taken literally (the name or string stored exactly as written), and
 * no pwned_* table ever exists.
 */

const PAYLOADS = [
  `'); CREATE TABLE sec_inj.pwned_a (); --`,
  `"); CREATE TABLE sec_inj.pwned_b (); --`,
  `$$; CREATE TABLE sec_inj.pwned_c (); --`,
  `\\'); CREATE TABLE sec_inj.pwned_d (); --`,
  `%I); CREATE TABLE sec_inj.pwned_e (); --`,
  `*/ CREATE TABLE sec_inj.pwned_f (); /*`,
];

const ident = (s: string) => pg.escapeIdentifier(s);
const literal = (s: string) => pg.escapeLiteral(s);

let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;

async function attempt(sql: string): Promise<string> {
  return c.query(sql).then(
    () => 'ok',
    (e: pg.DatabaseError) => e.code ?? String(e),
  );
}

async function pwnedTables(): Promise<string[]> {
  return (await direct.query(`SELECT relname FROM pg_class WHERE relname LIKE 'pwned%'`)).rows.map((r) => r.relname);
}

beforeAll(async () => {
  const dir = await tempModelDir();
  await writeModel(dir, 'regressor.onnx', regressor());
  // No workers: models stay TRAINING unless trained in their own transaction (WAIT FOR MODEL).
  proxy = await startTestProxy({ workers: 0, modelDir: dir });
  c = await proxy.client();
  direct = await proxy.direct();
  await c.query('CREATE SCHEMA sec_inj');
  await c.query(`CREATE TABLE sec_inj.data AS SELECT g AS x, (g % 5)::float8 AS z, g * 2.0::float8 + 1 AS y FROM generate_series(1, 60) g`);
});

afterAll(async () => {
  expect(await pwnedTables()).toEqual([]);
  await proxy.close();
});

describe('injection attempts are refused or quoted', () => {
  test('model and function names: stored exactly as the quoted identifier says, and dropped by it', async () => {
    for (const [i, payload] of PAYLOADS.entries()) {
      const model = `m${i}${payload}`;
      const fn = `f${i}${payload}`;
      expect(await attempt(`CREATE MODEL sec_inj.${ident(model)} FROM sec_inj.data TARGET y FUNCTION ${ident(fn)}`), payload).toBe('ok');
      const all = (await c.query('SHOW MODEL ALL')).rows.map((r) => r['Model Name']);
      expect(all, payload).toContain(model);
      const functions = await direct.query(
        `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p WHERE p.pronamespace = 'sec_inj'::regnamespace AND p.proname = $1`,
        [fn],
      );
      // PostgreSQL's own spelling of the function: the name quoted, the parameters named after the columns.
      expect(functions.rows.map((r) => r.signature), payload).toEqual([`sec_inj.${ident(fn)}(integer,double precision)`]);
      expect((await showModel(c, `sec_inj.${ident(model)}`)).values.get('Function Name'), payload).toBe(fn);
      expect(await attempt(`DROP MODEL sec_inj.${ident(model)}`), payload).toBe('ok');
    }
    // Names as they would be written unquoted are not names: a syntax error, and nothing else of the Query runs.
    expect(await attempt(`CREATE MODEL sec_inj.m'); CREATE TABLE sec_inj.pwned_g (); -- FROM sec_inj.data TARGET y FUNCTION f`)).toBe('42601');
    expect(await attempt(`SHOW MODEL sec_inj.nothing"; CREATE TABLE sec_inj.pwned_h (); --`)).toMatch(/^42/);
    // A failed ML statement ends its Query message, as any failed statement does in PostgreSQL.
    expect(await attempt(`SHOW MODEL sec_inj.nothing; CREATE TABLE sec_inj.pwned_i ()`)).toBe('42704');
    expect(await pwnedTables()).toEqual([]);
  });

  test('names of models that do not exist, in SHOW / DROP / ALTER / EVALUATE / WAIT: 42704, nothing run', async () => {
    for (const payload of PAYLOADS) {
      const model = `sec_inj.${ident(payload)}`;
      for (const statement of [`SHOW MODEL ${model}`, `DROP MODEL ${model}`, `ALTER MODEL ${model} RETRAIN`, `EVALUATE MODEL ${model} FROM sec_inj.data`, `WAIT FOR MODEL ${model}`, `SHOW MODEL ${model} DRIFT`]) {
        expect(await attempt(statement), statement).toBe('42704');
      }
    }
    expect(await pwnedTables()).toEqual([]);
  });

  test('SETTINGS and IAM_ROLE strings are kept as written; OBJECTIVE and hyperparameter strings are refused (22023)', async () => {
    for (const [i, payload] of PAYLOADS.entries()) {
      const model = `sec_inj.settings_${i}`;
      expect(
        await attempt(`CREATE MODEL ${model} FROM sec_inj.data TARGET y FUNCTION settings_fn_${i}
          IAM_ROLE ${literal(`arn:${payload}`)} SETTINGS (S3_BUCKET ${literal(payload)}, KMS_KEY_ID ${literal(`k${payload}`)})`),
        payload,
      ).toBe('ok');
      const { values } = await showModel(c, model);
      expect(values.get('S3 Bucket'), payload).toBe(payload);
      const spec = await c.query(`SELECT spec->>'kmsKeyId' AS k FROM modelgres.model_versions WHERE model_name = $1`, [`settings_${i}`]);
      expect(spec.rows, payload).toEqual([{ k: `k${payload}` }]);
      expect(values.get('IAM Role'), payload).toBe(`arn:${payload}`);
      expect(await attempt(`DROP MODEL ${model}`)).toBe('ok');
      expect(await attempt(`CREATE MODEL ${model} FROM sec_inj.data TARGET y FUNCTION settings_fn_${i} OBJECTIVE ${literal(payload)}`), payload).toBe('22023');
      expect(
        await attempt(`CREATE MODEL ${model} FROM sec_inj.data TARGET y FUNCTION settings_fn_${i}
          AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND ${literal(payload)})`),
        payload,
      ).toBe('22023');
    }
    expect(await pwnedTables()).toEqual([]);
  });

  test('PREPROCESSORS JSON naming columns or transformers that do not exist is refused (22023); JSON that is not JSON too', async () => {
    for (const payload of PAYLOADS) {
      for (const json of [
        [{ ColumnSet: [payload], Transformers: ['OneHotEncoder'] }],
        [{ ColumnSet: ['z'], Transformers: [payload] }],
        [{ [payload]: ['z'], Transformers: ['OneHotEncoder'] }],
      ]) {
        const statement = `CREATE MODEL sec_inj.pre FROM sec_inj.data TARGET y FUNCTION pre_fn PREPROCESSORS ${literal(JSON.stringify(json))}`;
        expect(await attempt(statement), JSON.stringify(json)).toBe('22023');
      }
      expect(await attempt(`CREATE MODEL sec_inj.pre FROM sec_inj.data TARGET y FUNCTION pre_fn PREPROCESSORS ${literal(`[{"ColumnSet": ["z"${payload}`)}`)).toBe('22023');
    }
    expect(await pwnedTables()).toEqual([]);
  });

  test('BYOM job names and file paths are looked up, never spliced: 42704 for an unknown job, 22023 for a bad path', async () => {
    for (const [i, payload] of PAYLOADS.entries()) {
      const jobName = `redshiftml-${payload}`.replaceAll('/', '');
      expect(await attempt(`CREATE MODEL sec_inj.copy_${i} FROM ${literal(jobName)} FUNCTION copy_fn_${i} (int4, float8) RETURNS float8`), jobName).toBe('42704');
      for (const file of [`${payload}.onnx`, `models/${payload}.onnx`, `regressor.onnx/${payload}`]) {
        expect(await attempt(`CREATE MODEL sec_inj.file_${i} FROM ${literal(file)} FUNCTION file_fn_${i} (float8, float8, float8) RETURNS float8`), file).toBe('22023');
      }
      // Declared types and return types are types, or refused: never text in a CREATE FUNCTION.
      for (const [types, returns] of [
        [ident(`float8${payload}`), 'float8'],
        ['float8, float8, float8', ident(`float8${payload}`)],
      ]) {
        const code = await attempt(`CREATE MODEL sec_inj.typed_${i} FROM 'regressor.onnx' FUNCTION typed_fn_${i} (${types}) RETURNS ${returns}`);
        expect(['22023', '42704', '0A000'], `${types} RETURNS ${returns}`).toContain(code);
      }
    }
    expect((await c.query(`SELECT count(*)::int AS n FROM modelgres.models WHERE schema_name = 'sec_inj'`)).rows).toEqual([{ n: 0 }]);
    expect(await pwnedTables()).toEqual([]);
  });

  test('column names become the function’s parameter names quoted: training, both evaluators and \\df agree', async () => {
    const [a, b] = [`x${PAYLOADS[1]}`, `z${PAYLOADS[0]}`];
    await c.query(`CREATE TABLE sec_inj.odd AS SELECT x AS ${ident(a)}, z AS ${ident(b)}, y FROM sec_inj.data`);
    await c.query('BEGIN');
    await c.query(`CREATE MODEL sec_inj.odd_model FROM sec_inj.odd TARGET y FUNCTION odd_fn
      AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5')
      PREPROCESSORS ${literal(JSON.stringify([{ ColumnSet: [b], Transformers: ['StandardScaler'] }]))}`);
    expect((await c.query('WAIT FOR MODEL sec_inj.odd_model')).rows[0]).toMatchObject({ state: 'READY' });
    await c.query('COMMIT');
    const args = await direct.query(`SELECT pg_get_function_arguments('sec_inj.odd_fn(integer, double precision)'::regprocedure) AS a`);
    expect(args.rows[0].a).toBe(`${ident(a)} integer, ${ident(b)} double precision`);
    const viaProxy = await c.query(`SELECT sec_inj.odd_fn(${ident(a)}, ${ident(b)}) AS p FROM sec_inj.odd ORDER BY y`);
    const viaPostgres = await direct.query(`SELECT sec_inj.odd_fn(${ident(a)}, ${ident(b)}) AS p FROM sec_inj.odd ORDER BY y`);
    expect(viaProxy.rows.length).toBe(60);
    viaProxy.rows.forEach((r, i) => expect(r.p).toBeCloseTo(viaPostgres.rows[i].p, 4));
    expect(await pwnedTables()).toEqual([]);
  });
});
