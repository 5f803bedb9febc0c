import net from 'node:net';
import { parse } from 'pg-connection-string';

/** Where the real PostgreSQL listens: TCP host and port, or a Unix socket directory. */
export type UpstreamAddress = { host: string; port: number } | { socketPath: string };

export function upstreamAddressFromUrl(url: string): UpstreamAddress {
  const cfg = parse(url);
  const port = cfg.port ? Number(cfg.port) : 5432;
  const host = cfg.host ?? '127.0.0.1';
  if (host.startsWith('/')) return { socketPath: `${host}/.s.PGSQL.${port}` };
  return { host, port };
}

export function connectUpstream(address: UpstreamAddress): net.Socket {
  const socket = 'socketPath' in address ? net.connect(address.socketPath) : net.connect(address.port, address.host);
  socket.setNoDelay(true);
  return socket;
}
