import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { waitForModel } from '../support/models.ts';

let proxy: TestProxy;
let admin: pg.Client;
let analyst: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  const direct = await proxy.direct();
  await direct.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'priv_analyst') THEN CREATE ROLE priv_analyst LOGIN; END IF;
  END $$`);
  await direct.query('DROP SCHEMA IF EXISTS priv CASCADE; CREATE SCHEMA priv');
  await direct.query('GRANT USAGE, CREATE ON SCHEMA priv TO priv_analyst');
  await direct.query(`CREATE TABLE priv.secret AS SELECT g AS x, g * 2 + 1 AS y FROM generate_series(1, 200) g`);
  await direct.query(`CREATE TABLE priv.open AS SELECT g AS x, g * 3 AS y FROM generate_series(1, 200) g`);
  await direct.query('GRANT SELECT ON priv.open TO priv_analyst');
  admin = await proxy.client();
  const url = new URL(proxy.url);
  url.username = 'priv_analyst';
  analyst = new pg.Client(url.toString());
  await analyst.connect();
  await admin.query('CREATE MODEL priv.admin_model FROM priv.secret TARGET y FUNCTION admin_fn');
  await waitForModel(admin, 'priv.admin_model');
});

afterAll(async () => {
  await analyst.end();
  await proxy.close();
});

describe('PostgreSQL permissions decide who may train, see and call a model', () => {
  test('training data is read as the caller: no SELECT on the table, no model', async () => {
    await expect(analyst.query('CREATE MODEL priv.stolen FROM priv.secret TARGET y FUNCTION stolen_fn')).rejects.toMatchObject({
      code: '42501',
      message: 'permission denied for table secret',
    });
    await expect(
      analyst.query('CREATE MODEL priv.stolen FROM (SELECT x, y FROM priv.secret) TARGET y FUNCTION stolen_fn'),
    ).rejects.toMatchObject({ code: '42501' });
    expect((await admin.query(`SELECT count(*)::int AS n FROM modelgres.models WHERE model_name = 'stolen'`)).rows[0].n).toBe(0);
  });

  test('a role sees and calls only the models it owns or may execute', async () => {
    expect((await analyst.query('SHOW MODEL ALL')).rows).toEqual([]);
    await expect(analyst.query('SHOW MODEL priv.admin_model')).rejects.toMatchObject({ code: '42704' });
    await expect(analyst.query('SELECT priv.admin_fn(3)')).rejects.toMatchObject({ code: '42501' });
    await expect(analyst.query('DROP MODEL priv.admin_model')).rejects.toMatchObject({ code: '42501' });

    expect((await admin.query('GRANT EXECUTE ON MODEL priv.admin_model TO priv_analyst')).command).toBe('GRANT');
    expect((await analyst.query('SHOW MODEL ALL')).rows).toEqual([{ 'Schema Name': 'priv', 'Model Name': 'admin_model' }]);
    const show = await analyst.query('SHOW MODEL priv.admin_model');
    const values = new Map(show.rows.map((r) => [r.Key, r.Value]));
    expect(values.get('Model State')).toBe('READY');
    expect(values.get('IAM Role')).toBe(''); // owner-only fields stay hidden
    const r = await analyst.query('SELECT priv.admin_fn(3) AS p');
    expect(r.rows[0].p).toBeCloseTo(7, 0);
    await expect(analyst.query('DROP MODEL priv.admin_model')).rejects.toMatchObject({ code: '42501' });
    expect((await admin.query('REVOKE EXECUTE ON MODEL priv.admin_model FROM priv_analyst')).command).toBe('REVOKE');
    await expect(analyst.query('SELECT priv.admin_fn(3)')).rejects.toMatchObject({ code: '42501' });
  });

  test('a role trains from data it may read, owns the model, and others cannot drop it', async () => {
    // Creating models is a privilege of its own, as in Redshift; only a superuser grants it.
    await expect(analyst.query('CREATE MODEL priv.analyst_model FROM priv.open TARGET y FUNCTION analyst_fn')).rejects.toMatchObject({
      code: '42501',
      message: 'permission denied to create model',
    });
    await expect(analyst.query('GRANT CREATE MODEL TO priv_analyst')).rejects.toMatchObject({ code: '42501' });
    expect((await admin.query('GRANT CREATE MODEL TO priv_analyst')).command).toBe('GRANT');
    await analyst.query('CREATE MODEL priv.analyst_model FROM priv.open TARGET y FUNCTION analyst_fn');
    const state = await waitForModel(analyst, 'priv.analyst_model');
    expect(state.get('Owner')).toBe('priv_analyst');
    expect(state.get('Model State')).toBe('READY');
    expect((await analyst.query('SELECT priv.analyst_fn(10) AS p')).rows[0].p).toBeCloseTo(30, 0);
    expect((await analyst.query('DROP MODEL priv.analyst_model')).command).toBe('DROP');
  });

  test('the catalog cannot be written around modelgres', async () => {
    await expect(analyst.query(`UPDATE modelgres.model SET owner = 'priv_analyst'`)).rejects.toMatchObject({ code: '42501' });
    await expect(analyst.query(`DELETE FROM modelgres.model_version`)).rejects.toMatchObject({ code: '42501' });
    await expect(analyst.query(`SELECT data FROM modelgres.training_snapshot`)).rejects.toMatchObject({ code: '42501' });
    // The write API refuses to act for a role the session cannot become.
    await expect(analyst.query(`SELECT modelgres.drop_model('postgres', 'priv', 'admin_model', false, false)`)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(
      analyst.query(`SELECT modelgres.create_model_function('priv', 'evil', '{}', 'int4', 'postgres', 'x', 1, 1, NULL, false)`),
    ).rejects.toMatchObject({ code: '42501' });
    // Function bodies are written by the catalog's owner only: no role may pass one of its own.
    await expect(
      analyst.query(`SELECT modelgres.write_model_function('priv', 'evil', 'int4', 1, 1, '{"language": "sql", "body": "SELECT 1"}', false)`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(analyst.query(`SELECT modelgres.install_compiled(1, 1, NULL, NULL)`)).rejects.toMatchObject({ code: '42501' });
    // Why a model cannot answer is told only to a role that may call it.
    await expect(analyst.query(`SELECT modelgres.raise_not_callable('postgres', 1, NULL)`)).rejects.toMatchObject({ code: '42501' });
  });
});

describe('the Redshift system views', () => {
  test('answer unqualified through the proxy, per role, with Redshift\'s columns', async () => {
    const info = await admin.query(`SELECT schema_name, model_name, model_state FROM stv_ml_model_info WHERE schema_name = 'priv'`);
    expect(info.fields.map((f) => f.name)).toEqual(['schema_name', 'model_name', 'model_state']);
    expect(info.rows.map((r) => [r.schema_name.trim(), r.model_name.trim(), r.model_state.trim()])).toContainEqual([
      'priv',
      'admin_model',
      'Model is Ready',
    ]);
    const svv = await admin.query(`SELECT * FROM svv_ml_model_info WHERE model_name = 'admin_model'`);
    expect(Object.keys(svv.rows[0])).toEqual([
      'database_name', 'schema_name', 'user_name', 'model_name', 'life_cycle', 'is_refreshable', 'model_state',
    ]);
    expect(svv.rows[0].user_name.trim()).toBe('postgres');
    // A string that names a view stays a string.
    expect((await admin.query(`SELECT 'stv_ml_model_info' AS s`)).rows).toEqual([{ s: 'stv_ml_model_info' }]);
    expect((await analyst.query(`SELECT count(*)::int AS n FROM svv_ml_model_info WHERE model_name = 'admin_model'`)).rows[0].n).toBe(0);
    const privileges = await admin.query(
      `SELECT identity_name, privilege_type FROM svv_ml_model_privileges WHERE model_name = 'admin_model'`,
    );
    expect(privileges.rows.map((r) => [r.identity_name.trim(), r.privilege_type.trim()])).toEqual([['postgres', 'EXECUTE']]);
  });
});
