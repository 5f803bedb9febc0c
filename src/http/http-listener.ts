import http from 'node:http';
import type net from 'node:net';
import { Dashboard } from '../dashboard/dashboard.ts';
import type { SessionLimits } from '../dashboard/dashboard-sessions.ts';
import { METRICS_REGISTRY, metricsText } from '../metrics/metrics-registry.ts';
import type { Logger } from '../util/logger.ts';
import { refreshCatalogGauges } from './catalog-gauges.ts';
import { checkHealth } from './health.ts';
import { backgroundPool } from '../catalog/background-pool.ts';

export interface HttpListenerOptions {
  host: string;
  port: number;
  /** PostgreSQL as the proxy reaches it, with the catalog's role. */
  upstreamUrl: string;
  log: Logger;
  dashboardSessions?: Partial<SessionLimits>;
  /** How often the dashboard samples its throughput history (default 10 s). */
  throughputIntervalMs?: number;
}

export interface HttpListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The operations listener (--http-port): /metrics in Prometheus's text format, /healthz, and the
 * dashboard at /. Separate from the PostgreSQL port, and on loopback unless --http-host says
 * otherwise.
 */
export async function startHttpListener(options: HttpListenerOptions): Promise<HttpListener> {
  const own = backgroundPool({ connectionString: options.upstreamUrl, max: 2, application_name: 'modelgres http' });
  own.on('error', (e) => options.log.debug('http listener: idle connection to PostgreSQL lost', e));
  const dashboard = new Dashboard({ upstreamUrl: options.upstreamUrl, own, log: options.log, sessions: options.dashboardSessions, throughputIntervalMs: options.throughputIntervalMs });
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    route(req, res).catch((error) => {
      options.log.error(`http listener: ${req.method} ${req.url} failed`, error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && req.method === 'GET') {
      try {
        await refreshCatalogGauges(own);
      } catch (error) {
        // The process's own counters are still worth a scrape while PostgreSQL is away.
        options.log.warn('/metrics: the catalog gauges could not be read', error);
      }
      res.writeHead(200, { 'Content-Type': METRICS_REGISTRY.contentType, 'Cache-Control': 'no-store' });
      res.end(await metricsText());
      return;
    }
    if (path === '/healthz' && req.method === 'GET') {
      const health = await checkHealth(own);
      res.writeHead(health.ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(health) + '\n');
      return;
    }
    await dashboard.handle(req, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(`HTTP port ${options.port} on ${options.host} is in use by another program: choose another with --http-port.`)
          : new Error(`cannot listen for HTTP on ${options.host}:${options.port}: ${e.message}`),
      ),
    );
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      server.on('error', (e) => options.log.error('http listener error', e));
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  options.log.info(`http: /metrics, /healthz and the dashboard on http://${options.host}:${port}/`);
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await dashboard.close();
      await own.end();
    },
  };
}
