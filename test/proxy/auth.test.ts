import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/** These role names have their own pg_hba lines (test/support/global-setup.ts); every other role trusts loopback. */
const ROLES = [
  { role: 'md5_user', method: 'md5', encryption: 'md5', password: 'md5 secret ünï' },
  { role: 'scram_user', method: 'scram-sha-256', encryption: 'scram-sha-256', password: "scr'am \"secret\"" },
  { role: 'password_user', method: 'password (cleartext)', encryption: 'scram-sha-256', password: 'plain-secret' },
] as const;

let proxy: TestProxy;
let direct: pg.Client;
let database: string;
let upstreamPort: number;

beforeAll(async () => {
  proxy = await startTestProxy();
  direct = await proxy.direct();
  database = new URL(proxy.upstreamUrl).pathname.slice(1) || 'postgres';
  upstreamPort = Number(new URL(proxy.upstreamUrl).port);
  for (const r of ROLES) {
    await direct.query(`set password_encryption = '${r.encryption}'`);
    // A role may be left from an earlier run against an external PostgreSQL; its password is reset here.
    const exists = await direct.query('select 1 from pg_roles where rolname = $1', [r.role]);
    const verb = exists.rowCount ? 'alter' : 'create';
    await direct.query(`${verb} role ${r.role} login password ${pg.escapeLiteral(r.password)}`);
  }
  await direct.query('reset password_encryption');
});
afterAll(() => proxy.close());

/** Connects with pg; resolves to the error when the connection is refused. */
async function attempt(port: number, user: string, password: string | undefined, db = database): Promise<{ client?: pg.Client; error?: pg.DatabaseError }> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: db });
  client.on('error', () => {});
  try {
    await client.connect();
    return { client };
  } catch (error) {
    await client.end().catch(() => {});
    return { error: error as pg.DatabaseError };
  }
}

describe('authentication is PostgreSQL’s own, relayed through the proxy', () => {
  test('the roles store the password in the expected form', async () => {
    const r = await direct.query(
      "select rolname, left(rolpassword, 3) = 'md5' as md5, rolpassword like 'SCRAM-SHA-256$%' as scram from pg_authid where rolname = any($1) order by rolname",
      [ROLES.map((x) => x.role)],
    );
    expect(r.rows).toEqual([
      { rolname: 'md5_user', md5: true, scram: false },
      { rolname: 'password_user', md5: false, scram: true },
      { rolname: 'scram_user', md5: false, scram: true },
    ]);
  });

  for (const r of ROLES) {
    test(`${r.method}: the right password logs in as ${r.role}`, async () => {
      const { client, error } = await attempt(proxy.port, r.role, r.password);
      expect(error).toBeUndefined();
      const who = await client!.query('select current_user as cu, session_user as su');
      expect(who.rows).toEqual([{ cu: r.role, su: r.role }]);
      // The upstream session really authenticated with that method.
      const method = await direct.query(
        "select a.usename from pg_stat_activity a where a.pid = $1",
        [(await client!.query('select pg_backend_pid() as pid')).rows[0].pid],
      );
      expect(method.rows).toEqual([{ usename: r.role }]);
      await client!.end();
    });

    test(`${r.method}: a wrong password is 28P01, as PostgreSQL says it`, async () => {
      const viaProxy = await attempt(proxy.port, r.role, `${r.password}-wrong`);
      expect(viaProxy.client).toBeUndefined();
      expect(viaProxy.error).toMatchObject({ code: '28P01', severity: 'FATAL' });
      expect(viaProxy.error?.message).toBe(`password authentication failed for user "${r.role}"`);
      const straight = await attempt(upstreamPort, r.role, `${r.password}-wrong`);
      expect({ code: viaProxy.error?.code, message: viaProxy.error?.message }).toEqual({
        code: straight.error?.code,
        message: straight.error?.message,
      });
    });
  }

  test('an empty password is refused by the client or the server, never accepted', async () => {
    const viaProxy = await attempt(proxy.port, 'scram_user', '');
    expect(viaProxy.client).toBeUndefined();
    expect(viaProxy.error).toBeDefined();
  });

  test('a role that does not exist gets PostgreSQL’s own error (code and text)', async () => {
    const role = `no_such_role_${process.pid}`;
    const viaProxy = await attempt(proxy.port, role, undefined);
    const straight = await attempt(upstreamPort, role, undefined);
    expect(straight.error?.code).toBe('28000');
    expect(viaProxy.error).toMatchObject({ code: straight.error?.code, message: straight.error?.message, severity: 'FATAL' });
    expect(viaProxy.error?.message).toBe(`role "${role}" does not exist`);
  });

  test('a database that does not exist gets 3D000, as PostgreSQL says it', async () => {
    const db = `no_such_db_${process.pid}`;
    const viaProxy = await attempt(proxy.port, 'postgres', undefined, db);
    const straight = await attempt(upstreamPort, 'postgres', undefined, db);
    expect(viaProxy.error).toMatchObject({ code: '3D000', message: `database "${db}" does not exist` });
    expect(viaProxy.error?.message).toBe(straight.error?.message);
  });

  test('sessions of different roles through one proxy stay separate', async () => {
    const a = await attempt(proxy.port, 'md5_user', ROLES[0].password);
    const b = await attempt(proxy.port, 'scram_user', ROLES[1].password);
    const [ra, rb] = await Promise.all([
      a.client!.query('select current_user as u'),
      b.client!.query('select current_user as u'),
    ]);
    expect([ra.rows[0].u, rb.rows[0].u]).toEqual(['md5_user', 'scram_user']);
    await Promise.all([a.client!.end(), b.client!.end()]);
  });
});
