import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/embedded/embedded-server.ts';
import { startModelgres, type Modelgres } from '../../src/modelgres.ts';
import { freePort } from '../../src/util/free-port.ts';
import { recordingLogger, show, type LogLine, type RecordingLogger } from '../support/recording-logger.ts';

/*
 * modelgres in front of a PostgreSQL of its own, which the test restarts as `pg_ctl restart -m fast`
 * would: every session is terminated, then the server comes back on the same port and data.
 */
const root = path.resolve(import.meta.dirname, '../..');
let dir: string;
let server: EmbeddedServer;
let modelgres: Modelgres | null = null;
let log: RecordingLogger;
let proxyUrl: string;
const clients: pg.Client[] = [];
/** Lines logged from the moment both LISTEN connections were back. */
let afterReconnect = 0;

/** The exact linear targets the models learn (a regularised fit: within 0.05 at the points used). */
const before = (x: number, z: number) => 3 * x - 2 * z + 5;
const after = (x: number, z: number) => x + 4 * z - 1;

async function client(): Promise<pg.Client> {
  const c = new pg.Client(proxyUrl);
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
}

const reconnected = (channel: string) => (l: LogLine) => l.level === 'info' && l.message.includes(channel) && /reconnected/.test(l.message);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-restart-'));
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  log = recordingLogger();
  modelgres = await startModelgres({ upstreamUrl: server.url, host: '127.0.0.1', port: 0, workers: 1, log });
  proxyUrl = `postgres://postgres@127.0.0.1:${modelgres.port}/postgres`;
  const c = await client();
  await c.query(`CREATE TABLE pts AS
    SELECT g::float8 AS x, (g % 7)::float8 AS z, (3 * g - 2 * (g % 7) + 5)::float8 AS y, (g + 4 * (g % 7) - 1)::float8 AS w
      FROM generate_series(1, 80) g`);
  await c.query('CREATE MODEL before_m FROM (SELECT x, z, y FROM pts) TARGET y FUNCTION before_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  expect((await c.query('WAIT FOR MODEL before_m')).rows[0].state).toBe('READY');
  expect((await c.query('SELECT before_fn(10, 3) AS p')).rows[0].p).toBeCloseTo(before(10, 3), 1);
  // Nobody is connected through the proxy while PostgreSQL restarts.
  await closeClients();
  await server.restart();
});

afterAll(async () => {
  await closeClients();
  await modelgres?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('after PostgreSQL restarts under the proxy', () => {
  test('both LISTEN connections come back and say so', async () => {
    await log.waitFor(reconnected('modelgres_catalog'), 20_000);
    await log.waitFor(reconnected('modelgres_jobs'), 20_000);
    afterReconnect = log.lines.length;
  });

  test('the model trained before the restart still answers', async () => {
    const c = await client();
    expect((await c.query('SELECT before_fn(10, 3) AS p')).rows[0].p).toBeCloseTo(before(10, 3), 1);
  });

  test('a model created after the restart trains, and its function answers within a second of READY', async () => {
    const c = await client();
    await c.query('CREATE MODEL after_m FROM (SELECT x, z, w FROM pts) TARGET w FUNCTION after_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
    expect((await c.query('WAIT FOR MODEL after_m TIMEOUT 60')).rows[0].state).toBe('READY');
    const ready = Date.now();
    for (;;) {
      const r = await c.query('SELECT after_fn(10, 3) AS p').catch((e: Error) => e);
      if (!(r instanceof Error)) {
        expect(r.rows[0].p).toBeCloseTo(after(10, 3), 1);
        break;
      }
      // Before the registry learns the name, the call reaches PostgreSQL's stub, which refuses it.
      if (Date.now() - ready > 1000) throw r;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  test('nothing is logged as an error, and a warning is given once an outage, not once a retry', async () => {
    const c = await client();
    await c.query('DROP MODEL after_m');
    await closeClients();
    await modelgres!.close();
    modelgres = null;
    const errors = log.lines.slice(afterReconnect).filter((l) => l.level === 'error');
    expect(errors.map(show)).toEqual([]);
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    const repeated = warnings.filter((m, i) => warnings.indexOf(m) !== i);
    expect(repeated, log.lines.map(show).join('\n')).toEqual([]);
  });
});

describe('closing modelgres while PostgreSQL is down', () => {
  test('ends the reconnecting: no socket or timer is left, and the process exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/close-during-outage.ts', server.url], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const lines: string[] = [];
    let ready: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      if (l === 'ready') ready();
    });
    const deadline = <T>(p: Promise<T>, ms: number, what: string) =>
      Promise.race([
        p,
        new Promise<never>((_, reject) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${what} within ${ms} ms; the child printed:\n${lines.join('\n')}`));
          }, ms);
          void p.finally(() => clearTimeout(t));
        }),
      ]);
    try {
      await deadline(Promise.race([isReady, exited.then(() => Promise.reject(new Error('exited before ready')))]), 60_000, 'not ready');
      await server.stop();
      const [code] = await deadline(exited, 30_000, 'the child did not exit after closing');
      expect(code).toBe(0);
      expect(lines).toContain('closed');
      expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await server.restart();
    }
  });
});
