import { inject } from 'vitest';
import pg from 'pg';
import { startModelgres, type Modelgres } from '../../src/modelgres.ts';
import { createLogger } from '../../src/util/logger.ts';
import type { RemoteEndpoints } from '../../src/remote/endpoints.ts';

export interface TestProxy {
  /** Connection string of the proxy, as the postgres superuser. */
  url: string;
  port: number;
  /** Connection string of the PostgreSQL behind it, bypassing modelgres. */
  upstreamUrl: string;
  modelgres: Modelgres;
  /** A connected pg client through the proxy; closed by close(). */
  client(config?: pg.ClientConfig): Promise<pg.Client>;
  /** A connected pg client straight to PostgreSQL; closed by close(). */
  direct(config?: pg.ClientConfig): Promise<pg.Client>;
  close(): Promise<void>;
}

/** Starts modelgres on a free port in front of the suite's PostgreSQL. */
export async function startTestProxy(
  options: { tlsCertFile?: string; tlsKeyFile?: string; tlsRequired?: boolean; workers?: number; leaseSeconds?: number; modelDir?: string; maxClientConnections?: number; remoteEndpoints?: RemoteEndpoints; driftSampleRows?: number } = {},
): Promise<TestProxy> {
  // A database of its own: catalogs, job queues and training workers of test files never meet.
  const upstreamUrl = await freshDatabase(inject('upstreamUrl'));
  const modelgres = await startModelgres({
    upstreamUrl,
    host: '127.0.0.1',
    port: 0,
    workers: options.workers ?? 0,
    leaseSeconds: options.leaseSeconds,
    modelDir: options.modelDir,
    log: createLogger((process.env.MODELGRES_TEST_LOG as 'debug') ?? 'error'),
    ...options,
  });
  const upstream = new URL(upstreamUrl);
  const url = `postgres://postgres@127.0.0.1:${modelgres.port}${upstream.pathname}`;
  const clients: pg.Client[] = [];
  const connect = async (connectionString: string, config?: pg.ClientConfig) => {
    const c = new pg.Client({ connectionString, ...config });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  };
  return {
    url,
    port: modelgres.port,
    upstreamUrl,
    modelgres,
    client: (config) => connect(url, config),
    direct: (config) => connect(upstreamUrl, config),
    close: async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await modelgres.close();
    },
  };
}

let databases = 0;

async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `modelgres_test_${process.pid}_${++databases}_${Date.now() % 100000}`;
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
