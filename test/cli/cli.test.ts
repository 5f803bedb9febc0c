import { describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/util/free-port.ts';
import { pollUntil } from '../support/poll.ts';
import { parseCliOptions, UsageError } from '../../src/cli/cli-options.ts';
import { MIGRATE_HELP, START_HELP } from '../../src/cli/help.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs a command to its end without blocking the event loop (a listener of the test must answer meanwhile). */
function spawnAsync(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

function modelgres(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });
}

describe('modelgres command line', () => {
  test('--help documents every flag the parser accepts', () => {
    const start = modelgres('start', '--help');
    expect(start.status).toBe(0);
    expect(start.stdout).toBe(START_HELP);
    for (const flag of ['--upstream', '--host', '--port', '--data-dir', '--embedded-port', '--tls-cert', '--tls-key', '--workers', '--lease-seconds', '--model-dir', '--max-model-mb', '--tls-required', '--password-file', '--log-level', '--help']) {
      expect(START_HELP).toContain(flag);
    }
    for (const flag of ['--upstream', '--data-dir', '--embedded-port', '--log-level', '--help']) {
      expect(MIGRATE_HELP).toContain(flag);
    }
    expect(modelgres('--help').stdout).toContain('modelgres start');
  });

  test('an unknown flag or command is a usage error with exit code 2', () => {
    const bad = modelgres('start', '--prot', '1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--prot'");
    expect(modelgres('serve').status).toBe(2);
  });

  test('flags win over environment variables, which win over defaults', () => {
    const env = { MODELGRES_PORT: '7000', MODELGRES_UPSTREAM: 'postgres://env/db' };
    expect(parseCliOptions([], {})).toMatchObject({ port: 6433, host: '127.0.0.1', dataDir: '.modelgres', upstream: undefined });
    expect(parseCliOptions([], env)).toMatchObject({ port: 7000, upstream: 'postgres://env/db' });
    expect(parseCliOptions(['--port', '7100', '--upstream', 'postgres://flag/db'], env)).toMatchObject({
      port: 7100,
      upstream: 'postgres://flag/db',
    });
    expect(() => parseCliOptions(['--port', 'x'], {})).toThrow(UsageError);
    expect(() => parseCliOptions(['--tls-cert', 'a.pem'], {})).toThrow('--tls-cert and --tls-key go together');
  });

  test('a port in use stops start-up with one line that says what to do, and no stack trace', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-cli-'));
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as net.AddressInfo).port;
    try {
      const run = (...args: string[]) =>
        spawnAsync(process.execPath, ['dist/cli.js', 'start', '--data-dir', dataDir, ...args]);
      const proxyPort = await run('--port', String(busy), '--embedded-port', String(await freePort()));
      expect(proxyPort.code).toBe(1);
      expect(proxyPort.stderr).not.toMatch(/^\s+at /m);
      expect(proxyPort.stderr.trim().split('\n').at(-1)).toBe(
        `modelgres: port ${busy} on 127.0.0.1 is in use by another program: stop that program, or choose another port with --port.`,
      );
      // The embedded PostgreSQL it had started is stopped, not left behind (it removes its lock file last).
      await pollUntil('the embedded PostgreSQL to stop', async () => existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), (left) => !left);
      const embeddedPort = await run('--port', String(await freePort()), '--embedded-port', String(busy));
      expect(embeddedPort.code).toBe(1);
      expect(embeddedPort.stderr.trim().split('\n').at(-1)).toBe(
        `modelgres: the embedded PostgreSQL cannot listen on port ${busy}: another program uses it. Stop that program, or choose another port with --embedded-port.`,
      );
    } finally {
      taken.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('Ctrl-C on start shuts down cleanly: modelgres closes its connections, then stops the embedded PostgreSQL', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-cli-'));
    try {
      const [port, embeddedPort] = [await freePort(), await freePort()];
      // A process group of its own, as a terminal's foreground job: Ctrl-C signals the whole group.
      const child = spawn(process.execPath, ['dist/cli.js', 'start', '--data-dir', dataDir, '--port', String(port), '--embedded-port', String(embeddedPort)], {
        cwd: root,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = once(child, 'exit');
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('embedded PostgreSQL (direct')) resolve();
        });
        exited.then(() => reject(new Error(`modelgres exited before it was ready: ${stderr}`)), () => {});
      });
      const logged = stderr.length;
      process.kill(-child.pid!, 'SIGINT');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const shutdown = stderr.slice(logged).trim().split('\n');
      expect(shutdown.map((line) => line.replace(/^\S+ /, ''))).toEqual(['INFO shutting down']);
      // PostgreSQL removes its lock file at the end of a shutdown; a killed server leaves it behind.
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
