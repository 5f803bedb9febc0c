import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../src/embedded/embedded-server.ts';
import { BenchProxies, withClient, type Proxy } from './bench-proxies.ts';
import { freePort } from './bench-support.ts';

/** Rows and spec of one CREATE MODEL: float8 features in order (null = missing), the target, XGBOOST's spec. */
export interface ProxiedSet {
  name: string;
  features: Array<Array<number | null>>;
  target: Array<number | string>;
  targetType: 'float8' | 'text';
  objective: string;
  hyperparameters: Record<string, string>;
}

/**
 * CREATE MODEL to READY through `modelgres start` in front of an embedded PostgreSQL: the data
 * set's train() rows, in their order, in a table; the same XGBOOST spec; the wall time until the
 * registration's NOTIFY arrives on a direct connection.
 */
export class ProxiedTraining {
  private readonly heard: Array<{ payload: string; at: number }> = [];
  private waiting: (() => void) | null = null;
  private models = 0;

  private constructor(
    private readonly dir: string,
    private readonly server: EmbeddedServer,
    private readonly proxies: BenchProxies,
    private readonly proxy: Proxy,
    private readonly listener: pg.Client,
  ) {
    listener.on('notification', (n) => {
      this.heard.push({ payload: n.payload ?? '', at: performance.now() });
      this.waiting?.();
    });
  }

  static async start(): Promise<ProxiedTraining> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-training-pg-'));
    const server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
    const proxies = new BenchProxies();
    const proxy = await proxies.start(server.socketUrl);
    const listener = new pg.Client({ connectionString: server.url });
    await listener.connect();
    await listener.query('LISTEN modelgres_catalog');
    return new ProxiedTraining(dir, server, proxies, proxy, listener);
  }

  async createModel(set: ProxiedSet): Promise<{ seconds: number; breakdown: string }> {
    const name = `bench_${++this.models}`;
    const columns = set.features.map((_, c) => `f${c}`);
    const rows = set.target.length;
    await withClient(this.server.url, async (c) => {
      await c.query(`CREATE TABLE ${name}_rows (${[...columns.map((f) => `${f} float8`), `target ${set.targetType}`].join(', ')})`);
      // unnest keeps the arrays' order, so the snapshot reads the rows in the order given.
      await c.query(
        `INSERT INTO ${name}_rows SELECT * FROM unnest(${columns.map((_, k) => `$${k + 1}::float8[]`).join(', ')}, $${columns.length + 1}::${set.targetType}[])`,
        [...set.features, set.target],
      );
    });
    const { objective, hyperparameters } = set;
    const except = Object.entries(hyperparameters).map(([k, v]) => `${k.toUpperCase()} '${v}'`).join(', ');
    return withClient(this.proxy.url, async (c) => {
      const sent = performance.now();
      await c.query(`CREATE MODEL ${name} FROM ${name}_rows TARGET target FUNCTION ${name}_fn
                       AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE '${objective}' HYPERPARAMETERS DEFAULT EXCEPT (${except})
                       SETTINGS (MAX_CELLS ${(columns.length + 1) * rows})`);
      const show = new Map((await c.query(`SHOW MODEL ${name}`)).rows.map((r) => [r.Key as string, r.Value as string]));
      const jobName = show.get('Training Job Name')!;
      const registered = await this.registration(jobName, 600_000);
      const after = new Map((await c.query(`SHOW MODEL ${name}`)).rows.map((r) => [r.Key as string, r.Value as string]));
      if (after.get('Model State') !== 'READY') throw new Error(`${set.name}: ${name} is ${after.get('Model State')}: ${after.get('Failure Reason')}`);
      if (Number(after.get('Training Rows')) !== rows) throw new Error(`${set.name}: the snapshot kept ${after.get('Training Rows')} rows`);
      return { seconds: (registered - sent) / 1000, breakdown: after.get('Training Progress') ?? '(no breakdown)' };
    });
  }

  /** When the NOTIFY of the job's registration arrived (performance.now()). */
  private async registration(jobName: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.heard.find((h) => h.payload === jobName);
      if (found) return found.at;
      if (Date.now() > deadline) throw new Error(`no registration of ${jobName} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    await this.listener.end().catch(() => {});
    await this.proxies.stopAll();
    await this.server.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
