import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { freePort, stopChild, waitForLine } from './bench-support.ts';
import { npmStartEnv } from './as-npm-start.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');

export interface Proxy {
  child: ChildProcess;
  url: string;
}

/**
 * `modelgres start` processes a benchmark runs in front of its PostgreSQL. One that exits before it
 * is stopped says so; stopAll ends every one, also after a failed run.
 */
export class BenchProxies {
  private readonly children: ChildProcess[] = [];
  private readonly stopping = new Set<ChildProcess>();

  async start(upstreamUrl: string): Promise<Proxy> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      // BENCH_PROXY_NODE_ARGS: node flags for the proxy, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      [...(process.env.BENCH_PROXY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'dist/cli.js', 'start', '--upstream', upstreamUrl, '--port', String(port), '--log-level', 'warn'],
      { cwd: repoRoot, env: npmStartEnv, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.children.push(child);
    child.once('exit', (code, signal) => {
      if (!this.stopping.has(child)) console.error(`modelgres (pid ${child.pid}) exited unexpectedly: ${code ?? signal}`);
    });
    await waitForLine(child, 'modelgres is ready');
    return { child, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
  }

  async stop(p: Proxy): Promise<void> {
    this.stopping.add(p.child);
    await stopChild(p.child);
  }

  async stopAll(): Promise<void> {
    for (const child of this.children) await this.stop({ child, url: '' });
  }
}

/** Runs `f` on a new connection to `url`, closed afterwards. */
export async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  // A dropped connection then fails the query in flight instead of crashing the run.
  c.on('error', () => {});
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A deterministic pseudo-random float8 in [0, 10) from a bigint seed expression. */
export function uniform10(seed: string): string {
  return `((hashint8(${seed}) & 2147483647)::float8 / 2147483648 * 10)`;
}
