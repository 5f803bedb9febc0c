import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { freePort } from '../../src/util/free-port.ts';
import { parseExposition } from '../support/scrape.ts';

const root = path.resolve(import.meta.dirname, '../..');

test('modelgres start --http-port with the embedded default serves /healthz, /metrics and a dashboard postgres can log in to', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-http-'));
  const [port, embeddedPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['dist/cli.js', 'start', '--data-dir', dataDir, '--port', String(port), '--embedded-port', String(embeddedPort), '--http-port', String(httpPort), '--log-format', 'json'],
    { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(child, 'exit');
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('dashboard, /metrics and /healthz:')) resolve();
      });
      exited.then(() => reject(new Error(`modelgres exited before it was ready: ${stderr}`)), () => {});
    });
    const base = `http://127.0.0.1:${httpPort}`;
    expect(stdout).toContain(`dashboard, /metrics and /healthz: ${base}/`);
    // --log-format json: every line of the log is one object.
    for (const line of stderr.trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ time: expect.any(String), level: expect.any(String), event: expect.any(String) });

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const scrape = parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(scrape.types.get('modelgres_predictions_total')).toBe('counter');

    const home = await fetch(`${base}/`, { redirect: 'manual' });
    expect([home.status, home.headers.get('location')]).toEqual([303, '/login']);
    const form = await fetch(`${base}/login`);
    const cookie = form.headers.get('set-cookie')!.split(';')[0];
    const token = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    // The embedded cluster trusts this machine: the password is checked against the stored one (initdb's 'postgres').
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: token, user: 'postgres', password: 'postgres' }),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const session = login.headers.get('set-cookie')!.split(';')[0];
    const page = await (await fetch(`${base}/`, { headers: { cookie: session } })).text();
    expect(page).toContain('signed in as <b id="role">postgres</b>');
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
