import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { StatementPlanner } from '../plan/statement-planner.ts';
import type { Logger } from '../util/logger.ts';
import { CancelRegistry } from './cancel-registry.ts';
import { ClientSession } from './client-session.ts';
import { ClientSlots } from './client-limit.ts';
import type { ProxySettings } from '../session/statement-context.ts';
import type { UpstreamAddress } from './upstream-address.ts';

export interface ProxyServerOptions {
  host: string;
  port: number;
  upstream: UpstreamAddress;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Refuse clients that do not ask for TLS (needs the certificate and key). */
  tlsRequired?: boolean;
  /** Clients served at once (see ClientSlots); the rest get 53300 at their StartupMessage. startModelgres gives it; default no limit. */
  maxClientConnections?: number;
  planner: StatementPlanner;
  onCatalogChange: () => Promise<void>;
  settings: ProxySettings;
  log: Logger;
}

export interface ProxyServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/** Listens for PostgreSQL clients; each connection becomes a ClientSession of its own. */
export async function startProxyServer(options: ProxyServerOptions): Promise<ProxyServer> {
  const secureContext =
    options.tlsCertFile && options.tlsKeyFile
      ? tls.createSecureContext({ cert: readFileSync(options.tlsCertFile), key: readFileSync(options.tlsKeyFile) })
      : null;
  if (options.tlsRequired && !secureContext) throw new Error('TLS cannot be required without a certificate: give --tls-cert and --tls-key.');
  const cancels = new CancelRegistry();
  const slots = new ClientSlots(options.maxClientConnections ?? Number.POSITIVE_INFINITY);
  const sockets = new Set<net.Socket>();
  // Half-open: a client that sends its startup packet and shuts down its side still gets
  // PostgreSQL's answer, as it would from PostgreSQL (see ClientSession.onClientEnd).
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    try {
      new ClientSession(socket, {
        upstream: options.upstream,
        tls: secureContext,
        tlsRequired: options.tlsRequired ?? false,
        cancels,
        slots,
        planner: options.planner,
        onCatalogChange: options.onCatalogChange,
        settings: options.settings,
        log: options.log,
      });
    } catch (error) {
      options.log.error('could not start a session', error);
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenFailure(e, options.host, options.port)));
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      server.on('error', (e) => options.log.error('listener error', e));
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    host: options.host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Why the proxy could not listen, in one line that says what to do. */
function listenFailure(e: NodeJS.ErrnoException, host: string, port: number): Error {
  if (e.code === 'EADDRINUSE') {
    return new Error(`port ${port} on ${host} is in use by another program: stop that program, or choose another port with --port.`);
  }
  if (e.code === 'EACCES') return new Error(`no permission to listen on port ${port} on ${host}: choose a port above 1023 with --port.`);
  if (e.code === 'EADDRNOTAVAIL') return new Error(`${host} is not an address of this machine: choose another with --host.`);
  return new Error(`cannot listen on ${host}:${port}: ${e.message}`);
}
