import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { cancelRequest, databaseOf, RawClient, startupFrame } from '../support/raw-client.ts';
import { runCommand } from '../support/run-command.ts';
import { pollUntil } from '../support/poll.ts';
import { parseCliOptions } from '../../src/cli/cli-options.ts';

/** This role has a SCRAM line of its own in the suite's pg_hba.conf (test/support/global-setup.ts). */
const SCRAM_ROLE = 'scram_user';
/** The password test/proxy/auth.test.ts gives it, so that the two files may run at once. */
const SCRAM_PASSWORD = "scr'am \"secret\"";
const GSSENC_REQUEST = startupFrame(80877104);

let dir: string;
let certFile: string;
let keyFile: string;
let proxy: TestProxy;
let database: string;
const raws: RawClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modelgres-tls-required-'));
  certFile = path.join(dir, 'cert.pem');
  keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=modelgres-test', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'pipe' },
  );
  proxy = await startTestProxy({ tlsCertFile: certFile, tlsKeyFile: keyFile, tlsRequired: true });
  database = databaseOf(proxy.url);
  const direct = await proxy.direct();
  await direct.query(`SET password_encryption = 'scram-sha-256'`);
  const exists = await direct.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [SCRAM_ROLE]);
  await direct.query(`${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${SCRAM_ROLE} LOGIN PASSWORD ${pg.escapeLiteral(SCRAM_PASSWORD)}`);
});
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await proxy?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** PostgreSQL's refusal when only hostssl lines would let the client in (auth.c, ClientAuthentication). */
const refusal = (user: string) => `no pg_hba.conf entry for host "127.0.0.1", user "${user}", database "${database}", no encryption`;

describe('--tls-required', () => {
  test('a client without TLS is refused with PostgreSQL’s FATAL 28000, before PostgreSQL hears of it', async () => {
    const plain = new pg.Client({ connectionString: proxy.url, ssl: false });
    plain.on('error', () => {});
    const error = await plain.connect().then(
      () => null,
      (e: pg.DatabaseError) => e,
    );
    await plain.end().catch(() => {});
    expect(error).toMatchObject({ code: '28000', severity: 'FATAL', message: refusal('postgres') });
    expect(error?.hint).toBe('modelgres runs with --tls-required: connect with SSL (sslmode=require or stronger).');
    // Nor after a refused GSSAPI encryption request, the other way to begin in plain text.
    const raw = await RawClient.connect(proxy.port);
    raws.push(raw);
    raw.write(GSSENC_REQUEST);
    expect(await raw.readByte()).toBe('N');
    raw.write(serialize.startup({ user: 'postgres', database }));
    const answers = await raw.readUntilClose();
    expect(answers.map((m) => m.name)).toEqual(['error']);
    expect(answers[0]).toMatchObject({ code: '28000', severity: 'FATAL', message: refusal('postgres') });
  });

  test('psql: sslmode=disable is refused in PostgreSQL’s words; the default sslmode=prefer gets TLS', async () => {
    const refused = await runCommand('psql', [`${proxy.url}?sslmode=disable`, '-XAtc', 'select 1']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`FATAL:  ${refusal('postgres')}`);
    const preferred = await runCommand('psql', [proxy.url, '-Xc', '\\conninfo']);
    expect(preferred.stderr).toBe('');
    expect(preferred.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
  });

  test('SCRAM through TLS works with psql sslmode=require; a wrong password is still 28P01', async () => {
    const url = new URL(proxy.url);
    url.username = SCRAM_ROLE;
    const env = { PGPASSWORD: SCRAM_PASSWORD };
    const ok = await runCommand('psql', [`${url}?sslmode=require`, '-XAtc', 'select current_user', '-c', '\\conninfo'], { env });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout.split('\n')[0]).toBe(SCRAM_ROLE);
    expect(ok.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
    // PostgreSQL itself checks the password: the role's only pg_hba.conf line is scram-sha-256.
    const wrong = await runCommand('psql', [`${url}?sslmode=require`, '-XAtc', 'select 1'], { env: { PGPASSWORD: `${SCRAM_PASSWORD}-wrong` } });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`FATAL:  password authentication failed for user "${SCRAM_ROLE}"`);
    // TLS ends at the proxy, so PostgreSQL offers SCRAM without channel binding: libpq's own refusal.
    const bound = await runCommand('psql', [`${url}?sslmode=require&channel_binding=require`, '-XAtc', 'select 1'], { env });
    expect(bound.status).toBe(2);
    expect(bound.stderr).toMatch(/channel binding is required, but server did not offer an authentication method that supports channel binding/);
    // And a plain-text attempt with the right password is refused before any password is asked.
    const plain = await runCommand('psql', [`${url}?sslmode=disable`, '-XAtc', 'select 1'], { env });
    expect(plain.stderr).toContain(`FATAL:  ${refusal(SCRAM_ROLE)}`);
  });

  test('a CancelRequest in plain text is still served, as PostgreSQL serves it', async () => {
    const client = await proxy.client({ ssl: { rejectUnauthorized: false } });
    const key = client as unknown as { processID: number; secretKey: number };
    const sleeping = client.query('SELECT pg_sleep(60)').then(
      () => null,
      (e: pg.DatabaseError) => e,
    );
    const direct = await proxy.direct();
    await pollUntil('the sleep to run', async () => (await direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'`)).rows[0].n, (n) => n === 1);
    const raw = await RawClient.connect(proxy.port);
    raws.push(raw);
    raw.write(cancelRequest(key.processID, key.secretKey));
    expect(await sleeping).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
  });

  test('the flag needs a certificate', () => {
    expect(() => parseCliOptions(['--tls-required'], {})).toThrow('--tls-required needs --tls-cert and --tls-key');
    expect(parseCliOptions(['--tls-required', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {})).toMatchObject({ tlsRequired: true });
  });
});
