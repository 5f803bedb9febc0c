import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/util/free-port.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * `modelgres start` as a child process, so a test can SIGKILL it: what a crash, an OOM kill or
 * `kill -9` does, with no shutdown code running. Its log (stderr) and stdout are kept line by line.
 */
export interface ProxyProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every line of stdout and stderr, in order of arrival. */
  readonly lines: readonly string[];
  /** Resolves with the first line (already printed or to come) that matches; rejects when the process exits first or after `timeoutMs`. */
  waitForLine(match: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once `modelgres is ready` is printed. */
  ready(timeoutMs?: number): Promise<void>;
  /** The proxy's URL for a database of the upstream server. */
  url(database: string): string;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** `user`: the ids to run as (root only), for file permissions that bind. */
export async function spawnProxy(upstreamUrl: string, args: string[] = [], user?: { uid: number; gid: number }): Promise<ProxyProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['dist/cli.js', 'start', '--upstream', upstreamUrl, '--port', String(port), '--log-level', 'info', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...user },
  );
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let gone = false;
  void exited.then(() => (gone = true));
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const w of [...waiters]) w();
    });
  }
  const waitForLine = (match: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find((l) => match.test(l));
        if (found !== undefined) return finish(() => resolve(found));
        if (gone) return finish(() => reject(new Error(`modelgres exited before printing ${match}; it printed:\n${lines.join('\n')}`)));
      };
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no line matching ${match} within ${timeoutMs} ms; modelgres printed:\n${lines.join('\n')}`))), timeoutMs);
      waiters.add(check);
      void exited.then(check);
      check();
    });
  return {
    child,
    port,
    lines,
    waitForLine,
    ready: async (timeoutMs) => {
      await waitForLine(/^modelgres is ready:/, timeoutMs);
    },
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    kill: async () => {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    exited,
  };
}

/** A database of its own on the suite's PostgreSQL: the catalog, job queue and workers of this file meet no other's. */
export async function freshDatabase(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now() % 1_000_000}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
