import { afterAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/util/free-port.ts';

/*
 * Who gets in through `modelgres start` with its embedded PostgreSQL, as a new user runs it: the
 * CLI as a child process, PostgreSQL's own answers through the proxy.
 */

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const running = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of running) child.kill('SIGINT');
  await Promise.all([...running].map((child) => once(child, 'exit')));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-access-'));
  dirs.push(dir);
  return dir;
}

interface Started {
  child: ChildProcess;
  stdout: string;
  stop(): Promise<void>;
}

/** `modelgres start ...` until it prints that it is ready; rejects with its stderr if it exits first. */
async function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['dist/cli.js', 'start', '--workers', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = once(child, 'exit');
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('embedded PostgreSQL (direct')) resolve();
    });
    exited.then(() => reject(new Error(`modelgres exited before it was ready: ${stderr}`)), () => {});
  });
  return {
    child,
    stdout,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      running.delete(child);
    },
  };
}

/** `modelgres start ...` that must fail: its exit code and the last line of its stderr. */
async function refused(args: string[]): Promise<{ code: number | null; last: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', 'start', '--workers', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code, last: stderr.trim().split('\n').at(-1)! };
}

async function login(port: number, user: string, password?: string): Promise<{ client?: pg.Client; error?: pg.DatabaseError }> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  client.on('error', () => {});
  try {
    await client.connect();
    return { client };
  } catch (error) {
    await client.end().catch(() => {});
    return { error: error as pg.DatabaseError };
  }
}

/** The trust cluster of the first test, with the user's edit in its pg_hba.conf. */
let trustCluster: { dir: string; written: string; port: number; embeddedPort: number } | undefined;

describe('the default setup: trust only for loopback', () => {
  test('the proxy reaches PostgreSQL from loopback over TCP: host lines apply, a user’s pg_hba.conf edit survives a restart, --host 0.0.0.0 under trust refuses to start', async () => {
    const dir = await dataDir();
    const [port, embeddedPort] = [await freePort(), await freePort()];
    const args = ['--data-dir', dir, '--port', String(port), '--embedded-port', String(embeddedPort)];
    let proxy = await start(args);
    const hba = path.join(dir, 'pg', 'pg_hba.conf');
    const written = readFileSync(hba, 'utf8');
    expect(written.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'local all all trust',
      'host all all 127.0.0.1/32 trust',
      'host all all ::1/128 trust',
    ]);

    // inet_client_addr() through the proxy is the proxy's own address on loopback, not the Unix socket's NULL.
    const admin = (await login(port, 'postgres')).client!;
    expect((await admin.query('SELECT host(inet_client_addr()) AS a')).rows).toEqual([{ a: '127.0.0.1' }]);
    await admin.query(`SET password_encryption = 'scram-sha-256'`);
    await admin.query(`CREATE ROLE access_scram LOGIN PASSWORD 'right horse battery'`);
    await admin.end();

    // The user's own rule, first so that it wins over the trust lines.
    const edited = written.replace('local all all trust', 'host all access_scram 127.0.0.1/32 scram-sha-256\nlocal all all trust');
    writeFileSync(hba, edited);
    await proxy.stop();
    proxy = await start(args);
    expect(readFileSync(hba, 'utf8')).toBe(edited);

    const wrong = await login(port, 'access_scram', 'wrong horse');
    expect(wrong.client).toBeUndefined();
    expect(wrong.error).toMatchObject({ code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "access_scram"' });
    const right = await login(port, 'access_scram', 'right horse battery');
    expect(right.error).toBeUndefined();
    expect((await right.client!.query('SELECT current_user AS u, host(inet_client_addr()) AS a')).rows).toEqual([{ u: 'access_scram', a: '127.0.0.1' }]);
    await right.client!.end();
    await proxy.stop();

    // Other roles are still trusted from loopback: listening beyond it is refused, in one line.
    const open = await refused(['--data-dir', dir, '--host', '0.0.0.0', '--port', String(port), '--embedded-port', String(embeddedPort)]);
    expect(open.code).toBe(1);
    expect(open.last).toBe(
      `modelgres: --host 0.0.0.0 would open the embedded PostgreSQL to the network without a password (${hba} trusts connections from loopback, where the proxy's clients come from): start with --password-file FILE (the postgres role's password, generated into FILE if it does not exist; every role then logs in with SCRAM), or listen on 127.0.0.1.`,
    );
    // The server it had started is stopped (PostgreSQL removes its lock file last).
    expect(existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    trustCluster = { dir, written, port, embeddedPort };
  });

  test('an existing cluster given --password-file: the postgres role gets it, and a pg_hba.conf still as modelgres wrote it turns to SCRAM', async () => {
    const { dir, written, port, embeddedPort } = trustCluster!;
    const hba = path.join(dir, 'pg', 'pg_hba.conf');
    // As it was before the user's edit.
    writeFileSync(hba, written);
    const passwordFile = path.join(dir, 'given-password');
    writeFileSync(passwordFile, 'given secret\n');
    const proxy = await start(['--data-dir', dir, '--host', '0.0.0.0', '--port', String(port), '--embedded-port', String(embeddedPort), '--password-file', passwordFile]);
    expect(proxy.stdout).not.toContain('shown this once');
    expect(readFileSync(hba, 'utf8')).toBe(written.replaceAll(' trust', ' scram-sha-256'));
    expect((await login(port, 'postgres', 'not it')).error).toMatchObject({ code: '28P01' });
    expect((await login(port, 'access_scram', 'wrong horse')).error).toMatchObject({ code: '28P01' });
    const admin = await login(port, 'postgres', 'given secret');
    expect(admin.error).toBeUndefined();
    await admin.client!.end();
    await proxy.stop();

    // A wrong password in the file, or none, and the proxy's own connections cannot log in: one line says so.
    writeFileSync(passwordFile, 'not the secret\n');
    const wrong = await refused(['--data-dir', dir, '--port', String(port), '--embedded-port', String(embeddedPort), '--password-file', passwordFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.last).toBe(
      `modelgres: the embedded PostgreSQL refused the postgres role's login (password authentication failed for user "postgres"): put the role's password in the --password-file, or edit ${hba}.`,
    );
    const without = await refused(['--data-dir', dir, '--port', String(port), '--embedded-port', String(embeddedPort)]);
    expect(without.code).toBe(1);
    expect(without.last).toBe(
      `modelgres: the embedded PostgreSQL asks for the postgres role's password: give it with --password-file FILE, or edit ${hba}.`,
    );
  });

  test('--password-file: a new cluster asks every role for its password (SCRAM); the generated password is shown once; the network may then listen', async () => {
    const dir = await dataDir();
    const [port, embeddedPort] = [await freePort(), await freePort()];
    const passwordFile = path.join(dir, 'superuser-password');
    const proxy = await start(['--data-dir', dir, '--host', '0.0.0.0', '--port', String(port), '--embedded-port', String(embeddedPort), '--password-file', passwordFile]);
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(proxy.stdout).toContain(`the postgres role's password, generated into ${passwordFile} (shown this once): ${password}\n`);
    expect(readFileSync(path.join(dir, 'pg', 'pg_hba.conf'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'local all all scram-sha-256',
      'host all all 127.0.0.1/32 scram-sha-256',
      'host all all ::1/128 scram-sha-256',
    ]);

    expect((await login(port, 'postgres', 'not it')).error).toMatchObject({ code: '28P01' });
    const admin = (await login(port, 'postgres', password)).client!;
    await admin.query(`CREATE ROLE access_app LOGIN PASSWORD 'app secret'`);
    expect((await admin.query(`SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = 'access_app'`)).rows).toEqual([{ scram: true }]);
    await admin.end();
    expect((await login(port, 'access_app', 'app secrets')).error).toMatchObject({ code: '28P01', message: 'password authentication failed for user "access_app"' });
    const app = await login(port, 'access_app', 'app secret');
    expect(app.error).toBeUndefined();
    await app.client!.end();
    await proxy.stop();
  });
});
