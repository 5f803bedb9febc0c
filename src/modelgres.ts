import { migrateCatalog } from './catalog/migrate.ts';
import { startProxyServer, type ProxyServer } from './proxy/proxy-server.ts';
import { upstreamAddressFromUrl } from './proxy/upstream-address.ts';
import { StatementRouter } from './router/statement-router.ts';
import { handleStatement } from './statements/statement-handler.ts';
import type { Logger } from './util/logger.ts';

export interface ModelgresOptions {
  upstreamUrl: string;
  host: string;
  port: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  log: Logger;
}

export interface Modelgres {
  readonly port: number;
  readonly router: StatementRouter;
  close(): Promise<void>;
}

/** The whole service: catalog migrated, then the proxy listening. Used by the CLI and the tests. */
export async function startModelgres(options: ModelgresOptions): Promise<Modelgres> {
  await migrateCatalog(options.upstreamUrl, options.log);
  const router = new StatementRouter();
  const server: ProxyServer = await startProxyServer({
    host: options.host,
    port: options.port,
    upstream: upstreamAddressFromUrl(options.upstreamUrl),
    tlsCertFile: options.tlsCertFile,
    tlsKeyFile: options.tlsKeyFile,
    router,
    handleStatement,
    log: options.log,
  });
  options.log.info(`listening on ${options.host}:${server.port}`);
  return { port: server.port, router, close: () => server.close() };
}
