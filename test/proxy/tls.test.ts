import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, RawClient, startupFrame } from '../support/raw-client.ts';
import { runCommand } from '../support/run-command.ts';

const SSL_REQUEST = startupFrame(80877103);
const GSSENC_REQUEST = startupFrame(80877104);

let dir: string;
let certFile: string;
let keyFile: string;
let secure: TestProxy;
let plain: TestProxy;
const raws: RawClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modelgres-tls-'));
  certFile = path.join(dir, 'cert.pem');
  keyFile = path.join(dir, 'key.pem');
  // The openssl CLI is a requirement of this suite: if it is missing, this throws and the tests fail.
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', keyFile, '-out', certFile,
      '-subj', '/CN=modelgres-test',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'pipe' },
  );
  secure = await startTestProxy({ tlsCertFile: certFile, tlsKeyFile: keyFile });
  plain = await startTestProxy();
});
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await secure?.close();
  await plain?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function socketOf(c: pg.Client): unknown {
  return (c as unknown as { connection: { stream: unknown } }).connection.stream;
}

describe('TLS between client and proxy', () => {
  test('pg with ssl (no verification) gets a TLS session and ordinary answers', async () => {
    const c = await secure.client({ ssl: { rejectUnauthorized: false } });
    const stream = socketOf(c);
    expect(stream).toBeInstanceOf(tls.TLSSocket);
    const s = stream as tls.TLSSocket;
    expect(s.encrypted).toBe(true);
    expect(s.getPeerCertificate().subject.CN).toBe('modelgres-test');
    expect((await c.query('select 1 + 1 as two')).rows).toEqual([{ two: 2 }]);
    // A large answer crosses the TLS socket whole.
    const big = await c.query('select g, md5(g::text) as h from generate_series(1, 50000) g');
    expect(big.rowCount).toBe(50000);
    expect(big.rows[49999]).toEqual({ g: 50000, h: (await c.query("select md5('50000') as h")).rows[0].h });
  });

  test('pg verifying the certificate against it as CA succeeds; against another CA it fails', async () => {
    const ca = readFileSync(certFile, 'utf8');
    const c = await secure.client({ ssl: { ca, rejectUnauthorized: true } });
    expect(socketOf(c)).toBeInstanceOf(tls.TLSSocket);
    expect((await c.query('select current_user as u')).rows).toEqual([{ u: 'postgres' }]);

    const wrong = new pg.Client({ connectionString: secure.url, ssl: { rejectUnauthorized: true } });
    wrong.on('error', () => {});
    const error = await wrong.connect().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/self[- ]signed certificate/);
    await wrong.end().catch(() => {});
  });

  test('psql with sslmode=require connects through TLS', async () => {
    const r = await runCommand('psql', [`${secure.url}?sslmode=require`, '-XAtc', 'select ssl from pg_stat_ssl where pid = pg_backend_pid()']);
    // The proxy's upstream link is not TLS, so PostgreSQL itself reports false; what matters is psql's side.
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('f\n');
    const info = await runCommand('psql', [`${secure.url}?sslmode=require`, '-Xc', '\\conninfo']);
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
  });

  test('SSLRequest with bytes after it in the same packet is refused (CVE-2021-23222)', async () => {
    const c = await RawClient.connect(secure.port);
    raws.push(c);
    c.write([SSL_REQUEST, serialize.startup({ user: 'postgres', database: databaseOf(secure.url) })]);
    const answers = await c.readUntilClose();
    expect(answers.map((m) => m.name)).toEqual(['error']);
    expect(answers[0]).toMatchObject({ code: '08P01', severity: 'FATAL', message: 'received unencrypted data after SSL request' });
  });

  test('a proxy without TLS answers N, and pg with ssl: true fails with pg’s own message', async () => {
    const c = await RawClient.connect(plain.port);
    raws.push(c);
    c.write(SSL_REQUEST);
    expect(await c.readByte()).toBe('N');
    // The client may go on in plain text on the same connection.
    c.write(serialize.startup({ user: 'postgres', database: databaseOf(plain.url) }));
    const startup = await c.readUntilReady();
    expect(startup[0].name).toBe('authenticationOk');
    expect((await c.query('select 3')).find((m) => m.name === 'dataRow')?.fields).toEqual(['3']);

    const p = new pg.Client({ connectionString: plain.url, ssl: true });
    p.on('error', () => {});
    const error = await p.connect().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe('The server does not support SSL connections');
    await p.end().catch(() => {});
  });

  test('GSSENCRequest is answered N on both proxies, and startup continues on that connection', async () => {
    for (const proxy of [plain, secure]) {
      const c = await RawClient.connect(proxy.port);
      raws.push(c);
      c.write(GSSENC_REQUEST);
      expect(await c.readByte()).toBe('N');
      c.write(serialize.startup({ user: 'postgres', database: databaseOf(proxy.url) }));
      const startup = await c.readUntilReady();
      expect(startup.map((m) => m.name)).toContain('backendKeyData');
      expect(startup[startup.length - 1]).toMatchObject({ name: 'readyForQuery', status: 'I' });
    }
  });

  test('a second SSLRequest inside TLS is read as protocol 1234.5679 and refused (FATAL 0A000), as PostgreSQL refuses it', async () => {
    const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const c = RawClient.connect(secure.port).then((raw) => {
        raws.push(raw);
        raw.write(SSL_REQUEST);
        return raw.readByte().then((answer) => {
          expect(answer).toBe('S');
          raw.socket.removeAllListeners('data');
          const t = tls.connect({ socket: raw.socket, rejectUnauthorized: false }, () => resolve(t));
          t.on('error', reject);
        });
      });
      c.catch(reject);
    });
    const answer = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.once('close', () => resolve(Buffer.concat(chunks)));
      socket.write(SSL_REQUEST);
    });
    expect(String.fromCharCode(answer[0])).toBe('E');
    const text = answer.toString('latin1');
    expect(text).toContain('C0A000\0');
    expect(text).toContain('Munsupported frontend protocol 1234.5679: server supports 3.0 to 3.2\0');
    socket.destroy();
  });

  test('garbage instead of a TLS handshake after S: the connection closes, the proxy carries on', async () => {
    for (const garbage of [Buffer.from('definitely not a ClientHello'), Buffer.alloc(600, 0x16), serialize.startup({ user: 'postgres' })]) {
      const c = await RawClient.connect(secure.port);
      raws.push(c);
      c.write(SSL_REQUEST);
      expect(await c.readByte()).toBe('S');
      c.write(garbage);
      await c.closed;
      expect(c.isClosed).toBe(true);
    }
    const ok = await secure.client({ ssl: { rejectUnauthorized: false } });
    expect((await ok.query('select 11 as n')).rows).toEqual([{ n: 11 }]);
  });
});
