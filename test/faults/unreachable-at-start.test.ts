import { afterAll, expect, test } from 'vitest';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/embedded/embedded-server.ts';
import { freePort } from '../../src/util/free-port.ts';
import { spawnProxy, type ProxyProcess } from './proxy-process.ts';

/*
 * modelgres started before its PostgreSQL: it waits, says so once an attempt with the next delay,
 * and listens for clients only once PostgreSQL answers. A PostgreSQL of this file's own is started
 * late, on the port the proxy was told.
 */
let dir: string | undefined;
let server: EmbeddedServer | undefined;
let proxy: ProxyProcess | undefined;

afterAll(async () => {
  await proxy?.kill();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Whether anything accepts a TCP connection on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('retries with backoff, logging each attempt and the next delay, listens only once PostgreSQL is up, then serves', async () => {
  const pgPort = await freePort();
  proxy = await spawnProxy(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, ['--workers', '1']);
  // Generous: a loaded machine takes a while to start node and load the sources.
  await proxy.waitForLine(/unreachable \(attempt 3:/, 90_000);

  // Still running, not listening: a client is refused by the kernel, not accepted and then failed.
  expect(proxy.child.exitCode).toBeNull();
  expect(await listening(proxy.port)).toBe(false);
  const attempts = proxy.lines.filter((l) => l.includes('unreachable'));
  expect(attempts.slice(0, 3).map((l) => l.replace(/^\S+ /, ''))).toEqual([
    `WARN PostgreSQL at 127.0.0.1:${pgPort} is unreachable (attempt 1: connect ECONNREFUSED 127.0.0.1:${pgPort}); next attempt in 0.5 s`,
    `WARN PostgreSQL at 127.0.0.1:${pgPort} is unreachable (attempt 2: connect ECONNREFUSED 127.0.0.1:${pgPort}); next attempt in 1.0 s`,
    `WARN PostgreSQL at 127.0.0.1:${pgPort} is unreachable (attempt 3: connect ECONNREFUSED 127.0.0.1:${pgPort}); next attempt in 2.0 s`,
  ]);

  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-unreachable-'));
  server = await startEmbeddedServer({ dataDir: dir, port: pgPort });
  await proxy.ready(60_000);
  expect(proxy.lines.some((l) => /INFO PostgreSQL at 127\.0\.0\.1:\d+ is reachable after \d+ attempts$/.test(l))).toBe(true);

  const c = new pg.Client(proxy.url('postgres'));
  await c.connect();
  try {
    expect((await c.query('SELECT 6 * 7 AS n')).rows).toEqual([{ n: 42 }]);
    // The catalog was migrated after the wait: an ML statement works too.
    await c.query('CREATE TABLE pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(1, 40) g');
    await c.query('CREATE MODEL m FROM pts TARGET y FUNCTION m_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
    expect((await c.query('WAIT FOR MODEL m TIMEOUT 60')).rows[0].state).toBe('READY');
    expect((await c.query('SELECT m_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
  } finally {
    await c.end();
  }
  expect(proxy.lines.filter((l) => / ERROR /.test(l))).toEqual([]);
}, 240_000);

test('a wrong database is not waited for: one line that says what is wrong, exit code 1', async () => {
  const pgPort = server!.port;
  const wrong = await spawnProxy(`postgres://postgres@127.0.0.1:${pgPort}/no_such_database`);
  const [code] = await wrong.exited;
  expect(code).toBe(1);
  expect(wrong.lines.at(-1)).toBe('modelgres: database "no_such_database" does not exist');
  expect(wrong.lines.some((l) => l.includes('unreachable'))).toBe(false);
});
